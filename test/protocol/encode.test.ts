import {describe, expect, it} from 'vitest';
import type {ProtocolLine} from '../../source/protocol/events.js';
import {serializeLine, serializeOwnedLine} from '../../source/protocol/encode.js';

describe('serializeLine', () => {
	it('writes one JSON line ending in a newline', () => {
		const line = serializeLine({type: 'exit', t: 12, code: 0, signal: null});
		expect(line).toBe('{"type":"exit","t":12,"code":0,"signal":null}\n');
		expect(line.indexOf('\n')).toBe(line.length - 1);
	});

	it('rounds every non-integer number to microseconds (3 decimals of a millisecond)', () => {
		const event: ProtocolLine = {type: 'task.resume', t: 1.23456789, id: 3, readyAt: 0.0004999, wait: 2.0005001, sched: 1 / 3};
		expect(JSON.parse(serializeLine(event))).toEqual({type: 'task.resume', t: 1.235, id: 3, readyAt: 0, wait: 2.001, sched: 0.333});
	});

	it('rounds nested numbers and leaves integers, strings and booleans alone', () => {
		const event: ProtocolLine = {type: 'loop', t: 250.0000001, delayMs: 12.3456, utilization: 0.123456};
		expect(JSON.parse(serializeLine(event))).toEqual({type: 'loop', t: 250, delayMs: 12.346, utilization: 0.123});
		const op: ProtocolLine = {type: 'op.start', t: 5, id: 9007199254740991, parent: null, kind: 'timer', name: 'setTimeout 1.5ms', timer: {delayMs: 1.23456, repeat: false}};
		expect(JSON.parse(serializeLine(op))).toEqual({...op, timer: {delayMs: 1.235, repeat: false}});
	});

	it('escapes newlines inside strings, so a line is always one event', () => {
		const line = serializeLine({type: 'output', t: 1, stream: 'stdout', text: 'a\nb\r\n'});
		expect(line.split('\n').length).toBe(2);
		expect(JSON.parse(line).text).toBe('a\nb\r\n');
	});
});

describe('serializeOwnedLine', () => {
	it('writes what serializeLine writes, for hot and other events alike', () => {
		const events = (): ProtocolLine[] => [
			{type: 'task.start', t: 0.123456, id: 2, parent: 1, kind: 'task', name: 'main()', loc: 'a.ts:1:1'},
			{type: 'task.await', t: 1.0000004, id: 2, site: 'a.ts:2:3', on: {kind: 'promise', tasks: [3, 4]}, dependent: true, busy: 0.33333},
			{type: 'task.ready', t: 2.5555555, id: 2},
			{type: 'task.resume', t: 1.23456789, id: 3, readyAt: 0.0004999, wait: 2.0005001, sched: 1 / 3},
			{type: 'task.end', t: 3.1415926, id: 2, ok: true, busy: 1.11111, wait: 2.22222, sched: 0.00001, awaits: 2},
			{type: 'task.end', t: 3.1415926, id: 2, ok: false, error: {name: 'Error', message: 'x'}, busy: 1.11111, wait: 2, sched: 0, awaits: 2},
			{type: 'op.start', t: 5, id: 9, parent: null, kind: 'timer', name: 'setTimeout 1.5ms', timer: {delayMs: 1.23456, repeat: false}},
			{type: 'loop', t: 250.0000001, delayMs: 12.3456, utilization: 0.123456},
		];
		const expected = events().map(serializeLine);
		expect(events().map(serializeOwnedLine)).toEqual(expected);
	});

	it('serializeLine leaves the event as it was', () => {
		const op: ProtocolLine = {type: 'op.start', t: 5.55555, id: 9, parent: null, kind: 'timer', name: 't', timer: {delayMs: 1.23456, repeat: false}};
		serializeLine(op);
		expect(op).toEqual({type: 'op.start', t: 5.55555, id: 9, parent: null, kind: 'timer', name: 't', timer: {delayMs: 1.23456, repeat: false}});
	});
});
