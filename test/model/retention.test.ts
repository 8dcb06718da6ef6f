import {describe, expect, it} from 'vitest';
import {apply} from '../../source/model/reducer.js';
import {MAX_SITES, OTHER_SITES} from '../../source/model/retention.js';
import {cloneState, createState, MAX_FAILURE_KINDS, type ModelState, type Retention} from '../../source/model/state.js';
import {latencyStats} from '../../source/model/latency.js';
import {summarize} from '../../source/model/summary.js';
import type {FoldEvent, HttpFoldEvent, ProtocolLine} from '../../source/protocol/events.js';
import {FoldedTaskWriter} from '../../source/protocol/fold.js';
import {httpStatsByHost, servedStatsByRoute} from '../../source/model/http-stats.js';
import {event, header, reduce} from '../helpers/events.js';

const KEEP_1000: Retention = {maxFinished: 1000, maxAgeMs: Infinity};

/**
 * A server's life: `count` handled requests under the script, each a task with a fetch (an op) and a timer, the
 * fetch to one of two hosts; one in 100 fails (a 503), and another one in 100 is answered 404.
 */
function served(count: number): ProtocolLine[] {
	const lines: ProtocolLine[] = [header(), event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'server.ts', loc: null})];
	let id = 10;
	for (let i = 0; i < count; i++) {
		const t = i * 2;
		const task = id++;
		const fetch = id++;
		const timer = id++;
		const failed = i % 100 === 0;
		const status = failed ? 503 : i % 100 === 50 ? 404 : 200;
		const host = i % 2 === 0 ? 'db.local:5000' : 'cache.local:6000';
		lines.push(
			event('task.start', {t, id: task, parent: 1, name: `handle(${i})`, loc: 'server.ts:4:1'}),
			event('op.start', {t, id: fetch, parent: task, kind: 'http', name: `GET http://${host}/item`, http: {method: 'GET', url: `http://${host}/item?n=${i}`}}),
			event('op.phase', {t: t + 0.2, id: fetch, phase: 'sent', queueMs: 0.1, connectMs: 0.1}),
			event('op.phase', {t: t + 1, id: fetch, phase: 'headers', status}),
			event('op.end', {t: t + 1.2, id: fetch, ok: true, status}),
			event('op.start', {t: t + 1.2, id: timer, parent: task, kind: 'timer', name: 'setTimeout', timer: {delayMs: 1, repeat: false}}),
			event('op.end', {t: t + 2.2, id: timer, ok: true}),
			event('task.end', {t: t + 2.5 + (i % 7), id: task, ok: !failed, busy: 0.3, wait: 2.2, sched: 0, awaits: 2}),
		);
	}
	lines.push(event('task.end', {t: count * 2 + 20, id: 1, ok: true, busy: 1, wait: 0, sched: 0, awaits: 0}), event('exit', {t: count * 2 + 21, code: 0, signal: null}));
	return lines;
}

const kinds = (state: ModelState): Record<string, number> => {
	const out: Record<string, number> = {};
	for (const node of state.nodes.values()) out[node.kind] = (out[node.kind] ?? 0) + 1;
	return out;
};

