import {describe, expect, it} from 'vitest';
import {apply} from '../../source/model/reducer.js';
import {summarize} from '../../source/model/summary.js';
import {liveTimes} from '../../source/model/live-times.js';
import {AWAITS_RETAINED, UNCAUGHT_KEPT, LANE_OUTPUT_BOUNDS, OUTPUT_LINE_MAX_CHARS, OUTPUT_RETAINED_CHARS, OUTPUT_RETAINED_LINES, createState, type ModelState, type TaskNode} from '../../source/model/state.js';
import {IDS_PER_PROCESS, IDS_PER_THREAD, type ProtocolLine, type TaskKind, type TaskStartEvent} from '../../source/protocol/events.js';
import {FoldedTaskWriter} from '../../source/protocol/fold.js';
import {event, header, reduce} from '../helpers/events.js';

const node = (state: ModelState, id: number): TaskNode => state.nodes.get(id)!;

const HEADER = header({argv: ['--fast'], redacted: true});

const start = (t: number, id: number, parent: number | null, name = `task${id}`, kind: TaskKind = 'task'): TaskStartEvent =>
	event('task.start', {t, id, parent, kind, name, loc: `app.ts:${id}:1`});

describe('reducer: tasks', () => {
	it('stores the header and tracks the latest time and a version per event', () => {
		const state = reduce([HEADER, start(0, 1, null, 'app.ts', 'script'), start(5, 2, 1)]);
		expect(state.header).toEqual(HEADER);
		expect(state.nowMs).toBe(5);
		expect(state.version).toBe(3);
	});

	it('a task.start adds a running node under its parent and counts it', () => {
		const state = reduce([start(0, 1, null, 'app.ts', 'script'), start(1, 2, 1, 'main()'), {...start(2, 3, 2), thread: 7} as ProtocolLine]);
		expect(state.order).toEqual([1, 2, 3]);
		expect(state.rootIds).toEqual([1]);
		expect(node(state, 1).children).toEqual([2]);
		expect(node(state, 1).childTaskCount).toBe(1);
		expect(node(state, 2)).toMatchObject({parentId: 1, kind: 'task', name: 'main()', location: 'app.ts:2:1', state: 'running', startMs: 1, endMs: null});
		expect(node(state, 3).thread).toBe(7);
		expect(node(state, 2).spans).toEqual([{state: 'running', startMs: 1, endMs: null}]);
		// The script's top level is no task of these counts: they agree with the summary's taskCount.
		expect(state.taskCounts).toEqual({running: 2, waiting: 0, ready: 0, finished: 0, failed: 0});
		// In flight, as the summary's maxInFlight counts: leaf tasks, so not main(), which started one.
		expect(state.tasksInFlight).toBe(1);
	});

	it("a task's next call shows that the one it called before stopped running: waiting, on what its late await says", () => {
		// main() calls small(1), which awaits (not told yet: its await comes once it has lasted), then small(2).
		const state = reduce([start(0, 1, null, 'app.ts', 'script'), start(1, 2, 1, 'main()'), start(2, 3, 2, 'small(1)'), start(2.5, 5, 2, 'small(2)')]);
		expect(node(state, 3).state).toBe('waiting');
		expect(node(state, 5).state).toBe('running');
		expect(state.taskCounts).toMatchObject({running: 2, waiting: 1});
		// Its await comes later in the stream, with the time it began: that is when it stopped running.
		apply(state, event('task.await', {t: 2.2, id: 3, site: 'app.ts:3:20', on: {kind: 'op', id: 4}, busy: 0.2}));
		expect(node(state, 3)).toMatchObject({state: 'waiting', wait: {on: {kind: 'op', id: 4}, since: 2.2}, busyMs: 0.2});
		expect(node(state, 3).spans.map(span => [span.state, span.startMs, span.endMs])).toEqual([
			['running', 2, 2.2],
			['waiting', 2.2, null],
		]);
		expect(state.taskCounts).toMatchObject({running: 2, waiting: 1});
	});

	it('a call of another function does not take a worker thread, nor a finished call, for stopped', () => {
		const state = reduce([start(0, 1, null, 'app.ts', 'script'), start(1, 2, 1, 'main()'), start(2, 3, 2, 'worker #1', 'worker'), start(3, 4, 2, 'next()')]);
		expect(node(state, 3).state).toBe('running');
		apply(state, event('task.end', {t: 4, id: 4, ok: true, busy: 1, wait: 0, sched: 0, awaits: 0}));
		apply(state, start(5, 5, 2, 'after()'));
		expect(node(state, 4).state).toBe('finished');
	});

	it('a task whose parent is unknown becomes a root', () => {
		expect(reduce([start(0, 5, 99)]).rootIds).toEqual([5]);
	});

	it('walks running → waiting → ready → running → finished with counts, spans and await history', () => {
		const state = reduce([
			start(0, 1, null),
			{type: 'task.await', t: 2, id: 1, site: 'app.ts:3:3', on: {kind: 'op', id: 9}, busy: 2},
		]);
		const task = node(state, 1);
		expect(task.state).toBe('waiting');
		expect(task.busyMs).toBe(2);
		expect(task.accountedAt).toBe(2);
		expect(task.awaitCount).toBe(1);
		expect(task.wait).toEqual({site: 'app.ts:3:3', on: {kind: 'op', id: 9}, since: 2});
		expect(state.taskCounts).toMatchObject({running: 0, waiting: 1});

		apply(state, {type: 'task.ready', t: 12, id: 1});
		expect(task.state).toBe('ready');
		expect(task.readyAt).toBe(12);
		expect(state.taskCounts).toMatchObject({waiting: 0, ready: 1});

		apply(state, {type: 'task.resume', t: 13, id: 1, readyAt: 12, wait: 10, sched: 1});
		expect(task.state).toBe('running');
		expect(task.waitMs).toBe(10);
		expect(task.schedDelayMs).toBe(1);
		expect(task.wait).toBeNull();
		expect(task.readyAt).toBeNull();
		expect(task.awaitSites).toEqual([{site: 'app.ts:3:3', count: 1, totalMs: 10}]);
		expect(task.awaits).toEqual([{site: 'app.ts:3:3', on: {kind: 'op', id: 9}, dependent: false, startMs: 2, readyMs: 12, resumedMs: 13}]);
		expect(state.taskCounts).toMatchObject({ready: 0, running: 1});

		apply(state, {type: 'task.end', t: 15, id: 1, ok: true, busy: 4, wait: 10, sched: 1, awaits: 1});
		expect(task.state).toBe('finished');
		expect(task.endMs).toBe(15);
		expect(task.busyMs).toBe(4);
		expect(state.taskCounts).toEqual({running: 0, waiting: 0, ready: 0, finished: 1, failed: 0});
		expect(state.tasksInFlight).toBe(0);
		expect(task.spans).toEqual([
			{state: 'running', startMs: 0, endMs: 2},
			{state: 'waiting', startMs: 2, endMs: 12},
			{state: 'ready', startMs: 12, endMs: 13},
			{state: 'running', startMs: 13, endMs: 15},
		]);
	});

	it('a resume with no task.ready before it still records the ready span from readyAt', () => {
		const state = reduce([
			start(0, 1, null),
			{type: 'task.await', t: 1, id: 1, site: null, on: {kind: 'promise'}, busy: 1},
			{type: 'task.resume', t: 6, id: 1, readyAt: 5, wait: 4, sched: 1},
		]);
		expect(node(state, 1).spans.map(s => [s.state, s.startMs, s.endMs])).toEqual([
			['running', 0, 1],
			['waiting', 1, 5],
			['ready', 5, 6],
			['running', 6, null],
		]);
	});

	it('keeps the dependent flag and accumulates await sites', () => {
		const state = reduce([
			start(0, 1, null),
			{type: 'task.await', t: 1, id: 1, site: 's:1', on: {kind: 'task', id: 2}, busy: 1},
			{type: 'task.resume', t: 11, id: 1, readyAt: 11, wait: 10, sched: 0},
			{type: 'task.await', t: 12, id: 1, site: 's:1', on: {kind: 'task', id: 3}, dependent: true, busy: 2},
			{type: 'task.resume', t: 32, id: 1, readyAt: 32, wait: 30, sched: 0},
		]);
		const task = node(state, 1);
		expect(task.awaits.map(a => a.dependent)).toEqual([false, true]);
		expect(task.awaitSites).toEqual([{site: 's:1', count: 2, totalMs: 30}]);
		expect(task.awaitCount).toBe(2);
	});

	it('retains at most AWAITS_RETAINED awaits per task but counts them all', () => {
		const state = reduce([start(0, 1, null)]);
		for (let i = 0; i < AWAITS_RETAINED + 5; i++) {
			apply(state, {type: 'task.await', t: i * 2 + 1, id: 1, site: null, on: {kind: 'value'}, busy: 0});
			apply(state, {type: 'task.resume', t: i * 2 + 2, id: 1, readyAt: i * 2 + 2, wait: 0, sched: 0});
		}
		expect(node(state, 1).awaits.length).toBe(AWAITS_RETAINED);
		expect(node(state, 1).awaitCount).toBe(AWAITS_RETAINED + 5);
	});

	it('a failed task keeps its error and counts as failed', () => {
		const error = {name: 'TypeError', message: 'bad', location: 'app.ts:4:9'};
		const state = reduce([start(0, 1, null), {type: 'task.end', t: 3, id: 1, ok: false, error, busy: 3, wait: 0, sched: 0, awaits: 0}]);
		expect(node(state, 1).state).toBe('failed');
		expect(node(state, 1).error).toEqual(error);
		expect(state.taskCounts.failed).toBe(1);
	});

	it('ignores events for unknown tasks and anything after a task ended', () => {
		const state = reduce([
			start(0, 1, null),
			{type: 'task.end', t: 3, id: 1, ok: true, busy: 3, wait: 0, sched: 0, awaits: 0},
			{type: 'task.await', t: 4, id: 1, site: null, on: {kind: 'value'}, busy: 9},
			{type: 'task.ready', t: 5, id: 1},
			{type: 'task.resume', t: 6, id: 1, readyAt: 5, wait: 1, sched: 1},
			{type: 'task.end', t: 7, id: 1, ok: false, busy: 0, wait: 0, sched: 0, awaits: 0},
			{type: 'task.await', t: 8, id: 77, site: null, on: {kind: 'value'}, busy: 0},
			{type: 'task.ready', t: 8, id: 77},
		]);
		expect(node(state, 1)).toMatchObject({state: 'finished', endMs: 3, busyMs: 3, awaitCount: 0});
		expect(state.taskCounts).toEqual({running: 0, waiting: 0, ready: 0, finished: 1, failed: 0});
		expect(state.tasksInFlight).toBe(0);
		expect(state.nodes.size).toBe(1);
	});

	it('task.ready only applies to a waiting task', () => {
		const state = reduce([start(0, 1, null), {type: 'task.ready', t: 1, id: 1}]);
		expect(node(state, 1).state).toBe('running');
	});

	it("a bucket keeps its largest value for the bar and its latest for the legend: the series ends where the run did", () => {
		const end = (t: number, id: number) => ({type: 'task.end', t, id, ok: true, busy: 0, wait: 0, sched: 0, awaits: 0}) as const;
		// Three leaf tasks in flight as the last bucket begins, all ended within 50 ms: its bar is 3 high, but none is left in flight.
		const state = reduce([start(0, 1, null), start(1, 2, 1), start(2, 3, 1), start(100, 9, null), end(100, 2), end(110, 3), end(120, 1), end(130, 9)]);
		expect(state.inFlightSeries.at(-1)).toMatchObject({value: 3, latest: 0});
	});

	it("the in-flight series' peak is the summary's maxInFlight: leaf tasks, not the script nor the task that started them", () => {
		// 07-cpu-bound's shape: the script starts main(), which starts five ticks; one ends early, then a block, then the rest.
		const end = (t: number, id: number) => ({type: 'task.end', t, id, ok: true, busy: 0, wait: 0, sched: 0, awaits: 0}) as const;
		const lines: ProtocolLine[] = [start(0, 1, null, 'app.ts', 'script'), start(1, 2, 1, 'main()')];
		for (let id = 3; id <= 7; id++) lines.push(start(2, id, 2, `tick(${id})`));
		lines.push(end(1000, 3), end(6500, 4), end(6501, 5), end(6502, 6), end(6503, 7), end(6504, 2), end(6505, 1), {type: 'exit', t: 6506, code: 0, signal: null});
		const state = reduce(lines);
		const peak = Math.max(...state.inFlightSeries.map(point => point.value));
		expect(peak).toBe(5);
		expect(summarize(state).maxInFlight).toBe(peak);
		expect(state.inFlightSeries.at(-1)!.latest).toBe(0);
	});

	it('tracks the in-flight series', () => {
		const end = (t: number, id: number) => ({type: 'task.end', t, id, ok: true, busy: 0, wait: 0, sched: 0, awaits: 0}) as const;
		const state = reduce([start(0, 1, null), start(1, 2, 1), start(2, 3, 1), end(20, 3), end(300, 2)]);
		// Leaf tasks: task 1 leaves the count as it starts task 2 (one leaf for another), and is no leaf after they ended.
		expect(state.tasksInFlight).toBe(0);
		// Points within a bar (250 ms, the loop sampler's beat) merge, keeping the max and the latest.
		expect(state.inFlightSeries).toEqual([
			{t: 0, value: 2, latest: 1},
			{t: 300, value: 0, latest: 0},
		]);
	});

	it("moves the in-flight series on with the loop's beat while nothing starts or ends", () => {
		const state = reduce([start(0, 1, null), start(1, 2, 1)]);
		for (const t of [250, 500, 750]) apply(state, {type: 'loop', t, delayMs: 1, utilization: 0});
		expect(state.inFlightSeries.map(point => [point.t, point.value])).toEqual([[0, 1], [250, 1], [500, 1], [750, 1]]);
	});

	it('counts folded leaf tasks in the in-flight bar of their time, at their peak, though none was told one by one', () => {
		const state = reduce([start(0, 1, null)]);
		apply(state, {type: 'loop', t: 250, delayMs: 1, utilization: 0});
		// Three calls under the script, two of them at once, folded at the source.
		const line = new FoldedTaskWriter(290);
		line.add(260, 270, 1, 9);
		line.add(262, 280, 1, 17);
		line.add(281, 289, 1, 7);
		apply(state, {type: 'fold', t: 290, kind: 'task', name: 'work', loc: 'app.ts:5:1', parent: 1, leaf: true, count: 3, totalMs: 36, busyMs: 3, waitMs: 33, tasks: line.text()});
		expect(state.inFlightSeries.at(-1)).toEqual({t: 250, value: 2, latest: 0});
	});
});

