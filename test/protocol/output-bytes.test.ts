import {describe, expect, it} from 'vitest';
import {OutputDecoder, outputBytes, type OutputChunk} from '../../source/protocol/output-bytes.js';

/** Every way to cut `bytes` in two, through one decoder: the chunks it makes. */
function cutInTwo(bytes: Buffer, at: number): OutputChunk[] {
	const decoder = new OutputDecoder();
	return [decoder.push(bytes.subarray(0, at)), decoder.push(bytes.subarray(at)), decoder.end()].filter(chunk => chunk !== null);
}

const reassembled = (chunks: OutputChunk[]) => Buffer.concat(chunks.map(outputBytes));

describe('OutputDecoder', () => {
	it('keeps UTF-8 as text, wherever a character is cut', () => {
		const text = 'a€😀é\n';
		const bytes = Buffer.from(text);
		for (let at = 0; at <= bytes.length; at++) {
			const chunks = cutInTwo(bytes, at);
			expect(chunks.every(chunk => chunk.base64 === undefined)).toBe(true);
			expect(chunks.map(chunk => chunk.text).join('')).toBe(text);
		}
	});

	it('carries bytes that are no UTF-8 as base64, and loses none', () => {
		const bytes = Buffer.from([0x41, 0xff, 0x00, 0xe2, 0x82, 0x41, 0xc3, 0x80, 0xf0, 0x9f]);
		for (let at = 0; at <= bytes.length; at++) expect(reassembled(cutInTwo(bytes, at)).equals(bytes)).toBe(true);
		// The last two bytes may begin a character: they wait, and the end of the stream lets them go as they are.
		expect(cutInTwo(bytes, bytes.length)).toEqual([
			{text: 'A\uFFFD\u0000\uFFFDA\u00C0', base64: bytes.subarray(0, 8).toString('base64')},
			{text: '\uFFFD', base64: bytes.subarray(8).toString('base64')},
		]);
	});

	it('lets what it carries go at the end, once', () => {
		const decoder = new OutputDecoder();
		expect(decoder.push(Buffer.from([0xe2, 0x82]))).toBeNull();
		expect(decoder.end()).toEqual({text: '\uFFFD', base64: '4oI='});
		expect(decoder.end()).toBeNull();
	});
});