describe('retention: finished tasks, with their finished ops, fold into per-site aggregates', () => {
	const lines = served(5000);
	const all = reduce(lines);
	const bounded = reduce(lines, {retention: KEEP_1000});

	it('keeps every node without a retention', () => {
		expect(all.nodes.size).toBe(1 + 5000 * 3);
		expect(all.aggregated.nodes).toBe(0);
	});

	it('folds handlers together with their requests and timers, keeping memory to the window', () => {
		// The window, plus at most one batch waiting to be folded.
		expect(bounded.nodes.size).toBeLessThanOrEqual(1 + 1000 + 256 + 1);
		expect(bounded.aggregated.nodes).toBe(5000 * 3 - (bounded.nodes.size - 1));
		expect(bounded.order).toHaveLength(bounded.nodes.size);
		// No node is left whose parent was folded: the tree stays whole.
		for (const node of bounded.nodes.values()) if (node.parentId !== null) expect(bounded.nodes.has(node.parentId)).toBe(true);
		expect(bounded.nodes.get(1)!.children).toHaveLength(kinds(bounded).task ?? 0);
	});

	it('keeps every summary figure exact', () => {
		expect(summarize(bounded)).toEqual(summarize(all));
		expect(bounded.taskCounts).toEqual(all.taskCounts);
	});

	it('counts each site once per folded node, with failures and exact sums', () => {
		const sites = [...bounded.aggregated.sites.values()];
		const handle = sites.find(site => site.kind === 'task')!;
		expect(handle).toMatchObject({name: 'handle()', location: 'server.ts:4:1'});
		expect(handle.count).toBe(bounded.aggregated.tasks);
		expect(handle.failed).toBe(bounded.aggregated.failed);
		expect(handle.busyMs).toBeCloseTo(0.3 * handle.count, 6);
		// Two request sites (one per host) and the timer's.
		expect(sites.filter(site => site.kind === 'http').map(site => site.name).sort()).toEqual(['GET cache.local:6000', 'GET db.local:5000']);
		expect(sites.find(site => site.kind === 'timer')!.count).toBe(handle.count);
	});

	it('counts the whole life of an op as its wait, as its own row shows it', () => {
		const timer = [...bounded.aggregated.sites.values()].find(site => site.kind === 'timer')!;
		// Each timer ran 1ms, all of it waiting.
		expect(timer.totalMs).toBeCloseTo(timer.count, 6);
		expect(timer.waitMs).toBeCloseTo(timer.count, 6);
		expect(latencyStats(timer.wait).p50Ms).toBeCloseTo(1, 1);
		expect(timer.busyMs).toBe(0);
	});

	it('gives percentiles of the folded times', () => {
		const handle = [...bounded.aggregated.sites.values()].find(site => site.kind === 'task')!;
		const totals = latencyStats(handle.total);
		// Totals run 2.5ms to 8.5ms, evenly by i % 7.
		expect(totals.samples).toBe(handle.count);
		expect(totals.p50Ms).toBeGreaterThanOrEqual(5.4);
		expect(totals.p50Ms).toBeLessThanOrEqual(5.6);
		expect(totals.p99Ms).toBeGreaterThanOrEqual(8.4);
		expect(totals.p99Ms).toBeLessThanOrEqual(8.6);
	});

	it('keeps HTTP by host exact: requests, failures (a 5xx), 4xx answers and sample counts', () => {
		const stats = (state: ModelState) =>
			httpStatsByHost(state).map(h => ({host: h.host, requests: h.requests, failed: h.failed, clientErrors: h.clientErrors, samples: h.latency.total?.samples}));
		expect(stats(bounded)).toEqual(stats(all));
		expect(stats(all)).toEqual([
			{host: 'cache.local:6000', requests: 2500, failed: 0, clientErrors: 0, samples: 2500},
			{host: 'db.local:5000', requests: 2500, failed: 50, clientErrors: 50, samples: 2500},
		]);
		// The same failures the summary counts: a 404 is the server's answer.
		expect(summarize(all).failedHttp).toBe(50);
	});

	it('keeps the slowest folded tasks whole, so "slowest" stays true', () => {
		const slowest = bounded.aggregated.slowest;
		expect(slowest.length).toBeGreaterThan(0);
		const totals = slowest.map(task => task.endMs! - task.startMs);
		expect(totals).toEqual([...totals].sort((a, b) => b - a));
		expect(totals[0]).toBeCloseTo(8.5, 6);
	});

	it('never folds a running or waiting task, nor a finished one whose child still runs', () => {
		const state = createState({retention: {maxFinished: 10, maxAgeMs: Infinity}});
		const feed = (line: ProtocolLine): void => apply(state, line);
		feed(event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null}));
		// A parent that finishes while its child still waits: it must stay, and go once the child did.
		feed(event('task.start', {t: 0, id: 2, parent: 1, name: 'parent()', loc: 'app.ts:1:1'}));
		feed(event('task.start', {t: 0, id: 3, parent: 2, name: 'child()', loc: 'app.ts:2:1'}));
		feed(event('task.await', {t: 0, id: 3, site: 'app.ts:2:5', on: {kind: 'value'}, busy: 0}));
		feed(event('task.end', {t: 1, id: 2, ok: true, busy: 0, wait: 1, sched: 0, awaits: 0}));
		for (let i = 0; i < 2000; i++) {
			feed(event('task.start', {t: 2 + i, id: 100 + i, parent: 1, name: 'tick()', loc: 'app.ts:3:1'}));
			feed(event('task.end', {t: 2.5 + i, id: 100 + i, ok: true, busy: 0.5, wait: 0, sched: 0, awaits: 0}));
		}
		expect(state.nodes.get(2)?.state).toBe('finished');
		expect(state.nodes.get(3)?.state).toBe('waiting');
		feed(event('task.end', {t: 3000, id: 3, ok: true, busy: 0, wait: 2999, sched: 0, awaits: 1}));
		for (let i = 0; i < 2000; i++) {
			feed(event('task.start', {t: 3001 + i, id: 5000 + i, parent: 1, name: 'tick()', loc: 'app.ts:3:1'}));
			feed(event('task.end', {t: 3001.5 + i, id: 5000 + i, ok: true, busy: 0.5, wait: 0, sched: 0, awaits: 0}));
		}
		expect(state.nodes.has(3)).toBe(false);
		expect(state.nodes.has(2)).toBe(false);
		expect([...state.aggregated.sites.values()].map(site => site.name)).toEqual(expect.arrayContaining(['parent()', 'child()', 'tick()']));
	});

	it('folds what finished longer ago than the age limit, however few', () => {
		const state = reduce(served(2000), {retention: {maxFinished: 100_000, maxAgeMs: 1000}});
		// 2 ms apart: about 500 requests finished in the last second, and a batch may wait.
		expect(state.aggregated.tasks).toBeGreaterThan(1000);
		const oldestKept = Math.min(...[...state.nodes.values()].filter(node => node.kind === 'task').map(node => node.endMs!));
		expect(oldestKept).toBeGreaterThan(4000 - 1000 - 2 * 256 - 10);
	});

	it('a copy folds on as the original does, histograms included: what to fold next is part of the state', () => {
		const original = createState({retention: KEEP_1000});
		const half = lines.length / 2;
		for (const line of lines.slice(0, half)) apply(original, line);
		// As replay checkpoints and the paused view are taken.
		const copy = cloneState(original);
		for (const line of lines.slice(half)) {
			apply(original, line);
			apply(copy, line);
		}
		expect(summarize(copy)).toEqual(summarize(original));
		const percentiles = (state: ModelState) => [...state.aggregated.sites.values()].map(site => [site.name, site.count, latencyStats(site.total)]);
		expect(percentiles(copy)).toEqual(percentiles(original));
		expect(copy.nodes.size).toBe(original.nodes.size);
	});
});

