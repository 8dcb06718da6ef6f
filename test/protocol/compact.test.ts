import {describe, expect, it} from 'vitest';
import {recordRun} from '../helpers/recorded.js';
import {SCRIPTS} from '../helpers/run-cli.js';
import {decodeEvent} from '../../source/protocol/decode.js';
import {readableLine, serializeBatch, serializeLine} from '../../source/protocol/encode.js';
import type {AsyncmonEvent} from '../../source/protocol/events.js';

const error = {name: 'Error', message: 'disk full', stack: 'Error: disk full\n    at save (app.ts:3:9)', location: 'app.ts:3:9'};

/** Every compact type, with all its optional fields and without them. */
const FULL: AsyncmonEvent[] = [
	{type: 'task.start', t: 0.5, id: 2, parent: 1, kind: 'server', name: 'GET /users/:id', loc: 'app.ts:1:1', thread: 1, http: {method: 'GET', url: '/users/1', host: 'x', traceparent: '00-a-b-01'}},
	{type: 'task.await', t: 1, id: 2, site: 'app.ts:2:3', on: {kind: 'promise', tasks: [3, 4], ops: [5]}, dependent: true, busy: 0.4},
	{type: 'task.ready', t: 2, id: 2},
	{type: 'task.resume', t: 2.5, id: 2, readyAt: 2, wait: 1, sched: 0.5},
	{type: 'task.end', t: 3, id: 2, ok: false, error, busy: 1, wait: 1, sched: 0.5, awaits: 2, status: 500},
	{type: 'op.start', t: 1, id: 5, parent: 2, kind: 'http', name: 'GET /items', loc: 'app.ts:4:1', http: {method: 'GET', url: 'https://example.com/items', client: 'undici'}},
	{type: 'op.phase', t: 1.5, id: 5, phase: 'sent', queueMs: 0.1, connectMs: 0.2, status: 200},
	{type: 'op.fire', t: 11, id: 6, lateMs: 0.3},
	{type: 'op.end', t: 12, id: 5, ok: false, status: 503, bytes: 10, error, lateMs: 0.1, cancelled: true},
	{type: 'loop', t: 250, delayMs: 12.5, utilization: 0.5},
];
const BARE: AsyncmonEvent[] = [
	{type: 'task.start', t: 0.5, id: 2, parent: null, kind: 'task', name: 'main()', loc: null},
	{type: 'task.await', t: 1, id: 2, site: null, on: {kind: 'value'}, busy: 0},
	{type: 'task.end', t: 3, id: 2, ok: true, busy: 1, wait: 1, sched: 0.5, awaits: 2},
	{type: 'op.start', t: 1, id: 5, parent: null, kind: 'timer', name: 'setTimeout', timer: {delayMs: 1, repeat: false}},
	{type: 'op.start', t: 1, id: 5, parent: 2, kind: 'fs', name: 'readFile', loc: null},
	{type: 'op.phase', t: 1.5, id: 5, phase: 'headers'},
	{type: 'op.end', t: 12, id: 5, ok: true},
];

const decoded = (text: string): AsyncmonEvent[] => text.trimEnd().split('\n').flatMap(line => decodeEvent(line) as AsyncmonEvent[]);

describe('compact lines (protocol 2)', () => {
	it('write each busy event as an array and read it back as the event written, optional fields or not', () => {
		for (const event of [...FULL, ...BARE]) {
			const line = serializeLine(event);
			expect(line.startsWith('['), event.type).toBe(true);
			// op.start's loc may be absent or null, with one meaning (no location): an array has one way to say it.
			const expected = event.type === 'op.start' && !('loc' in event) ? {...event, loc: null} : event;
			expect(decoded(line), line).toEqual([expected]);
		}
	});

	it('are much shorter than protocol 1 lines', () => {
		const event = BARE[2]!;
		expect(serializeLine(event).length).toBeLessThan(readableLine(event).length / 2);
	});

	it('leave an absent optional field absent, even before a field that is there', () => {
		const [event] = decoded(serializeLine({type: 'op.end', t: 1, id: 5, ok: false, cancelled: true}));
		expect(event).toEqual({type: 'op.end', t: 1, id: 5, ok: false, cancelled: true});
		expect(Object.keys(event!)).not.toContain('status');
	});

	it('round numbers at any depth to microseconds', () => {
		const [event] = decoded(serializeLine({type: 'op.start', t: 1.23456789, id: 9, parent: null, kind: 'timer', name: 't', timer: {delayMs: 1.23456, repeat: false}}));
		expect(event).toEqual({type: 'op.start', t: 1.235, id: 9, parent: null, kind: 'timer', name: 't', loc: null, timer: {delayMs: 1.235, repeat: false}});
	});

	it('are checked as object lines are, and an unknown code is corrupt', () => {
		expect(decodeEvent('[5,1,"two",true,null,0,0,0,0]')).toBe("task.end: 'id' is not an id (a positive integer)");
		expect(decodeEvent('[77,1,2]')).toBe('an array of unknown code 77');
		expect(decodeEvent('["task.start",1]')).toBe('an array of unknown code "task.start"');
	});
});

