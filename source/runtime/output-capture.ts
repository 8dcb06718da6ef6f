import {Buffer} from 'node:buffer';
import {WROTE_HEAD_BYTES, type OutputEvent} from '../protocol/events.js';
import {OutputDecoder, type OutputChunk} from '../protocol/output-bytes.js';
import {OutputAllowance, type CopiedChunk} from './output-allowance.js';
import type {Tracker} from './tracker.js';

type Write = typeof process.stdout.write;

const STREAMS = ['stdout', 'stderr'] as const;

/** Node writes a string in this encoding, or none, as UTF-8: such a string is the text itself. */
const UTF8 = /^utf-?8$/i;

/** Writes this close together, with nothing else between them, are told in one `wrote` line. */
const SAME_WRITE_MS = 1;

/**
 * The script's writes to process.stdout and process.stderr go where they go
 * under node, down its own pipes to the monitor, at once: what the script
 * printed before it died (a SIGKILL, an OOM) is in the pipe, and a reader that
 * went away (`| head`) makes its next write fail with EPIPE, as under node.
 * Each write is told as a `wrote` event, in order with everything else the
 * script does, which the monitor reads as the time of its bytes. A pipe whose
 * bytes end in a terminal or a file (`blocking`) is written synchronously, as
 * node writes those: Node queues what a full pipe cannot take, and a
 * `process.exit()` drops the queue.
 */
export function captureOutput(tracker: Tracker, blocking?: {stdout: boolean; stderr: boolean}, inPane = false): void {
	for (const stream of STREAMS) {
		if (blocking?.[stream]) setBlocking(process[stream]);
		const original = process[stream].write;
		process[stream].write = function (this: NodeJS.WriteStream, ...args: unknown[]): boolean {
			const t = performance.now();
			// What Node refuses to write (a number, say) throws here, and is not told.
			const result = (inPane ? tracker.writeToMonitor(() => Reflect.apply(original, this, args)) : Reflect.apply(original, this, args)) as boolean;
			const bytes = byteLengthOf(args[0], args[1]);
			// Printing is the script at work, task or none (an event's listener, a subscriber's message): no idle loop.
			tracker.lastActivityAt = t;
			const last = tracker.lastBuffered();
			// A burst of writes is one line, not one per write (a buffered line's t is still a performance.now() reading).
			if (last?.type === 'wrote' && last.stream === stream && t - last.t < SAME_WRITE_MS) last.bytes += bytes;
			else if (bytes > 0) tracker.emit({type: 'wrote', t, stream, bytes, head: headOf(args[0], args[1])});
			return result;
		} as Write;
	}
}

/** A pipe's writes wait until the pipe takes them (libuv's uv_stream_set_blocking), as Node makes them on Windows. */
function setBlocking(stream: NodeJS.WriteStream): void {
	(stream as unknown as {_handle?: {setBlocking?: (blocking: boolean) => number}})._handle?.setBlocking?.(true);
}

/**
 * A followed process writes to process.stdout and process.stderr itself, and its bytes go where they go under
 * node (its parent's pipe, the terminal, a file); a copy of them, byte for byte, goes to its lane as output
 * events naming the lane's root, `lane`. The copy is bounded (OutputAllowance): what it held back goes out at the
 * tracker's flushes. Returns what ends the copy as the process exits: from then on every write is copied as made.
 */
export function copyOutput(tracker: Tracker): () => void {
	const lane = tracker.root.id;
	const copies = STREAMS.map(stream => {
		const event = (chunk: CopiedChunk): OutputEvent => ({type: 'output', t: performance.now(), stream, ...chunk, lane});
		const allowance = new OutputAllowance(chunk => tracker.emit(event(chunk)));
		const written = new WrittenBytes(chunk => allowance.take(chunk, performance.now()));
		const original = process[stream].write;
		process[stream].write = function (this: NodeJS.WriteStream, ...args: unknown[]): boolean {
			// What Node refuses to write (a number, say) throws here, and is not copied.
			const result = Reflect.apply(original, this, args) as boolean;
			written.write(args[0], args[1]);
			return result;
		} as Write;
		tracker.addFlushSource(() => {
			const held = allowance.release();
			return held ? [event(held)] : [];
		});
		return {written, allowance};
	});
	return () => {
		for (const {written, allowance} of copies) {
			written.end();
			allowance.lift();
		}
	};
}

/**
 * One stream's writes as output chunks, byte for byte: what is written as Buffers or in other encodings is kept
 * as the bytes Node writes, and a character split across two writes is carried to the next (OutputDecoder).
 */
class WrittenBytes {
	private readonly decoder = new OutputDecoder();

	constructor(private readonly emit: (chunk: OutputChunk) => void) {}

	/** The chunk of one `write(chunk, encoding?, callback?)` call. */
	write(chunk: unknown, encodingOrCallback?: unknown): void {
		const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : undefined;
		if (typeof chunk === 'string' && (encoding === undefined || UTF8.test(encoding))) {
			// The text itself: the common case costs no encoding. Half a character written before it goes first.
			this.end();
			this.emit({text: chunk});
		} else {
			this.pass(this.decoder.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding as BufferEncoding) : bytesOf(chunk)));
		}
	}

	/** What is still carried: at exit, a character cut off by the last write goes out as it is. */
	end(): void {
		this.pass(this.decoder.end());
	}

	private pass(chunk: OutputChunk | null): void {
		if (chunk) this.emit(chunk);
	}
}

/** A write's first bytes, base64 (see WroteEvent.head): of a string, its first characters' bytes, as Node encodes them. */
function headOf(chunk: unknown, encodingOrCallback: unknown): string {
	const bytes = typeof chunk === 'string' ? Buffer.from(chunk.slice(0, WROTE_HEAD_BYTES), typeof encodingOrCallback === 'string' ? (encodingOrCallback as BufferEncoding) : 'utf8') : bytesOf(chunk);
	return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, WROTE_HEAD_BYTES)).toString('base64');
}

/** How many bytes one `write(chunk, encoding?)` call puts in the pipe. */
function byteLengthOf(chunk: unknown, encodingOrCallback: unknown): number {
	if (typeof chunk === 'string') return Buffer.byteLength(chunk, typeof encodingOrCallback === 'string' ? (encodingOrCallback as BufferEncoding) : 'utf8');
	return bytesOf(chunk).byteLength;
}

function bytesOf(chunk: unknown): Uint8Array {
	if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
	return Buffer.from(String(chunk));
}