describe('retention: a folded call that started tasks', () => {
	/** `count` jobs, each awaiting a 1 ms helper, then sleeping 9 ms: each one's own time is its 9 ms sleep and 0.5 ms of work. */
	function jobs(count: number): ProtocolLine[] {
		// The script's top level starts the jobs from a callback of its own: it is over by then.
		const lines: ProtocolLine[] = [header(), event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'jobs.ts', loc: null}), event('task.end', {t: 0, id: 1, busy: 0, wait: 0})];
		for (let i = 0; i < count; i++) {
			const [t, job, helper] = [i * 10, 10 + 2 * i, 11 + 2 * i];
			lines.push(
				event('task.start', {t, id: job, parent: 1, name: 'job()', loc: 'jobs.ts:4:1'}),
				event('task.start', {t, id: helper, parent: job, name: 'helper()', loc: 'jobs.ts:2:1'}),
				event('task.await', {t, id: job, site: null, on: {kind: 'task', id: helper}, busy: 0}),
				event('task.end', {t: t + 1, id: helper, busy: 0, wait: 1}),
				event('task.resume', {t: t + 1, id: job, readyAt: t + 1, wait: 1}),
				event('task.await', {t: t + 1, id: job, site: null, on: {kind: 'promise', others: 1}, busy: 0}),
				event('task.resume', {t: t + 10, id: job, readyAt: t + 10, wait: 10}),
				event('task.end', {t: t + 10.5, id: job, busy: 0.5, wait: 10}),
			);
		}
		return [...lines, event('exit', {t: count * 10 + 1})];
	}

	it('keeps its own time in concurrency as it folds: its work and its sleep, not its wait on its helper', () => {
		const all = reduce(jobs(3000));
		const bounded = reduce(jobs(3000), {retention: KEEP_1000});
		expect(bounded.aggregated.tasks).toBeGreaterThan(0);
		// 3,000 × (9.5 ms of the job's own, 1 ms of the helper's).
		expect(summarize(all).activeTimeMs).toBeCloseTo(3000 * 10.5, 3);
		expect(summarize(bounded).activeTimeMs).toBeCloseTo(summarize(all).activeTimeMs, 3);
	});
});

