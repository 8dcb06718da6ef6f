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

	it("a claim that says how it begins takes its own bytes: a child's before them in the pipe go out as they are, stamped when read", () => {
		const {output, out, at} = piped();
		const head = (text: string): Buffer => Buffer.from(text).subarray(0, 16);
		at(5);
		// `spawnSync('printf', ['child\\n'], {stdio: 'inherit'})`, then the script's own lines.
		output.read(Buffer.from('child\nline num'));
		output.claim(7, 14, head('line number 0\n'));
		// Its first bytes are not all read: it waits, and what stands before them with it.
		expect(out).toEqual([]);
		at(8);
		output.read(Buffer.from('ber 0\nline number 1\n'));
		output.claim(9, 14, head('line number 1\n'));
		expect(out).toEqual([
			[5, 'child\n'],
			[7, 'line number 0\n'],
			[9, 'line number 1\n'],
		]);
	});

	it('a claim whose first bytes are not read yet waits for them; if they never come, what is held goes out on the timer, and the claim counts it as out', () => {
		const {output, out, at} = piped();
		at(1);
		output.read(Buffer.from('abc'));
		output.claim(2, 4, Buffer.from('wxyz'));
		expect(out).toEqual([]);
		output.read(Buffer.from('wxyz'));
		expect(out).toEqual([
			[1, 'abc'],
			[2, 'wxyz'],
		]);
		at(10);
		output.read(Buffer.from('12345'));
		output.claim(11, 5, Buffer.from('nope'));
		expect(out).toHaveLength(2);
		at(10 + UNCLAIMED_WAIT_MS);
		vi.advanceTimersByTime(UNCLAIMED_WAIT_MS);
		expect(out.at(-1)).toEqual([10, '12345']);
		output.read(Buffer.from('next'));
		output.claim(600, 4, Buffer.from('next'));
		expect(out.at(-1)).toEqual([600, 'next']);
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
