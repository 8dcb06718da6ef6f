import {describe, expect, it} from 'vitest';
import {blockCulprit, describeTarget, starvedStall, waitingOn, waitingOnLive} from '../../source/present/holdups.js';
import {IDS_PER_PROCESS, IDS_PER_THREAD, type AsyncmonEvent} from '../../source/protocol/events.js';
import {apply} from '../../source/model/reducer.js';
import {reduce} from '../helpers/events.js';

const sleeper: AsyncmonEvent[] = [
	{type: 'task.start', t: 0, id: 1, parent: null, kind: 'task', name: 'tick()', loc: 'a.ts:1:1'},
	{type: 'op.start', t: 1, id: 2, parent: 1, kind: 'timer', name: 'setTimeout 100ms', timer: {delayMs: 100, repeat: false}},
	{type: 'task.await', t: 1, id: 1, site: 'a.ts:2:3', on: {kind: 'op', id: 2}, busy: 0.1},
];

describe('what a task waits on', () => {
	it('a timer, and once it is well past due without firing, by how much it is overdue; a live view, what it has left', () => {
		const state = reduce(sleeper);
		const task = state.nodes.get(1)!;
		expect(waitingOn(state, task, 50)).toBe('timer 100ms');
		expect(waitingOnLive(state, task, 50)).toBe('timer 100ms · 51ms left');
		expect(waitingOnLive(state, state.nodes.get(2)!, 50)).toBe('timer 100ms · 51ms left');
		expect(waitingOnLive(state, task, 1101)).toBe('timer 100ms · overdue 1.00s');
		expect(waitingOn(state, task, 110)).toBe('timer 100ms');
		expect(waitingOn(state, task, 1101)).toBe('timer 100ms · overdue 1.00s');
	});

	it('a call the script folds, which the stream never tells: by its function, as the await names it; an unknown task by its id', () => {
		const worker: AsyncmonEvent = {type: 'task.start', t: 0, id: 1, parent: null, kind: 'task', name: 'worker()', loc: 'a.ts:4:1'};
		const state = reduce([worker, {type: 'task.await', t: 1, id: 1, site: 'a.ts:4:30', on: {kind: 'task', id: 30, name: 'getItem\x1b[2J'}, busy: 0.1}]);
		expect(waitingOn(state, state.nodes.get(1)!, 5)).toBe('a folded call of getItem()');
		const unnamed = reduce([worker, {type: 'task.await', t: 1, id: 1, site: 'a.ts:4:30', on: {kind: 'task', id: 30}, busy: 0.1}]);
		expect(waitingOn(unnamed, unnamed.nodes.get(1)!, 5)).toBe('task #30');
	});

	it('a reply from a socket’s peer, with how long it has been awaited', () => {
		const state = reduce([sleeper[0]!, {type: 'task.await', t: 100, id: 1, site: 'a.ts:2:3', on: {kind: 'peer', address: '127.0.0.1:5432'}, busy: 0.1}]);
		expect(waitingOn(state, state.nodes.get(1)!, 400)).toBe('127.0.0.1:5432 · 300ms');
		expect(waitingOn(state, state.nodes.get(1)!, 400, true)).toBe('127.0.0.1:5432 | 300ms');
		// As the wait begins (plain mode's await line): no `· 0ms`.
		expect(waitingOn(state, state.nodes.get(1)!, 100)).toBe('127.0.0.1:5432');
	});

	it("an emitter's event, with how long it has been awaited, its strings stripped of terminal escapes", () => {
		const on = {kind: 'event', event: 'line', source: 'readline (ReadStream data.csv)'} as const;
		const state = reduce([sleeper[0]!, {type: 'task.await', t: 100, id: 1, site: 'a.ts:2:3', on, busy: 0.1}]);
		expect(waitingOn(state, state.nodes.get(1)!, 400)).toBe("event 'line' of readline (ReadStream data.csv) · 300ms");
		expect(waitingOn(state, state.nodes.get(1)!, 100)).toBe("event 'line' of readline (ReadStream data.csv)");
		const hostile = reduce([sleeper[0]!, {type: 'task.await', t: 100, id: 1, site: 'a.ts:2:3', on: {kind: 'event', event: 'x\x1b[2J', source: 'ReadStream \x1b]0;owned\x07a.txt'}, busy: 0.1}]);
		expect(waitingOn(hostile, hostile.nodes.get(1)!, 100)).toBe("event 'x' of ReadStream a.txt");
	});

	it("a combination of events, by emitter, beside its tasks; counted when it had more than it lists", () => {
		const waitingOnTarget = (on: Extract<AsyncmonEvent, {type: 'task.await'}>['on']) => {
			const state = reduce([sleeper[0]!, {type: 'task.await', t: 100, id: 1, site: 'a.ts:2:3', on, busy: 0.1}]);
			return waitingOn(state, state.nodes.get(1)!, 400);
		};
		const events = [
			{event: 'ready', source: 'EventEmitter'},
			{event: 'failed', source: 'EventEmitter'},
			{event: 'close', source: 'Socket 127.0.0.1:5432'},
		];
		expect(waitingOnTarget({kind: 'promise', events: events.slice(0, 2)})).toBe("events 'ready', 'failed' of EventEmitter");
		expect(waitingOnTarget({kind: 'promise', tasks: [2], events, others: 1})).toBe("1 task + events 'ready', 'failed' of EventEmitter + event 'close' of Socket 127.0.0.1:5432 + 1 promise");
		expect(waitingOnTarget({kind: 'promise', events, eventCount: 12})).toBe('12 events');
		// A race settles with the first of its members, Promise.any with its first success.
		expect(waitingOnTarget({kind: 'promise', tasks: [2, 3], first: 'race'})).toBe('the first of 2 tasks');
		expect(waitingOnTarget({kind: 'promise', tasks: [2], events: events.slice(0, 2), first: 'race', guess: true})).toBe("probably the first of 1 task + events 'ready', 'failed' of EventEmitter");
		expect(waitingOnTarget({kind: 'promise', ops: [4, 5, 6], first: 'any'})).toBe('the first success of 3 ops');
		expect(waitingOnTarget({kind: 'promise', events: [{event: 'x\x1b[2J', source: 'Bus\x1b]0;owned\x07'}]})).toBe("event 'x' of Bus");
	});

	it('a request whose listener returned with its response begun: its response, with how long it has been written', () => {
		const state = reduce([
			{type: 'task.start', t: 0, id: 5, parent: null, kind: 'server', name: 'GET /events', loc: null, http: {method: 'GET', url: '/events'}},
			{type: 'task.await', t: 1, id: 5, site: null, on: {kind: 'response'}, busy: 0.5},
		]);
		expect(waitingOn(state, state.nodes.get(5)!, 1)).toBe('its response, the handler done');
		expect(waitingOn(state, state.nodes.get(5)!, 301)).toBe('its response, the handler done · 300ms');
	});

	it("a request whose handler returned while its response is still written (a stream): its response, not the finished handler", () => {
		const state = reduce([
			{type: 'task.start', t: 0, id: 5, parent: null, kind: 'server', name: 'GET /download', loc: null, http: {method: 'GET', url: '/download'}},
			{type: 'task.start', t: 0, id: 6, parent: 5, kind: 'task', name: 'handler()', loc: 'a.ts:3:1'},
			{type: 'task.await', t: 0.5, id: 5, site: null, on: {kind: 'task', id: 6, guess: true}, busy: 0.5},
		]);
		const request = state.nodes.get(5)!;
		expect(waitingOn(state, request, 0.8)).toBe('probably task #6 handler()');
		apply(state, {type: 'task.end', t: 1, id: 6, ok: true, busy: 1, wait: 0, sched: 0, awaits: 0});
		expect(waitingOn(state, request, 500)).toBe('its response, the handler done');
	});

	it('a request behind an async middleware or a guard: once the task guessed returned, the handler still at work, wherever it was called from', () => {
		const state = reduce([
			{type: 'task.start', t: 0, id: 5, parent: null, kind: 'server', name: 'GET /x', loc: null, http: {method: 'GET', url: '/x'}},
			{type: 'task.start', t: 0, id: 6, parent: 5, kind: 'task', name: 'auth()', loc: 'a.ts:5:1'},
			{type: 'task.await', t: 0.5, id: 5, site: null, on: {kind: 'task', id: 6, guess: true}, busy: 0.5},
			// Express's `next()` calls the route's handler from inside the middleware: a task under it, which outlives it.
			{type: 'task.start', t: 4, id: 7, parent: 6, kind: 'task', name: 'getX()', loc: 'a.ts:6:1'},
			{type: 'task.end', t: 5, id: 6, ok: true, busy: 1, wait: 4, sched: 0, awaits: 1},
		]);
		const request = state.nodes.get(5)!;
		expect(waitingOn(state, request, 400)).toBe('probably task #7 getX()');
		// A guard that came before it (Nest): the handler a sibling of the task guessed. Two at work: counted.
		apply(state, {type: 'task.start', t: 6, id: 8, parent: 5, kind: 'task', name: 'audit()', loc: 'a.ts:9:1'});
		expect(waitingOn(state, request, 400)).toBe('probably 2 tasks');
		apply(state, {type: 'task.end', t: 7, id: 7, ok: true, busy: 1, wait: 0, sched: 0, awaits: 0});
		expect(waitingOn(state, request, 400)).toBe('probably task #8 audit()');
		apply(state, {type: 'task.end', t: 8, id: 8, ok: true, busy: 1, wait: 0, sched: 0, awaits: 0});
		expect(waitingOn(state, request, 400)).toBe('its response, the handler done');
	});

	it("a request a framework's promise holds (its dispatcher not the script's code): the handler's task still at work, a guess", () => {
		const state = reduce([
			{type: 'task.start', t: 0, id: 5, parent: null, kind: 'server', name: 'GET /cats', loc: null, http: {method: 'GET', url: '/cats'}},
			{type: 'task.await', t: 0.5, id: 5, site: null, on: {kind: 'promise'}, busy: 0.5},
			// The dispatcher calls the route's handler after its own awaits (pipes, guards): a task of the request's.
			{type: 'task.start', t: 2, id: 6, parent: 5, kind: 'task', name: 'CatsController.findAll()', loc: 'cats.controller.ts:9:3'},
		]);
		const request = state.nodes.get(5)!;
		expect(waitingOn(state, request, 100)).toBe('probably task #6 CatsController.findAll()');
		apply(state, {type: 'task.end', t: 300, id: 6, ok: true, busy: 1, wait: 298, sched: 0, awaits: 1});
		expect(waitingOn(state, request, 301)).toBe('a promise');
	});

	it('in ASCII when asked', () => {
		const state = reduce(sleeper);
		expect(waitingOn(state, state.nodes.get(1)!, 1101, true)).toBe('timer 100ms | overdue 1.00s');
	});
});

