import {writeSync} from 'node:fs';
import type {AsyncmonEvent, HeaderEvent} from '../protocol/events.js';
import {serializeOwnedLine} from '../protocol/ndjson.js';

/** How often buffered events reach the monitor; a SIGKILL loses at most this much. */
export const FLUSH_INTERVAL_MS = 50;
const MAX_BUFFERED = 4096;

/**
 * Buffers events and writes them to the monitor's pipe in batches, never one
 * syscall per event. Writes are synchronous so that nothing is lost at exit.
 */
export class EventSink {
	/** Runs right before each flush, to emit state that only a flush makes visible. */
	beforeFlush: (() => void) | null = null;
	private buffer: Array<AsyncmonEvent | HeaderEvent> = [];
	private broken = false;

	constructor(
		private readonly fd: number,
		/** Event times are relative to this `performance.now()` reading. */
		private readonly origin: number,
	) {}

	push(event: AsyncmonEvent | HeaderEvent): void {
		this.buffer.push(event);
		if (this.buffer.length >= MAX_BUFFERED) this.flush();
	}

	flush(): void {
		this.beforeFlush?.();
		if (this.buffer.length === 0 || this.broken) {
			this.buffer.length = 0;
			return;
		}
		const events = this.buffer;
		this.buffer = [];
		let text = '';
		for (const event of events) {
			shiftTimes(event, this.origin);
			text += serializeOwnedLine(event);
		}
		const data = Buffer.from(text);
		// Worker threads write to the same pipe: writes of whole lines up to PIPE_BUF never interleave.
		for (let start = 0; start < data.length && !this.broken; ) {
			const end = chunkEnd(data, start);
			this.write(data.subarray(start, end));
			start = end;
		}
	}

	private write(data: Buffer): void {
		let offset = 0;
		while (offset < data.length) {
			try {
				offset += writeSync(this.fd, data, offset);
			} catch (error) {
				const code = (error as NodeJS.ErrnoException).code;
				if (code === 'EAGAIN') {
					// The monitor is behind: wait for it without spinning a core.
					Atomics.wait(PAUSE, 0, 0, 1);
					continue;
				}
				// The monitor is gone (EPIPE): the script goes on, unobserved.
				this.broken = true;
				return;
			}
		}
	}
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** Linux's PIPE_BUF: a write this small to a pipe is atomic. */
const PIPE_BUF = 4096;

/** The end of the next chunk: whole lines up to PIPE_BUF, or one longer line alone. */
function chunkEnd(data: Buffer, start: number): number {
	if (data.length - start <= PIPE_BUF) return data.length;
	const lastNewline = data.lastIndexOf(0x0a, start + PIPE_BUF - 1);
	if (lastNewline >= start) return lastNewline + 1;
	const nextNewline = data.indexOf(0x0a, start);
	return nextNewline === -1 ? data.length : nextNewline + 1;
}

/** Events carry `performance.now()` readings until they are written: then they become times since t = 0. */
function shiftTimes(event: AsyncmonEvent | HeaderEvent, origin: number): void {
	if (event.type === 'header') return;
	event.t -= origin;
	switch (event.type) {
		case 'task.resume':
			event.readyAt -= origin;
			break;
		case 'block.start':
			event.detectedAt -= origin;
			break;
		case 'alive':
			event.idleSince -= origin;
			break;
	}
}
