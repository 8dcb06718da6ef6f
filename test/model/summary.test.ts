import {fileURLToPath} from 'node:url';
import {recordedLines} from '../helpers/recorded.js';
import {describe, expect, it} from 'vitest';
import {createState, type ModelState} from '../../source/model/state.js';
import {buildReport, concurrencyAt, leafTasks, sessionDuration, summarize} from '../../source/model/summary.js';
import {IDS_PER_PROCESS} from '../../source/protocol/events.js';
import {FoldedTaskWriter} from '../../source/protocol/fold.js';
import type {ProtocolLine, TaskKind} from '../../source/protocol/events.js';
import {event, header, reduce} from '../helpers/events.js';

const HEADER = header({script: 'seed.ts'});

const taskStart = (t: number, id: number, parent: number | null, name: string, kind: TaskKind = 'task') => event('task.start', {t, id, parent, kind, name});
/** The seed's tasks only sleep: all of their time is waiting. */
const taskEnd = (t: number, id: number, waitMs: number, ok = true) => event('task.end', {t, id, ok, wait: waitMs, awaits: 1});

/** A task (main(), the script awaiting it) waits on others from `from` to `until`: their time, not its own. */
const awaited = (id: number, tasks: number[], from: number, until: number): ProtocolLine[] => [
	event('task.await', {t: from, id, site: null, on: {kind: 'promise', tasks}}),
	event('task.resume', {t: until, id, readyAt: until, wait: until}),
];

/** The seed: main() runs three requests of 1 s, 3 s and 2 s, concurrently or one after another. */
function seed(concurrent: boolean): ModelState {
	const lines: ProtocolLine[] = [HEADER, taskStart(0, 1, null, 'seed.ts', 'script'), taskStart(0, 2, 1, 'main()')];
	if (concurrent) {
		lines.push(taskStart(0, 3, 2, 'simulateRequest("request-A", 1000)'));
		lines.push(taskStart(0, 4, 2, 'simulateRequest("request-B", 3000)'));
		lines.push(taskStart(0, 5, 2, 'simulateRequest("request-C", 2000)'));
		lines.push(taskEnd(1000, 3, 1000), taskEnd(2000, 5, 2000), taskEnd(3000, 4, 3000), ...awaited(2, [3, 4, 5], 0, 3000), taskEnd(3000, 2, 3000), ...awaited(1, [2], 0, 3000), taskEnd(3000, 1, 3000));
		lines.push({type: 'exit', t: 3000, code: 0, signal: null});
	} else {
		lines.push(taskStart(0, 3, 2, 'simulateRequest("request-A", 1000)'), taskEnd(1000, 3, 1000), ...awaited(2, [3], 0, 1000));
		lines.push(taskStart(1000, 4, 2, 'simulateRequest("request-B", 3000)'), taskEnd(4000, 4, 3000), ...awaited(2, [4], 1000, 4000));
		lines.push(taskStart(4000, 5, 2, 'simulateRequest("request-C", 2000)'), taskEnd(6000, 5, 2000), ...awaited(2, [5], 4000, 6000));
		lines.push(taskEnd(6000, 2, 6000), ...awaited(1, [2], 0, 6000), taskEnd(6000, 1, 6000), {type: 'exit', t: 6000, code: 0, signal: null});
	}
	return reduce(lines);
}