describe('what an await targets', () => {
	const state = reduce(sleeper);

	it('counts what a promise gathers, leaving out what it has none of', () => {
		expect(describeTarget(state, {kind: 'promise', tasks: [1, 2, 3], ops: [4]}, 0)).toBe('3 tasks + 1 op');
		// Partly known (a worker's promise beside a task, say): said, not taken for the whole.
		expect(describeTarget(state, {kind: 'promise', tasks: [1], others: 2}, 0)).toBe('1 task + 2 promises');
		expect(describeTarget(state, {kind: 'promise', ops: [4, 5]}, 0)).toBe('2 ops');
		// Ops the model holds, two at most, by name: a request and its timeout reads as that.
		expect(describeTarget(state, {kind: 'promise', tasks: [1], ops: [2]}, 0)).toBe('1 task + timer 100ms');
		const requests = reduce([
			...sleeper,
			{type: 'op.start', t: 2, id: 3, parent: 1, kind: 'http', name: 'GET /a', http: {method: 'GET', url: 'http://127.0.0.1:8080/a?page=2'}},
			{type: 'op.start', t: 2, id: 4, parent: 1, kind: 'http', name: 'GET /b', http: {method: 'GET', url: 'http://127.0.0.1:8080/b'}},
		]);
		expect(describeTarget(requests, {kind: 'promise', ops: [3, 2], first: 'race'}, 50)).toBe('the first of GET /a?page=2 + timer 100ms');
		// Three are counted: the cell stays short.
		expect(describeTarget(requests, {kind: 'promise', ops: [3, 4, 2]}, 50)).toBe('3 ops');
		// Promises of unknown origin only (`Promise.all` of a library's three): counted; one is a promise.
		expect(describeTarget(state, {kind: 'promise', others: 3}, 0)).toBe('3 promises');
		expect(describeTarget(state, {kind: 'promise', others: 1}, 0)).toBe('a promise');
		expect(describeTarget(state, {kind: 'value'}, 0)).toBe('a value');
	});

	it('names a task it still knows, and gives the id of one it does not', () => {
		expect(describeTarget(state, {kind: 'task', id: 1}, 0)).toBe('task #1 tick()');
		expect(describeTarget(state, {kind: 'task', id: 9}, 0)).toBe('task #9');
		expect(describeTarget(state, {kind: 'op', id: 9}, 0)).toBe('op #9');
	});

	it('names a followed process or a worker thread it waits on by what it is, not as a task of its own lane', () => {
		const lanes = reduce([
			...sleeper,
			{type: 'task.start', t: 1, id: IDS_PER_PROCESS + 1, parent: 1, kind: 'process', name: 'pid 4242: node worker.js', loc: null, process: {pid: 4242, command: 'node worker.js'}},
			{type: 'task.start', t: 1, id: 2 * IDS_PER_THREAD + 1, parent: 1, kind: 'worker', name: 'worker thread #2', loc: 'pool.js:1:1', thread: 2},
		]);
		expect(describeTarget(lanes, {kind: 'task', id: IDS_PER_PROCESS + 1}, 0)).toBe('pid 4242: node worker.js');
		expect(describeTarget(lanes, {kind: 'task', id: 2 * IDS_PER_THREAD + 1}, 0)).toBe('worker thread #2');
	});

	it('names a peer whose reply is awaited, and how long it has been awaited when that is known', () => {
		expect(describeTarget(state, {kind: 'peer', address: '127.0.0.1:5432'}, 0)).toBe('127.0.0.1:5432');
	});

	it('reads a guess, inferred from what the task started, as what it probably is', () => {
		expect(describeTarget(state, {kind: 'task', id: 1, guess: true}, 0)).toBe('probably task #1 tick()');
		expect(describeTarget(state, {kind: 'promise', tasks: [1, 2, 3], ops: [4], guess: true}, 0)).toBe('probably 3 tasks + 1 op');
		expect(describeTarget(state, {kind: 'promise'}, 0)).toBe('a promise');
	});
});

