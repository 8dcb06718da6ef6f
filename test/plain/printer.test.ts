import {describe, expect, it} from 'vitest';
import {apply} from '../../source/model/reducer.js';
import {createState} from '../../source/model/state.js';
import {PlainPrinter, type PlainOptions} from '../../source/plain/printer.js';
import {FAILURES_TOLD_PER_SECOND} from '../../source/plain/load-summary.js';
import {IDS_PER_PROCESS, IDS_PER_THREAD, type AsyncmonEvent, type HttpFoldEvent, type ProtocolLine} from '../../source/protocol/events.js';
import {FoldedTaskWriter} from '../../source/protocol/fold.js';
import {event} from '../helpers/events.js';
import {controlCharacters, HOSTILE_STRINGS, hostileSession} from '../helpers/hostile.js';

const SCRIPT_OUTPUT = 'café ✓ naïve\n';

/** One of each line plain mode prints, one task after another (nothing overlaps, so no concurrency figure). */
const session: AsyncmonEvent[] = [
	{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: 'app.ts:1:1'},
	{type: 'task.start', t: 1, id: 2, parent: 1, kind: 'task', name: 'fetchAll()', loc: 'app.ts:3:1'},
	{type: 'op.start', t: 2, id: 3, parent: 2, kind: 'http', name: 'GET /items', http: {method: 'GET', url: 'http://127.0.0.1:9/items'}},
	{type: 'task.await', t: 3, id: 2, site: 'app.ts:4:3', on: {kind: 'op', id: 3}, busy: 1},
	{type: 'op.phase', t: 10, id: 3, phase: 'sent', queueMs: 2, connectMs: 6},
	{type: 'op.phase', t: 50, id: 3, phase: 'headers', status: 200},
	{type: 'op.end', t: 60, id: 3, ok: true, status: 200, bytes: 10},
	{type: 'output', t: 61, stream: 'stdout', text: SCRIPT_OUTPUT},
	{type: 'task.ready', t: 61, id: 2},
	{type: 'task.resume', t: 62, id: 2, readyAt: 61, wait: 58, sched: 1},
	{type: 'task.end', t: 63, id: 2, ok: true, busy: 2, wait: 58, sched: 1, awaits: 1},
	{type: 'task.start', t: 64, id: 4, parent: 1, kind: 'task', name: 'crunch()', loc: 'app.ts:9:1'},
	{type: 'block.start', t: 64, id: 1, task: 4, detectedAt: 114},
	{type: 'block.stack', t: 115, id: 1, frames: [{fn: 'spin', loc: 'app.ts:10:3'}]},
	{type: 'block.end', t: 264, id: 1, durationMs: 200, task: 4, exact: true},
	{type: 'task.end', t: 265, id: 4, ok: false, error: {name: 'Error', message: 'too hot:\n  stop', location: 'app.ts:11:9'}, busy: 201, wait: 0, sched: 0, awaits: 0},
	{type: 'uncaught', t: 266, origin: 'unhandledRejection', error: {name: 'Error', message: 'lost', location: 'app.ts:12:5'}, task: null},
	{type: 'exit', t: 270, code: 1, signal: null},
];

function printed(options: {ascii: boolean; color?: boolean; scriptOutput?: PlainOptions['scriptOutput']}, lines: readonly ProtocolLine[] = session): string {
	let out = '';
	const sink = {write: (text: string) => (out += text)};
	const printer = new PlainPrinter({out: sink, err: sink, color: options.color ?? false, ascii: options.ascii, scriptOutput: options.scriptOutput});
	const state = createState();
	for (const line of lines) {
		apply(state, line);
		printer.handle(line, state);
	}
	printer.finish(state);
	return out;
}

