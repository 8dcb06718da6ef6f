import {describe, expect, it} from 'vitest';
import {change, compareInsights, compareSessions, matchSites} from '../../source/model/comparison.js';
import {computeInsights, type Insight} from '../../source/model/insights.js';
import type {SiteFigures, SiteStatistics} from '../../source/model/site-statistics.js';
import type {ModelState} from '../../source/model/state.js';
import {InsightSession, onTask} from '../fixtures/insights/session.js';

/** The seed: main() runs simulateRequest three times (1 s, 3 s, 2 s), awaited together or one after another. */
function seed(concurrent: boolean): ModelState {
	const session = new InsightSession();
	let id = 1;
	const start = (t: number, name: string, loc: string, parent: number | null): number => {
		session.emit('task.start', {t, id, parent, name, loc});
		return id++;
	};
	const main = start(0, 'main()', 'seed.ts:9:1', null);
	const delays = [1000, 3000, 2000];
	let t = 0;
	const requests: number[] = [];
	for (const [i, delay] of delays.entries()) {
		const request = start(t, `simulateRequest("request-${'ABC'[i]}", ${delay})`, 'seed.ts:4:1', main);
		requests.push(request);
		if (concurrent) continue;
		session.emit('task.end', {t: t + delay, id: request, wait: delay, awaits: 1});
		session.awaits(main, onTask(request), {from: t + 0.1, ready: t + delay, resumed: t + delay + 0.1});
		t += delay + 0.1;
	}
	if (concurrent) {
		for (const [i, request] of requests.entries()) session.emit('task.end', {t: delays[i]!, id: request, wait: delays[i]!, awaits: 1});
		session.awaits(main, {kind: 'promise', tasks: requests}, {from: 0.1, ready: 3000, resumed: 3000.1});
		t = 3000.1;
	}
	session.emit('task.end', {t, id: main, wait: t, awaits: 3}).emit('exit', {t, code: 0, signal: null});
	return session.state;
}

const compared = (before: ModelState, after: ModelState) =>
	compareSessions({state: before, insights: computeInsights(before)}, {state: after, insights: computeInsights(after)});

const figures = (totalMs: number, count = 1): SiteFigures => ({count, failed: 0, pending: 0, totalMs, busyMs: 0, waitMs: totalMs, p50Ms: totalMs, p99Ms: totalMs, maxMs: totalMs});
const site = (name: string, location: string | null, totalMs = 100): SiteStatistics => ({name, location, figures: figures(totalMs)});

