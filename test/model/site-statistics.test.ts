import {describe, expect, it} from 'vitest';
import {siteStatistics} from '../../source/model/site-statistics.js';
import type {ProtocolLine} from '../../source/protocol/events.js';
import {event, FakeSession, reduce} from '../helpers/events.js';

/** Tasks of one function, each with its start, end (null: still pending) and busy time. */
function session(tasks: Array<{id: number; name: string; loc: string | null; start: number; end: number | null; busy?: number; ok?: boolean}>, exitAt: number) {
	const s = new FakeSession();
	s.emit('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'seed.ts', loc: 'seed.ts:1:1'});
	for (const task of tasks) s.emit('task.start', {t: task.start, id: task.id, parent: 1, name: task.name, loc: task.loc});
	for (const task of [...tasks].filter(t => t.end !== null).sort((a, b) => a.end! - b.end!)) {
		const busy = task.busy ?? 0;
		s.emit('task.end', {t: task.end!, id: task.id, ok: task.ok ?? true, busy, wait: task.end! - task.start - busy, awaits: 1});
	}
	s.emit('exit', {t: exitAt, code: 0, signal: null});
	return s.state;
}

describe('siteStatistics', () => {
	it('one site per function and location: calls with other arguments are one function', () => {
		const state = session(
			[
				{id: 2, name: 'simulateRequest("request-A", 1000)', loc: 'seed.ts:4:1', start: 0, end: 1000, busy: 10},
				{id: 3, name: 'simulateRequest("request-B", 3000)', loc: 'seed.ts:4:1', start: 0, end: 3000, busy: 20},
				{id: 4, name: 'simulateRequest("request-C", 2000)', loc: 'seed.ts:4:1', start: 0, end: 2000, busy: 30, ok: false},
				{id: 5, name: 'simulateRequest(1)', loc: 'other.ts:2:1', start: 0, end: 500},
			],
			3000,
		);
		const sites = siteStatistics(state);
		expect(sites.map(site => [site.name, site.location])).toEqual([
			['simulateRequest', 'seed.ts:4:1'],
			['simulateRequest', 'other.ts:2:1'],
		]);
		const {p50Ms, ...figures} = sites[0]!.figures;
		expect(figures).toEqual({count: 3, failed: 1, pending: 0, totalMs: 6000, busyMs: 60, waitMs: 5940, p99Ms: 3000, maxMs: 3000});
		// A percentile is the top of its histogram bucket: within 3 significant digits of the sample.
		expect(Math.abs(p50Ms - 2000)).toBeLessThan(2);
		expect(sites[1]!.figures).toMatchObject({count: 1, totalMs: 500, p99Ms: 500, maxMs: 500});
	});

	it('percentiles over many tasks: p50 and p99 of one task each, within the histogram’s 3 digits', () => {
		const tasks = Array.from({length: 100}, (_, i) => ({id: i + 2, name: 'work()', loc: 'w.ts:1:1', start: 0, end: (i + 1) * 10}));
		const [site] = siteStatistics(session(tasks, 1000));
		expect(site!.figures.count).toBe(100);
		expect(site!.figures.totalMs).toBe(50_500);
		expect(Math.abs(site!.figures.p50Ms - 500)).toBeLessThan(1);
		expect(Math.abs(site!.figures.p99Ms - 990)).toBeLessThan(1);
		expect(site!.figures.maxMs).toBe(1000);
	});

	it('a task still pending at the end counts to the end of the session, and as pending', () => {
		const [site] = siteStatistics(session([{id: 2, name: 'hang()', loc: 'h.ts:1:1', start: 100, end: null}], 900));
		expect(site!.figures).toMatchObject({count: 1, pending: 1, failed: 0, totalMs: 800});
	});

	it('leaves out the script’s top level and ops', () => {
		const state = session([], 100);
		expect(siteStatistics(state)).toEqual([]);
	});

	it('adds in the tasks folded at a site, as if each had been kept', () => {
		const lines: ProtocolLine[] = [event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null})];
		for (let i = 0; i < 3000; i++) {
			lines.push(event('task.start', {t: i, id: 100 + i, parent: 1, name: `getUser(${i})`, loc: 'users.ts:2:1'}));
			lines.push(event('task.end', {t: i + 1 + (i % 4), id: 100 + i, ok: i % 1000 !== 0, busy: 0.5, wait: 0.5 + (i % 4), sched: 0, awaits: 1}));
		}
		const all = reduce(lines);
		const bounded = reduce(lines, {retention: {maxFinished: 500, maxAgeMs: Infinity}});
		expect(bounded.aggregated.tasks).toBeGreaterThan(2000);
		const figures = (state: typeof all) => siteStatistics(state).find(site => site.name === 'getUser')!.figures;
		expect(figures(bounded)).toMatchObject({count: 3000, failed: 3, pending: 0});
		const [exact, folded] = [figures(all), figures(bounded)];
		expect(folded.totalMs).toBeCloseTo(exact.totalMs, 3);
		expect(folded.busyMs).toBeCloseTo(exact.busyMs, 3);
		expect(folded.waitMs).toBeCloseTo(exact.waitMs, 3);
		// Percentiles from the histogram: within its 3 significant digits.
		expect(folded.p50Ms).toBeCloseTo(exact.p50Ms, 2);
		expect(folded.p99Ms).toBeCloseTo(exact.p99Ms, 2);
	});
});
