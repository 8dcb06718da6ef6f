import type {Insight} from '../../source/model/insights.js';
import type {ProtocolLine} from '../../source/protocol/events.js';
import {describe, expect, it} from 'vitest';
import {buildReport} from '../../source/model/summary.js';
import {formatMarkdown} from '../../source/sessions/format-markdown.js';
import {formatText} from '../../source/sessions/format-text.js';
import {REPORT_FORMATS, renderReport} from '../../source/sessions/formats.js';
import {httpStatsByHost, servedStatsByRoute} from '../../source/model/http-stats.js';
import {loadSession} from '../../source/sessions/reader.js';
import {computeInsights} from '../../source/model/insights.js';
import {event, header, reduce} from '../helpers/events.js';
import {controlCharacters, foreignMarkup, HOSTILE_STRINGS, hostileSession} from '../helpers/hostile.js';
import {THREE_REQUESTS_FILE} from './session-fixtures.js';

const insights: Insight[] = [{kind: 'sequential-awaits', taskName: 'main(user | orders)', operations: 2, sequenceMs: 1500, longestMs: 1000, togetherMs: 1000, taskIds: [2], savesMs: 500, calls: 1}];
const message = 'main(user | orders) awaited 2 operations in sequence (1.50s); started together with Promise.all they would take ~1.00s, if none needs what another does';