describe('timers while the loop is blocked', () => {
	it("the timer of the task that blocks has fired, though its end is still in the blocked thread: done, not overdue; another task's is overdue", () => {
		const state = reduce([
			...sleeper,
			{type: 'task.start', t: 2, id: 3, parent: null, kind: 'task', name: 'tock()', loc: 'a.ts:5:1'},
			{type: 'op.start', t: 2, id: 4, parent: 3, kind: 'timer', name: 'setTimeout 200ms', timer: {delayMs: 200, repeat: false}},
			{type: 'task.await', t: 2, id: 3, site: 'a.ts:6:3', on: {kind: 'op', id: 4}, busy: 0.1},
			// tick() resumed from its timer at 101 and computes: the watchdog says so at 151.
			{type: 'block.start', t: 101, id: 1, task: 1, detectedAt: 151},
		]);
		expect(state.nodes.get(1)!.state).toBe('running');
		expect(state.nodes.get(2)!).toMatchObject({state: 'finished', endMs: 101});
		expect(waitingOn(state, state.nodes.get(4)!, 1200)).toBe('timer 200ms · overdue 998ms');
	});
});

describe('what a task waits on, when its await only saw a promise', () => {
	const queued = (...extra: AsyncmonEvent[]) =>
		reduce([
			{type: 'task.start', t: 0, id: 1, parent: null, kind: 'task', name: 'get()', loc: 'a.ts:1:1'},
			{type: 'task.await', t: 1, id: 1, site: 'a.ts:2:3', on: {kind: 'promise'}, busy: 0.1},
			// Queued in a pool, the request starts after the await.
			{type: 'op.start', t: 40, id: 2, parent: 1, kind: 'http', name: 'GET /items', http: {method: 'GET', url: 'http://127.0.0.1:9/items'}},
			...extra,
		]);

	it('is its one request in flight', () => {
		const state = queued();
		expect(waitingOn(state, state.nodes.get(1)!, 50)).toBe('GET /items · connecting');
	});

	it('stays "a promise" with two ops in flight, or none', () => {
		const two = queued({type: 'op.start', t: 41, id: 3, parent: 1, kind: 'http', name: 'GET /more', http: {method: 'GET', url: 'http://127.0.0.1:9/more'}});
		expect(waitingOn(two, two.nodes.get(1)!, 50)).toBe('a promise');
		const none = queued({type: 'op.end', t: 45, id: 2, ok: true, status: 200, bytes: 10});
		expect(waitingOn(none, none.nodes.get(1)!, 50)).toBe('a promise');
	});
});

