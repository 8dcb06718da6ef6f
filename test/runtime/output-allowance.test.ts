import {describe, expect, it} from 'vitest';
import {outputBytes, outputChunk} from '../../source/protocol/output-bytes.js';
import {COPIED_BYTES_PER_WINDOW, COPIED_WRITES_PER_WINDOW, COPY_WINDOW_MS, HELD_BYTES, OutputAllowance, type CopiedChunk} from '../../source/runtime/output-allowance.js';

function allowance() {
	const sent: CopiedChunk[] = [];
	return {sent, copy: new OutputAllowance(chunk => sent.push(chunk))};
}

const line = (i: number): string => `line ${String(i).padStart(5, '0')} ${'·'.repeat(40)}\n`;

describe('OutputAllowance: a followed process copies its output to its lane within bounds', () => {
	it('sends each write as it is made while the window allows, and again in the next window', () => {
		const {sent, copy} = allowance();
		copy.take({text: 'hello\n'}, 0);
		copy.take({text: 'x'.repeat(COPIED_BYTES_PER_WINDOW - 6)}, 1);
		expect(sent).toEqual([{text: 'hello\n'}, {text: 'x'.repeat(COPIED_BYTES_PER_WINDOW - 6)}]);
		copy.take({text: 'next window\n'}, COPY_WINDOW_MS);
		expect(sent.at(-1)).toEqual({text: 'next window\n'});
		expect(copy.release()).toBeNull();
	});

	it('past the allowance, holds the latest bytes for the flush, from a line start, and counts what it left out', () => {
		const {sent, copy} = allowance();
		const lines = Array.from({length: 5000}, (_, i) => line(i));
		for (const text of lines) copy.take({text}, 1);
		const all = Buffer.from(lines.join(''));
		const sentBytes = Buffer.concat(sent.map(outputBytes));
		const held = copy.release()!;
		const heldBytes = outputBytes(held);
		// Nothing lost but what it counted: sent, skipped and held are every byte, in order.
		expect(sentBytes.length + held.skipped!.bytes + heldBytes.length).toBe(all.length);
		expect(all.subarray(0, sentBytes.length).equals(sentBytes)).toBe(true);
		expect(all.subarray(all.length - heldBytes.length).equals(heldBytes)).toBe(true);
		expect(held.skipped!.lines).toBe(all.subarray(sentBytes.length, sentBytes.length + held.skipped!.bytes).toString().split('\n').length - 1);
		// The tail is whole lines, the last ones, within the bound.
		expect(heldBytes.length).toBeLessThanOrEqual(HELD_BYTES);
		expect(held.text.startsWith('line ')).toBe(true);
		expect(held.text.endsWith(lines.at(-1)!)).toBe(true);
		expect(sentBytes.length).toBeLessThanOrEqual(COPIED_BYTES_PER_WINDOW);
		// Released once; the count starts again.
		expect(copy.release()).toBeNull();
	});

	it('past its count of writes a window, holds small writes too, and sends them as one chunk at the flush', () => {
		const {sent, copy} = allowance();
		for (let i = 0; i < COPIED_WRITES_PER_WINDOW + 100; i++) copy.take({text: '.'}, 1);
		expect(sent).toHaveLength(COPIED_WRITES_PER_WINDOW);
		expect(copy.release()).toEqual({text: '.'.repeat(100)});
	});

	it('what comes after held bytes waits behind them, so the copy stays in order', () => {
		const {sent, copy} = allowance();
		copy.take({text: 'a'.repeat(COPIED_BYTES_PER_WINDOW + 1)}, 0);
		copy.take({text: 'later\n'}, COPY_WINDOW_MS * 3);
		expect(sent).toEqual([]);
		expect(copy.release()).toEqual({text: `${'a'.repeat(COPIED_BYTES_PER_WINDOW + 1)}later\n`.slice(-HELD_BYTES), skipped: {bytes: COPIED_BYTES_PER_WINDOW + 7 - HELD_BYTES, lines: 0}});
	});

	it('never cuts a character in two, and keeps bytes that are not UTF-8 exact', () => {
		const {copy} = allowance();
		const snowmen = Buffer.from('☃'.repeat(COPIED_BYTES_PER_WINDOW));
		copy.take({text: snowmen.toString()}, 0);
		const held = copy.release()!;
		expect(held.base64).toBeUndefined();
		expect(held.text).toBe('☃'.repeat(held.text.length));
		expect(held.skipped!.bytes + Buffer.byteLength(held.text)).toBe(snowmen.length);
		const binary = Buffer.alloc(COPIED_BYTES_PER_WINDOW * 2, 0xff);
		copy.take(outputChunk(binary), COPY_WINDOW_MS);
		const bytes = copy.release()!;
		expect(Buffer.from(bytes.base64!, 'base64').equals(binary.subarray(binary.length - HELD_BYTES))).toBe(true);
		expect(bytes.skipped).toEqual({bytes: binary.length - HELD_BYTES, lines: 0});
	});

	it('once lifted (the process exits), sends every write as it is made', () => {
		const {sent, copy} = allowance();
		copy.lift();
		const big = 'z'.repeat(COPIED_BYTES_PER_WINDOW * 3);
		copy.take({text: big}, 0);
		copy.take({text: 'bye\n'}, 0);
		expect(sent).toEqual([{text: big}, {text: 'bye\n'}]);
	});
});