describe('retention: requests the script received', () => {
	it('fold per route, and the report by route stays exact', () => {
		const lines: ProtocolLine[] = [header(), event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'server.ts', loc: null})];
		for (let i = 0; i < 3000; i++) {
			const url = i % 3 === 0 ? `/users/${i % 5}?token=REDACTED` : '/health';
			const path = url.split('?')[0];
			lines.push(
				event('task.start', {t: i, id: 10 + i, parent: 1, kind: 'server', name: `GET ${path}`, loc: null, http: {method: 'GET', url}}),
				event('task.end', {t: i + 1 + (i % 4), id: 10 + i, ok: i % 100 !== 0, busy: 0.1, wait: 0.5, sched: 0, awaits: 1, status: i % 100 === 0 ? 500 : 200}),
			);
		}
		const all = reduce(lines);
		const bounded = reduce(lines, {retention: {maxFinished: 300, maxAgeMs: Infinity}});
		expect(bounded.aggregated.tasks).toBeGreaterThan(2000);
		const routes = (state: ModelState) => servedStatsByRoute(state).map(route => [route.route, route.requests, route.failures, route.latency?.samples]);
		expect(routes(bounded)).toEqual(routes(all));
		expect(summarize(bounded)).toEqual(summarize(all));
	});
});

describe('retention: how folded work failed is kept, by kind', () => {
	const lines: ProtocolLine[] = [header(), event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'server.ts', loc: null})];
	let id = 10;
	const call = (t: number, ok: boolean, message?: string) => {
		lines.push(event('task.start', {t, id, parent: 1, name: 'query()', loc: 'db.ts:3:1'}));
		const error = message ? {error: {name: 'Error', message, location: 'db.ts:5:11'}} : {};
		lines.push(event('task.end', {t: t + 1, id: id++, ok, busy: 0.1, wait: 0.5, sched: 0, awaits: 1, ...error}));
	};
	for (let i = 0; i < 3; i++) call(i, false, 'relation "no_such_table" does not exist');
	call(3, false, 'connection refused');
	// Seven more kinds than a site keeps, then the same first kind again.
	for (let i = 0; i < 7; i++) call(4 + i, false, `timeout ${i}`);
	call(11, false, 'relation "no_such_table" does not exist');
	for (let i = 0; i < 400; i++) call(20 + i, true);
	// Received requests that failed without an error: a client gone, a 500 answered.
	for (let i = 0; i < 4; i++) {
		lines.push(
			event('task.start', {t: 440 + i, id, parent: 1, kind: 'server', name: 'GET /boom', loc: null, http: {method: 'GET', url: '/boom'}}),
			event('task.end', {t: 441 + i, id: id++, ok: false, busy: 0.1, wait: 0.5, sched: 0, awaits: 1, ...(i < 3 ? {status: 500} : {aborted: true})}),
		);
	}
	for (let i = 0; i < 400; i++) call(500 + i, true);
	const state = reduce(lines, {retention: {maxFinished: 10, maxAgeMs: Infinity}});
	const site = (name: string) => [...state.aggregated.sites.values()].find(candidate => candidate.name === name)!;

	it('keeps each kind of error with its count, the first MAX_FAILURE_KINDS kinds; the site still counts every failure', () => {
		const query = site('query()');
		expect(query.failed).toBe(12);
		expect(query.failures).toHaveLength(MAX_FAILURE_KINDS);
		expect(query.failures[0]).toEqual({error: {name: 'Error', message: 'relation "no_such_table" does not exist', location: 'db.ts:5:11'}, count: 4});
		expect(query.failures[1]).toMatchObject({error: {message: 'connection refused'}, count: 1});
	});

	it('keeps how a request failed without an error: its status, or its client gone', () => {
		expect(site('GET /boom').failures).toEqual([
			{error: null, status: 500, count: 3},
			{error: null, aborted: true, count: 1},
		]);
	});

	it('copies them with the state, not sharing them', () => {
		const copy = cloneState(state);
		site('query()').failures[0]!.count = 99;
		expect([...copy.aggregated.sites.values()].find(candidate => candidate.name === 'query()')!.failures[0]!.count).toBe(4);
	});
});