describe('summary definitions', () => {
	it('leaf tasks are tasks of kind `task` with no child task', () => {
		const state = seed(true);
		expect(leafTasks(state).map(task => task.id)).toEqual([3, 4, 5]);
	});

	it('three concurrent requests: 6 s of task time over 3 s, concurrency 2.0, 3 in flight', () => {
		const summary = summarize(seed(true));
		expect(summary.taskTimeMs).toBe(6000);
		expect(summary.concurrency).toBe(2);
		expect(summary.maxInFlight).toBe(3);
		expect(summary.taskCount).toBe(4);
		expect(summary.failedCount).toBe(0);
	});

	it('the same requests awaited one after another: 6 s, concurrency 1.0, 1 in flight', () => {
		const summary = summarize(seed(false));
		expect(summary.taskTimeMs).toBe(6000);
		expect(summary.concurrency).toBe(1);
		expect(summary.maxInFlight).toBe(1);
	});

	it('an end at the same instant as a start does not overlap it', () => {
		const state = seed(false);
		expect(state.nodes.get(3)!.endMs).toBe(state.nodes.get(4)!.startMs);
		expect(summarize(state).maxInFlight).toBe(1);
	});

	it('ops do not make a task a non-leaf, and a pending leaf counts up to the session end', () => {
		const state = reduce([
			HEADER,
			taskStart(0, 1, null, 'seed.ts', 'script'),
			taskStart(10, 2, 1, 'poll()'),
			{type: 'op.start', t: 11, id: 3, parent: 2, kind: 'timer', name: 'setTimeout 100ms', timer: {delayMs: 100, repeat: false}},
			{type: 'op.start', t: 12, id: 4, parent: 2, kind: 'http', name: 'GET /', http: {method: 'GET', url: 'http://x/'}},
			// The script's top level (CommonJS) ran to its end, its own 0.1 ms and a call it left running.
			event('task.end', {t: 12, id: 1, busy: 0.1, wait: 0}),
			{type: 'loop', t: 510, delayMs: 1, utilization: 0},
		]);
		expect(sessionDuration(state)).toBe(510);
		const summary = summarize(state);
		expect(summary.taskTimeMs).toBe(500);
		expect(summary.maxInFlight).toBe(1);
		expect(summary.httpCount).toBe(1);
		expect(summary.maxInFlightHttp).toBe(1);
		expect(summary.concurrency).toBe(0.98);
	});

	it('counts a request in flight once it left its pool\'s queue, not while it waited there', () => {
		/** Six requests through a pool of 2 connections, 100 ms each, from `t0`: the last four queue, two of them until the third wave; a seventh gives up while still queued, never in flight. */
		const wave = (t0: number, firstId: number): ProtocolLine[] => {
			const lines: ProtocolLine[] = [];
			for (let i = 0; i < 7; i++) {
				const id = firstId + i;
				const queued = i >= 2;
				const sentAt = t0 + Math.floor(i / 2) * 100;
				lines.push({type: 'op.start', t: t0, id, parent: 1, kind: 'http', name: 'GET /', http: {method: 'GET', url: 'http://x/', ...(queued ? {queue: {ahead: i - 2, inFlight: 2}} : {})}});
				if (i === 6) lines.push({type: 'op.end', t: t0 + 250, id, ok: false});
				else {
					if (queued) lines.push({type: 'op.dequeued', t: sentAt, id});
					lines.push({type: 'op.end', t: sentAt + 100, id, ok: true, status: 200});
				}
			}
			return lines;
		};
		const session = (waves: number): ProtocolLine[] => [
			HEADER,
			taskStart(0, 1, null, 'seed.ts', 'script'),
			...Array.from({length: waves}, (_, i) => wave(i * 1000, 10 + i * 7)).flat(),
			{type: 'exit', t: waves * 1000, code: 0, signal: null},
		];
		expect(summarize(reduce(session(1))).maxInFlightHttp).toBe(2);
		// Folded requests count the same way.
		const folded = reduce(session(100), {retention: {maxFinished: 0, maxAgeMs: Infinity}});
		expect(folded.aggregated.httpIntervals.count).toBeGreaterThan(256);
		expect(summarize(folded).maxInFlightHttp).toBe(2);
	});

	it('counts a request any client kept waiting for a socket in flight from when it was sent, as the timeline draws it', () => {
		// node:http with maxSockets 1: the second request waits 100 ms for the first's socket.
		const state = reduce([
			HEADER,
			taskStart(0, 1, null, 'seed.ts', 'script'),
			...[2, 3].flatMap((id, i): ProtocolLine[] => [
				{type: 'op.start', t: 0, id, parent: 1, kind: 'http', name: 'GET /', http: {method: 'GET', url: 'http://x/', client: 'node:http'}},
				{type: 'op.phase', t: i * 100, id, phase: 'sent', queueMs: i * 100, connectMs: 0},
				{type: 'op.end', t: i * 100 + 100, id, ok: true, status: 200},
			]),
			{type: 'exit', t: 300, code: 0, signal: null},
		]);
		expect(summarize(state).maxInFlightHttp).toBe(1);
	});

	it('counts failed tasks and the longest block (an open block runs to the session end)', () => {
		const state = reduce([
			HEADER,
			taskStart(0, 1, null, 'seed.ts', 'script'),
			taskStart(0, 2, 1, 'a()'),
			taskEnd(10, 2, 10, false),
			{type: 'block.end', t: 100, id: 1, durationMs: 80, task: 1, exact: true},
			{type: 'block.start', t: 150, id: 2, task: 1, detectedAt: 210},
			{type: 'loop', t: 400, delayMs: 250, utilization: 1},
		]);
		const summary = summarize(state);
		expect(summary.failedCount).toBe(1);
		expect(summary.longestBlockMs).toBe(250);
	});

	it('an empty session has zero concurrency', () => {
		expect(summarize(createState())).toEqual({
			taskCount: 0,
			taskTimeMs: 0,
			activeTimeMs: 0,
			concurrency: 0,
			maxInFlight: 0,
			maxInFlightHttp: 0,
			longestBlockMs: 0,
			failedCount: 0,
			httpCount: 0,
			failedHttp: 0,
			httpReceived: 0,
			failedReceived: 0,
			heldBackMs: 0,
		});
	});

	/** `count` quick requests folded at the source, each 2 ms long, as the script's process packs them. */
	const foldedTasks = (count: number): string => {
		const writer = new FoldedTaskWriter(count);
		for (let i = 0; i < count; i++) writer.add(-2 - i * 0.1, -i * 0.1, 0.1, 1.9);
		return writer.text();
	};

	it("counts the requests the script's servers received, those kept and those folded at the source, and the failed ones", () => {
		const request = (t: number, id: number, end: Record<string, unknown>): ProtocolLine[] => [
			event('task.start', {t, id, parent: 1, kind: 'server', name: 'GET /users/1', loc: null, http: {method: 'GET', url: '/users/1'}}),
			event('task.end', {t: t + 2, id, ...end}),
		];
		const state = reduce([
			HEADER,
			taskStart(0, 1, null, 'server.ts', 'script'),
			...request(1, 10, {ok: true, status: 200}),
			...request(2, 11, {ok: true, status: 503}),
			...request(3, 12, {ok: false, aborted: true}),
			event('fold', {t: 9, kind: 'server', name: 'GET /users/1', request: {method: 'GET', url: '/users/1'}, loc: null, parent: 1, leaf: true, count: 40, totalMs: 80, busyMs: 4, waitMs: 76, tasks: foldedTasks(40)}),
			event('exit', {t: 10, code: 0, signal: null}),
		]);
		// The 503 and the client gone first failed; quick requests fold at the source only answered.
		expect(summarize(state)).toMatchObject({httpReceived: 43, failedReceived: 2, httpCount: 0});
	});
});

