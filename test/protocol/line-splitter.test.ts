import {describe, expect, it} from 'vitest';
import {decodeLine} from '../../source/protocol/decode.js';
import type {ProtocolLine} from '../../source/protocol/events.js';
import {serializeLine} from '../../source/protocol/encode.js';
import {LineSplitter} from '../../source/protocol/line-splitter.js';

function split(chunks: string[]): {lines: string[]; rest: string} {
	const splitter = new LineSplitter();
	const lines: string[] = [];
	for (const chunk of chunks) splitter.push(chunk, line => lines.push(line));
	return {lines, rest: splitter.rest()};
}

describe('LineSplitter', () => {
	it('splits a chunk holding several whole lines', () => {
		expect(split(['{"a":1}\n{"b":2}\n'])).toEqual({lines: ['{"a":1}', '{"b":2}'], rest: ''});
	});

	it('joins a line split across chunk boundaries', () => {
		expect(split(['{"a":', '1}\n{"b"', ':2}', '\n'])).toEqual({lines: ['{"a":1}', '{"b":2}'], rest: ''});
	});

	it('joins a line split across many chunks with no newline in between', () => {
		expect(split(['a', 'b', 'c', 'd\ne'])).toEqual({lines: ['abcd'], rest: 'e'});
	});

	it('gives the same lines for every way of cutting the stream', () => {
		const text = '{"type":"task.start","t":1}\n{"type":"output","text":"é ✓"}\n\n{"type":"exit"}\n';
		const expected = text.split('\n').slice(0, -1);
		for (let cut = 0; cut <= text.length; cut++) {
			expect(split([text.slice(0, cut), text.slice(cut)]).lines, `cut at ${cut}`).toEqual(expected);
		}
		expect(split([...text]).lines).toEqual(expected);
	});

	it('keeps empty lines, and a chunk that is only a newline ends the pending line', () => {
		expect(split(['x', '\n', '\n', 'y\n'])).toEqual({lines: ['x', '', 'y'], rest: ''});
	});

	it('rest() hands back a final line without newline, once', () => {
		const splitter = new LineSplitter();
		const lines: string[] = [];
		splitter.push('one\ntwo', line => lines.push(line));
		expect(lines).toEqual(['one']);
		expect(splitter.rest()).toBe('two');
		expect(splitter.rest()).toBe('');
	});

	it('round-trips through LineSplitter', () => {
		const events: ProtocolLine[] = [
			{type: 'task.start', t: 0.5, id: 2, parent: 1, kind: 'task', name: 'main()', loc: 'a.ts:1:1'},
			{type: 'output', t: 1, stream: 'stderr', text: 'x\ny'},
			{type: 'exit', t: 2, code: 0, signal: null},
		];
		const text = events.map(serializeLine).join('');
		const {lines, rest} = split([text.slice(0, 17), text.slice(17, 60), text.slice(60)]);
		expect(rest).toBe('');
		expect(lines.flatMap(line => decodeLine(line) as ProtocolLine[])).toEqual(events);
	});
});
