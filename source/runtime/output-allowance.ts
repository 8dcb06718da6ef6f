import {Buffer} from 'node:buffer';
import type {SkippedOutput} from '../protocol/events.js';
import {outputByteLength, outputBytes, outputChunk, type OutputChunk} from '../protocol/output-bytes.js';

/** A followed process's copy of one stream sends at most this many bytes, in this many writes, as they are made, per window. */
export const COPIED_BYTES_PER_WINDOW = 4096;
export const COPIED_WRITES_PER_WINDOW = 64;
export const COPY_WINDOW_MS = 50;
/** Past the allowance, the latest this many bytes written wait for the next flush; the older ones are only counted. */
export const HELD_BYTES = 4096;

/** A chunk of a lane's copy, after what the copy left out before it. */
export type CopiedChunk = OutputChunk & {skipped?: SkippedOutput};

/**
 * What of one stream a followed process's copy of its output sends (see copyOutput), so that a chatty child
 * cannot crowd its own events out of the lane writer's 4 MB: within the allowance (bytes and writes per window),
 * each write as it is made;
 * past it, until the next flush, only the latest HELD_BYTES, the rest counted (bytes and line breaks). What
 * matters of a lane's output is its tail, and its size. Not for the script's own output, which is all sent.
 */
export class OutputAllowance {
	private left = COPIED_BYTES_PER_WINDOW;
	private writesLeft = COPIED_WRITES_PER_WINDOW;
	private windowStart = -Infinity;
	private held: Buffer[] = [];
	private heldBytes = 0;
	private skipped: SkippedOutput = {bytes: 0, lines: 0};
	private lifted = false;

	constructor(private readonly send: (chunk: CopiedChunk) => void) {}

	/** A chunk written at `now` (performance.now()): sent, or held for the next flush behind what is held already. */
	take(chunk: OutputChunk, now: number): void {
		if (this.held.length > 0) return this.hold(outputBytes(chunk));
		if (now - this.windowStart >= COPY_WINDOW_MS) {
			this.windowStart = now;
			this.left = COPIED_BYTES_PER_WINDOW;
			this.writesLeft = COPIED_WRITES_PER_WINDOW;
		}
		const size = outputByteLength(chunk);
		// Many small writes (a progress bar's dots) would be as many events: past their count they are held, and go as one.
		if (!this.lifted && (size > this.left || this.writesLeft === 0)) return this.hold(outputBytes(chunk));
		this.left -= size;
		this.writesLeft--;
		this.send(chunk);
	}

	/** What was held since the last flush, as one chunk that says what was left out before it; null when nothing was. */
	release(): CopiedChunk | null {
		if (this.held.length === 0) return null;
		const data = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held);
		this.held = [];
		this.heldBytes = 0;
		const cut = keptFrom(data, data.length - HELD_BYTES);
		this.skip(data.subarray(0, cut));
		const chunk: CopiedChunk = outputChunk(data.subarray(cut));
		if (this.skipped.bytes > 0) chunk.skipped = this.skipped;
		this.skipped = {bytes: 0, lines: 0};
		return chunk;
	}

	/** The process is exiting: from here on every write is sent as it is made (its last words are what a lane's tail shows). */
	lift(): void {
		this.lifted = true;
	}

	private hold(bytes: Buffer): void {
		this.held.push(bytes);
		this.heldBytes += bytes.length;
		// Whole writes go while the later ones still hold enough; release() cuts the first of them to size.
		while (this.heldBytes - this.held[0]!.length >= HELD_BYTES) {
			const dropped = this.held.shift()!;
			this.heldBytes -= dropped.length;
			this.skip(dropped);
		}
	}

	private skip(bytes: Buffer): void {
		this.skipped.bytes += bytes.length;
		for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) this.skipped.lines++;
	}
}

/**
 * Where the kept tail of `data` starts, at `from` or after: at a line's start when one begins there (the tail
 * then holds whole lines), else at a character's, so that a cut never splits one.
 */
function keptFrom(data: Buffer, from: number): number {
	if (from <= 0) return 0;
	const lineBreak = data.indexOf(10, from - 1);
	if (lineBreak !== -1 && lineBreak < data.length - 1) return lineBreak + 1;
	let at = from;
	// UTF-8 continuation bytes: a character has at most three.
	while (at < data.length && at < from + 3 && (data[at]! & 0xc0) === 0x80) at++;
	return at;
}