describe('reducer: ops', () => {
	const http = (t: number, id: number, parent: number) =>
		event('op.start', {t, id, parent, kind: 'http', name: 'GET /items', loc: 'app.ts:9:3', http: {method: 'GET', url: 'https://api.example.com/items'}});

	it('an op is a waiting node that is not counted among tasks', () => {
		const state = reduce([start(0, 1, null), http(1, 2, 1)]);
		expect(node(state, 2)).toMatchObject({kind: 'http', state: 'waiting', parentId: 1, location: 'app.ts:9:3'});
		expect(node(state, 1).children).toEqual([2]);
		expect(node(state, 1).childTaskCount).toBe(0);
		expect(state.taskCounts).toEqual({running: 1, waiting: 0, ready: 0, finished: 0, failed: 0});
		expect(state.tasksInFlight).toBe(1);
	});

	it('derives the HTTP phases: queue and connect at sent, ttfb = sent→headers, download = headers→end', () => {
		const state = reduce([
			start(0, 1, null),
			http(10, 2, 1),
			http(11, 3, 1),
			{type: 'op.phase', t: 40, id: 2, phase: 'sent', queueMs: 5, connectMs: 25},
			{type: 'op.phase', t: 100, id: 2, phase: 'headers', status: 200},
			{type: 'op.end', t: 160, id: 2, ok: true, status: 200, bytes: 5120},
		]);
		expect(node(state, 2).http).toEqual({
			method: 'GET',
			url: 'https://api.example.com/items',
			status: 200,
			bytes: 5120,
			sentAt: 40,
			headersAt: 100,
			phases: {queueMs: 5, connectMs: 25, ttfbMs: 60, downloadMs: 60},
		});
		expect(node(state, 2)).toMatchObject({state: 'finished', endMs: 160});
		expect(state.httpInFlight).toBe(1);
	});

	it('an HTTP request that fails before headers has no ttfb or download', () => {
		const error = {name: 'Error', message: 'ECONNREFUSED'};
		const state = reduce([start(0, 1, null), http(1, 2, 1), {type: 'op.end', t: 5, id: 2, ok: false, error}]);
		expect(node(state, 2).state).toBe('failed');
		expect(node(state, 2).error).toEqual(error);
		expect(node(state, 2).http!.phases).toEqual({});
		expect(state.httpInFlight).toBe(0);
		expect(state.httpFailed).toBe(1);
	});

	it('a 5xx response is a failed request, whatever the client made of it; a 4xx is the server’s answer, finished', () => {
		const state = reduce([
			start(0, 1, null),
			http(1, 2, 1),
			http(1, 3, 1),
			{type: 'op.end', t: 5, id: 2, ok: true, status: 500},
			{type: 'op.end', t: 6, id: 3, ok: true, status: 404},
		]);
		expect([node(state, 2).state, node(state, 3).state]).toEqual(['failed', 'finished']);
		expect(state.httpFailed).toBe(1);
	});

	it('a sent phase without queue/connect fields defaults them to 0', () => {
		const state = reduce([start(0, 1, null), http(1, 2, 1), {type: 'op.phase', t: 3, id: 2, phase: 'sent'}]);
		expect(node(state, 2).http!.phases).toEqual({queueMs: 0, connectMs: 0});
	});

	it('counts timer firings and keeps the largest lateness', () => {
		const state = reduce([
			start(0, 1, null),
			{type: 'op.start', t: 1, id: 2, parent: 1, kind: 'timer', name: 'setInterval 10ms', timer: {delayMs: 10, repeat: true}},
			{type: 'op.fire', t: 11, id: 2, lateMs: 0.2},
			{type: 'op.fire', t: 31, id: 2, lateMs: 9.5},
			{type: 'op.fire', t: 41, id: 2, lateMs: 1},
			{type: 'op.end', t: 45, id: 2, ok: true, cancelled: true},
			{type: 'op.start', t: 2, id: 3, parent: 1, kind: 'timer', name: 'setTimeout 100ms', timer: {delayMs: 100, repeat: false}},
			{type: 'op.end', t: 150, id: 3, ok: true, lateMs: 48},
		]);
		expect(node(state, 2).timer).toEqual({delayMs: 10, repeat: true, fires: 3, lateMs: 9.5});
		expect(node(state, 3).timer).toEqual({delayMs: 100, repeat: false, fires: 1, lateMs: 48});
		expect(node(state, 3)).toMatchObject({state: 'finished', endMs: 150});
	});

	it('op.phase and op.fire for ops of another kind are ignored', () => {
		const state = reduce([
			{type: 'op.start', t: 1, id: 2, parent: null, kind: 'fs', name: 'readFile'},
			{type: 'op.phase', t: 2, id: 2, phase: 'sent'},
			{type: 'op.fire', t: 2, id: 2, lateMs: 3},
		]);
		expect(node(state, 2).http).toBeUndefined();
		expect(node(state, 2).timer).toBeUndefined();
		expect(node(state, 2).location).toBeNull();
	});
});