describe('serializeBatch: spans', () => {
	const start = (id: number, parent: number | null, t: number): AsyncmonEvent => ({type: 'task.start', t, id, parent, kind: 'task', name: `tiny(${id})`, loc: 'a.ts:1:1'});
	const end = (id: number, t: number): AsyncmonEvent => ({type: 'task.end', t, id, ok: true, busy: 0.01, wait: 0, sched: 0, awaits: 0});
	const timer = (id: number, parent: number, t: number): AsyncmonEvent => ({type: 'op.start', t, id, parent, kind: 'timer', name: 'setTimeout', timer: {delayMs: 1, repeat: false}});
	const fired = (id: number, t: number): AsyncmonEvent => ({type: 'op.end', t, id, ok: true, lateMs: 0.2});

	it('writes a task or op that started and ended in the batch as one line, read back as its two events', () => {
		const batch = [start(2, 1, 1), end(2, 1.5), start(3, 1, 2), end(3, 2.5), timer(4, 1, 3), {type: 'loop', t: 3.5, delayMs: 1, utilization: 0.1} as AsyncmonEvent, fired(4, 4)];
		const text = serializeBatch(batch);
		expect(text.trimEnd().split('\n')).toHaveLength(4);
		// The span stands where its start was: its end moves before events that do not concern it.
		expect(decoded(text)).toEqual([batch[0], batch[1], batch[2], batch[3], {...batch[4], loc: null}, batch[6], batch[5]]);
	});

	it('keeps start and end apart when something between them names the task: a child, an await on it, its own await', () => {
		const child = [start(2, 1, 1), start(3, 2, 1.1), end(3, 1.2), end(2, 1.5)];
		expect(decoded(serializeBatch(child))).toEqual(child);
		expect(serializeBatch(child).trimEnd().split('\n')).toHaveLength(3);
		const awaited: AsyncmonEvent[] = [start(2, 1, 1), {type: 'task.await', t: 1.1, id: 1, site: null, on: {kind: 'task', id: 2}, busy: 0}, end(2, 1.5)];
		expect(decoded(serializeBatch(awaited))).toEqual(awaited);
		const own: AsyncmonEvent[] = [start(2, 1, 1), {type: 'task.await', t: 1.1, id: 2, site: null, on: {kind: 'value'}, busy: 0}, end(2, 1.5)];
		expect(decoded(serializeBatch(own))).toEqual(own);
	});

	it('never pairs a start of one batch with an end of the next', () => {
		expect(decoded(serializeBatch([start(2, 1, 1)]) + serializeBatch([end(2, 2)]))).toEqual([start(2, 1, 1), end(2, 2)]);
	});
});

describe('readableLine', () => {
	it('writes protocol 1: every event an object', () => {
		for (const event of FULL) expect(JSON.parse(readableLine(event))).toEqual(event);
	});
});

describe('compact lines where making code from strings is forbidden', () => {
	it('are written as elsewhere (a loop reads the fields instead of code made for each event type)', async () => {
		const script = ['sequential.ts'];
		const plain = await recordRun(script, {cwd: SCRIPTS});
		const forbidden = await recordRun(script, {cwd: SCRIPTS, env: {NODE_OPTIONS: '--disallow-code-generation-from-strings'}});
		expect(forbidden.result.code).toBe(0);
		const shape = (report: typeof plain.report) => report.tasks.map(task => [task.kind, task.name, task.state, task.awaits]);
		expect(shape(forbidden.report)).toEqual(shape(plain.report));
		expect(forbidden.report.tasks.length).toBeGreaterThan(3);
	});
});