describe('retention: sites stay bounded', () => {
	it('groups requests received by route shape, and past MAX_SITES folds new sites into one row per kind', () => {
		const lines: ProtocolLine[] = [header(), event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'server.ts', loc: null})];
		let id = 10;
		// 3,000 users, each its own path; and 3,000 functions of distinct names (generated code, say).
		for (let i = 0; i < 3000; i++) {
			lines.push(
				event('task.start', {t: i, id, parent: 1, kind: 'server', name: `GET /users/${1000 + i}`, loc: null, http: {method: 'GET', url: `/users/${1000 + i}`}}),
				event('task.end', {t: i + 1, id: id++, ok: true, busy: 0.1, wait: 0.5, sched: 0, awaits: 1, status: 200}),
				event('task.start', {t: i, id, parent: 1, name: `handler${i}()`, loc: `gen.ts:${i + 1}:1`}),
				event('task.end', {t: i + 1, id: id++, ok: true, busy: 0.1, wait: 0, sched: 0, awaits: 0}),
			);
		}
		const state = reduce(lines, {retention: {maxFinished: 100, maxAgeMs: Infinity}});
		const sites = [...state.aggregated.sites.values()];
		expect(sites.length).toBeLessThanOrEqual(MAX_SITES + 2);
		expect(sites.find(site => site.kind === 'server')).toMatchObject({name: 'GET /users/:id'});
		const other = sites.find(site => site.name === OTHER_SITES && site.kind === 'task')!;
		expect(other.count).toBeGreaterThan(0);
		expect(sites.filter(site => site.kind === 'task').reduce((sum, site) => sum + site.count, 0) + [...state.nodes.values()].filter(node => node.kind === 'task').length).toBe(3000);
	});
});