describe('report formats', () => {
	it('give identical output for two loads of the same recording', async () => {
		const first = (await loadSession(THREE_REQUESTS_FILE)).state;
		const second = (await loadSession(THREE_REQUESTS_FILE)).state;
		for (const format of REPORT_FORMATS) {
			expect(renderReport(format, second, insights), format).toBe(renderReport(format, first, insights));
		}
	});

	it('json is the report contract, plus insights in words only when given', async () => {
		const {state} = await loadSession(THREE_REQUESTS_FILE);
		expect(JSON.parse(renderReport('json', state))).toEqual(buildReport(state));
		expect(JSON.parse(renderReport('json', state, insights))).toStrictEqual({
			...buildReport(state),
			insights: [{kind: 'sequential-awaits', message, taskIds: [2], savesMs: 500}],
		});
	});

	it('computes HTTP percentiles per host and phase', async () => {
		const {state} = await loadSession(THREE_REQUESTS_FILE);
		const [api, cdn] = httpStatsByHost(state);
		expect(api).toMatchObject({host: 'api.example.com', requests: 2, failed: 1, clientErrors: 0});
		// ttfb samples 60 and 63 ms; total 94 and 123.7 ms
		// Percentiles are exact to 3 significant digits (the histogram's bucket), max is exact.
		const near = (actual: number | undefined, expected: number): void => expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(expected / 1000);
		const ttfb = api!.latency.ttfb!;
		expect(ttfb.samples).toBe(2);
		near(ttfb.p50Ms, 60);
		near(ttfb.p90Ms, 63);
		near(ttfb.p99Ms, 63);
		expect(ttfb.maxMs).toBe(63);
		near(api!.latency.total!.p50Ms, 93.7);
		expect(api!.latency.total!.maxMs).toBe(123.7);
		expect(Object.keys(api!.latency)).toEqual(['queue', 'connect', 'ttfb', 'download', 'total']);
		expect(cdn).toMatchObject({host: 'cdn.example.net', requests: 1, failed: 0, clientErrors: 0});
		// The text table says failures as the summary counts them, and 4xx answers apart.
		const text = renderReport('text', state);
		expect(text).toMatch(/host +requests +failed +4xx\n/);
		expect(text).toMatch(/api\.example\.com +2 +1 +0\n/);
		expect(cdn!.latency.download!.maxMs).toBe(300);
		near(cdn!.latency.download!.p99Ms, 300);
	});

	it('text lists the requests the script\'s servers received per route, apart from those it sent, and says how they failed', () => {
		const served = (t: number, id: number, url: string) => event('task.start', {t, id, parent: 1, kind: 'server', name: `GET ${url.split('?')[0]}`, loc: null, http: {method: 'GET', url}});
		const state = reduce([
			header(),
			event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null}),
			served(1, 2, '/users?page=1'),
			event('task.end', {t: 11, id: 2, status: 200}),
			served(12, 3, '/users?page=2'),
			event('task.end', {t: 42, id: 3, status: 500}),
			served(43, 4, '/health'),
			event('task.end', {t: 45, id: 4, ok: false, aborted: true}),
			{type: 'exit', t: 50, code: 0, signal: null},
		]);
		expect(httpStatsByHost(state)).toEqual([]);
		expect(servedStatsByRoute(state)).toMatchObject([
			{route: 'GET /users', requests: 2, failures: 1, latency: {samples: 2, maxMs: 30}},
			{route: 'GET /health', requests: 1, failures: 1, latency: {samples: 1}},
		]);
		const text = formatText(state);
		expect(text).toMatch(/HTTP received by route\n.*\n.*\nGET \/users +2 +1 +10ms +30ms +30ms\nGET \/health +1 +1 /);
		expect(text).not.toContain('HTTP by host');
		// The summary's HTTP figures are of requests the script sent: a server that sent none reads 0, not its 3 received.
		expect(text).toMatch(/HTTP requests sent +0\nmax HTTP requests sent in flight +0\n/);
		expect(text).toMatch(/GET \/users +answered 500/);
		expect(text).toMatch(/GET \/health +the client went away before the response finished/);
	});

	it('lists each failure once, with how many times it happened: requests received by their route', () => {
		const gone = (id: number): ProtocolLine[] => [
			event('task.start', {t: id, id, parent: 1, kind: 'server', name: `GET /users/${id}`, loc: null, http: {method: 'GET', url: `/users/${id}`}}),
			event('task.end', {t: id + 1, id, ok: false, aborted: true}),
		];
		const state = reduce([header(), event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null}), ...[2, 4, 6].flatMap(gone), {type: 'exit', t: 50, code: 0, signal: null}]);
		const failures = formatText(state).split('Failures\n')[1]!.split('\n\n')[0]!.split('\n').slice(2).filter(Boolean);
		expect(failures).toEqual([expect.stringMatching(/^×3 GET \/users\/:id +the client went away before the response finished/)]);
	});

	it('lists an op that failed under a task that went on to finish after the failures the script did not handle, said to be handled', () => {
		const enoent = (id: number, parent: number, file: string): ProtocolLine[] => [
			event('op.start', {t: id, id, parent, kind: 'fs', name: `access ${file}`, loc: null}),
			event('op.end', {t: id + 0.5, id, ok: false, error: {name: 'Error', message: `ENOENT: no such file or directory, access '${file}'`}}),
		];
		const state = reduce([
			header(),
			event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null}),
			// A configuration searched for in a try: two probes fail, the search goes on and finishes.
			event('task.start', {t: 1, id: 2, parent: 1, kind: 'task', name: 'findConfig()', loc: 'app.ts:2:1'}),
			...enoent(3, 2, 'app.config.json'),
			...enoent(5, 2, 'app.config.js'),
			event('task.end', {t: 7, id: 2, ok: true}),
			// Then a test fails, and its own read with it.
			event('task.start', {t: 8, id: 9, parent: 1, kind: 'task', name: 'checkTotals()', loc: 'app.ts:9:1'}),
			...enoent(10, 9, 'totals.csv'),
			event('task.end', {t: 12, id: 9, ok: false, error: {name: 'Error', message: "ENOENT: no such file or directory, open 'totals.csv'", location: 'app.ts:10:3'}}),
			{type: 'exit', t: 20, code: 1, signal: null},
		]);
		const failures = formatText(state).split('Failures\n')[1]!.split('\n\n')[0]!.split('\n').slice(2).filter(Boolean);
		expect(failures.map(row => row.split(/ {2,}/)[0])).toEqual([
			'checkTotals()',
			'access totals.csv',
			'access app.config.json (handled by the script)',
			'access app.config.js (handled by the script)',
		]);
	});

	// Workers gone with their ends not seen (the Ctrl-C that ended the script ended them too) make no claim of failure.
	it('lists a followed process that failed, not one gone with its end not seen', () => {
		const lane = (id: number, pid: number, error: {name: string; message: string}, signal: string | null): ProtocolLine[] => [
			event('task.start', {t: 5, id, parent: 1, kind: 'process', name: `pid ${pid}: node cluster.js`, loc: null, process: {pid, command: 'node cluster.js'}}),
			event('task.end', {t: 300, id, ok: false, error, exit: {code: null, signal}}),
		];
		const state = reduce([
			header(),
			event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'cluster.js', loc: null}),
			...lane(1_000_000_000_001, 42, {name: 'ProcessExit', message: 'killed by SIGKILL'}, 'SIGKILL'),
			...lane(2_000_000_000_001, 43, {name: 'ProcessGone', message: 'gone, its end not seen: the process that started it exited first'}, null),
			{type: 'exit', t: 900, code: null, signal: 'SIGINT'},
		]);
		const failures = formatText(state).split('Failures\n')[1]!.split('\n\n')[0]!.split('\n').slice(2).filter(Boolean);
		expect(failures).toEqual([expect.stringMatching(/^pid 42: node cluster\.js +ProcessExit: killed by SIGKILL/)]);
	});

	it('text holds the summary, slowest tasks, HTTP, blocks and failures', async () => {
		const {state} = await loadSession(THREE_REQUESTS_FILE);
		const text = formatText(state);
		expect(text).toMatch(/^asyncmon report: examples\/three-requests\.ts\n\nexit code 0, ran 3\.00s/);
		// The concurrency row names what it divides, and the rows beside it hold those figures: 6.66s / 3.00s.
		expect(text).toMatch(/running or waiting \(tasks, their waits on each other aside\) +6\.66s\nconcurrency \(running or waiting \/ duration\) +2\.2×/);
		expect(text).toMatch(/max tasks in flight +3/);
		const slowest = text.split('Slowest tasks\n')[1]!.split('\n\n')[0]!.split('\n').slice(2);
		expect(slowest.map(row => row.split(/ {2,}/)[0])).toEqual([
			'main',
			'simulateRequest("request-B", 3000)',
			'simulateRequest("request-C", 2000)',
			'simulateRequest("request-A", 1000)',
		]);
		expect(text).toMatch(/api\.example\.com +ttfb +2 +60ms +63ms +63ms +63ms/);
		expect(text).toMatch(/1\.00s +250ms +simulateRequest\("request-A", 1000\) +examples\/three-requests\.ts:6:5 +parseBody/);
		expect(text).toContain('Error: request-B failed: upstream <503> | "busy"');
		expect(text).not.toContain('Insights');
		// Cut to the column's width, with an ellipsis.
		expect(formatText(state, insights)).toContain('sequential-awaits  main(user | orders) awaited 2 operations in sequence (1.50s); started together with Promise.all they would take ~1.00s');
	});

	it('says a task an uncaught exception cut short, as it killed the process, in words; json keeps it pending', () => {
		const state = reduce([
			header(),
			event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: 'app.ts:1:1'}),
			event('task.start', {t: 1, id: 2, parent: 1, kind: 'task', name: 'job()', loc: 'app.ts:2:1'}),
			event('uncaught', {t: 900, origin: 'uncaughtException', error: {name: 'Error', message: 'crash in timer'}, task: null}),
			event('exit', {t: 901, code: 1, signal: null}),
		]);
		const rows = formatText(state).split('Slowest tasks\n')[1]!.split('\n\n')[0]!;
		expect(rows).toMatch(/job\(\) .* cut short by the uncaught exception +app\.ts:2:1/);
		expect(buildReport(state).tasks.find(task => task.name === 'job()')!.state).toBe('pending');
	});

	it('says a task a signal stopped before it settled was interrupted, in words; json keeps it pending', () => {
		const state = reduce([
			header(),
			event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: 'app.ts:1:1'}),
			event('task.start', {t: 1, id: 2, parent: 1, kind: 'task', name: 'job()', loc: 'app.ts:2:1'}),
			event('task.start', {t: 2, id: 3, parent: 1, kind: 'task', name: 'quick()', loc: 'app.ts:3:1'}),
			event('task.end', {t: 5, id: 3, ok: true, busy: 1, wait: 2, sched: 0, awaits: 1}),
			event('exit', {t: 1500, code: null, signal: 'SIGINT'}),
		]);
		const rows = formatText(state).split('Slowest tasks\n')[1]!.split('\n\n')[0]!;
		expect(rows).toMatch(/job\(\) .* interrupted by SIGINT +app\.ts:2:1/);
		expect(rows).toMatch(/quick\(\) .* finished +app\.ts:3:1/);
		expect(formatMarkdown(state)).toMatch(/\| job\(\) \|.*\| interrupted by SIGINT \| app\.ts:2:1 \|/);
		expect(buildReport(state).tasks.find(task => task.name === 'job()')!.state).toBe('pending');
		// Not interrupted when the script ended by itself: still pending.
		const ended = reduce([...[header(), event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: 'app.ts:1:1'}), event('task.start', {t: 1, id: 2, parent: 1, kind: 'task', name: 'job()', loc: 'app.ts:2:1'})], event('exit', {t: 1500, code: 0, signal: null})]);
		expect(formatText(ended)).toMatch(/job\(\) .* pending +app\.ts:2:1/);
	});

	it("names a block's task after the task was folded away, by the name it had when the block was told", () => {
		const state = reduce(
			[
				header(),
				event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'server.js', loc: 'server.js:1:1'}),
				event('task.start', {t: 10, id: 7, parent: 1, kind: 'server', name: 'GET /report', loc: null}),
				event('block.end', {t: 100, id: 1, durationMs: 80, task: 7, exact: true}),
				event('task.end', {t: 101, id: 7, ok: true, busy: 80, wait: 0, sched: 0, awaits: 0}),
				// Newer tasks push it out of the window of finished ones kept (folded a batch of 256 at a time).
				...Array.from({length: 300}, (_, i) => [
					event('task.start', {t: 200 + i / 10, id: 20 + i, parent: 1, kind: 'task', name: 'work()', loc: 'server.js:5:1'}),
					event('task.end', {t: 200.05 + i / 10, id: 20 + i, ok: true, busy: 0.05, wait: 0, sched: 0, awaits: 0}),
				]).flat(),
				event('exit', {t: 300, code: 0, signal: null}),
			],
			{retention: {maxFinished: 2, maxAgeMs: Infinity}},
		);
		expect(state.nodes.has(7)).toBe(false);
		const rows = formatText(state).split('Event loop blocks\n')[1]!.split('\n\n')[0]!;
		expect(rows).toMatch(/80ms +GET \/report /);
		expect(buildReport(state).blocks[0]).toMatchObject({taskId: 7, taskName: 'GET /report'});
	});

	it('md renders tables and escapes user strings that would break them', async () => {
		const {state} = await loadSession(THREE_REQUESTS_FILE);
		const md = formatMarkdown(state, insights);
		expect(md).toContain('### Slowest tasks\n\n| task | total | busy | waiting | sched delay | awaits | state | location |\n| :--- | ---: |');
		expect(md).toContain('| sequential-awaits | main(user \\| orders) awaited 2 operations in sequence (1.50s); started together with Promise.all they would take \\~1.00s, if none needs what another does |');
		expect(md).toContain('Error: request-B failed: upstream \\<503\\> \\| "busy"');
		for (const table of md.split('\n\n').filter(block => block.startsWith('|'))) {
			const separators = table.trimEnd().split('\n').map(row => row.replace(/\\\|/g, '').split('|').length);
			expect(new Set(separators).size, table).toBe(1);
		}
		expect(formatMarkdown(state)).not.toContain('### Insights');
	});

	it('hold no escape and no markup from a crafted recording: text, md and html', () => {
		for (const text of HOSTILE_STRINGS) {
			const state = reduce(hostileSession(text));
			const reports = Object.fromEntries((['text', 'md', 'html'] as const).map(format => [format, renderReport(format, state, computeInsights(state))]));
			for (const [format, report] of Object.entries(reports)) expect(controlCharacters(report), `${format} ${JSON.stringify(text)}`).toBeNull();
			expect(foreignMarkup(reports.html!), JSON.stringify(text)).toBeNull();
			expect(reports.text).toContain('load(');
		}
	});
});

describe('the text report', () => {
	it('prints each insight whole, however long: advice cut at 60 columns cannot be followed', async () => {
		const {state} = await loadSession(THREE_REQUESTS_FILE);
		const text = formatText(state, computeInsights(state));
		expect(text).toContain('parseBody() in simulateRequest("request-A", 1000) at examples/three-requests.ts:6 blocked the event loop for 250ms; move CPU-bound work to a worker thread');
		expect(text).toContain('cdn.example.net is the slowest host: 370ms per request on average, against 84ms for api.example.com');
	});
});