describe('buildReport', () => {
	it('is the JSON contract: version, script, exit, duration, tasks in start order, blocks, summary', () => {
		const report = buildReport(seed(true));
		expect(report).toMatchObject({version: 1, script: 'seed.ts', exitCode: 0, signal: null, durationMs: 3000});
		expect(report.tasks.map(task => task.id)).toEqual([1, 2, 3, 4, 5]);
		expect(report.tasks[2]).toEqual({
			id: 3,
			parentId: 2,
			kind: 'task',
			name: 'simulateRequest("request-A", 1000)',
			location: null,
			state: 'finished',
			startMs: 0,
			endMs: 1000,
			busyMs: 0,
			waitMs: 1000,
			schedDelayMs: 0,
			awaits: 1,
			awaitSites: [],
		});
		expect(report.summary).toMatchObject({taskTimeMs: 6000, concurrency: 2, maxInFlight: 3});
		expect(JSON.parse(JSON.stringify(report))).toEqual(report);
	});

	it('says where each task awaited, how often and how long, and on what: tasks, a timer, an op, a value', () => {
		const state = reduce([
			HEADER,
			taskStart(0, 1, null, 'seed.ts', 'script'),
			taskStart(0, 2, 1, 'main()'),
			taskStart(0, 3, 2, 'a()'),
			taskStart(0, 4, 2, 'b()'),
			{type: 'task.await', t: 1, id: 2, site: 'seed.ts:5:3', on: {kind: 'promise', tasks: [3, 4]}, busy: 1},
			{type: 'task.end', t: 50, id: 3, ok: true, busy: 1, wait: 49, sched: 0, awaits: 0},
			{type: 'task.end', t: 60, id: 4, ok: true, busy: 1, wait: 59, sched: 0, awaits: 0},
			{type: 'task.resume', t: 61, id: 2, readyAt: 60, wait: 59, sched: 1},
			{type: 'op.start', t: 62, id: 5, parent: 2, kind: 'timer', name: 'sleep 50ms', timer: {delayMs: 50, repeat: false}},
			{type: 'task.await', t: 62, id: 2, site: 'seed.ts:6:3', on: {kind: 'op', id: 5}, busy: 2},
			{type: 'op.end', t: 112, id: 5, ok: true},
			{type: 'task.resume', t: 112, id: 2, readyAt: 112, wait: 109, sched: 1},
			{type: 'op.start', t: 113, id: 6, parent: 2, kind: 'timer', name: 'sleep 50ms', timer: {delayMs: 50, repeat: false}},
			{type: 'task.await', t: 113, id: 2, site: 'seed.ts:6:3', on: {kind: 'op', id: 6}, busy: 3},
			{type: 'op.end', t: 163, id: 6, ok: true},
			{type: 'task.resume', t: 163, id: 2, readyAt: 163, wait: 159, sched: 1},
			{type: 'op.start', t: 164, id: 7, parent: 2, kind: 'fs', name: 'readFile', loc: null},
			{type: 'task.await', t: 164, id: 2, site: 'seed.ts:7:3', on: {kind: 'op', id: 7}, busy: 4},
			{type: 'op.end', t: 170, id: 7, ok: true},
			{type: 'task.resume', t: 170, id: 2, readyAt: 170, wait: 165, sched: 1},
			{type: 'task.end', t: 171, id: 2, ok: true, busy: 5, wait: 165, sched: 1, awaits: 4},
		]);
		const main = buildReport(state).tasks.find(task => task.name === 'main()')!;
		expect(main.awaitSites).toEqual([
			{site: 'seed.ts:6:3', count: 2, waitMs: 100, on: [{kind: 'timer', delayMs: 50}]},
			{site: 'seed.ts:5:3', count: 1, waitMs: 59, on: [{kind: 'tasks', ids: [3, 4]}]},
			{site: 'seed.ts:7:3', count: 1, waitMs: 6, on: [{kind: 'op', id: 7}]},
		]);
	});

	it('lists the tasks and the ops of one combination, and marks a target guessed from what the task started', () => {
		const state = reduce([
			HEADER,
			taskStart(0, 1, null, 'seed.ts', 'script'),
			taskStart(0, 2, 1, 'main()'),
			taskStart(0, 3, 2, 'a()'),
			{type: 'op.start', t: 0, id: 4, parent: 2, kind: 'timer', name: 'sleep 50ms', timer: {delayMs: 50, repeat: false}},
			{type: 'task.await', t: 1, id: 2, site: 'seed.ts:5:3', on: {kind: 'promise', tasks: [3], ops: [4]}, busy: 1},
			{type: 'task.resume', t: 51, id: 2, readyAt: 51, wait: 50, sched: 0},
			{type: 'task.await', t: 52, id: 2, site: 'seed.ts:6:3', on: {kind: 'task', id: 3, guess: true}, busy: 1},
			{type: 'task.resume', t: 60, id: 2, readyAt: 60, wait: 58, sched: 0},
		]);
		const main = buildReport(state).tasks.find(task => task.name === 'main()')!;
		expect(main.awaitSites).toEqual([
			{site: 'seed.ts:5:3', count: 1, waitMs: 50, on: [{kind: 'tasks', ids: [3]}, {kind: 'timer', delayMs: 50}]},
			{site: 'seed.ts:6:3', count: 1, waitMs: 8, on: [{kind: 'tasks', ids: [3], guess: true}]},
		]);
	});

	it('gives the count of a combination of more tasks than it lists', () => {
		const ids = Array.from({length: 12}, (_, i) => 3 + i);
		const state = reduce([
			HEADER,
			taskStart(0, 1, null, 'seed.ts', 'script'),
			taskStart(0, 2, 1, 'main()'),
			...ids.map(id => taskStart(0, id, 2, `get(${id})`)),
			{type: 'task.await', t: 1, id: 2, site: 'seed.ts:5:3', on: {kind: 'promise', tasks: ids.slice(0, 8), taskCount: 12}, busy: 1},
			{type: 'task.resume', t: 51, id: 2, readyAt: 51, wait: 50, sched: 0},
		]);
		const main = buildReport(state).tasks.find(task => task.name === 'main()')!;
		expect(main.awaitSites[0]!.on).toEqual([{kind: 'tasks', ids: ids.slice(0, 8), count: 12}]);
	});

	it('lists a promise of unknown origin beside the known members of a combination that had one', () => {
		const state = reduce([
			HEADER,
			taskStart(0, 1, null, 'seed.ts', 'script'),
			taskStart(0, 2, 1, 'main()'),
			taskStart(0, 3, 2, 'heartbeat()'),
			{type: 'task.await', t: 1, id: 2, site: 'seed.ts:5:3', on: {kind: 'promise', tasks: [3], others: 1}, busy: 1},
			{type: 'task.resume', t: 51, id: 2, readyAt: 51, wait: 50, sched: 0},
		]);
		const main = buildReport(state).tasks.find(task => task.name === 'main()')!;
		expect(main.awaitSites[0]!.on).toEqual([{kind: 'tasks', ids: [3]}, {kind: 'promise'}]);
	});

	it('reports http phases, timers, errors, pending tasks and blocks', () => {
		const error = {name: 'Error', message: 'boom'};
		const state = reduce([
			HEADER,
			taskStart(0, 1, null, 'seed.ts', 'script'),
			{type: 'op.start', t: 1, id: 2, parent: 1, kind: 'http', name: 'GET /a', http: {method: 'GET', url: 'https://x/a'}},
			{type: 'op.phase', t: 11, id: 2, phase: 'sent', queueMs: 2.0004, connectMs: 8},
			{type: 'op.phase', t: 31, id: 2, phase: 'headers', status: 404},
			{type: 'op.end', t: 36, id: 2, ok: true, status: 404, bytes: 12},
			{type: 'op.start', t: 1, id: 3, parent: 1, kind: 'http', name: 'GET /b', http: {method: 'GET', url: 'https://x/b'}},
			{type: 'op.start', t: 2, id: 4, parent: 1, kind: 'timer', name: 'setTimeout 5ms', timer: {delayMs: 5, repeat: false}},
			{type: 'op.end', t: 9, id: 4, ok: true, lateMs: 2},
			taskStart(3, 5, 1, 'fails()'),
			{type: 'task.end', t: 4, id: 5, ok: false, error, busy: 1, wait: 0, sched: 0, awaits: 0},
			{type: 'block.start', t: 40, id: 1, task: 1, detectedAt: 95},
			{type: 'block.stack', t: 96, id: 1, frames: [{fn: 'spin', loc: 'seed.ts:3:1'}]},
			{type: 'block.end', t: 140, id: 1, durationMs: 100, task: 1, exact: true},
			{type: 'exit', t: 200, code: null, signal: 'SIGTERM'},
		]);
		const report = buildReport(state);
		expect(report.exitCode).toBeNull();
		expect(report.signal).toBe('SIGTERM');
		const byId = new Map(report.tasks.map(task => [task.id, task]));
		expect(byId.get(2)!.http).toEqual({method: 'GET', url: 'https://x/a', status: 404, bytes: 12, phases: {queueMs: 2, connectMs: 8, ttfbMs: 20, downloadMs: 5}});
		expect(byId.get(3)!.http).toEqual({method: 'GET', url: 'https://x/b', status: null, bytes: null, phases: {queueMs: 0, connectMs: 0, ttfbMs: 0, downloadMs: 0}});
		expect(byId.get(3)!.state).toBe('pending');
		expect(byId.get(3)!.endMs).toBeNull();
		expect(byId.get(4)!.timer).toEqual({delayMs: 5, repeat: false, fires: 1, lateMs: 2});
		expect(byId.get(5)).toMatchObject({state: 'failed', error});
		expect(report.blocks).toEqual([{startMs: 40, durationMs: 100, taskId: 1, taskName: 'seed.ts', location: 'seed.ts:3:1', stack: ['spin (seed.ts:3:1)']}]);
		expect(report.summary).toMatchObject({httpCount: 2, maxInFlightHttp: 2, failedCount: 1, longestBlockMs: 100});
	});

	it('reports a request a server received as a task with its request: counted, a leaf when it started no task, failed at 5xx', () => {
		const state = reduce([
			HEADER,
			taskStart(0, 1, null, 'seed.ts', 'script'),
			event('task.start', {t: 1, id: 2, parent: 1, kind: 'server', name: 'GET /users/7?…', loc: null, http: {method: 'GET', url: '/users/7?token=REDACTED', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'}}),
			event('task.end', {t: 11, id: 2, status: 500, wait: 10}),
			event('task.start', {t: 12, id: 3, parent: 1, kind: 'server', name: 'GET /slow', loc: null, http: {method: 'GET', url: '/slow', host: 'h:1'}}),
			event('task.end', {t: 20, id: 3, ok: false, aborted: true}),
			{type: 'exit', t: 30, code: 0, signal: null},
		]);
		const report = buildReport(state);
		expect(report.tasks[1]).toMatchObject({kind: 'server', state: 'failed', request: {method: 'GET', url: '/users/7?token=REDACTED', host: null, status: 500, aborted: false}});
		expect(report.tasks[1]!.request!.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
		expect(report.tasks[2]!.request).toEqual({method: 'GET', url: '/slow', host: 'h:1', traceparent: null, status: null, aborted: true, route: null});
		// Its http says what a sent request's first fields say; the phases are a sent request's only.
		expect(report.tasks[1]!.http).toEqual({method: 'GET', url: '/users/7?token=REDACTED', status: 500});
		expect(report.tasks[2]!.http).toEqual({method: 'GET', url: '/slow', status: null});
		expect(leafTasks(state).map(task => task.id)).toEqual([2, 3]);
		expect(report.summary).toMatchObject({taskCount: 2, failedCount: 2, httpCount: 0, failedHttp: 0});
	});

	// A task that awaited a followed Node child for 1 s read '0ms running or waiting · concurrency 0.0×', and 1.0× with
	// --no-follow, where the child is an op: the headline depended on a tracing option.
	it('a task that waits on a followed process stays a leaf: its wait counts, as on a child op under --no-follow', () => {
		const lane = IDS_PER_PROCESS + 1;
		const state = reduce([
			HEADER,
			taskStart(0, 1, null, 'main.js', 'script'),
			taskStart(1, 2, 1, 'runChild()'),
			event('task.end', {t: 1, id: 1, busy: 0, wait: 0}),
			// Followed, the child is no op: its lane's root is under the task that started it.
			event('task.start', {t: 40, id: lane, parent: 2, kind: 'process', name: 'pid 42: node -e …', loc: null, process: {pid: 42, command: 'node -e …'}}),
			event('task.start', {t: 41, id: lane + 1, parent: lane, kind: 'task', name: 'work()', loc: null}),
			event('task.end', {t: 941, id: lane + 1, wait: 900}),
			event('task.end', {t: 1000, id: lane, exit: {code: 0, signal: null}}),
			event('task.end', {t: 1002, id: 2, wait: 1000}),
			{type: 'exit', t: 1003, code: 0, signal: null},
		]);
		expect(leafTasks(state).map(task => task.id)).toEqual([2, lane + 1]);
		// runChild() waiting 1 s, and the child's own task 900 ms beside it.
		expect(summarize(state).activeTimeMs).toBeCloseTo(1900, 6);
	});

	it("the recorded three-requests fixture summarizes as three concurrent requests (with request-A's block)", () => {
		const state = reduce(recordedLines(fileURLToPath(new URL('../fixtures/sessions/three-requests.ndjson', import.meta.url))));
		const {summary} = buildReport(state);
		expect(summary.maxInFlight).toBe(3);
		// request-A is held 250 ms longer by a block in it: 1250.9 + 3000.6 + 2000.1 over 3002.5 ms.
		expect(summary.taskTimeMs).toBe(6251.6);
		// Their time running or waiting, and main()'s own wait while its three requests were in flight beside them.
		expect(summary.concurrency).toBe(2.22);
		expect(summary.longestBlockMs).toBe(250);
		expect(summary.failedCount).toBe(1);
	});
});

describe('the session runs from the script’s first line', () => {
	it('start-up and compiling before it are no part of the duration or of concurrency', () => {
		const state = reduce([
			HEADER,
			taskStart(90, 1, null, 'seed.ts', 'script'),
			taskStart(90, 2, 1, 'a()'),
			taskStart(90, 3, 1, 'b()'),
			...awaited(1, [2, 3], 90, 3090),
			taskEnd(3090, 2, 3000),
			taskEnd(3090, 3, 3000),
			taskEnd(3090, 1, 3000),
			{type: 'exit', t: 3090, code: 0, signal: null},
		]);
		expect(sessionDuration(state)).toBe(3000);
		expect(summarize(state).concurrency).toBe(2);
		expect(buildReport(state).durationMs).toBe(3000);
	});
});

describe('one count of tasks', () => {
	it('the header’s per-state counts add up to the summary’s taskCount once everything ended', () => {
		const state = seed(true);
		const {running, waiting, ready, finished, failed} = state.taskCounts;
		expect(running + waiting + ready).toBe(0);
		expect(finished + failed).toBe(summarize(state).taskCount);
	});
});

describe('concurrency at a moment', () => {
	it('once the script exited, reads as the summary whatever the view clock says', () => {
		const state = seed(true);
		expect(concurrencyAt(state, 4500)).toBe(summarize(state).concurrency);
	});
});

it("a script that computed, then called process.exit(): its top level was busy from its first line to the exit, as a task.end would have said", () => {
	const state = reduce([
		HEADER,
		taskStart(30, 1, null, 'spin.js', 'script'),
		// Node and asyncmon load it first: no busy time of the script's.
		event('script.start', {t: 80}),
		event('script.exit', {t: 480, code: 1, exitCall: {site: 'spin.js:4:9'}}),
		event('exit', {t: 490, code: 1, signal: null}),
	]);
	expect(state.nodes.get(1)).toMatchObject({state: 'finished', busyMs: 400});
	const summary = summarize(state);
	expect(summary.activeTimeMs).toBeCloseTo(400, 6);
	expect(summary.concurrency).toBeCloseTo(1, 6);
});