describe('quick tasks the script process folded (fold lines)', () => {
	/** A fold line of `count` calls of tiny() under `parent`, 1 ms apart and `ms` long, the last ending at `t`. */
	function foldLine(t: number, count: number, ms: number, parent: number | null = 2): FoldEvent {
		const tasks = new FoldedTaskWriter(t);
		for (let i = 0; i < count; i++) tasks.add(t - (count - i), t - (count - i) + ms, ms / 2, ms / 2);
		return {type: 'fold', t, kind: 'task', name: 'tiny', loc: 'app.ts:3:1', parent, leaf: true, count, totalMs: count * ms, busyMs: (count * ms) / 2, waitMs: (count * ms) / 2, tasks: tasks.text()};
	}
	const start = [
		header(),
		event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null}),
		event('task.start', {t: 1, id: 2, parent: 1, name: 'main()', loc: 'app.ts:9:1'}),
	];

	it('counts them as finished tasks of their site, with exact sums, percentiles and overlap, and the parent as no leaf', () => {
		const state = reduce([...start, foldLine(500, 400, 0.5), event('task.end', {t: 600, id: 2, busy: 1, wait: 598}), event('exit', {t: 601})]);
		expect(state.taskCounts.finished).toBe(401);
		const summary = summarize(state);
		expect(summary.taskCount).toBe(401);
		// main() started them: not a leaf, so the task time is theirs alone.
		expect(state.nodes.get(2)!.childTaskCount).toBe(400);
		expect(summary.taskTimeMs).toBeCloseTo(400 * 0.5, 6);
		// One after another: one in flight at a time, besides none of the kept leaves.
		expect(summary.maxInFlight).toBe(1);
		const [site] = state.aggregated.sites.values();
		expect(site).toMatchObject({kind: 'task', name: 'tiny()', location: 'app.ts:3:1', count: 400, failed: 0, totalMs: 200, busyMs: 100, waitMs: 100});
		expect(latencyStats(site!.total).p50Ms).toBeCloseTo(0.5, 2);
		expect(state.aggregated).toMatchObject({nodes: 400, tasks: 400, atSource: 400, nodesAtSource: 400});
	});

	it('counts a line whose packed times disagree with its count as corrupt, and nothing of it', () => {
		const bad = {...foldLine(500, 10, 0.5), count: 11};
		const state = reduce([...start, bad]);
		expect(state.corruptLines).toBe(1);
		expect(state.aggregated.tasks).toBe(0);
		expect(state.taskCounts.finished).toBe(0);
	});

	it('counts a folded request by its route, its inner calls and timers by their sites, and only leaves in the task time', () => {
		const line = (kind: FoldEvent['kind'], name: string, parent: number | null, leaf: boolean, extra: Partial<FoldEvent> = {}): FoldEvent => ({...foldLine(500, 50, 2, parent), kind, name, leaf, ...extra});
		const state = reduce([
			...start,
			line('server', 'GET /users/7', 1, false, {loc: null, request: {method: 'GET', url: '/users/7', route: '/users/:id'}}),
			line('task', 'handler', null, false),
			line('timer', 'sleep 1ms', null, false, {loc: null, busyMs: 0, waitMs: 0}),
		]);
		// The requests and their handlers are tasks; the timers are not.
		expect(state.taskCounts.finished).toBe(100);
		expect(summarize(state).taskCount).toBe(101);
		expect(servedStatsByRoute(state)).toEqual([expect.objectContaining({route: 'GET /users/:id', requests: 50, failures: 0})]);
		expect([...state.aggregated.sites.values()].map(site => [site.kind, site.name, site.count])).toEqual([
			['server', 'GET /users/:id', 50],
			['task', 'handler()', 50],
			['timer', 'sleep', 50],
		]);
		// A timer waits all its life, its line's packed times count no wait: as on its own row, the wait is its total.
		const timers = [...state.aggregated.sites.values()].find(site => site.kind === 'timer')!;
		expect(timers).toMatchObject({totalMs: 100, waitMs: 100, busyMs: 0});
		expect(latencyStats(timers.wait).p50Ms).toBeCloseTo(2, 1);
		// No leaf among them (the handlers started calls): no task time, no overlap.
		expect(state.aggregated.taskTimeMs).toBe(0);
		// Concurrency has the handlers' busy time alone: what they waited on, their calls most likely, is not said.
		expect(state.aggregated.activeMs).toBeCloseTo(50, 6);
		expect(state.aggregated.leafIntervals.count).toBe(0);
		expect(state.aggregated).toMatchObject({nodes: 150, tasks: 100, atSource: 100, nodesAtSource: 150});
	});

	it('folds timers of different delays into one site per API: a jittered sleep is one row, its delays in its percentiles', () => {
		const timer = (name: string, at: number, extra: Partial<FoldEvent> = {}): FoldEvent => ({...foldLine(at, 10, 2, null), kind: 'timer', name, loc: null, leaf: false, busyMs: 0, waitMs: 0, ...extra});
		const state = reduce([...start, timer('sleep 5.3ms', 500), timer('sleep 12.9ms', 600), timer('setTimeout 7ms', 700), timer('setTimeout 7ms', 800, {loc: 'app.ts:3:5'})]);
		expect([...state.aggregated.sites.values()].map(site => [site.kind, site.name, site.location, site.count])).toEqual([
			['timer', 'sleep', null, 20],
			['timer', 'setTimeout', null, 10],
			['timer', 'setTimeout', 'app.ts:3:5', 10],
		]);
	});
});


