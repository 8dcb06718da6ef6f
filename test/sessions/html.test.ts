import {describe, expect, it} from 'vitest';
import {formatHtml} from '../../source/sessions/format-html.js';
import {escapeHtml} from '../../source/sessions/html-page.js';
import {CHART} from '../../source/sessions/waterfall-svg.js';
import {event, header, reduce} from '../helpers/events.js';
import {threeRequestsEvents} from './session-fixtures.js';

interface Tag {
	name: string;
	attributes: Record<string, string>;
}

/** Start tags with their attributes: enough of an HTML parser for generated markup. */
function tags(html: string): Tag[] {
	return [...html.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/g)].map(match => ({
		name: match[1]!.toLowerCase(),
		attributes: Object.fromEntries([...match[2]!.matchAll(/([\w:-]+)(?:="([^"]*)")?/g)].map(a => [a[1]!, a[2] ?? ''])),
	}));
}

// A tester's Fastify run: `Showing the first 1500 of 6885 rows`, in a report whose every other count is in thousands.
it("says how many of the waterfall's rows it shows in thousands, as every other count", () => {
	const events = [event('task.start', {t: 0, id: 1, kind: 'script', name: 'app.js', loc: null})];
	for (let id = 2; id < 2_002; id++) events.push(event('task.start', {t: 1, id, parent: 1, kind: 'task', name: 'work()', loc: 'app.js:2:1'}));
	expect(formatHtml(reduce(events))).toContain('Showing the first 1,500 of 2,001 rows');
});

describe('html report', () => {
	const lines = threeRequestsEvents();
	const state = reduce(lines);
	const html = formatHtml(state, [{kind: 'unhandled-rejection', error: {name: 'Error', message: 'insight <b>kept</b> as text'}, taskName: null, taskIds: []}]);
	const all = tags(html);

	it('is one self-contained file: no scripts, stylesheets, or remote fetches', () => {
		expect(html.startsWith('<!doctype html>')).toBe(true);
		expect(all.filter(t => t.name === 'script' || t.name === 'link' || t.name === 'img' || t.name === 'iframe')).toEqual([]);
		expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)(?!api\.example\.com|cdn\.example\.net)/);
		expect(html).not.toMatch(/@import|url\(/);
	});

	it('draws one bar per task, with x and width proportional to the time axis', () => {
		const bars = all.filter(t => t.attributes.class === 'task-bar');
		const tasks = [...state.nodes.values()].filter(n => n.kind === 'script' || n.kind === 'task');
		expect(bars.map(b => Number(b.attributes['data-task-id'])).sort()).toEqual(tasks.map(t => t.id).sort());
		// The axis runs from the stream's t = 0 to its last event.
		const duration = state.nowMs;
		const plotWidth = CHART.plotRight - CHART.plotLeft;
		for (const task of tasks) {
			const bar = bars.find(b => b.attributes['data-task-id'] === String(task.id))!;
			expect(Number(bar.attributes.x)).toBeCloseTo(CHART.plotLeft + (task.startMs / duration) * plotWidth, 1);
			expect(Number(bar.attributes.width)).toBeCloseTo(((task.endMs! - task.startMs) / duration) * plotWidth, 1);
		}
		const width = (id: number): number => Number(bars.find(b => b.attributes['data-task-id'] === String(id))!.attributes.width);
		// request-B (3 s) against request-A (1.25 s)
		expect(width(4) / width(3)).toBeCloseTo((3001.2 - 0.9) / (1251.5 - 0.6), 2);
	});

	it('colours bars by state over time and marks blocks across the chart', () => {
		const segments = all.filter(t => t.name === 'rect' && t.attributes.class?.startsWith('seg seg-'));
		expect(new Set(segments.map(s => s.attributes.class))).toEqual(new Set(['seg seg-running', 'seg seg-waiting', 'seg seg-connect', 'seg seg-ttfb', 'seg seg-download']));
		const blocks = all.filter(t => t.attributes.class === 'block-span');
		expect(blocks).toHaveLength(1);
		const svg = all.find(t => t.name === 'svg')!;
		const chartHeight = Number(svg.attributes.viewBox!.split(' ')[3]);
		expect(Number(blocks[0]!.attributes.height)).toBeGreaterThan(chartHeight - CHART.axisHeight);
		expect(html).toMatch(/<title>event loop blocked 250ms at 1\.00s\nexamples\/three-requests\.ts:6:5, parseBody<\/title>/);
	});

	it('gives every bar a hover title with its details, and holds the summary tables', () => {
		expect(html).toContain('<title>simulateRequest(&#34;request-B&#34;, 3000)\ntask #4, failed\n');
		expect(html).toContain('Error: request-B failed: upstream &#60;503&#62; | &#34;busy&#34;</title>');
		for (const heading of ['Summary', 'Insights', 'Slowest tasks', 'HTTP by host', 'HTTP latency by phase', 'Event loop blocks', 'Failures']) {
			expect(html).toContain(`<h2>${heading}</h2>`);
		}
		expect(html).toContain('insight &#60;b&#62;kept&#60;/b&#62; as text');
	});

	it('escapes task names from user code everywhere', () => {
		const hostile = '<script>alert("x")</script>&';
		const evil = reduce([
			header({script: hostile}),
			event('task.start', {t: 0, id: 1, kind: 'script', name: hostile, loc: `"><svg onload=alert(1)>`}),
			event('task.end', {t: 5, id: 1, ok: false, error: {name: 'Error', message: hostile}, busy: 5}),
		]);
		const page = formatHtml(evil);
		expect(page).not.toContain('<script');
		expect(page).not.toContain('<svg onload');
		expect(page).toContain(escapeHtml(hostile));
		expect(tags(page).filter(t => t.attributes.class === 'task-bar')).toHaveLength(1);
	});

	it('draws an HTTP op that came without its details, as a crafted recording may have it', () => {
		const page = formatHtml(
			reduce([
				header(),
				event('task.start', {t: 0, id: 1, kind: 'script', name: 'app.ts'}),
				event('op.start', {t: 1, id: 2, parent: 1, kind: 'http', name: 'GET /x'}),
				event('op.end', {t: 5, id: 2}),
			]),
		);
		expect(tags(page).filter(t => t.attributes['data-op-id'] === '2')).toHaveLength(1);
	});
});