describe('what a task waits on, when its request waits in a full pool', () => {
	const pooled = (...extra: AsyncmonEvent[]) =>
		reduce([
			{type: 'task.start', t: 0, id: 1, parent: null, kind: 'task', name: 'get()', loc: 'a.ts:1:1'},
			// A Pool knows only the path until the request is made.
			{type: 'op.start', t: 1, id: 2, parent: 1, kind: 'http', name: 'GET /items', http: {method: 'GET', url: '/items', client: 'undici', queue: {ahead: 1, inFlight: 4}}},
			{type: 'task.await', t: 1, id: 1, site: 'a.ts:2:3', on: {kind: 'op', id: 2}, busy: 0.1},
			...extra,
		]);

	it('says it is queued, for how long, and how full the pool was', () => {
		const state = pooled();
		expect(waitingOn(state, state.nodes.get(1)!, 523)).toBe('GET /items · queued 522ms (4 in flight)');
	});

	it('once out of the queue it is connecting, then waiting for its first byte, with its whole URL', () => {
		const dequeued = pooled({type: 'op.dequeued', t: 530, id: 2, url: 'http://127.0.0.1:9/items'});
		expect(waitingOn(dequeued, dequeued.nodes.get(1)!, 535)).toBe('GET /items · connecting');
		expect(dequeued.nodes.get(2)!.http!.url).toBe('http://127.0.0.1:9/items');
		const sent = pooled({type: 'op.dequeued', t: 530, id: 2}, {type: 'op.phase', t: 531, id: 2, phase: 'sent', queueMs: 529, connectMs: 1});
		expect(waitingOn(sent, sent.nodes.get(1)!, 541)).toBe('GET /items · ttfb 10ms');
		expect(sent.nodes.get(2)!.http!.url).toBe('/items');
	});

	it('as of the time asked, though the state knows the request has moved on (plain mode describes an await at a flush)', () => {
		const ended = pooled(
			{type: 'op.dequeued', t: 530, id: 2},
			{type: 'op.phase', t: 531, id: 2, phase: 'sent', queueMs: 529, connectMs: 1},
			{type: 'op.phase', t: 560, id: 2, phase: 'headers', status: 200},
			{type: 'op.end', t: 570, id: 2, ok: true, status: 200, bytes: 10},
		);
		const task = ended.nodes.get(1)!;
		expect([100, 530.5, 541, 565, 600].map(t => waitingOn(ended, task, t))).toEqual([
			'GET /items · queued 99ms (4 in flight)',
			'GET /items · connecting',
			'GET /items · ttfb 10ms',
			'GET /items · download 5ms',
			'GET /items · 200',
		]);
	});
});