describe('requests the script process folded (fold.http lines)', () => {
	/** 200 requests to one host, overlapping, with phases of several lengths (whole microseconds, exact in binary). */
	const requests = Array.from({length: 200}, (_, i) => {
		const phases = {queueMs: 0.25, connectMs: i % 50 === 0 ? 0.5 : 0, ttfbMs: 1 + (i % 7) * 0.25, downloadMs: 0.125 * (i % 3)};
		return {startMs: 10 + i * 0.5, totalMs: phases.queueMs + phases.connectMs + phases.ttfbMs + phases.downloadMs, ...phases};
	});
	const start = [header(), event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null})];
	const end = event('exit', {t: 500});

	/** Each request told one by one, as the script's process sends those it does not fold. */
	function oneByOne(): ProtocolLine[] {
		return requests.flatMap(({startMs, queueMs, connectMs, ttfbMs, downloadMs}, i) => {
			const id = 10 + i;
			const sent = startMs + queueMs + connectMs;
			return [
				event('op.start', {t: startMs, id, parent: 1, kind: 'http', name: 'GET /items', loc: 'app.ts:7:20', http: {method: 'GET', url: `http://127.0.0.1:4000/items/${i}`}}),
				event('op.phase', {t: sent, id, phase: 'sent', queueMs, connectMs}),
				event('op.phase', {t: sent + ttfbMs, id, phase: 'headers', status: 200}),
				event('op.end', {t: sent + ttfbMs + downloadMs, id, ok: true, status: 200}),
			];
		});
	}

	function foldLine(): HttpFoldEvent {
		const t = Math.max(...requests.map(request => request.startMs + request.totalMs));
		const writer = new FoldedTaskWriter(t);
		for (const request of requests) writer.addRequest(request);
		const totalMs = requests.reduce((sum, request) => sum + request.totalMs, 0);
		return {type: 'fold.http', t, method: 'GET', url: 'http://127.0.0.1:4000/items/0', loc: 'app.ts:7:20', parent: 1, count: requests.length, totalMs, requests: writer.text()};
	}

	it('counts them as the same requests told one by one would be: per host, per phase, in flight, and as one site', () => {
		const told = reduce([...start, ...oneByOne(), end]);
		const folded = reduce([...start, foldLine(), end]);
		const [byHostTold] = httpStatsByHost(told);
		const [byHostFolded] = httpStatsByHost(folded);
		expect(byHostFolded).toMatchObject({host: '127.0.0.1:4000', requests: 200, failed: 0, clientErrors: 0});
		for (const phase of ['queue', 'connect', 'ttfb', 'download', 'total'] as const) {
			const [a, b] = [byHostTold!.latency[phase]!, byHostFolded!.latency[phase]!];
			expect(b.samples).toBe(a.samples);
			for (const key of ['p50Ms', 'p90Ms', 'p99Ms', 'maxMs'] as const) expect(b[key]).toBeCloseTo(a[key], 3);
		}
		const [summaryTold, summaryFolded] = [summarize(told), summarize(folded)];
		expect(summaryFolded.httpCount).toBe(200);
		expect(summaryFolded.maxInFlightHttp).toBe(summaryTold.maxInFlightHttp);
		expect(summaryFolded.maxInFlightHttp).toBeGreaterThan(1);
		const [site] = folded.aggregated.sites.values();
		expect(site).toMatchObject({kind: 'http', name: 'GET 127.0.0.1:4000', location: 'app.ts:7:20', count: 200, failed: 0});
		expect(site!.totalMs).toBeCloseTo(requests.reduce((sum, request) => sum + request.totalMs, 0), 6);
		expect(folded.aggregated).toMatchObject({nodes: 200, nodesAtSource: 200, tasks: 0, atSource: 0});
		// No task: the task counts stay as they were.
		expect(folded.taskCounts.finished).toBe(told.taskCounts.finished);
	});

	it('counts a line whose packed times disagree with its count as corrupt, and nothing of it', () => {
		const state = reduce([...start, {...foldLine(), count: 199}]);
		expect(state.corruptLines).toBe(1);
		expect(state.aggregated.hosts.size).toBe(0);
		expect(summarize(state).httpCount).toBe(0);
	});
});
