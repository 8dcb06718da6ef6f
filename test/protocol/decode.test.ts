import {describe, expect, it} from 'vitest';
import {decodeEvent, decodeHeader, decodeLine, NOT_JSON} from '../../source/protocol/decode.js';
import type {AsyncmonEvent, HeaderEvent} from '../../source/protocol/events.js';
import {EVENT_SHAPES} from '../../source/protocol/schema.js';

const header: HeaderEvent = {
	type: 'header',
	protocol: 1,
	script: 'app.ts',
	argv: ['--port', '3000'],
	cwd: '/work/app',
	node: 'v24.21.0',
	pid: 4242,
	startedAt: 1_790_000_000_000.5,
	blockThresholdMs: 50,
	redacted: true,
};

const error = {name: 'Error', message: 'disk full', stack: 'Error: disk full\n    at save (app.ts:3:9)', location: 'app.ts:3:9'};

/** One event of every type, each with all its optional fields. */
const EVERY_TYPE: AsyncmonEvent[] = [
	{
		type: 'task.start',
		t: 0.5,
		id: 2,
		parent: 1,
		kind: 'server',
		name: 'GET /users/7',
		loc: 'app.ts:1:1',
		thread: 1,
		http: {method: 'GET', url: '/users/7?token=REDACTED', host: 'localhost:3000', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'},
		process: {pid: 4242, command: 'node child.js'},
	},
	{type: 'task.await', t: 1, id: 2, site: 'app.ts:2:3', on: {kind: 'promise', tasks: [3, 4], ops: [5]}, dependent: true, busy: 0.4},
	{type: 'task.ready', t: 2, id: 2},
	{type: 'task.resume', t: 2.5, id: 2, readyAt: 2, wait: 1, sched: 0.5},
	{type: 'task.end', t: 3, id: 2, ok: false, error, busy: 1, wait: 1, sched: 0.5, awaits: 2, status: 500, aborted: false, exit: {code: null, signal: 'SIGKILL'}},
	{type: 'op.start', t: 1, id: 5, parent: 2, kind: 'http', name: 'GET /items', loc: null, http: {method: 'GET', url: 'https://example.com/items', client: 'undici', queue: {ahead: 2, inFlight: 4}}, timer: {delayMs: 10, repeat: false}, process: {pid: 7, command: 'ls'}},
	{type: 'op.dequeued', t: 1.2, id: 5, url: 'https://example.com/items'},
	{type: 'op.phase', t: 1.5, id: 5, phase: 'sent', queueMs: 0.1, connectMs: 0.2, status: 200},
	{type: 'op.fire', t: 11, id: 6, lateMs: 0.3},
	{type: 'op.end', t: 12, id: 5, ok: false, status: 500, bytes: 120, error, lateMs: 0.1, cancelled: false, exit: {code: 3, signal: null}},
	{type: 'block.start', t: 20, id: 1, task: 2, detectedAt: 75},
	{type: 'block.stack', t: 76, id: 1, frames: [{fn: 'parse', loc: 'app.ts:6:5'}], loading: true},
	{type: 'block.end', t: 270, id: 1, durationMs: 250, task: null, exact: false, queuedMs: 12, starved: false},
	{type: 'loop', t: 250, delayMs: 1.2, utilization: 0.5},
	{type: 'output', t: 251, stream: 'stderr', text: 'a\uFFFD', base64: 'YYA=', lane: 1_000_000_000_001, skipped: {bytes: 4096, lines: 12}},
	{type: 'notice', t: 5, message: 'huge.js (3.0 MB) runs uninstrumented'},
	{type: 'fatal', t: 0, kind: 'syntax', message: 'Unexpected token', loc: 'app.ts:1:5', frame: '> 1 | let ='},
	{type: 'uncaught', t: 300, origin: 'unhandledRejection', error: {name: 'Error', message: 'x'}, task: null},
	{type: 'wrote', t: 301, stream: 'stdout', bytes: 12},
	{type: 'signal', t: 250, signal: 'SIGTERM'},
	{type: 'script.start', t: 0.2},
	{type: 'script.exit', t: 299, code: 0, exitCall: {site: 'app.ts:12:11'}},
	{type: 'exit', t: 301, code: null, signal: 'SIGKILL'},
	{type: 'floating', t: 4, task: 3, by: 2, site: 'app.ts:9:3'},
	{type: 'alive', t: 2400, idleSince: 400, resources: {Timeout: 1, TCPServerWrap: 1}, servers: [{address: '127.0.0.1:3000', loc: null}]},
	{type: 'backpressure', t: 500, heldMs: 12.5},
	{type: 'held', t: 550, tasks: 28, http: 3},
	{type: 'dropped', t: 600, count: 105},
	{type: 'corrupt', t: 700, count: 2, reason: "task.await: 'on' is missing"},
	{type: 'fold', t: 810, kind: 'task', name: 'tiny', loc: 'app.ts:3:1', parent: 2, leaf: true, count: 1, totalMs: 0.5, busyMs: 0.5, waitMs: 0, tasks: 'AAAAAAAAAAAAAAAAAAAAAA=='},
	{type: 'fold.http', t: 812, method: 'GET', url: 'http://127.0.0.1:4000/items/1', client: 'undici', loc: 'app.ts:7:20', parent: 2, count: 1, totalMs: 0.5, requests: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=='},
	{type: 'joined', t: 800, folded: {tasks: 3, failed: 1, taskTimeMs: 30, byName: {'work()': {count: 3, failed: 1, totalMs: 30, busyMs: 3, waitMs: 27}}}, omitted: 4},
];

const line = (value: unknown): string => JSON.stringify(value);
const typeOf = (event: AsyncmonEvent): string => event.type;
/** `t`, which every event has, is not in the table. */
const isOptional = (type: string, field: string): boolean => field !== 't' && (EVENT_SHAPES as Record<string, Record<string, {optional: boolean}>>)[type]![field]!.optional;

describe('decodeEvent', () => {
	it('has an example of every event type of the schema', () => {
		expect(EVERY_TYPE.map(typeOf).sort()).toEqual(Object.keys(EVENT_SHAPES).sort());
	});

	it('decodes a well-formed line of every type to the event written', () => {
		for (const event of EVERY_TYPE) expect(decodeEvent(line(event)), event.type).toEqual([event]);
	});

	it('decodes them without their optional fields too', () => {
		for (const event of EVERY_TYPE) {
			const bare = Object.fromEntries(Object.entries(event).filter(([field]) => field === 'type' || !isOptional(event.type, field)));
			expect(decodeEvent(line(bare)), event.type).toEqual([bare]);
		}
	});

	it('names a missing field, for every required field of every type', () => {
		for (const event of EVERY_TYPE) {
			for (const field of Object.keys(event)) {
				if (field === 'type' || isOptional(event.type, field)) continue;
				const {[field]: _, ...rest} = event as unknown as Record<string, unknown>;
				expect(decodeEvent(line(rest))).toBe(`${event.type}: '${field}' is missing`);
			}
		}
	});

	it('names a field of the wrong kind, for every field of every type, optional ones included', () => {
		for (const event of EVERY_TYPE) {
			for (const field of Object.keys(event)) {
				if (field === 'type') continue;
				const reason = decodeEvent(line({...event, [field]: {wrong: true}}));
				expect(reason).toMatch(new RegExp(`^${event.type.replace('.', '\\.')}: '${field}' is not `));
			}
		}
	});

	it('says what it expected', () => {
		expect(decodeEvent(line({type: 'task.await', t: 1, id: 2, site: null, busy: 0}))).toBe("task.await: 'on' is missing");
		expect(decodeEvent(line({type: 'task.start', t: 1, id: 2, parent: null, kind: 'task', name: 42, loc: null}))).toBe("task.start: 'name' is not a string");
		expect(decodeEvent(line({type: 'block.stack', t: 1, id: 1, frames: 'parse (app.ts:6:5)'}))).toBe("block.stack: 'frames' is not a list of stack frames {fn, loc}");
		expect(decodeEvent(line({type: 'task.start', t: 1, id: 2, parent: null, kind: 'thread', name: 'x', loc: null}))).toBe(
			"task.start: 'kind' is not one of 'script', 'task', 'worker', 'server', 'process'",
		);
		expect(decodeEvent(line({type: 'task.end', t: 1, id: 2, ok: 'yes', busy: 0, wait: 0, sched: 0, awaits: 0}))).toBe("task.end: 'ok' is not a boolean");
		expect(decodeEvent(line({type: 'exit', t: 1, code: 0}))).toBe("exit: 'signal' is missing");
		expect(decodeEvent(line({type: 'script.exit', t: 1, code: 2, exitCall: {site: 12}}))).toBe("script.exit: 'exitCall' is not an exit call {site}");
		// An error's causes are ErrorInfos too, all the way down.
		const withCause = (cause: unknown) => line({type: 'task.end', t: 1, id: 2, ok: false, busy: 0, wait: 0, sched: 0, awaits: 0, error: {name: 'Error', message: 'outer', cause}});
		expect(decodeEvent(withCause({name: 'TypeError', message: 'middle', cause: {name: 'RangeError', message: 'root'}}))).toMatchObject([{error: {cause: {cause: {message: 'root'}}}}]);
		expect(decodeEvent(withCause({name: 'TypeError', message: 'middle', cause: {name: 3}}))).toBe("task.end: 'error' is not an ErrorInfo {name, message, stack?, location?, cause?}");
		expect(decodeEvent('{"type":"loop","t":1,"delayMs":1e999,"utilization":0}')).toBe("loop: 'delayMs' is not a finite number");
	});

	it('takes ids as positive integers only, nested ones included', () => {
		for (const id of [1.5, 0, -3, '3', null]) {
			expect(decodeEvent(line({type: 'task.ready', t: 1, id})), String(id)).toBe("task.ready: 'id' is not an id (a positive integer)");
		}
		expect(decodeEvent(line({type: 'block.end', t: 1, id: 1, durationMs: 60, task: 2.5, exact: true}))).toBe("block.end: 'task' is not an id (a positive integer) or null");
		const awaiting = {type: 'task.await', t: 1, id: 2, site: null, busy: 0};
		for (const on of [{kind: 'task', id: 2.5}, {kind: 'op'}, {kind: 'promise', tasks: [1, 1.5]}, {kind: 'promise', ops: '5'}, {kind: 'future'}, 'value']) {
			expect(decodeEvent(line({...awaiting, on})), JSON.stringify(on)).toMatch(/^task\.await: 'on' is not a WaitTarget/);
		}
		expect(decodeEvent(line({...awaiting, on: {kind: 'value'}}))).toEqual([{...awaiting, on: {kind: 'value'}}]);
	});

	it('takes a guessed target only with `guess: true`, a folded call\'s name only as a string, a race only as `race` or `any`, a peer only with its address, an event only with its name and emitter', () => {
		const awaiting = {type: 'task.await', t: 1, id: 2, site: null, busy: 0};
		for (const on of [{kind: 'task', id: 3, guess: true}, {kind: 'task', id: 3, name: 'getItem'}, {kind: 'promise', tasks: [3, 4], guess: true}, {kind: 'peer', address: '127.0.0.1:5432'}, {kind: 'event', event: 'line', source: 'readline'}, {kind: 'response'}, {kind: 'promise', events: [{event: 'ready', source: 'Bus'}], eventCount: 3}, {kind: 'promise', tasks: [3], ops: [4], first: 'race'}, {kind: 'promise', ops: [4, 5], first: 'any'}]) {
			expect(decodeEvent(line({...awaiting, on})), JSON.stringify(on)).toEqual([{...awaiting, on}]);
		}
		for (const on of [{kind: 'op', id: 3, guess: false}, {kind: 'task', id: 3, name: 7}, {kind: 'promise', guess: 'yes'}, {kind: 'promise', tasks: [3, 4], first: true}, {kind: 'promise', tasks: [3, 4], first: 'all'}, {kind: 'peer'}, {kind: 'peer', address: 5432}, {kind: 'event', event: 'line'}, {kind: 'event', event: 1, source: 'x'}, {kind: 'promise', events: [{event: 'ready'}]}, {kind: 'promise', events: 'ready'}]) {
			expect(decodeEvent(line({...awaiting, on})), JSON.stringify(on)).toMatch(/^task\.await: 'on' is not a WaitTarget/);
		}
	});

	it('takes base64 output only in the base64 alphabet', () => {
		for (const base64 of ['YYA', 'Y YA=', 'YY\nA=', '****']) {
			expect(decodeEvent(line({type: 'output', t: 1, stream: 'stdout', text: 'a', base64})), base64).toBe("output: 'base64' is not base64 text");
		}
	});

	it('checks nested objects: ErrorInfo, stack frames, HTTP details, resources', () => {
		expect(decodeEvent(line({type: 'uncaught', t: 1, origin: 'uncaughtException', error: {message: 'x'}, task: null}))).toMatch(/^uncaught: 'error' is not an ErrorInfo/);
		expect(decodeEvent(line({type: 'block.stack', t: 1, id: 1, frames: [{fn: 'parse', loc: 7}]}))).toMatch(/^block\.stack: 'frames' is not/);
		expect(decodeEvent(line({type: 'op.start', t: 1, id: 5, parent: null, kind: 'http', name: 'GET /', http: {method: 'GET'}}))).toMatch(/^op\.start: 'http' is not/);
		expect(decodeEvent(line({type: 'alive', t: 1, idleSince: 0, resources: {Timeout: 'one'}}))).toMatch(/^alive: 'resources' is not/);
		const queued = (queue: unknown) => line({type: 'op.start', t: 1, id: 5, parent: null, kind: 'http', name: 'GET /', http: {method: 'GET', url: '/', queue}});
		expect(decodeEvent(queued({ahead: 0, inFlight: 4}))).not.toBeTypeOf('string');
		expect(decodeEvent(queued({ahead: -1, inFlight: 4}))).toMatch(/^op\.start: 'http' is not/);
		expect(decodeEvent(queued({ahead: 0}))).toMatch(/^op\.start: 'http' is not/);
	});

	it('lets unknown event types and unknown fields through: a newer minor writer may add them', () => {
		const future = {type: 'gc.pause', t: 10, anything: [1, 'two']};
		expect(decodeEvent(line(future))).toEqual([future]);
		const extended = {type: 'task.ready', t: 2, id: 2, priority: 'high'};
		expect(decodeEvent(line(extended))).toEqual([extended]);
	});

	it('still wants what every event has: a type and a finite time', () => {
		expect(decodeEvent(line({type: 'gc.pause'}))).toBe("an event of unknown type: 't' is missing");
		expect(decodeEvent(line({type: 'task.ready', t: '1', id: 2}))).toBe("task.ready: 't' is not a finite number");
		expect(decodeEvent(line({t: 1}))).toBe("'type' is missing");
		expect(decodeEvent(line({type: 7, t: 1}))).toBe("'type' is not a string");
	});

	it('rejects what is not one JSON object, and a second header', () => {
		expect(decodeEvent('{"type":"task.start","t":9')).toBe(NOT_JSON);
		expect(decodeEvent('garbage')).toBe(NOT_JSON);
		expect(decodeEvent('"text"')).toBe('not a JSON object or array');
		expect(decodeEvent('null')).toBe('not a JSON object or array');
		expect(decodeEvent(line(header))).toBe('a second header');
	});
});

describe('decodeHeader', () => {
	it('decodes a well-formed header', () => {
		expect(decodeHeader(line(header))).toEqual(header);
	});

	it('tells a line that is no header from a header of a newer protocol', () => {
		for (const text of ['hello', '[1]', line({type: 'loop', t: 1, delayMs: 1, utilization: 0}), line({...header, protocol: 'one'}), line({...header, protocol: 0})]) {
			expect(decodeHeader(text), text).toEqual({problem: 'not-a-header'});
		}
		// A newer protocol may have changed the other fields: they are not checked.
		expect(decodeHeader(line({type: 'header', protocol: 3}))).toEqual({problem: 'newer-protocol', protocol: 3});
	});

	it('names a missing or mistyped field of a header of this protocol', () => {
		const {pid: _, ...noPid} = header;
		expect(decodeHeader(line(noPid))).toEqual({problem: 'corrupt', reason: "header: 'pid' is missing"});
		expect(decodeHeader(line({...header, argv: 'a b'}))).toEqual({problem: 'corrupt', reason: "header: 'argv' is not a list of strings"});
		expect(decodeHeader(line({...header, startedAt: null}))).toEqual({problem: 'corrupt', reason: "header: 'startedAt' is not a finite number"});
	});
});

describe('decodeLine', () => {
	it('decodes the header and events alike, as the live stream needs', () => {
		expect(decodeLine(line(header))).toEqual([header]);
		expect(decodeLine(line(EVERY_TYPE[0]))).toEqual([EVERY_TYPE[0]]);
	});

	it('gives a reason for a bad header or event', () => {
		expect(decodeLine(line({...header, pid: 'x'}))).toBe("header: 'pid' is not a whole number");
		expect(decodeLine(line({...header, protocol: 3}))).toBe('header: protocol 3 is newer than 2');
		expect(decodeLine(line({...header, protocol: 'one'}))).toBe("header: 'protocol' is not a version number");
		expect(decodeLine(line({type: 'task.ready', t: 1}))).toBe("task.ready: 'id' is missing");
		expect(decodeLine('')).toBe(NOT_JSON);
	});
});

describe('the joined event', () => {
	it('is corrupt when its folded totals are not per-name figures', () => {
		const joined = {type: 'joined', t: 1, folded: {tasks: 1, failed: 0, taskTimeMs: 1, byName: {'work()': {count: 'one'}}}, omitted: 0};
		expect(decodeEvent(line(joined))).toMatch(/^joined: 'folded' is not folded totals/);
	});
});