describe('what a task waits on, while its request is made and not yet sent', () => {
	const made = (...extra: AsyncmonEvent[]) =>
		reduce([
			{type: 'task.start', t: 0, id: 1, parent: null, kind: 'task', name: 'get()', loc: 'a.ts:1:1'},
			{type: 'op.start', t: 1, id: 2, parent: 1, kind: 'http', name: 'GET /items', http: {method: 'GET', url: 'http://127.0.0.1:9/items', client: 'undici'}},
			{type: 'task.await', t: 1.1, id: 1, site: 'a.ts:2:3', on: {kind: 'op', id: 2}, busy: 0.1},
			...extra,
		]);

	it('is connecting while nothing more is known, or when it paid for a connection', () => {
		const unsent = made();
		expect(waitingOn(unsent, unsent.nodes.get(1)!, 1.1)).toBe('GET /items · connecting');
		const connected = made({type: 'op.phase', t: 9, id: 2, phase: 'sent', queueMs: 0.5, connectMs: 7.5});
		expect(waitingOn(connected, connected.nodes.get(1)!, 1.1)).toBe('GET /items · connecting');
	});

	it('is being written, as of before it was sent, where the state knows it went on a kept-alive connection', () => {
		const reused = made({type: 'op.phase', t: 1.2, id: 2, phase: 'sent', queueMs: 0.2, connectMs: 0});
		expect(waitingOn(reused, reused.nodes.get(1)!, 1.1)).toBe('GET /items · sending');
		expect(waitingOn(reused, reused.nodes.get(1)!, 11.2)).toBe('GET /items · ttfb 10ms');
	});
});

