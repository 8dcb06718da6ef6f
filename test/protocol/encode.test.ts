import {describe, expect, it} from 'vitest';
import type {ProtocolLine} from '../../source/protocol/events.js';
import {readableLine, serializeLine} from '../../source/protocol/encode.js';
import {decodeEvent} from '../../source/protocol/decode.js';

describe('serializeLine', () => {
	it('writes one JSON line ending in a newline', () => {
		const line = serializeLine({type: 'exit', t: 12, code: 0, signal: null});
		expect(line).toBe('{"type":"exit","t":12,"code":0,"signal":null}\n');
		expect(line.indexOf('\n')).toBe(line.length - 1);
	});

	it('rounds every non-integer number to microseconds (3 decimals of a millisecond)', () => {
		const event: ProtocolLine = {type: 'task.resume', t: 1.23456789, id: 3, readyAt: 0.0004999, wait: 2.0005001, sched: 1 / 3};
		expect(decodeEvent(serializeLine(event))).toEqual([{type: 'task.resume', t: 1.235, id: 3, readyAt: 0, wait: 2.001, sched: 0.333}]);
		expect(JSON.parse(readableLine(event))).toEqual({type: 'task.resume', t: 1.235, id: 3, readyAt: 0, wait: 2.001, sched: 0.333});
	});

	it('rounds nested numbers and leaves integers, strings and booleans alone', () => {
		const block: ProtocolLine = {type: 'block.end', t: 250.0000001, id: 1, durationMs: 12.3456, task: null, exact: true};
		expect(JSON.parse(serializeLine(block))).toEqual({...block, t: 250, durationMs: 12.346});
		const op: ProtocolLine = {type: 'op.start', t: 5, id: 9007199254740991, parent: null, kind: 'timer', name: 'setTimeout 1.5ms', timer: {delayMs: 1.23456, repeat: false}};
		expect(JSON.parse(readableLine(op))).toEqual({...op, timer: {delayMs: 1.235, repeat: false}});
	});

	it('escapes newlines inside strings, so a line is always one event', () => {
		const line = serializeLine({type: 'output', t: 1, stream: 'stdout', text: 'a\nb\r\n'});
		expect(line.split('\n').length).toBe(2);
		expect(JSON.parse(line).text).toBe('a\nb\r\n');
	});
});

describe('serializeLine leaves the event as it was', () => {
	it('rounds a copy', () => {
		const op: ProtocolLine = {type: 'op.start', t: 5.55555, id: 9, parent: null, kind: 'timer', name: 't', timer: {delayMs: 1.23456, repeat: false}};
		serializeLine(op);
		expect(op).toEqual({type: 'op.start', t: 5.55555, id: 9, parent: null, kind: 'timer', name: 't', timer: {delayMs: 1.23456, repeat: false}});
	});
});