describe('plain mode', () => {
	it('names the call an await waits on though its start comes after the await; one never sent (folded) by its id, before its caller moves on', () => {
		const lines = printed({ascii: false}, [
			{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: 'app.ts:1:1'},
			{type: 'task.start', t: 1, id: 2, parent: 1, kind: 'task', name: 'outer(3)', loc: 'app.ts:3:1'},
			// The script held inner(3)'s start for its next flush, where it might have ended and folded.
			{type: 'task.await', t: 3, id: 2, site: 'app.ts:3:30', on: {kind: 'task', id: 3}, busy: 1},
			{type: 'task.start', t: 4, id: 5, parent: 1, kind: 'task', name: 'other()', loc: 'app.ts:5:1'},
			{type: 'task.await', t: 5, id: 5, site: 'app.ts:5:30', on: {kind: 'task', id: 6}, busy: 1},
			{type: 'task.start', t: 2, id: 3, parent: 2, kind: 'task', name: 'inner(3)', loc: 'app.ts:2:1'},
			// other()'s call folded: other() resumes, its call never sent.
			{type: 'task.resume', t: 9, id: 5, readyAt: 9, wait: 4, sched: 0},
			{type: 'exit', t: 40, code: 0, signal: null},
		]).split('\n');
		expect(lines).toContain('[   0.003s] ⏸ await  outer(3) on task #3 inner(3)  app.ts:3:30');
		expect(lines).toContain('[   0.005s] ⏸ await  other() on task #6  app.ts:5:30');
	});

	it("names the request an await of a library's promise waits on, though the request starts a moment later; a promise nothing names, in its place", () => {
		const lines = printed({ascii: false}, [
			{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: 'app.ts:1:1'},
			{type: 'task.start', t: 1, id: 2, parent: 1, kind: 'task', name: 'fetchOne()', loc: 'app.ts:3:1'},
			// got's promise: its request starts a tick after the await, in the task's context.
			{type: 'task.await', t: 3, id: 2, site: 'app.ts:3:30', on: {kind: 'promise'}, busy: 1},
			{type: 'op.start', t: 9, id: 3, parent: 2, kind: 'http', name: 'GET /x', http: {method: 'GET', url: 'http://127.0.0.1:9/x'}},
			{type: 'task.start', t: 10, id: 4, parent: 1, kind: 'task', name: 'idle()', loc: 'app.ts:8:1'},
			// A promise that nothing ever names (a signal's, say).
			{type: 'task.await', t: 11, id: 4, site: 'app.ts:8:30', on: {kind: 'promise'}, busy: 1},
			{type: 'task.start', t: 400, id: 5, parent: 1, kind: 'task', name: 'later()', loc: 'app.ts:9:1'},
			{type: 'exit', t: 900, code: 0, signal: null},
		]).split('\n');
		expect(lines).toContain('[   0.003s] ⏸ await  fetchOne() on GET /x · connecting  app.ts:3:30');
		const unnamed = lines.indexOf('[   0.011s] ⏸ await  idle() on a promise  app.ts:8:30');
		expect(unnamed).toBeGreaterThan(0);
		expect(lines.findIndex(line => line.includes('later()'))).toBeGreaterThan(unnamed);
	});

	it("names no timer a library set after handing over its promise: a pipeline's wait is no 1 ms sleep of its generator", () => {
		const lines = printed({ascii: false}, [
			session[0]!,
			{type: 'task.start', t: 1, id: 2, parent: 1, kind: 'task', name: 'run()', loc: 'app.ts:5:1'},
			// await pipeline(Readable.from(gen()), slowWritable): the generator sleeps 1 ms, the sink's callback comes 500 ms later.
			{type: 'task.await', t: 2, id: 2, site: 'app.ts:6:3', on: {kind: 'promise'}, busy: 1},
			{type: 'op.start', t: 3, id: 3, parent: 2, kind: 'timer', name: 'sleep 1ms', loc: null, timer: {delayMs: 1, repeat: false}},
			{type: 'op.end', t: 4, id: 3, ok: true, lateMs: 0},
			{type: 'op.start', t: 10, id: 4, parent: 2, kind: 'timer', name: 'setTimeout 500ms', loc: null, timer: {delayMs: 500, repeat: false}},
			{type: 'op.end', t: 510, id: 4, ok: true, lateMs: 0},
			{type: 'task.resume', t: 511, id: 2, readyAt: 511, wait: 509, sched: 0},
			{type: 'task.end', t: 512, id: 2, ok: true, busy: 2, wait: 509, sched: 0, awaits: 1},
			{type: 'exit', t: 513, code: 0, signal: null},
		]).split('\n');
		expect(lines).toContain('[   0.002s] ⏸ await  run() on a promise  app.ts:6:3');
	});

	it('tells an await of a request not yet sent once it is: written on a kept-alive connection, or connecting', () => {
		const request = (id: number, t: number): AsyncmonEvent[] => [
			{type: 'task.start', t, id, parent: 1, kind: 'task', name: `get(${id})`, loc: 'app.ts:2:1'},
			{type: 'op.start', t: t + 0.1, id: id + 1, parent: id, kind: 'http', name: 'GET /x', http: {method: 'GET', url: 'http://127.0.0.1:9/x', client: 'undici'}},
			{type: 'task.await', t: t + 0.2, id, site: 'app.ts:2:30', on: {kind: 'op', id: id + 1}, busy: 0.2},
		];
		const lines = printed({ascii: false}, [
			session[0]!,
			// A new connection: 5 ms to connect.
			...request(2, 1),
			{type: 'op.phase', t: 6.3, id: 3, phase: 'sent', queueMs: 0.2, connectMs: 5},
			// The connection kept alive: written at once.
			...request(4, 20),
			{type: 'op.phase', t: 20.3, id: 5, phase: 'sent', queueMs: 0.1, connectMs: 0},
			// A connection that takes longer than the hold: told as it reads then.
			...request(6, 40),
			{type: 'task.start', t: 300, id: 8, parent: 1, kind: 'task', name: 'later()', loc: 'app.ts:9:1'},
			{type: 'op.phase', t: 900, id: 7, phase: 'sent', queueMs: 0.1, connectMs: 859},
			// Refused: never sent.
			...request(9, 1000),
			{type: 'op.end', t: 1001, id: 10, ok: false, error: {name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:9'}},
			{type: 'exit', t: 1002, code: 0, signal: null},
		]).split('\n');
		expect(lines).toContain('[   0.001s] ⏸ await  get(2) on GET /x · connecting  app.ts:2:30');
		expect(lines).toContain('[   0.020s] ⏸ await  get(4) on GET /x · sending  app.ts:2:30');
		const slow = lines.indexOf('[   0.040s] ⏸ await  get(6) on GET /x · connecting  app.ts:2:30');
		expect(slow).toBeGreaterThan(0);
		expect(slow).toBeLessThan(lines.findIndex(line => line.includes('later()')));
		expect(lines).toContain('[   1.000s] ⏸ await  get(9) on GET /x · connecting  app.ts:2:30');
	});

	it('tells of a request the phases it went through: a connection refused, none', () => {
		const lines = printed({ascii: false}, [
			session[0]!,
			{type: 'op.start', t: 1, id: 3, parent: 1, kind: 'http', name: 'GET /', http: {method: 'GET', url: 'http://127.0.0.1:9/'}},
			{type: 'op.end', t: 8.4, id: 3, ok: false, error: {name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:9'}},
			{type: 'exit', t: 9, code: 0, signal: null},
		]).split('\n');
		expect(lines).toContain('[   0.008s] ↳ http   GET http://127.0.0.1:9/ Error: connect ECONNREFUSED 127.0.0.1:9 in 7.4ms');
	});

	it("says which of the script's handlers took an error nothing caught: an exception's, or, for a rejection, its process-level one", () => {
		const header: ProtocolLine = session[0]!;
		const error = {name: 'Error', message: 'x', location: 'app.ts:2:16'};
		const lines = printed({ascii: false}, [
			header,
			{type: 'uncaught', t: 10, origin: 'unhandledRejection', error, task: null, handled: true},
			{type: 'uncaught', t: 20, origin: 'uncaughtException', error, task: null, handled: true},
		]).split('\n');
		expect(lines).toContain("[   0.010s] ✖ unhandled rejection, handled by the script's own process-level handler: Error: x app.ts:2:16");
		expect(lines).toContain("[   0.020s] ✖ uncaught exception, handled by the script's process.on('uncaughtException'): Error: x app.ts:2:16");
	});

	it("keeps a failure's location apart from a message that ends in a line break, as assert's do", () => {
		const lines = printed({ascii: false}, [
			session[0]!,
			{type: 'task.start', t: 1, id: 2, parent: 1, kind: 'task', name: 'check()', loc: 'app.ts:3:1'},
			{type: 'task.end', t: 2, id: 2, ok: false, busy: 1, wait: 0, sched: 0, awaits: 0, error: {name: 'AssertionError', message: 'Expected values to be strictly equal:\n\n3 !== 5\n', location: 'app.ts:4:3'}},
			{type: 'exit', t: 3, code: 0, signal: null},
		]).split('\n');
		expect(lines).toContain('[   0.002s] ✖ failed check() after 1ms: AssertionError: Expected values to be strictly equal: 3 !== 5 app.ts:4:3');
	});

	it('tells each event on a line of its own, the script output in between', () => {
		const lines = printed({ascii: false}).split('\n');
		expect(lines).toContain('[   0.001s] ▶ start  fetchAll()  app.ts:3:1');
		expect(lines).toContain('[   0.003s] ⏸ await  fetchAll() on GET /items · connecting  app.ts:4:3');
		expect(lines).toContain('[   0.060s] ↳ http   GET http://127.0.0.1:9/items 200 in 58ms queue 2ms · connect 6ms · ttfb 40ms · download 10ms');
		expect(lines).toContain('café ✓ naïve');
		expect(lines).toContain('[   0.063s] ✔ done   fetchAll() in 62ms (busy 2ms · waiting 58ms · sched 1ms)');
		expect(lines).toContain('[   0.114s] ⚠ BLOCKED event loop blocked for over 50ms by crunch() app.ts:9:1 (still blocked)');
		expect(lines).toContain('[   0.264s] ⚠ block  loop was blocked for 200ms by spin() in crunch() app.ts:10:3');
		expect(lines).toContain('[   0.265s] ✖ failed crunch() after 201ms: Error: too hot: stop app.ts:11:9');
		expect(lines).toContain('✖ Unhandled rejection: Error: lost at app.ts:12:5');
		expect(lines).toContain('[   0.266s] ✖ unhandled rejection: Error: lost app.ts:12:5');
	});

	it("starts its own lines on a line of their own where the script's output stopped mid-line, and leaves the script's bytes as they were", () => {
		const lines: AsyncmonEvent[] = [
			{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'app.js', loc: 'app.js:1:1'},
			// A forked child's line, cut where the parent's own write came between (bytes read as they came).
			{type: 'output', t: 10, stream: 'stdout', text: 'hello from the child '},
			{type: 'task.start', t: 20, id: 2, parent: 1, kind: 'task', name: 'main()', loc: 'app.js:3:1'},
			{type: 'output', t: 30, stream: 'stdout', text: 'process\npartial'},
			{type: 'exit', t: 40, code: 0, signal: null},
		];
		const out = printed({ascii: false}, lines);
		expect(out).toMatch(/^hello from the child \n\[ {3}0\.020s\] ▶ start  main\(\)  app\.js:3:1\nprocess\npartial\n── asyncmon ──\n/);
		// A script's output that ends its lines is printed as it came.
		expect(printed({ascii: false})).toContain(`\n${SCRIPT_OUTPUT}[`);
	});

	it('says a stall reported while it lasted was starved, not a block, when the thread waited for a CPU', () => {
		const lines = printed({ascii: false}, [
			session[0]!,
			{type: 'block.start', t: 10, id: 1, task: null, detectedAt: 70},
			{type: 'block.end', t: 140, id: 1, durationMs: 130, task: null, exact: false, queuedMs: 120, starved: true},
			{type: 'exit', t: 150, code: 0, signal: null},
		]).split('\n');
		expect(lines).toContain("[   0.140s] ⚠ starved the loop stalled for 130ms, but the script's thread spent 120ms of it waiting for a CPU (the machine was busy): no block");
		expect(lines.join('\n')).toMatch(/longest block 0ms/);
	});

	// A cluster's workers run one file: the location does not say which served a request, or died.
	it('says where a task off the script\'s main thread runs: a followed process by its pid, a worker thread by its number', () => {
		const lane = IDS_PER_PROCESS + 1;
		const lines = printed({ascii: false}, [
			session[0]!,
			{type: 'task.start', t: 1, id: lane, parent: 1, kind: 'process', name: 'pid 42: node server.js', loc: null, process: {pid: 42, command: 'node server.js'}},
			{type: 'task.start', t: 5, id: lane + 1, parent: lane, kind: 'task', name: 'handle()', loc: 'server.js:3:1'},
			{type: 'task.end', t: 9, id: lane + 1, ok: true, busy: 4, wait: 0, sched: 0, awaits: 0},
			{type: 'task.start', t: 10, id: 2 * IDS_PER_THREAD + 1, parent: 1, kind: 'worker', name: 'worker thread #2', loc: 'crunch.js:1:1'},
			{type: 'task.start', t: 11, id: 2 * IDS_PER_THREAD + 2, parent: 2 * IDS_PER_THREAD + 1, kind: 'task', name: 'crunch()', loc: 'crunch.js:2:1'},
			{type: 'exit', t: 20, code: 0, signal: null},
		]).split('\n');
		expect(lines).toContain('[   0.005s] ▶ start  handle() (pid 42)  server.js:3:1');
		expect(lines).toContain('[   0.009s] ✔ done   handle() (pid 42) in 4ms (busy 4ms · waiting 0ms · sched 0ms)');
		// A lane's own row is named for where it runs already.
		expect(lines).toContain('[   0.010s] ▶ start  worker thread #2  crunch.js:1:1');
		expect(lines).toContain('[   0.011s] ▶ start  crunch() (worker 2)  crunch.js:2:1');
	});

	it("names the process whose loop a followed process's block held; its main module's code is its top level", () => {
		const lane = IDS_PER_PROCESS + 1;
		const block = IDS_PER_PROCESS + 1;
		const lines = printed({ascii: false}, [
			session[0]!,
			{type: 'task.start', t: 1, id: lane, parent: 1, kind: 'process', name: 'pid 42: node child.js', loc: null, process: {pid: 42, command: 'node child.js'}},
			{type: 'block.start', t: 10, id: block, task: lane, detectedAt: 70},
			{type: 'block.stack', t: 71, id: block, frames: [{fn: '<anonymous>', loc: 'child.js:3:1'}]},
			{type: 'block.end', t: 200, id: block, durationMs: 190, task: lane, exact: true},
			{type: 'exit', t: 210, code: 0, signal: null},
		]).split('\n');
		expect(lines).toContain('[   0.070s] ⚠ BLOCKED event loop of pid 42 (node child.js) blocked for over 60ms by its top level (still blocked)');
		expect(lines).toContain('[   0.200s] ⚠ block  loop of pid 42 (node child.js) was blocked for 190ms by its top level child.js:3:1');
		expect(lines).toContain('→ its top level at child.js:3 blocked the event loop of pid 42 (node child.js) for 190ms; move CPU-bound work to a worker thread');
	});

	it("leaves a block's task out of its BLOCKED line while it is not heard of, and names it by its stack's line; a stack read after the end is not 'still blocked'", () => {
		const lines = printed({ascii: false}, [
			session[0]!,
			// hash()'s start is still in the blocked thread's buffer: the monitor knows its id alone.
			{type: 'block.start', t: 10, id: 1, task: 9, detectedAt: 80},
			{type: 'block.stack', t: 81, id: 1, frames: [{fn: 'hash', loc: 'app.ts:4:9'}]},
			// The second block's stack was read as its native call returned, after the loop's last sign of it.
			{type: 'block.start', t: 300, id: 2, task: null, detectedAt: 370},
			{type: 'block.stack', t: 402, id: 2, frames: [{fn: 'readAll', loc: 'app.ts:7:3'}]},
			{type: 'block.end', t: 400, id: 2, durationMs: 100, task: null, exact: true},
			{type: 'exit', t: 500, code: 0, signal: null},
		]).split('\n');
		expect(lines).toContain('[   0.080s] ⚠ BLOCKED event loop blocked for over 70ms (still blocked)');
		expect(lines).toContain('[   0.081s] ⚠ BLOCKED event loop still blocked, in hash() app.ts:4:9');
		expect(lines.join('\n')).not.toContain('not reported yet');
		expect(lines).toContain('[   0.400s] ⚠ block  loop was blocked for 100ms by readAll() app.ts:7:3');
		expect(lines.join('\n')).not.toContain('still blocked, in readAll()');
	});

	// A tester's loop of awaits, then a first fetch(): `loop was blocked for 99ms by a task not reported yet (#2004)`, the
	// watchdog's end before the blocked thread's batch that starts fetchJson().
	it("names a block's task in its end line once the task is heard of, while the line is still held", () => {
		const lines = printed({ascii: false}, [
			session[0]!,
			{type: 'task.start', t: 1, id: 3, parent: 1, kind: 'task', name: 'syncRound(0)', loc: 'app.js:21:1'},
			{type: 'block.start', t: 46, id: 1, task: null, detectedAt: 125},
			{type: 'block.end', t: 145, id: 1, durationMs: 99, task: 2004, exact: false},
			{type: 'task.start', t: 92, id: 2004, parent: 3, kind: 'task', name: 'fetchJson("…/prices/0")', loc: 'app.js:10:1'},
			{type: 'exit', t: 600, code: 0, signal: null},
		]).split('\n');
		expect(lines).toContain('[   0.145s] ⚠ block  loop was blocked for 99ms by fetchJson("…/prices/0")');
		expect(lines.join('\n')).not.toContain('not reported yet');
	});

	it("takes back a 'still blocked' line read once the block's task had ended (an execSync's stack, read as it returned)", () => {
		const lines = printed({ascii: false}, [
			session[0]!,
			{type: 'task.start', t: 1, id: 2, parent: 1, kind: 'task', name: 'shell()', loc: 'app.ts:8:1'},
			{type: 'block.start', t: 10, id: 1, task: 2, detectedAt: 70},
			{type: 'task.end', t: 310, id: 2, ok: true, busy: 300, wait: 0, sched: 0, awaits: 0},
			{type: 'block.stack', t: 311, id: 1, frames: [{fn: 'shell', loc: 'app.ts:8:15'}], callee: {fn: 'execSync', loc: 'node:child_process'}},
			{type: 'block.end', t: 312, id: 1, durationMs: 302, task: 2, exact: true},
			{type: 'exit', t: 400, code: 0, signal: null},
		]).split('\n');
		expect(lines.join('\n')).not.toContain('still blocked, in');
		expect(lines).toContain('[   0.312s] ⚠ block  loop was blocked for 302ms by shell() app.ts:8:15');
	});

	// The stack of a block in a native call is read once the call returns, so it comes by the watchdog's pipe at about the
	// time the block's end comes by the events' pipe: a CI run got the end first, and printed the block as main()'s.
	it("a block's end told before its stack came is told again with the stack, while it is still held", () => {
		const lines = printed({ascii: false}, [
			session[0]!,
			{type: 'task.start', t: 1, id: 2, parent: 1, kind: 'task', name: 'main()', loc: 'app.ts:8:1'},
			{type: 'block.start', t: 10, id: 1, task: 2, detectedAt: 112},
			{type: 'block.end', t: 1020, id: 1, durationMs: 1010, task: 2, exact: true},
			{type: 'block.stack', t: 1021, id: 1, frames: [{fn: 'waitForShell', loc: 'app.ts:5:3'}, {fn: 'main', loc: 'app.ts:10:9'}]},
			{type: 'exit', t: 1030, code: 0, signal: null},
		]).split('\n');
		expect(lines).toContain('[   1.020s] ⚠ block  loop was blocked for 1.01s by waitForShell() in main() app.ts:5:3');
	});

	it("a block of no task's, whose read finds a library's loading in a task's async context, is told again as that task's while it lasts", () => {
		const lines = printed({ascii: false}, [
			session[0]!,
			{type: 'task.start', t: 1, id: 2, parent: 1, kind: 'task', name: 'main()', loc: 'main.mjs:2:1'},
			{type: 'block.start', t: 10, id: 1, task: null, detectedAt: 112},
			{type: 'block.stack', t: 120, id: 1, frames: [], loading: true, module: 'node_modules/lazyfw/index.js:1:95', task: 2},
			{type: 'block.end', t: 510, id: 1, durationMs: 500, task: null, exact: false},
			{type: 'exit', t: 520, code: 0, signal: null},
		]).split('\n');
		expect(lines.filter(line => line.includes('⚠'))).toEqual([
			'[   0.112s] ⚠ BLOCKED event loop blocked for over 102ms by a callback (still blocked)',
			'[   0.120s] ⚠ BLOCKED event loop still blocked, in main() (loading modules from node_modules/lazyfw/index.js)',
			'[   0.510s] ⚠ block  loop was blocked for 500ms by main() (loading modules from node_modules/lazyfw/index.js)',
		]);
	});

	// The watchdog's start and stack of a block came after the main thread's end of it (a socket.io start-up's loading):
	// the block was told twice, the second time out of order, with another culprit.
	it("a block whose end came before the watchdog's start and stack is told once, with the stack", () => {
		const lines = printed({ascii: false}, [
			session[0]!,
			{type: 'block.end', t: 298, id: 1, durationMs: 135, task: 1, exact: true, loading: true},
			{type: 'task.start', t: 300, id: 2, parent: 1, kind: 'task', name: 'serve()', loc: 'app.ts:9:1'},
			{type: 'block.start', t: 160, id: 1, task: 1, detectedAt: 242},
			{type: 'block.stack', t: 272, id: 1, frames: [], loading: true, module: 'node_modules/engine.io-client/build/cjs/transports/websocket.js:114:56'},
			{type: 'task.end', t: 700, id: 2, ok: true, busy: 1, wait: 0, sched: 0, awaits: 0},
			{type: 'exit', t: 710, code: 0, signal: null},
		]).split('\n');
		const told = lines.filter(line => line.includes('⚠ block'));
		expect(told).toEqual(['[   0.298s] ⚠ block  loop was blocked for 135ms by node_modules/engine.io-client/build/cjs/transports/websocket.js (loading modules)']);
	});

	it('with --ascii says everything of its own in ASCII, and passes the script output as it is', () => {
		const output = printed({ascii: true});
		expect(output.split('\n')).toContain(SCRIPT_OUTPUT.trimEnd());
		const own = output.replace(SCRIPT_OUTPUT, '');
		expect(own.match(/[^\x00-\x7f]/g) ?? []).toEqual([]);
		expect(own).toContain('] ! BLOCKED event loop blocked');
		expect(own).toContain('] = await  fetchAll() on GET /items | connecting');
		expect(own).toContain('x Unhandled rejection');
	});

	it("prints its lines and the script's output in time order when a batch of the stream comes late, and the summary under a rule of its own", () => {
		const script = session[0]!;
		const output = printed({ascii: false}, [
			script,
			{type: 'task.start', t: 5, id: 2, parent: 1, kind: 'task', name: 'main()', loc: 'app.ts:1:1'},
			{type: 'task.await', t: 6, id: 2, site: 'app.ts:2:1', on: {kind: 'promise'}, busy: 1},
			// A worker's batch, sent before the main thread's next one.
			{type: 'task.start', t: 40, id: 1_000_000_001, parent: null, kind: 'worker', name: 'worker thread #1', loc: null},
			{type: 'task.end', t: 90, id: 1_000_000_001, ok: true, busy: 50, wait: 0, sched: 0, awaits: 0},
			{type: 'output', t: 95, stream: 'stdout', text: 'All done\n'},
			// The main thread's: what it did meanwhile.
			{type: 'task.start', t: 20, id: 3, parent: 2, kind: 'task', name: 'step()', loc: 'app.ts:3:1'},
			{type: 'task.end', t: 70, id: 3, ok: true, busy: 50, wait: 0, sched: 0, awaits: 0},
			{type: 'exit', t: 100, code: 0, signal: null},
		]);
		const times = [...output.matchAll(/^\[ *([\d.]+)s\]/gm)].map(match => Number(match[1]));
		expect(times).toEqual([0.005, 0.006, 0.02, 0.04, 0.07, 0.09]);
		// The script's own line at its time, after the worker's end it followed; then asyncmon's summary.
		expect(output).toMatch(/\[ *0\.090s\] ✔ done +worker thread #1 in 50ms.*\nAll done\n── asyncmon ──\nAll done in /);
		expect(printed({ascii: true})).toContain('\n-- asyncmon --\nExited with code 1');
	});

	it('paints only when colour is on', () => {
		expect(printed({ascii: false})).not.toContain('\x1b');
		expect(printed({ascii: false, color: true})).toContain('\x1b[36m▶ start \x1b[0m');
	});

	it("passes the script's output byte for byte when live, and sanitizes it read back from a recording", () => {
		const raw = '\x1b[31mred\x1b[0m\r\nprogress 50%\rprogress 100%\n\x1b]2;title\x07';
		const lines = [event('output', {t: 1, text: raw}), event('output', {t: 2, stream: 'stderr', text: raw})];
		expect(printed({ascii: false, scriptOutput: 'as-is'}, lines)).toContain(raw + raw);
		const replayed = 'red\nprogress 50%progress 100%\n';
		expect(printed({ascii: false}, lines)).toContain(replayed + replayed);
	});

	it('lets no escape from a crafted recording reach the terminal', () => {
		for (const text of HOSTILE_STRINGS) {
			const out = printed({ascii: false}, hostileSession(text));
			expect(controlCharacters(out), JSON.stringify(text)).toBeNull();
			expect(out, JSON.stringify(text)).toContain('failed load(');
		}
	});
});

describe("the script's output and the runtime's notices", () => {
	it("writes the live script's output that is no UTF-8 as its bytes, in order with the text around it", () => {
		const written: Array<string | Uint8Array> = [];
		const printer = new PlainPrinter({out: {write: chunk => written.push(chunk)}, err: {write: () => {}}, color: false, ascii: false, buffered: true, scriptOutput: 'as-is'});
		const state = createState();
		const binary = Buffer.from([0xff, 0x00, 0x80]);
		for (const event of [
			{type: 'output', t: 1, stream: 'stdout', text: 'before\n'},
			{type: 'output', t: 2, stream: 'stdout', text: '\uFFFD\u0000\uFFFD', base64: binary.toString('base64')},
			{type: 'output', t: 3, stream: 'stdout', text: 'after\n'},
			// The loop's own report, a quarter of a second on: the output is past the window, in time order.
			{type: 'loop', t: 253, delayMs: 0, utilization: 0},
		] satisfies AsyncmonEvent[]) {
			apply(state, event);
			printer.handle(event, state);
		}
		printer.flush();
		expect(Buffer.concat(written.map(chunk => Buffer.from(chunk))).equals(Buffer.concat([Buffer.from('before\n'), binary, Buffer.from('after\n')]))).toBe(true);
	});

	it("prints nothing of a followed process's copy of its output (it went where it would under node), and its end says how much it wrote", () => {
		const lane = IDS_PER_PROCESS + 1;
		const out = printed({ascii: false, scriptOutput: 'as-is'}, [
			{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: 'app.ts:1:1'},
			{type: 'task.start', t: 1, id: lane, parent: 1, kind: 'process', name: 'pid 42: node child.js', loc: null, process: {pid: 42, command: 'node child.js'}},
			{type: 'output', t: 2, stream: 'stdout', text: 'from the child\n', lane},
			{type: 'output', t: 3, stream: 'stderr', text: 'child to stderr\n', lane},
			// The same bytes, through the script's stdout, which the child shares.
			{type: 'output', t: 3, stream: 'stdout', text: 'from the child\n'},
			{type: 'task.end', t: 9, id: lane, ok: true, busy: 0, wait: 0, sched: 0, awaits: 0, exit: {code: 0, signal: null}},
			{type: 'exit', t: 10, code: 0, signal: null},
		]);
		expect(out.split('from the child')).toHaveLength(2);
		expect(out).not.toContain('child to stderr');
		expect(out).toContain('✔ done   pid 42: node child.js exited 0 after 8ms, wrote 2 lines, 31B\n');
	});

	it('says a notice on stderr, as asyncmon', () => {
		let err = '';
		const printer = new PlainPrinter({out: {write: () => {}}, err: {write: text => (err += String(text))}, color: false, ascii: false});
		printer.handle({type: 'notice', t: 5, message: 'huge.js (3.1 MB) runs uninstrumented\x1b[2J'}, createState());
		expect(err).toBe('asyncmon: huge.js (3.1 MB) runs uninstrumented\n');
	});
});

describe('plain mode under load', () => {
	/** `perSecond` short tasks a second for `seconds` seconds, then a quiet second with a few, then the exit. */
	function busy(perSecond: number, seconds: number): AsyncmonEvent[] {
		const lines: AsyncmonEvent[] = [{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'server.ts', loc: null}];
		let id = 10;
		for (let s = 0; s < seconds; s++) {
			for (let i = 0; i < perSecond; i++) {
				const t = s * 1000 + (i * 1000) / perSecond;
				const failed = i === 7;
				// Mid-second, the script's process says it holds 12 just started (as a flush keeps them), and then none.
				if (s === 1 && i === perSecond / 2) lines.push({type: 'held', t, tasks: 12, http: 0});
				if (s === 2 && i === perSecond / 2) lines.push({type: 'held', t, tasks: 0, http: 0});
				lines.push(
					{type: 'task.start', t, id, parent: 1, kind: 'task', name: `handle(${i})`, loc: 'server.ts:3:1'},
					{type: 'task.end', t: t + (i === 3 ? 0.9 : 0.5), id, ok: !failed, busy: 0.5, wait: 0, sched: 0, awaits: 0, ...(failed ? {error: {name: 'Error', message: 'nope'}} : {})},
				);
				id++;
			}
		}
		// Two quiet seconds: one can only be known to be quiet once it is over, so lines resume in the second.
		for (let i = 0; i < 6; i++) {
			const t = seconds * 1000 + 500 + (i < 3 ? i : 1000 + i);
			lines.push({type: 'task.start', t, id, parent: 1, kind: 'task', name: 'late()', loc: 'server.ts:9:1'}, {type: 'task.end', t: t + 0.5, id, ok: true, busy: 0.5, wait: 0, sched: 0, awaits: 0});
			id++;
		}
		lines.push({type: 'block.start', t: seconds * 1000 + 1600, id: 1, task: null, detectedAt: seconds * 1000 + 1650});
		lines.push({type: 'exit', t: seconds * 1000 + 1900, code: 0, signal: null});
		return lines;
	}

	it('prints a line a second instead of one per task above the rate, and lines again once it is quiet', () => {
		const lines = printed({ascii: false}, busy(1000, 3)).split('\n');
		// Up to the rate, lines as usual; then the switch is said once.
		expect(lines.filter(line => line.includes('▶ start  handle('))).toHaveLength(100);
		expect(lines.filter(line => line.includes('one summary line a second from here'))).toHaveLength(1);
		const seconds = lines.filter(line => /· 1s +[\d,]+ started/.test(line));
		expect(seconds).toEqual([
			// The first second's first 100 tasks had lines of their own (handle(3) and handle(7) among them).
			'[   1.000s] · 1s     900 started · 900 done · slowest handle(100) 0.5ms · 0 running, 0 waiting',
			'[   2.000s] · 1s     1,000 started · 999 done · 1 failed · slowest handle(3) 0.9ms · 0 running, 0 waiting, 12 just started',
			'[   3.000s] · 1s     1,000 started · 999 done · 1 failed · slowest handle(3) 0.9ms · 0 running, 0 waiting',
			'[   4.000s] · 1s     3 started · 3 done · slowest late() 0.5ms · 0 running, 0 waiting',
		]);
		// After the quiet second, per-task lines resume; the block is said as always.
		expect(lines.filter(line => line.includes('a line per event from here'))).toHaveLength(1);
		expect(lines.filter(line => /(start|done) +late\(\)/.test(line))).toHaveLength(6);
		expect(lines.some(line => line.includes('BLOCKED event loop blocked'))).toBe(true);
		expect(lines.length).toBeLessThan(300);
	});

	it("the session's last summary line counts what runs as of the end: the held calls the last flush sent are not just started", () => {
		const lines: AsyncmonEvent[] = [{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'server.ts', loc: null}];
		for (let i = 0; i < 2000; i++) {
			const t = i;
			if (i === 1500) lines.push({type: 'held', t, tasks: 47, http: 0});
			lines.push({type: 'task.start', t, id: 10 + i, parent: 1, kind: 'task', name: `handle(${i})`, loc: 'server.ts:3:1'}, {type: 'task.end', t: t + 0.5, id: 10 + i, ok: true, busy: 0.5, wait: 0, sched: 0, awaits: 0});
		}
		// The exit's flush sends what it held, and says so after its calls' lines.
		lines.push({type: 'held', t: 1999.9, tasks: 0, http: 0}, {type: 'exit', t: 1999.9, code: 0, signal: null});
		const seconds = printed({ascii: false}, lines)
			.split('\n')
			.filter(line => /· 1s +[\d,]+ started/.test(line));
		expect(seconds.at(-1)).toBe('[   2.000s] · 1s     1,000 started · 1,000 done · slowest handle(1000) 0.5ms · 0 running, 0 waiting');
	});

	it("the session's last summary line is stamped when the session ended, not at a second that never came", () => {
		const lines: AsyncmonEvent[] = [{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'server.ts', loc: null}];
		for (let i = 0; i < 1100; i++) {
			const t = i;
			lines.push({type: 'task.start', t, id: 10 + i, parent: 1, kind: 'task', name: `handle(${i})`, loc: 'server.ts:3:1'}, {type: 'task.end', t: t + 0.5, id: 10 + i, ok: true, busy: 0.5, wait: 0, sched: 0, awaits: 0});
		}
		lines.push({type: 'script.exit', t: 1171, code: 0}, {type: 'exit', t: 1180, code: 0, signal: null});
		const seconds = printed({ascii: false}, lines)
			.split('\n')
			.filter(line => /· 1s +[\d,]+ started/.test(line));
		expect(seconds.map(line => line.slice(0, 11))).toEqual(['[   1.000s]', '[   1.171s]']);
	});

	it('tells a worker thread that failed even among summary lines, and counts it there too', () => {
		const events = busy(1000, 2);
		const exit = events.pop()!;
		events.push(
			{type: 'task.start', t: 1500, id: 90_000, parent: 1, kind: 'worker', name: 'worker thread #1', loc: null, thread: 1},
			{type: 'task.end', t: 1600, id: 90_000, ok: false, error: {name: 'Error', message: 'worker crashed'}, busy: 100, wait: 0, sched: 0, awaits: 0},
			exit,
		);
		events.sort((a, b) => a.t - b.t);
		const lines = printed({ascii: false}, events).split('\n');
		expect(lines).toContain('[   1.600s] ✖ failed worker thread #1 after 100ms: Error: worker crashed');
		expect(lines.find(line => line.startsWith('[   2.000s] · 1s'))).toContain('2 failed');
	});

	it('tells a process lane gone with its end not seen among summary lines, and counts it neither done nor failed', () => {
		const events = busy(1000, 2);
		const exit = events.pop()!;
		const lane = 1_000_000_000_001;
		events.push(
			{type: 'task.start', t: 1500, id: lane, parent: 1, kind: 'process', name: 'pid 42: node worker.js', loc: null, process: {pid: 42, command: 'node worker.js'}},
			{type: 'task.end', t: 1600, id: lane, ok: false, error: {name: 'ProcessGone', message: 'gone, its exit not told: its connection closed'}, exit: {code: null, signal: null}, busy: 0, wait: 0, sched: 0, awaits: 0},
			exit,
		);
		events.sort((a, b) => a.t - b.t);
		const lines = printed({ascii: false}, events).split('\n');
		expect(lines.some(line => line.startsWith('[   1.600s]') && line.includes('gone'))).toBe(true);
		// The busy script's own failure that second, and no more.
		expect(lines.find(line => line.startsWith('[   2.000s] · 1s'))).toContain('1 failed');
	});

	it("stays on a line a second under a steady load whose awaits come stamped with their start, in the second before", () => {
		const lines: AsyncmonEvent[] = [{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'server.ts', loc: null}];
		let id = 10;
		for (let s = 0; s < 4; s++) {
			for (let i = 0; i < 300; i++) {
				const t = s * 1000 + (i * 1000) / 300;
				lines.push({type: 'task.start', t, id, parent: 1, kind: 'task', name: 'handle()', loc: 'server.ts:3:1'}, {type: 'task.end', t: t + 0.5, id, ok: true, busy: 0.5, wait: 0, sched: 0, awaits: 0});
				id++;
				// A wait is sent once it has lasted a while, with the time it began: 60 ms back, across each second's start.
				if (i % 15 === 0 && t >= 60) {
					lines.push({type: 'task.start', t: t - 60, id, parent: 1, kind: 'task', name: 'query()', loc: 'server.ts:8:1'});
					lines.push({type: 'task.await', t: t - 60, id, site: 'server.ts:9:3', on: {kind: 'promise'}, busy: 0});
					id++;
				}
			}
		}
		lines.push({type: 'exit', t: 4000, code: 0, signal: null});
		const out = printed({ascii: false}, lines).split('\n');
		expect(out.filter(line => line.includes('one summary line a second from here'))).toHaveLength(1);
		expect(out.filter(line => line.includes('a line per event from here'))).toEqual([]);
		// One summary a second, each second once.
		const seconds = out.filter(line => / · 1s +[\d,]+ started/.test(line)).map(line => line.slice(0, 11));
		expect(seconds).toEqual(['[   1.000s]', '[   2.000s]', '[   3.000s]', '[   4.000s]']);
	});

	it('tells the first few failures of each second among summary lines, and counts them all', () => {
		const events = busy(1000, 2);
		const exit = events.pop()!;
		// Ten requests whose clients went away, in the second busy second.
		for (let i = 0; i < 10; i++) {
			const id = 80_000 + i;
			events.push(
				{type: 'task.start', t: 1100 + i, id, parent: 1, kind: 'server', name: `GET /users/${i}`, loc: null, http: {method: 'GET', url: `/users/${i}`}},
				{type: 'task.end', t: 1150 + i, id, ok: false, aborted: true, busy: 0.1, wait: 0, sched: 0, awaits: 0},
			);
		}
		events.sort((a, b) => a.t - b.t);
		events.push(exit);
		const lines = printed({ascii: false}, events).split('\n');
		// The second's first failures (handle(3)'s, then two of the requests) on lines of their own; the summary counts all.
		expect(lines.filter(line => /^\[   1\.\d+s\] ✖/.test(line))).toHaveLength(FAILURES_TOLD_PER_SECOND);
		expect(lines.filter(line => line.includes('aborted by the client'))).toHaveLength(FAILURES_TOLD_PER_SECOND - 1);
		expect(lines.find(line => line.startsWith('[   2.000s] · 1s'))).toMatch(/ 11 failed /);
	});

	it('stays a line per event at or under the rate', () => {
		const lines = printed({ascii: true}, busy(100, 3)).split('\n');
		expect(lines.filter(line => line.includes('start  handle('))).toHaveLength(300);
		expect(lines.some(line => line.includes('summary line a second'))).toBe(false);
	});

	it("tells the requests the script's process folded as one line, and counts each in the second's requests once it summarizes", () => {
		const line = (t: number, count: number): HttpFoldEvent => {
			const writer = new FoldedTaskWriter(t);
			for (let i = 0; i < count; i++) writer.addRequest({startMs: t - 1 - i * 0.001, totalMs: 1});
			return {type: 'fold.http', t, method: 'GET', url: 'http://127.0.0.1:9/items/1?token=x', loc: null, parent: 1, count, totalMs: count, requests: writer.text()};
		};
		const quiet = printed({ascii: false}, [{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: 'app.ts:1:1'}, line(20, 40), {type: 'exit', t: 30, code: 0, signal: null}]).split('\n');
		expect(quiet).toContain('[   0.020s] ↳ http   ×40 GET 127.0.0.1:9 in 1ms on average folded by the script into their host');
		// 300 a second: past the rate, a summary line a second counts every one.
		const flood = printed({ascii: false}, [
			{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: 'app.ts:1:1'},
			...Array.from({length: 10}, (_, i) => line(100 * (i + 1), 30)),
			{type: 'exit', t: 2500, code: 0, signal: null},
		]).split('\n');
		// Six lines of 30 (180 lines' worth), then the seventh passes 200 lines a second: the rest are counted, each one.
		expect(flood.filter(text => text.includes('folded by the script into their host'))).toHaveLength(6);
		expect(flood.filter(text => /· 1s +/.test(text))).toEqual([
			'[   0.700s] · 1s     over 200 task lines a second: one summary line a second from here (a recording keeps them; blocks, uncaught errors and the first 3 failures of each second still print)',
			'[   1.000s] · 1s     0 started · 0 done · 90 requests · 0 running, 0 waiting',
			'[   2.000s] · 1s     0 started · 0 done · 30 requests · 0 running, 0 waiting',
		]);
	});

});
