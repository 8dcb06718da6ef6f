import {Buffer} from 'node:buffer';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {PipedOutput, UNCLAIMED_WAIT_MS} from '../../source/monitor/piped-output.js';
import type {OutputChunk} from '../../source/protocol/output-bytes.js';

/** A stream's output with a clock the test sets, and what it let out: [time, text]. */
function piped() {
	const out: Array<[number, string]> = [];
	let now = 0;
	const output = new PipedOutput(
		(t: number, chunk: OutputChunk) => out.push([t, chunk.text]),
		() => now,
		() => {},
	);
	return {output, out, at: (t: number) => (now = t)};
}

describe('the script’s output, read from its pipe, let out at the times its runtime tells', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('a claim lets out as many bytes as it counts, with its time, whichever of the two came first', () => {
		const {output, out, at} = piped();
		at(10);
		output.read(Buffer.from('one\ntwo\n'));
		expect(out).toEqual([]);
		output.claim(3, 4);
		output.claim(4, 6);
		expect(out).toEqual([[3, 'one\n']]);
		output.read(Buffer.from('three\n'));
		// The second claim was short of bytes until the pipe gave the rest.
		expect(out).toEqual([
			[3, 'one\n'],
			[4, 'two\nth'],
		]);
	});

	it('a character cut by a claim or a read stays text', () => {
		const {output, out} = piped();
		const bytes = Buffer.from('é!');
		output.read(bytes.subarray(0, 1));
		output.claim(1, 1);
		output.read(bytes.subarray(1));
		output.claim(2, 2);
		expect(out).toEqual([[2, 'é!']]);
	});

	it('bytes no claim came for go out after a while, stamped when read; a late claim counts them as out', () => {
		const {output, out, at} = piped();
		at(100);
		output.read(Buffer.from('raw\n'));
		at(100 + UNCLAIMED_WAIT_MS);
		vi.advanceTimersByTime(UNCLAIMED_WAIT_MS);
		expect(out).toEqual([[100, 'raw\n']]);
		output.claim(90, 4);
		output.read(Buffer.from('next\n'));
		output.claim(700, 5);
		expect(out).toEqual([
			[100, 'raw\n'],
			[700, 'next\n'],
		]);
	});

	it('a chunk is never stamped earlier than the one before it: a raw write a claim cut keeps its place', () => {
		const {output, out, at} = piped();
		at(100);
		// A child sharing the pipe wrote first; the script's own write of 3 bytes at 300 claims the first 3 of them.
		output.read(Buffer.from('child\n'));
		at(300);
		output.read(Buffer.from('me\n'));
		output.claim(300, 3);
		output.end();
		expect(out).toEqual([
			[300, 'chi'],
			[300, 'ld\nme\n'],
		]);
	});

	it('at the end every byte still held goes out, told or not (a script killed before it could tell)', () => {
		const {output, out, at} = piped();
		at(5);
		output.read(Buffer.from('last words\n'));
		output.claim(1, 5);
		at(6);
		output.end();
		expect(out).toEqual([
			[1, 'last '],
			[5, 'words\n'],
		]);
	});
});
