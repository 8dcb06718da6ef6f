import {Buffer, isUtf8} from 'node:buffer';
import type {OutputEvent} from './events.js';

/** The byte part of an `output` event: its text, and its exact bytes when they are not valid UTF-8. */
export type OutputChunk = Pick<OutputEvent, 'text' | 'base64'>;

/**
 * Turns one stream's bytes into `output` chunks, byte for byte: UTF-8 as
 * text, anything else as base64 beside its text. A character split across
 * two chunks (a pipe read or two writes may cut one anywhere) is carried to
 * the next chunk of the same stream, as Node's StringDecoder does, so it
 * stays text.
 */
export class OutputDecoder {
	private carry: Buffer | null = null;

	/** The chunk `bytes` make with what was carried, or null when all of it waits for the next. */
	push(bytes: Uint8Array): OutputChunk | null {
		const data = this.carry ? Buffer.concat([this.carry, bytes]) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
		const end = data.length - incompleteTail(data);
		this.carry = end < data.length ? Buffer.from(data.subarray(end)) : null;
		return end === 0 ? null : outputChunk(data.subarray(0, end));
	}

	/**
	 * What is still carried, at the end of the stream, or before text written
	 * as a string: UTF-8 text starts with no continuation byte, so it cannot
	 * complete what was carried.
	 */
	end(): OutputChunk | null {
		const carry = this.carry;
		this.carry = null;
		return carry ? outputChunk(carry) : null;
	}
}

/** The exact bytes an `output` event stands for. */
export function outputBytes(event: OutputChunk): Buffer {
	return event.base64 === undefined ? Buffer.from(event.text, 'utf8') : Buffer.from(event.base64, 'base64');
}

/** How many bytes an `output` event stands for, without making them. */
export function outputByteLength(event: OutputChunk): number {
	return event.base64 === undefined ? Buffer.byteLength(event.text, 'utf8') : Buffer.byteLength(event.base64, 'base64');
}

/** Bytes as an `output` chunk: text alone when they are UTF-8. */
export function outputChunk(bytes: Buffer): OutputChunk {
	const text = bytes.toString('utf8');
	return isUtf8(bytes) ? {text} : {text, base64: bytes.toString('base64')};
}

/**
 * How many bytes at the end of `data` begin a UTF-8 character that the next
 * chunk may complete: a lead byte and fewer continuation bytes than it needs.
 */
function incompleteTail(data: Uint8Array): number {
	for (let back = 1; back <= Math.min(3, data.length); back++) {
		const byte = data[data.length - back]!;
		if ((byte & 0xc0) === 0x80) continue;
		const needs = byte >= 0xf0 ? (byte <= 0xf4 ? 4 : 1) : byte >= 0xe0 ? 3 : byte >= 0xc2 ? 2 : 1;
		return needs > back ? back : 0;
	}
	return 0;
}
