import {Buffer} from 'node:buffer';
import type {OutputEvent} from '../protocol/events.js';
import {OutputDecoder, type OutputChunk} from '../protocol/output-bytes.js';
import type {Tracker} from './tracker.js';

type Write = typeof process.stdout.write;

/** Node writes a string in this encoding, or none, as UTF-8: such a string is the text itself. */
const UTF8 = /^utf-?8$/i;

/**
 * The script's writes to process.stdout and process.stderr become output
 * events, in order with everything else it does, byte for byte: what it
 * writes as Buffers or in other encodings is kept as the bytes Node would
 * have written. The monitor decides where they are shown; raw writes to fd
 * 1 and 2 still reach it through the pipes. Returns what ends the capture
 * at exit: a character cut off by the last write still goes out.
 */
export function captureOutput(tracker: Tracker): () => void {
	const ends: Array<() => void> = [];
	for (const stream of ['stdout', 'stderr'] as const) {
		const decoder = new OutputDecoder();
		const emit = (chunk: OutputChunk | null): void => {
			if (!chunk) return;
			const event: OutputEvent = {type: 'output', t: performance.now(), stream, text: chunk.text};
			if (chunk.base64 !== undefined) event.base64 = chunk.base64;
			tracker.emit(event);
		};
		const write = function (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean {
			const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : undefined;
			if (typeof chunk === 'string' && (encoding === undefined || UTF8.test(encoding))) {
				// The text itself: the common case costs no encoding. Half a character written before it goes first.
				emit(decoder.end());
				emit({text: chunk});
			} else {
				emit(decoder.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding as BufferEncoding) : bytesOf(chunk)));
			}
			const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
			if (typeof done === 'function') process.nextTick(done as () => void);
			return true;
		};
		process[stream].write = write as Write;
		ends.push(() => emit(decoder.end()));
	}
	return () => {
		for (const end of ends) end();
	};
}

function bytesOf(chunk: unknown): Uint8Array {
	if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
	return Buffer.from(String(chunk));
}