describe('reducer: blocks', () => {
	it("block.start in a callback a task scheduled: the task waits on, the timer has fired, and the block is not at the task's place", () => {
		const state = reduce([
			start(0, 1, null),
			start(1, 2, 1),
			event('op.start', {t: 1, id: 3, parent: 2, kind: 'timer', name: 'setTimeout 20ms', timer: {delayMs: 20, repeat: false}}),
			event('op.start', {t: 1, id: 4, parent: 2, kind: 'timer', name: 'sleep 600ms', timer: {delayMs: 600, repeat: false}}),
			event('task.await', {t: 1, id: 2, on: {kind: 'op', id: 4}, busy: 0}),
		]);
		apply(state, {type: 'block.start', t: 21, id: 1, task: 2, callback: {op: 3}, detectedAt: 80});
		expect(state.activeBlockId).toBe(1);
		expect(state.blocks[0]).toMatchObject({taskId: 2, callback: 'setTimeout', location: null});
		expect(node(state, 2)).toMatchObject({state: 'waiting', busyMs: 0});
		// Its end is in the blocked thread's buffer: done at the block's start, not waiting all through it.
		expect(node(state, 3)).toMatchObject({state: 'finished', endMs: 21});
		expect(node(state, 4)).toMatchObject({state: 'waiting', endMs: null});
		// The end out of the blocked thread adds how late it fired, and ends nothing twice.
		const finished = state.taskCounts.finished;
		apply(state, {type: 'op.end', t: 20.5, id: 3, ok: true, lateMs: 0.5});
		expect(node(state, 3)).toMatchObject({state: 'finished', endMs: 21, timer: {lateMs: 0.5}});
		expect(state.taskCounts.finished).toBe(finished);

		apply(state, {type: 'block.start', t: 300, id: 2, task: 2, callback: {op: null}, detectedAt: 360});
		expect(state.blocks[1]).toMatchObject({taskId: 2, callback: 'setImmediate', location: null});
		apply(state, {type: 'block.end', t: 400, id: 2, durationMs: 100, task: 2, exact: false});
		expect(state.blocks[1]!.location).toBeNull();
		expect(node(state, 2).state).toBe('waiting');
	});

	it('block.start opens the active block, located at its task; block.stack locates it; block.end closes it', () => {
		const state = reduce([start(0, 1, null), start(1, 2, 1)]);
		apply(state, {type: 'block.start', t: 10, id: 1, task: 2, detectedAt: 70});
		expect(state.activeBlockId).toBe(1);
		expect(state.blocks).toEqual([{id: 1, startMs: 10, detectedAt: 70, durationMs: null, endMs: null, queuedMs: 0, taskId: 2, taskName: 'task2', callback: null, location: 'app.ts:2:1', frames: [], stackRead: false, loading: false, loadingByTime: false, samples: null, module: null, callee: null, library: null, exact: false, processId: null, process: null}]);

		const frames = [
			{fn: 'parseBody', loc: 'app.ts:6:5'},
			{fn: 'handler', loc: 'app.ts:5:3'},
		];
		apply(state, {type: 'block.stack', t: 72, id: 1, frames});
		expect(state.blocks[0]!.frames).toEqual(frames);
		expect(state.blocks[0]!.location).toBe('app.ts:6:5');
		expect(state.blocks[0]!.loading).toBe(false);
		// Read again, while a module loaded.
		apply(state, {type: 'block.stack', t: 73, id: 1, frames, loading: true});
		expect(state.blocks[0]!.loading).toBe(true);
		// Read in one of Node's synchronous calls.
		apply(state, {type: 'block.stack', t: 74, id: 1, frames, callee: {fn: 'readFileSync', loc: 'node:fs'}});
		expect(state.blocks[0]!.callee).toEqual({fn: 'readFileSync', loc: 'node:fs'});

		apply(state, {type: 'block.end', t: 260, id: 1, durationMs: 250, task: 2, exact: true});
		expect(state.activeBlockId).toBeNull();
		expect(state.blocks[0]).toMatchObject({durationMs: 250, endMs: 260, queuedMs: 0, exact: true, startMs: 10, location: 'app.ts:6:5'});
	});

	it("a block of no task's as the runtime saw it takes the task whose async context its stack was read in; one of a task keeps its own", () => {
		const state = reduce([start(0, 1, null), start(1, 2, 1)]);
		apply(state, {type: 'block.start', t: 10, id: 1, task: null, detectedAt: 70});
		apply(state, {type: 'block.stack', t: 80, id: 1, frames: [], loading: true, module: 'node_modules/lazyfw/index.js:1:95', task: 2});
		expect(state.blocks[0]).toMatchObject({taskId: 2, taskName: 'task2'});
		apply(state, {type: 'block.start', t: 300, id: 2, task: 1, detectedAt: 370});
		apply(state, {type: 'block.stack', t: 380, id: 2, frames: [], task: 2});
		expect(state.blocks[1]).toMatchObject({taskId: 1});
	});

	it("a library's top level run by the loader (an awaited import()) is located at that module, not at the task the block's end names", () => {
		const stack: ProtocolLine = {type: 'block.stack', t: 80, id: 1, frames: [], loading: true, module: 'node_modules/slow/index.js:2:3'};
		// The stack first (the watchdog's read), then an end naming the script's root (its resume came in the same stretch).
		const state = reduce([start(0, 1, null)]);
		apply(state, {type: 'block.start', t: 10, id: 1, task: null, detectedAt: 70});
		apply(state, stack);
		apply(state, {type: 'block.end', t: 310, id: 1, durationMs: 300, task: 1, exact: true});
		expect(state.blocks[0]).toMatchObject({taskId: 1, module: 'node_modules/slow/index.js:2:3', location: null});
		// The end first, the stack after it.
		const late = reduce([start(0, 1, null)]);
		apply(late, {type: 'block.start', t: 10, id: 1, task: 1, detectedAt: 70});
		apply(late, {type: 'block.end', t: 310, id: 1, durationMs: 300, task: 1, exact: true});
		expect(late.blocks[0]!.location).toBe('app.ts:1:1');
		apply(late, stack);
		expect(late.blocks[0]!.location).toBeNull();
	});

	it('block.start shows the blocking task running, though its resume is still in the blocked thread; the late resume keeps its totals', () => {
		const state = reduce([start(0, 1, null), start(1, 2, 1), {type: 'task.await', t: 2, id: 2, site: 'app.ts:3:2', on: {kind: 'promise'}, busy: 1}]);
		expect(node(state, 2).state).toBe('waiting');
		apply(state, {type: 'block.start', t: 50, id: 1, task: 2, detectedAt: 110});
		expect(node(state, 2).state).toBe('running');
		expect(node(state, 2).spans.at(-1)).toEqual({state: 'running', startMs: 50, endMs: null});
		// While the block lasts, its wait before the block is wait, and only the block is busy (it read 248ms busy, 0 waiting).
		expect(liveTimes(node(state, 2), 250)).toMatchObject({busyMs: 201, waitMs: 48});
		// What the child flushes once the block is over.
		apply(state, {type: 'task.resume', t: 50, id: 2, readyAt: 50, wait: 48, sched: 0});
		apply(state, {type: 'block.end', t: 300, id: 1, durationMs: 250, task: 2, exact: true});
		expect(node(state, 2)).toMatchObject({state: 'running', waitMs: 48, wait: null});
	});

	it('a block.end with no block.start (a slice measured exactly) derives its start', () => {
		const state = reduce([start(0, 1, null), {type: 'block.end', t: 300, id: 4, durationMs: 120, task: 1, exact: true}]);
		expect(state.blocks).toEqual([{id: 4, startMs: 180, detectedAt: 0, durationMs: 120, endMs: 300, queuedMs: 0, taskId: 1, taskName: 'task1', callback: null, location: 'app.ts:1:1', frames: [], stackRead: false, loading: false, loadingByTime: false, samples: null, module: null, callee: null, library: null, exact: true, processId: null, process: null}]);
		expect(state.activeBlockId).toBeNull();
	});

	it('a block ended by an estimate keeps exact = false and the task of its start', () => {
		const state = reduce([
			start(0, 1, null),
			{type: 'block.start', t: 10, id: 1, task: 1, detectedAt: 70},
			{type: 'block.end', t: 200, id: 1, durationMs: 190, task: null, exact: false},
		]);
		expect(state.blocks[0]).toMatchObject({taskId: 1, exact: false, durationMs: 190});
	});

	// A framework's 100 ms of start-up in promise jobs, seen by a watchdog that got a CPU only as it ended: the provider it
	// called last (started after the block began, as the watchdog looked) was named for it, with its stack.
	it("a block seen only as it ended, or after, names no callback or stack, what was read then ran next: its task is the one the watchdog saw most through it", () => {
		const late = reduce([
			HEADER,
			start(0, 1, null, 'main()'),
			{type: 'block.start', t: 377, id: 2, task: 3, detectedAt: 479.7, callback: {op: null}},
			start(479, 3, 1, 'useFactory()'),
			{type: 'block.stack', t: 481, id: 2, frames: [{fn: 'useFactory', loc: 'main.ts:80:20'}]},
			// A framework's promise jobs, no task of the script's in them: the watchdog's looks saw none most.
			{type: 'block.end', t: 475.2, id: 2, durationMs: 97.6, task: null, exact: false},
		]);
		expect(late.blocks[0]).toMatchObject({taskId: null, taskName: null, callback: null, frames: [], stackRead: false, location: null, durationMs: 97.6});
		// Its stack may come after its end (the watchdog's lines go their own way): left out all the same.
		apply(late, {type: 'block.stack', t: 482, id: 2, frames: [{fn: 'useFactory', loc: 'main.ts:81:5'}]});
		expect(late.blocks[0]).toMatchObject({frames: [], stackRead: false, location: null});
		// A tester's loop of 2,000 awaits, then a first fetch(): told late, as another call ran, which it read; most looks
		// had found the fetch's caller.
		const mostly = reduce([
			HEADER,
			start(0, 1, null, 'syncRound(0)'),
			start(91, 4, 1, 'fetchJson()'),
			start(123, 5, 1, 'getItem(7)'),
			{type: 'block.start', t: 53, id: 2, task: 5, detectedAt: 125},
			{type: 'block.stack', t: 126, id: 2, frames: [{fn: 'getItem', loc: 'inventory.js:5:3'}]},
			{type: 'block.end', t: 128, id: 2, durationMs: 75, task: 4, exact: false},
		]);
		expect(mostly.blocks[0]).toMatchObject({taskId: 4, taskName: 'fetchJson()', frames: [], stackRead: false});
		// The late look found the task the silence was most seen in, in its own code: what it read is the block's.
		const agreed = reduce([
			HEADER,
			start(0, 1, null, 'syncRound(0)'),
			start(91, 4, 1, 'fetchJson()'),
			{type: 'block.start', t: 45, id: 2, task: 4, detectedAt: 135.6},
			{type: 'block.stack', t: 139.6, id: 2, frames: [{fn: 'fetchJson', loc: 'inventory.js:11:21'}]},
			{type: 'block.end', t: 145, id: 2, durationMs: 99, task: 4, exact: false},
		]);
		expect(agreed.blocks[0]).toMatchObject({taskId: 4, stackRead: true, location: 'inventory.js:11:21'});
		// Seen well before it ended, what was read stays: a block measured exactly too, read before its end.
		const seen = reduce([
			start(0, 1, null, 'main()'),
			{type: 'block.start', t: 10, id: 2, task: 1, detectedAt: 70},
			{type: 'block.stack', t: 71, id: 2, frames: [{fn: 'crunch', loc: 'app.ts:9:3'}]},
			{type: 'block.end', t: 200, id: 2, durationMs: 190, task: 1, exact: true},
		]);
		expect(seen.blocks[0]).toMatchObject({taskId: 1, stackRead: true, location: 'app.ts:9:3'});
		// A block just past the threshold, seen on time, is read in its last moments by nature: what was read stays.
		const short = reduce([
			HEADER,
			start(0, 1, null, 'main()'),
			{type: 'block.start', t: 10, id: 2, task: 1, detectedAt: 70},
			{type: 'block.end', t: 72, id: 2, durationMs: 62, task: 1, exact: false},
		]);
		expect(short.blocks[0]!.taskId).toBe(1);
		// Seen late, a beat before an end the watchdog estimated (which may be that early): as it ended.
		const edge = reduce([
			HEADER,
			start(0, 1, null, 'main()'),
			{type: 'block.start', t: 10, id: 2, task: 1, detectedAt: 195, callback: {op: null}},
			{type: 'block.stack', t: 196, id: 2, frames: [{fn: 'next', loc: 'app.ts:4:1'}]},
			{type: 'block.end', t: 200, id: 2, durationMs: 190, task: null, exact: false},
		]);
		expect(edge.blocks[0]).toMatchObject({taskId: null, callback: null, frames: []});
		// Read after an end the main thread measured: the stack is what ran next, however early it was seen; the task is the main thread's word.
		const after = reduce([
			HEADER,
			start(0, 1, null),
			start(1, 4, 1, 'next()'),
			{type: 'block.start', t: 10, id: 2, task: 4, detectedAt: 70},
			{type: 'block.stack', t: 71, id: 2, frames: [{fn: 'next', loc: 'app.ts:4:1'}]},
			{type: 'block.end', t: 65, id: 2, durationMs: 55, task: 1, exact: true},
		]);
		expect(after.blocks[0]).toMatchObject({taskId: 1, stackRead: false, frames: []});
	});

	it('charges a task made ready during a block with the delay the block caused', () => {
		const state = reduce([
			start(0, 1, null),
			start(0, 2, null),
			{type: 'task.await', t: 1, id: 2, site: null, on: {kind: 'op', id: 9}, busy: 1},
			{type: 'block.start', t: 10, id: 1, task: 1, detectedAt: 70},
			{type: 'block.end', t: 210, id: 1, durationMs: 200, task: 1, exact: true},
			{type: 'task.resume', t: 211, id: 2, readyAt: 50, wait: 49, sched: 161},
		]);
		expect(node(state, 2).blockedDelayMs).toBe(160);
		expect(node(state, 1).blockedDelayMs).toBe(0);
	});

	it("a block lasts to its end, asyncmon's own time in it included, though its duration is the script's alone", () => {
		const state = reduce([
			start(0, 1, null),
			start(0, 2, null),
			{type: 'task.await', t: 1, id: 2, site: null, on: {kind: 'op', id: 9}, busy: 1},
			{type: 'block.start', t: 10, id: 1, task: 1, detectedAt: 70},
			// 250 ms from start to end, 50 of them asyncmon's (reading the stack); 30 the thread waited for a CPU.
			{type: 'block.end', t: 260, id: 1, durationMs: 200, task: 1, exact: true, queuedMs: 30},
			{type: 'task.resume', t: 261, id: 2, readyAt: 50, wait: 49, sched: 211},
		]);
		expect(state.blocks[0]).toMatchObject({startMs: 10, durationMs: 200, endMs: 260, queuedMs: 30});
		expect(node(state, 2).blockedDelayMs).toBe(210);
	});

	it('a stall reported while it lasted and then found starved (the thread waited for a CPU) is no block', () => {
		const state = reduce([start(0, 1, null), {type: 'block.start', t: 10, id: 1, task: null, detectedAt: 70}]);
		expect(state.activeBlockId).toBe(1);
		apply(state, {type: 'block.end', t: 140, id: 1, durationMs: 130, task: null, exact: false, queuedMs: 120, starved: true});
		expect(state.activeBlockId).toBeNull();
		expect(state.blocks).toEqual([]);
	});

	// The watchdog thread's lines (start, stack) and the main thread's end come by separate pipes: a CI run's stack,
	// read while the stall lasted, reached the model after its starved end and brought it back as a block.
	it('a starved stall stays no block whatever order its start, stack and end arrive in', () => {
		const startLine: ProtocolLine = {type: 'block.start', t: 10, id: 1, task: null, detectedAt: 70};
		const stackLine: ProtocolLine = {type: 'block.stack', t: 90, id: 1, frames: [{fn: 'busy', loc: 'a.ts:1:1'}]};
		const endLine: ProtocolLine = {type: 'block.end', t: 140, id: 1, durationMs: 130, task: null, exact: true, queuedMs: 120, starved: true};
		for (const order of [
			[startLine, endLine, stackLine],
			[endLine, startLine, stackLine],
			[endLine, stackLine, startLine],
		]) {
			const state = reduce([start(0, 1, null), ...order]);
			expect(state.blocks, order.map(line => line.type).join(', ')).toEqual([]);
			expect(state.activeBlockId).toBeNull();
		}
	});

	it('an exit clears the active block, which ends as the script did: its loop never turned again to say so', () => {
		const state = reduce([start(0, 1, null), {type: 'block.start', t: 10, id: 1, task: 1, detectedAt: 70}, {type: 'exit', t: 80, code: null, signal: 'SIGKILL'}]);
		expect(state.activeBlockId).toBeNull();
		expect(state.exit).toEqual({t: 80, code: null, signal: 'SIGKILL'});
		expect(state.blocks).toMatchObject([{id: 1, startMs: 10, endMs: 80, durationMs: 70, exact: false}]);
		// The script's code ended first (its process's exit event): so did its block.
		const exited = reduce([start(0, 1, null), {type: 'block.start', t: 10, id: 1, task: 1, detectedAt: 70}, {type: 'script.exit', t: 60, code: 0}, {type: 'exit', t: 80, code: 0, signal: null}]);
		expect(exited.blocks).toMatchObject([{endMs: 60, durationMs: 50}]);
		// A block that began after it (in an exit handler) ends with the process.
		const late = reduce([start(0, 1, null), {type: 'script.exit', t: 60, code: 0}, {type: 'block.start', t: 62, id: 1, task: 1, detectedAt: 75}, {type: 'exit', t: 80, code: 0, signal: null}]);
		expect(late.blocks).toMatchObject([{endMs: 80, durationMs: 18}]);
	});
});