describe('compareSessions', () => {
	it('the seed, sequential against gathered: 6 s → 3 s, simulateRequest matched with 3 tasks on each side', () => {
		const comparison = compared(seed(false), seed(true));
		expect(comparison.before.durationMs).toBeCloseTo(6000, -1);
		expect(comparison.after.durationMs).toBeCloseTo(3000, -1);
		expect(comparison.before.concurrency).toBeCloseTo(1, 1);
		expect(comparison.after.concurrency).toBeCloseTo(2, 1);
		const simulate = comparison.sites.find(s => s.name === 'simulateRequest')!;
		expect(simulate).toMatchObject({status: 'same', site: 'seed.ts:4:1', before: {count: 3, totalMs: 6000}, after: {count: 3, totalMs: 6000}});
		expect(Math.abs(simulate.after!.p99Ms - 3000)).toBeLessThan(3);
		const main = comparison.sites.find(s => s.name === 'main')!;
		expect(main.before!.totalMs).toBeCloseTo(6000.3, 1);
		expect(main.after!.totalMs).toBeCloseTo(3000.1, 1);
		expect(comparison.insights.gone.map(i => i.kind)).toEqual(['sequential-awaits']);
		expect(comparison.insights.new.map(i => i.kind)).toEqual(['concurrency']);
		expect(comparison.insights.kept).toEqual([]);
	});

	it('a session against itself: every figure equal, every site matched, no insight gone or new', () => {
		const state = seed(false);
		const comparison = compared(state, state);
		expect(comparison.after).toEqual(comparison.before);
		for (const s of comparison.sites) expect(s.after).toEqual(s.before);
		expect(comparison.sites.every(s => s.status === 'same')).toBe(true);
		expect(comparison.insights.gone).toEqual([]);
		expect(comparison.insights.new).toEqual([]);
		expect(comparison.insights.kept.map(i => i.kind)).toEqual(['sequential-awaits']);
	});

	it('HTTP per host: requests, failures, queueing and latency on each side; a host on one side only', () => {
		const before = new InsightSession();
		for (let i = 0; i < 4; i++) before.request(`http://api.test/item/${i}`, {start: 0, queueMs: i * 100, status: i === 3 ? 503 : 200, end: 200 + i * 100});
		before.emit('exit', {t: 600});
		const after = new InsightSession();
		for (let i = 0; i < 4; i++) after.request(`http://api.test/item/${i}`, {start: 0, status: 200, end: 200});
		after.request('http://cdn.test/logo.png', {start: 0, end: 50});
		after.emit('exit', {t: 300});
		const {hosts} = compared(before.state, after.state);
		expect(hosts.map(h => h.host)).toEqual(['api.test', 'cdn.test']);
		const api = hosts[0]!;
		expect(api.before).toMatchObject({requests: 4, failures: 1, queue: {samples: 4, maxMs: 300}, latency: {samples: 4, maxMs: 500}});
		expect(api.after).toMatchObject({requests: 4, failures: 0, queue: {samples: 4, maxMs: 0}, latency: {samples: 4, p50Ms: 200, p99Ms: 200}});
		expect(hosts[1]).toMatchObject({host: 'cdn.test', before: null, after: {requests: 1, failures: 1}});
	});

	// A fix to a slow route: the diff said nothing of the server's own side.
	it("a server's requests received by route, with their failures and latency, and its totals, on each side", () => {
		const served = (reportMs: number, failed: boolean): ModelState => {
			const session = new InsightSession();
			session.emit('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: 'app.ts:1:1'});
			let id = 2;
			let t = 1;
			for (const [url, route, ms] of [['/users/1', '/users/:id', 5], ['/users/2', '/users/:id', 7], ['/report/3', '/report/:id', reportMs]] as const) {
				session.emit('task.start', {t, id, parent: 1, kind: 'server', name: `GET ${url}`, loc: null, http: {method: 'GET', url}});
				session.emit('task.end', {t: t + ms, id, status: failed && route === '/report/:id' ? 500 : 200, route, ok: !(failed && route === '/report/:id')});
				id++;
				t += ms + 1;
			}
			return session.emit('exit', {t, code: 0, signal: null}).state;
		};
		const comparison = compared(served(120, true), served(12, false));
		expect([comparison.before, comparison.after].map(side => [side.httpReceived, side.failedReceived])).toEqual([
			[3, 1],
			[3, 0],
		]);
		expect(comparison.routes.map(route => route.route)).toEqual(['GET /users/:id', 'GET /report/:id']);
		expect(comparison.routes[1]).toMatchObject({before: {requests: 1, failures: 1, latency: {p50Ms: 120}}, after: {requests: 1, failures: 0, latency: {p50Ms: 12}}});
	});

	it('a local server on a new port each run is the same host, said moved; two of one name on a side are left apart', () => {
		const session = (hosts: string[]) => {
			const made = new InsightSession();
			for (const host of hosts) made.request(`http://${host}/item`, {start: 0, status: 200, end: 100});
			made.emit('exit', {t: 200});
			return made.state;
		};
		const moved = compared(session(['127.0.0.1:46123', 'api.test']), session(['127.0.0.1:39001', 'api.test'])).hosts;
		expect(moved.map(h => [h.host, h.movedFrom ?? null, h.before?.requests ?? null, h.after?.requests ?? null])).toEqual([
			['127.0.0.1:39001', '127.0.0.1:46123', 1, 1],
			['api.test', null, 1, 1],
		]);
		// Which of two ports became which is not known: gone and new, as before.
		const two = compared(session(['127.0.0.1:1001', '127.0.0.1:1002']), session(['127.0.0.1:2001', '127.0.0.1:2002'])).hosts;
		expect(two.every(h => h.movedFrom === undefined && (h.before === null) !== (h.after === null))).toBe(true);
		expect(two).toHaveLength(4);
	});
});

describe('matchSites', () => {
	it('same name and location: matched; only before: gone; only after: new', () => {
		const sites = matchSites([site('kept', 'a.ts:1:1', 300), site('removed', 'a.ts:5:1', 200)], [site('kept', 'a.ts:1:1', 100), site('added', 'a.ts:9:1', 50)]);
		expect(sites.map(s => [s.status, s.name, s.site, s.before?.totalMs ?? null, s.after?.totalMs ?? null])).toEqual([
			['same', 'kept', 'a.ts:1:1', 300, 100],
			['gone', 'removed', 'a.ts:5:1', 200, null],
			['new', 'added', 'a.ts:9:1', null, 50],
		]);
	});

	it('a function that moved (lines above it, or its file renamed) still matches, saying where it was', () => {
		const sites = matchSites([site('fetchAll', 'old.ts:4:1')], [site('fetchAll', 'new.ts:12:1')]);
		expect(sites).toEqual([{status: 'moved', name: 'fetchAll', site: 'new.ts:12:1', movedFrom: 'old.ts:4:1', before: figures(100), after: figures(100)}]);
	});

	it('a name at several unmatched places is ambiguous: gone and new, not guessed', () => {
		const sites = matchSites([site('handler', 'a.ts:1:1'), site('handler', 'b.ts:1:1')], [site('handler', 'c.ts:1:1')]);
		expect(sites.map(s => [s.status, s.site])).toEqual([
			['gone', 'a.ts:1:1'],
			['gone', 'b.ts:1:1'],
			['new', 'c.ts:1:1'],
		]);
	});

	it('an exact match is taken before a move: the other place of the name stays gone', () => {
		const sites = matchSites([site('work', 'a.ts:1:1'), site('work', 'a.ts:9:1')], [site('work', 'a.ts:1:1')]);
		expect(sites.map(s => [s.status, s.site])).toEqual([
			['same', 'a.ts:1:1'],
			['gone', 'a.ts:9:1'],
		]);
	});

	it('a site without a location (a named task) matches by name', () => {
		expect(matchSites([site('nightly job', null)], [site('nightly job', null)])[0]!.status).toBe('same');
	});
});

describe('compareInsights', () => {
	const sequential = (taskName: string, savesMs: number): Insight => ({kind: 'sequential-awaits', taskName, operations: 3, sequenceMs: 6000, longestMs: 3000, togetherMs: 3000, savesMs, calls: 1, taskIds: [1]});
	const failures = (host: string): Insight => ({kind: 'http', finding: 'failures', host, requests: 4, failures: 2, retries: 1, taskIds: []});

	it('same finding about the same thing, other numbers: kept; about something else: gone and new', () => {
		const changes = compareInsights([sequential('main()', 3000), failures('a.test')], [sequential('main()', 1000), failures('b.test')]);
		expect(changes.kept).toEqual([sequential('main()', 1000)]);
		expect(changes.gone).toEqual([failures('a.test')]);
		expect(changes.new).toEqual([failures('b.test')]);
	});

	it('counts repeats: two of a finding before and one after leave one gone', () => {
		const changes = compareInsights([failures('a.test'), failures('a.test')], [failures('a.test')]);
		expect(changes.kept).toHaveLength(1);
		expect(changes.gone).toHaveLength(1);
		expect(changes.new).toEqual([]);
	});

	it('a task named with other arguments is the same function', () => {
		expect(compareInsights([sequential('load(1)', 10)], [sequential('load(2)', 10)]).kept).toHaveLength(1);
	});

	it('a finding that moved with its code (its file renamed) is kept, when its function is alone on each side', () => {
		const dropped = (site: string, name = 'save', callerName = 'main'): Insight => ({kind: 'floating-promise', task: {name: `${name}(1)`, failed: false}, callerName, site, taskIds: [2]});
		const changes = compareInsights([dropped('fanout-seq.js:12:3'), sequential('main()', 10)], [sequential('main()', 10), dropped('fanout-par.js:14:3')]);
		expect(changes.kept).toEqual([sequential('main()', 10), dropped('fanout-par.js:14:3')]);
		expect(changes.gone).toEqual([]);
		expect(changes.new).toEqual([]);
		// Two of one function that moved, one left after: which went is not guessed.
		const ambiguous = compareInsights([dropped('a.js:1:1'), dropped('a.js:9:1')], [dropped('b.js:1:1')]);
		expect([ambiguous.gone.length, ambiguous.new.length, ambiguous.kept.length]).toEqual([2, 1, 0]);
		// Another function's finding is another finding.
		expect(compareInsights([dropped('a.js:1:1')], [dropped('b.js:1:1', 'load')]).kept).toEqual([]);
	});
});

describe('change', () => {
	it('the difference and the ratio, none for a figure that was zero', () => {
		expect(change(6000, 3000)).toEqual({delta: -3000, ratio: 0.5});
		expect(change(0, 5)).toEqual({delta: 5, ratio: null});
	});
});