describe('who blocked the loop', () => {
	const blocked = (frames: Array<{fn: string; loc: string}>) =>
		reduce([
			{type: 'task.start', t: 0, id: 1, parent: null, kind: 'task', name: 'main()', loc: 'a.ts:1:1'},
			{type: 'block.start', t: 5, id: 1, task: 1, detectedAt: 60},
			...(frames.length ? [{type: 'block.stack' as const, t: 70, id: 1, frames}] : []),
		]);

	it('the innermost function on the stack, in the task it ran in', () => {
		const state = blocked([{fn: 'crunch', loc: 'a.ts:9:3'}]);
		expect(blockCulprit(state, state.blocks[0]!)).toBe('crunch() in main()');
	});

	it("the script, where the stack's innermost frame is a module's unnamed top level", () => {
		const state = reduce([
			{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'spin.cjs', loc: 'spin.cjs:1:1'},
			{type: 'block.start', t: 5, id: 1, task: 1, detectedAt: 60},
			{type: 'block.stack', t: 70, id: 1, frames: [{fn: '<anonymous>', loc: 'spin.cjs:2:1'}]},
		]);
		expect(blockCulprit(state, state.blocks[0]!)).toBe('spin.cjs');
	});

	it("an anonymous callback's task by the name asyncmon gave it: V8 leaves the function unnamed in the stack", () => {
		const state = reduce([
			{type: 'task.start', t: 0, id: 1, parent: null, kind: 'task', name: "<ws.on 'message' callback>({Buffer…})", loc: 'relay.mjs:11:20'},
			{type: 'block.start', t: 5, id: 1, task: 1, detectedAt: 60},
			{type: 'block.stack', t: 70, id: 1, frames: [{fn: '<anonymous>', loc: 'relay.mjs:11:42'}]},
		]);
		expect(blockCulprit(state, state.blocks[0]!)).toBe("<ws.on 'message' callback>({Buffer…})");
	});

	it('the task alone while the stack is not known, or when the task is that function', () => {
		const unknown = blocked([]);
		expect(blockCulprit(unknown, unknown.blocks[0]!)).toBe('main()');
		const same = blocked([{fn: 'main', loc: 'a.ts:2:3'}]);
		expect(blockCulprit(same, same.blocks[0]!)).toBe('main()');
	});

	it("a callback a task scheduled, once the task is done (a timer the top level set): not the task's own code, nor its place", () => {
		const state = reduce([
			{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'spin.js', loc: 'spin.js:1:1'},
			{type: 'task.end', t: 5, id: 1, ok: true, busy: 5, wait: 0, sched: 0, awaits: 0},
			{type: 'block.start', t: 600, id: 1, task: 1, detectedAt: 660},
		]);
		expect(blockCulprit(state, state.blocks[0]!)).toBe('a callback spin.js scheduled');
		expect(state.blocks[0]!.location).toBeNull();
	});

	it('a callback a task scheduled while it awaited something else, as the runtime said: by the API that called it back', () => {
		const state = reduce([
			{type: 'task.start', t: 0, id: 2, parent: null, kind: 'task', name: 'main()', loc: 'app.ts:3:1'},
			{type: 'op.start', t: 1, id: 3, parent: 2, kind: 'timer', name: 'setInterval 50ms', timer: {delayMs: 50, repeat: true}},
			{type: 'block.start', t: 51, id: 1, task: 2, callback: {op: 3}, detectedAt: 110},
		]);
		const [block] = state.blocks;
		expect(blockCulprit(state, block!)).toBe('a setInterval callback main() scheduled');
		apply(state, {type: 'block.stack', t: 112, id: 1, frames: [{fn: 'crunch', loc: 'app.ts:9:3'}, {fn: 'tick', loc: 'app.ts:4:20'}]});
		expect(blockCulprit(state, block!)).toBe('crunch() in a setInterval callback main() scheduled');
		// An unnamed callback is the callback itself.
		apply(state, {type: 'block.stack', t: 113, id: 1, frames: [{fn: '<anonymous>', loc: 'app.ts:4:20'}]});
		expect(blockCulprit(state, block!)).toBe('a setInterval callback main() scheduled');
		// The top level's callbacks too, though the script is no task of the kind named in a culprit.
		const topLevel = reduce([
			{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: 'app.ts:1:1'},
			{type: 'block.start', t: 5, id: 1, task: 1, callback: {op: null}, detectedAt: 65},
			{type: 'block.stack', t: 66, id: 1, frames: [{fn: 'crunch', loc: 'app.ts:9:3'}]},
		]);
		expect(blockCulprit(topLevel, topLevel.blocks[0]!)).toBe('crunch() in a setImmediate callback app.ts scheduled');
	});

	it('a task folded away since the block was told, by the name it had then', () => {
		const state = reduce([
			{type: 'task.start', t: 0, id: 7, parent: null, kind: 'server', name: 'GET /report', loc: null},
			{type: 'block.end', t: 90, id: 1, durationMs: 80, task: 7, exact: true},
		]);
		state.nodes.delete(7);
		expect(blockCulprit(state, state.blocks[0]!)).toBe('GET /report');
	});

	it('a task the monitor has yet to hear of, by its id; no task at all, a callback', () => {
		const unheard = reduce([{type: 'block.start', t: 5, id: 1, task: 7, detectedAt: 60}]);
		expect(blockCulprit(unheard, unheard.blocks[0]!)).toBe('a task not reported yet (#7)');
		const none = reduce([{type: 'block.start', t: 5, id: 1, task: null, detectedAt: 60}]);
		expect(blockCulprit(none, none.blocks[0]!)).toBe('a callback');
		// A client that joined a running service: a block of its past is one of a task folded before the client came.
		const joined = reduce([
			{type: 'joined', t: 800, folded: {tasks: 3, failed: 0, taskTimeMs: 30, byName: {}}, omitted: 0},
			{type: 'block.end', t: 500, id: 1, durationMs: 54, task: 3706, exact: true},
		]);
		expect(blockCulprit(joined, joined.blocks[0]!)).toBe('task #3706, done before this client joined');
	});
});

describe('a stall that was the machine’s', () => {
	it('says the thread waited for a CPU, and that it was no block', () => {
		expect(starvedStall(130, 120)).toBe("the loop stalled for 130ms, but the script's thread spent 120ms of it waiting for a CPU (the machine was busy): no block");
		expect(starvedStall(130, undefined)).toBe("the loop stalled for 130ms, but the script's thread waited for a CPU (the machine was busy): no block");
	});
});