describe('reducer: output, loop, exit and failures', () => {
	// The dashboard rebuilds its rows when the tree's version moves: an idle service's loop samples must not move it.
	it('moves the tree\'s version for tasks, ops and folds, not for loop samples, output or the session\'s own counts', () => {
		const state = reduce([header(), event('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'main.ts:1:1'})]);
		const tree = state.treeVersion;
		const version = state.version;
		apply(state, event('loop', {t: 250, delayMs: 1.2, utilization: 0.1}));
		apply(state, event('output', {t: 260, stream: 'stdout', text: 'tick\n'}));
		apply(state, event('held', {t: 270, tasks: 1, http: 0}));
		apply(state, event('backpressure', {t: 280, heldMs: 2}));
		expect(state.treeVersion).toBe(tree);
		expect(state.version).toBe(version + 4);
		apply(state, event('task.start', {t: 300, id: 2, parent: 1, name: 'work()', loc: 'main.ts:3:1'}));
		expect(state.treeVersion).toBe(tree + 1);
		apply(state, event('op.start', {t: 301, id: 3, parent: 2, kind: 'timer', name: 'setTimeout 5ms', timer: {delayMs: 5, repeat: false}}));
		expect(state.treeVersion).toBe(tree + 2);
	});

	it('keeps output as lines no longer than OUTPUT_LINE_MAX_CHARS, within OUTPUT_RETAINED_CHARS in all', () => {
		const state = createState();
		const write = 'x'.repeat(100);
		const writes = (2 * OUTPUT_RETAINED_CHARS) / write.length;
		for (let i = 0; i < writes; i++) apply(state, {type: 'output', t: i, stream: 'stdout', text: write});
		expect(state.output.every(line => line.text.length <= OUTPUT_LINE_MAX_CHARS + write.length)).toBe(true);
		const kept = state.output.reduce((sum, line) => sum + line.text.length, 0);
		expect(kept).toBe(state.outputChars);
		expect(kept).toBeLessThanOrEqual(OUTPUT_RETAINED_CHARS);
		expect(kept).toBeGreaterThan(OUTPUT_RETAINED_CHARS - OUTPUT_LINE_MAX_CHARS - write.length);
		// A line takes writes while it is under the limit: 11 of these, 1,100 characters.
		const perLine = Math.floor(OUTPUT_LINE_MAX_CHARS / write.length) + 1;
		expect(state.outputDropped + state.output.length).toBe(Math.ceil(writes / perLine));
		expect(state.outputDropped).toBeGreaterThan(0);
	});

	it('keeps the last OUTPUT_RETAINED_LINES output events and counts the dropped ones', () => {
		const state = createState();
		for (let i = 0; i < OUTPUT_RETAINED_LINES + 10; i++) apply(state, {type: 'output', t: i, stream: i % 2 ? 'stderr' : 'stdout', text: `line ${i}\n`});
		expect(state.output.length).toBe(OUTPUT_RETAINED_LINES);
		expect(state.outputDropped).toBe(10);
		expect(state.output[0]).toEqual({t: 10, stream: 'stdout', text: 'line 10\n'});
		expect(state.output.at(-1)!.text).toBe(`line ${OUTPUT_RETAINED_LINES + 9}\n`);
	});

	it("a followed process's copy of its output is its lane's: its size, its lines and its last ones, not the script's output", () => {
		const lane = IDS_PER_PROCESS + 1;
		const state = reduce([start(0, 1, null, 'app.ts', 'script'), {...start(1, lane, 1, 'pid 42: node child.js', 'process'), process: {pid: 42, command: 'node child.js'}} as ProtocolLine]);
		apply(state, {type: 'output', t: 2, stream: 'stdout', text: 'one\ntw', lane});
		apply(state, {type: 'output', t: 3, stream: 'stdout', text: 'o\n', lane});
		apply(state, {type: 'output', t: 4, stream: 'stderr', text: '\uFFFD\n', base64: '/wo=', lane});
		apply(state, {type: 'output', t: 5, stream: 'stdout', text: 'no line break yet', lane});
		expect(state.output).toEqual([]);
		const output = node(state, lane).output!;
		expect(output.output.map(line => [line.stream, line.text])).toEqual([
			['stdout', 'one\n'],
			['stdout', 'two\n'],
			['stderr', '\uFFFD\n'],
			['stdout', 'no line break yet'],
		]);
		expect(output.bytes).toBe(6 + 2 + 2 + 17);
		expect(output.lines).toBe(4);
		// What the copy left out is counted, and what follows it starts a line of its own.
		apply(state, {type: 'output', t: 6, stream: 'stdout', text: 'last\n', lane, skipped: {bytes: 1000, lines: 30}});
		expect(output.bytes).toBe(27 + 1000 + 5);
		expect(output.lines).toBe(3 + 30 + 1);
		expect(output.output.at(-1)).toEqual({t: 6, stream: 'stdout', text: 'last\n'});
		// The script's own output is its own.
		apply(state, {type: 'output', t: 7, stream: 'stdout', text: 'the script\n'});
		expect(state.output.map(line => line.text)).toEqual(['the script\n']);
		expect(output.output.at(-1)!.text).toBe('last\n');
	});

	it("keeps a lane's last LANE_OUTPUT_BOUNDS lines, and ignores a copy naming no followed process", () => {
		const lane = IDS_PER_PROCESS + 1;
		const state = reduce([start(0, 1, null, 'app.ts', 'script'), {...start(1, lane, 1, 'pid 42: node child.js', 'process'), process: {pid: 42, command: 'node child.js'}} as ProtocolLine]);
		for (let i = 0; i < 1000; i++) apply(state, {type: 'output', t: 2, stream: 'stdout', text: `line ${i}\n`, lane});
		const output = node(state, lane).output!;
		expect(output.output).toHaveLength(LANE_OUTPUT_BOUNDS.lines);
		expect(output.output.at(-1)!.text).toBe('line 999\n');
		expect(output.outputDropped).toBe(1000 - LANE_OUTPUT_BOUNDS.lines);
		expect(output.lines).toBe(1000);
		apply(state, {type: 'output', t: 3, stream: 'stdout', text: 'x'.repeat(10 * LANE_OUTPUT_BOUNDS.chars), lane});
		expect(output.outputChars).toBeLessThanOrEqual(10 * LANE_OUTPUT_BOUNDS.chars);
		expect(output.output.reduce((sum, line) => sum + line.text.length, 0)).toBe(output.outputChars);
		for (const id of [1, 999]) apply(state, {type: 'output', t: 4, stream: 'stdout', text: 'stray\n', lane: id});
		expect(node(state, 1).output).toBeUndefined();
		expect(state.output).toEqual([]);
	});

	it("keeps the runtime's notices, in order", () => {
		const state = reduce([
			{type: 'notice', t: 1, message: 'not using the transform cache /tmp/c: it is a symlink'},
			{type: 'notice', t: 2, message: 'huge.js is 3.0 MB, over the 2.0 MB asyncmon instruments'},
		]);
		expect(state.notices).toEqual(['not using the transform cache /tmp/c: it is a symlink', 'huge.js is 3.0 MB, over the 2.0 MB asyncmon instruments']);
	});

	it('records loop delay samples', () => {
		const state = reduce([{type: 'loop', t: 250, delayMs: 1.5, utilization: 0.1}, {type: 'loop', t: 500, delayMs: 80, utilization: 0.9}]);
		expect(state.loopDelaySeries).toEqual([
			{t: 250, value: 1.5, latest: 1.5},
			{t: 500, value: 80, latest: 80},
		]);
	});

	it('records exit, fatal, uncaught and dropped events', () => {
		const error = {name: 'Error', message: 'boom'};
		const state = reduce([
			{type: 'fatal', t: 0, kind: 'syntax', message: 'Unexpected token', loc: 'app.ts:3:7', frame: '> 3 | x =;'},
			{type: 'uncaught', t: 5, origin: 'unhandledRejection', error, task: 2},
			{type: 'dropped', t: 6, count: 100},
			{type: 'dropped', t: 7, count: 5},
			{type: 'exit', t: 9, code: 1, signal: null},
		]);
		expect(state.fatal).toEqual({kind: 'syntax', message: 'Unexpected token', loc: 'app.ts:3:7', frame: '> 3 | x =;'});
		expect(state.uncaught).toEqual([{t: 5, origin: 'unhandledRejection', error, taskId: 2}]);
		expect(state.droppedEvents).toBe(105);
		expect(state.exit).toEqual({t: 9, code: 1, signal: null});
		expect(state.nowMs).toBe(9);
	});
});

describe('reducer: requests a server received', () => {
	const served = (t: number, id: number, parent: number, url: string): ProtocolLine =>
		event('task.start', {t, id, parent, kind: 'server', name: `GET ${url.split('?')[0]}`, loc: null, http: {method: 'GET', url, host: 'localhost:3000'}});

	it('is a task, counted as one, with its request, its status, and failed when it answered 5xx or its client left', () => {
		const state = reduce([
			start(0, 1, null, 'app.ts', 'script'),
			served(1, 2, 1, '/users/7?token=REDACTED'),
			start(1.5, 3, 2, 'handler()'),
			served(2, 4, 1, '/fail'),
			served(3, 5, 1, '/slow'),
			event('task.end', {t: 4, id: 3}),
			event('task.end', {t: 5, id: 2, status: 200}),
			event('task.end', {t: 6, id: 4, status: 503}),
			event('task.end', {t: 7, id: 5, ok: false, aborted: true}),
		]);
		expect(node(state, 2)).toMatchObject({kind: 'server', state: 'finished', request: {method: 'GET', url: '/users/7?token=REDACTED', host: 'localhost:3000', status: 200, aborted: false}});
		expect(node(state, 1).childTaskCount).toBe(3);
		expect(node(state, 2).childTaskCount).toBe(1);
		expect(node(state, 4)).toMatchObject({state: 'failed', request: {status: 503, aborted: false}});
		expect(node(state, 5)).toMatchObject({state: 'failed', request: {aborted: true}});
		expect(node(state, 5).request!.status).toBeUndefined();
		expect(node(state, 2).http).toBeUndefined();
		expect(state.taskCounts).toEqual({running: 0, waiting: 0, ready: 0, finished: 2, failed: 2});
		// Requests sent are counted apart: these were received.
		expect([state.httpInFlight, state.httpFailed]).toEqual([0, 0]);
	});
});

describe('joined (a client of a running service)', () => {
	it("counts the tasks the agent folded before it joined, by name, and says when it joined", () => {
		const byName = {'work()': {count: 5, failed: 2, totalMs: 50, busyMs: 5, waitMs: 45}};
		const state = reduce([
			header(),
			event('task.start', {t: 100, id: 7, name: 'work(7)'}),
			event('joined', {t: 120, folded: {tasks: 5, failed: 2, taskTimeMs: 50, byName}, omitted: 3}),
		]);
		expect(state.joinedMs).toBe(120);
		expect(state.taskCounts).toMatchObject({running: 1, finished: 3, failed: 2});
		expect(state.aggregated).toMatchObject({tasks: 5, failed: 2, taskTimeMs: 50, beforeJoin: 5, nodesAtSource: 0});
		// Folded with no intervals: nothing to overlap.
		expect(state.aggregated.leafIntervals.count).toBe(0);
		const site = [...state.aggregated.sites.values()].find(s => s.name === 'work()')!;
		expect(site).toMatchObject({kind: 'task', count: 5, failed: 2, totalMs: 50, busyMs: 5, waitMs: 45});
		const summary = summarize(state);
		expect({taskCount: summary.taskCount, failedCount: summary.failedCount, maxInFlight: summary.maxInFlight}).toEqual({taskCount: 6, failedCount: 2, maxInFlight: 1});
	});
});

describe('reducer: child processes', () => {
	const LANE = IDS_PER_PROCESS + 1;
	const killed = {name: 'ProcessExit', message: 'killed by SIGKILL'};
	/** The script's top level calls startChild(), which starts a followed process, `node <file>`: its lane's root. */
	const childStarted = (file: string): ProtocolLine[] => [
		start(0, 1, null, 'main', 'script'),
		start(1, 2, 1, 'startChild()'),
		event('task.start', {t: 5, id: LANE, parent: 2, kind: 'process', name: `pid 42: node ${file}`, loc: null, process: {pid: 42, command: `node ${file}`}}),
	];

	it("a followed process's end ends its lane: what it left unsettled fails as it did, its exit is kept, other lanes are left alone", () => {
		const state = reduce([
			...childStarted('child.js'),
			start(6, LANE + 1, LANE, 'waitForever()'),
			event('op.start', {t: 6, id: LANE + 2, parent: LANE + 1, kind: 'timer', name: 'setTimeout 10ms'}),
			event('task.await', {t: 6, id: LANE + 1, on: {kind: 'op', id: LANE + 2}}),
			// Another lane, started by the child: its own process ends it.
			event('task.start', {t: 7, id: 2 * IDS_PER_PROCESS + 1, parent: LANE + 1, kind: 'process', name: 'pid 43: node grandchild.js', loc: null}),
			event('task.end', {t: 9, id: LANE, ok: false, error: killed, exit: {code: null, signal: 'SIGKILL'}}),
		]);
		expect(node(state, LANE)).toMatchObject({state: 'failed', endMs: 9, error: killed, process: {pid: 42, command: 'node child.js', exit: {code: null, signal: 'SIGKILL'}}});
		expect(node(state, LANE + 1)).toMatchObject({state: 'failed', endMs: 9, error: killed});
		expect(node(state, LANE + 2)).toMatchObject({state: 'failed', endMs: 9, error: killed});
		expect(node(state, 2 * IDS_PER_PROCESS + 1).state).toBe('running');
		expect(node(state, 2).state).toBe('running');
		expect(state.taskCounts).toMatchObject({running: 1, waiting: 0, failed: 1});
	});

	// A child's message handler that awaits, answers, then calls process.exit(0) was shown failed, with no error.
	it("a followed process that exited by itself: the task that ended it finishes, what still waited fails as cut short", () => {
		const state = reduce([
			...childStarted('kid.js'),
			start(6, LANE + 1, LANE, 'onMessage("hello")'),
			start(6, LANE + 2, LANE, 'poll()'),
			event('op.start', {t: 6, id: LANE + 3, parent: LANE + 2, kind: 'timer', name: 'setTimeout 1000ms'}),
			event('task.await', {t: 6, id: LANE + 2, on: {kind: 'op', id: LANE + 3}}),
			event('task.resume', {t: 8, id: LANE + 1, readyAt: 8}),
			event('task.end', {t: 9, id: LANE, ok: true, exit: {code: 0, signal: null}}),
		]);
		expect(node(state, LANE)).toMatchObject({state: 'finished', process: {exit: {code: 0, signal: null}}});
		expect(node(state, LANE + 1)).toMatchObject({state: 'finished', endMs: 9});
		expect(node(state, LANE + 1).error).toBeUndefined();
		const cutShort = {name: 'ProcessExit', message: 'cut short: its process exited before it settled'};
		expect(node(state, LANE + 2)).toMatchObject({state: 'failed', endMs: 9, error: cutShort});
		expect(node(state, LANE + 3)).toMatchObject({state: 'failed', endMs: 9, error: cutShort});
	});

	it("a worker thread's end ends its thread's unsettled tasks and ops: with its error when it died of one, else cut short", () => {
		const WORKER = 2 * IDS_PER_THREAD + 1;
		const OTHER = 3 * IDS_PER_THREAD + 1;
		const lane = (ok: boolean): ProtocolLine[] => [
			start(0, 1, null, 'main', 'script'),
			{...start(1, WORKER, 1, 'worker thread #2', 'worker'), thread: 2} as ProtocolLine,
			{...start(1, OTHER, 1, 'worker thread #3', 'worker'), thread: 3} as ProtocolLine,
			start(2, WORKER + 1, WORKER, 'run()'),
			start(2, WORKER + 2, WORKER + 1, 'step(1)'),
			event('op.start', {t: 2, id: WORKER + 3, parent: WORKER + 2, kind: 'timer', name: 'setTimeout 100ms'}),
			event('task.await', {t: 2, id: WORKER + 2, on: {kind: 'op', id: WORKER + 3}}),
			event('task.await', {t: 2, id: WORKER + 1, on: {kind: 'task', id: WORKER + 2}}),
			start(2, OTHER + 1, OTHER, 'elsewhere()'),
			event('task.await', {t: 2, id: OTHER + 1, on: {kind: 'value'}}),
			ok ? event('task.end', {t: 9, id: WORKER, ok: true}) : event('task.end', {t: 9, id: WORKER, ok: false, error: {name: 'Error', message: 'rejected inside worker'}}),
		];
		const died = reduce(lane(false));
		for (const id of [WORKER + 1, WORKER + 2, WORKER + 3]) expect(node(died, id)).toMatchObject({state: 'failed', endMs: 9, error: {message: 'rejected inside worker'}});
		// Waiting from its await until the cut, not 0 ms.
		expect(node(died, WORKER + 2).waitMs).toBeCloseTo(7);
		// Another worker's tasks are its own.
		expect(node(died, OTHER + 1).state).toBe('waiting');
		const terminated = reduce(lane(true));
		expect(node(terminated, WORKER + 1)).toMatchObject({state: 'failed', error: {name: 'ProcessExit', message: 'cut short: its worker thread ended before it settled'}});
	});

	it("a followed process killed before it said it started is made from its parent's word, under the task that started it; its own late word changes nothing", () => {
		const launched = {t: 5, parent: 2, process: {pid: 42, command: 'node child.js'}};
		const state = reduce([
			start(0, 1, null, 'main', 'script'),
			start(1, 2, 1, 'startChild()'),
			event('task.end', {t: 9, id: LANE, ok: false, error: killed, exit: {code: null, signal: 'SIGKILL'}, launched}),
			event('task.start', {t: 5, id: LANE, parent: 2, kind: 'process', name: 'pid 42: node child.js', loc: null, process: {pid: 42, command: 'node child.js'}}),
		]);
		expect(node(state, LANE)).toMatchObject({
			kind: 'process',
			parentId: 2,
			name: 'pid 42: node child.js',
			startMs: 5,
			endMs: 9,
			state: 'failed',
			error: killed,
			process: {pid: 42, command: 'node child.js', exit: {code: null, signal: 'SIGKILL'}},
		});
	});

	it("a followed process's block holds its own loop, not the script's: named after its process, and its tasks' delays are its own", () => {
		const CHILD_BLOCK = IDS_PER_PROCESS + 1;
		const state = reduce([
			start(0, 1, null, 'main', 'script'),
			start(1, 2, 1, 'startChild()'),
			event('task.start', {t: 5, id: LANE, parent: 2, kind: 'process', name: 'pid 42: node child.js', loc: null, process: {pid: 42, command: 'node child.js'}}),
			start(6, LANE + 1, LANE, 'crunch()'),
			start(6, LANE + 2, LANE, 'other()'),
			event('task.await', {t: 6, id: LANE + 2, on: {kind: 'promise'}}),
			event('task.await', {t: 6, id: 2, on: {kind: 'promise'}}),
		]);
		apply(state, {type: 'block.start', t: 10, id: CHILD_BLOCK, task: LANE + 1, detectedAt: 70});
		expect(state.activeBlockId).toBeNull();
		expect(state.activeProcessBlockIds).toEqual([CHILD_BLOCK]);
		expect(state.blocks[0]).toMatchObject({id: CHILD_BLOCK, taskId: LANE + 1, processId: LANE, process: {pid: 42, command: 'node child.js'}});
		// The script's own loop blocks meanwhile, with a block id of its own range.
		apply(state, {type: 'block.start', t: 20, id: 1, task: 1, detectedAt: 80});
		expect(state.activeBlockId).toBe(1);
		expect(state.blocks[1]).toMatchObject({id: 1, processId: null, process: null});
		apply(state, {type: 'block.end', t: 100, id: 1, durationMs: 80, task: 1, exact: true});
		// Ready during the child's block: the child's task was held up by it, the script's was not.
		for (const id of [2, LANE + 2]) apply(state, {type: 'task.ready', t: 30, id});
		for (const id of [2, LANE + 2]) apply(state, {type: 'task.resume', t: 300, id, readyAt: 30, wait: 24, sched: 270});
		apply(state, {type: 'block.end', t: 300, id: CHILD_BLOCK, durationMs: 290, task: LANE + 1, exact: true});
		expect(state.activeProcessBlockIds).toEqual([]);
		expect(node(state, LANE + 2).blockedDelayMs).toBe(270);
		expect(node(state, 2).blockedDelayMs).toBe(70);
	});

	it('a process that dies blocked ends its block with its lane', () => {
		const state = reduce([
			start(0, 1, null, 'main', 'script'),
			event('task.start', {t: 5, id: LANE, parent: 1, kind: 'process', name: 'pid 42: node child.js', loc: null, process: {pid: 42, command: 'node child.js'}}),
			{type: 'block.start', t: 10, id: IDS_PER_PROCESS + 1, task: null, detectedAt: 70},
			event('task.end', {t: 90, id: LANE, ok: false, error: killed, exit: {code: null, signal: 'SIGKILL'}}),
		]);
		expect(state.activeProcessBlockIds).toEqual([]);
		expect(state.blocks[0]).toMatchObject({durationMs: 80, endMs: 90, exact: false, processId: LANE});
	});

	it('a child op keeps its pid, command and exit', () => {
		const state = reduce([
			start(0, 1, null),
			event('op.start', {t: 1, id: 2, parent: 1, kind: 'child', name: 'sh -c exit 3', process: {pid: 7, command: 'sh -c exit 3'}}),
			event('op.end', {t: 4, id: 2, ok: false, exit: {code: 3, signal: null}}),
		]);
		expect(node(state, 2)).toMatchObject({kind: 'child', state: 'failed', endMs: 4, process: {pid: 7, command: 'sh -c exit 3', exit: {code: 3, signal: null}}});
		expect(node(state, 1).childTaskCount).toBe(0);
	});
});

describe('reducer: a task that lives as long as the session', () => {
	it("keeps its spans bounded, the older ones merged into the state each pair spent longer in: its spans still read mostly waiting", () => {
		const state = reduce([start(0, 1, null, 'app.ts', 'script'), start(0, 2, 1, 'worker()')]);
		// 50,000 jobs: each 0.1 ms of its own code, then a 1.9 ms wait.
		for (let i = 0; i < 50_000; i++) {
			const t = i * 2;
			apply(state, event('task.await', {t: t + 0.1, id: 2, on: {kind: 'promise'}, busy: 0.1}));
			apply(state, event('task.resume', {t: t + 2, id: 2, readyAt: t + 2}));
		}
		const worker = node(state, 2);
		expect(worker.spans.length).toBeLessThanOrEqual(2048);
		// Contiguous, in order, from its start to now.
		expect(worker.spans[0]!.startMs).toBe(0);
		for (let i = 1; i < worker.spans.length; i++) expect(worker.spans[i]!.startMs).toBe(worker.spans[i - 1]!.endMs);
		expect(worker.spans.at(-1)).toMatchObject({state: 'running', startMs: 100_000, endMs: null});
		// The older spans each stand for a pair, or more, of its waits and runs: waiting, as it was 95 % of the time.
		const waiting = worker.spans.filter(span => span.state === 'waiting').reduce((sum, span) => sum + (span.endMs ?? 100_000) - span.startMs, 0);
		expect(waiting / 100_000).toBeGreaterThan(0.9);
	});
});

describe('reducer: uncaught exceptions and unhandled rejections', () => {
	it('counts the same one again instead of listing it again, and past the distinct ones kept, only counts', () => {
		const state = reduce([]);
		const uncaught = (message: string, handled = true) => apply(state, event('uncaught', {t: 1, origin: 'unhandledRejection', error: {name: 'Error', message, location: 'a.js:3:1'}, task: null, ...(handled && {handled: true as const})}));
		for (let i = 0; i < 30; i++) uncaught('job failed');
		uncaught('job failed', false);
		expect(state.uncaught.map(one => [one.error.message, one.handled, one.count])).toEqual([
			['job failed', true, 30],
			['job failed', undefined, undefined],
		]);
		for (let i = 0; i < UNCAUGHT_KEPT + 20; i++) uncaught(`distinct ${i}`);
		expect(state.uncaught).toHaveLength(UNCAUGHT_KEPT);
		expect(state.uncaughtUnlisted).toBe(22);
	});
});
