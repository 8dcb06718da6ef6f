import {writeSync} from 'node:fs';
import type {AsyncmonEvent, HeaderEvent} from '../protocol/events.js';
import {serializeLine} from '../protocol/ndjson.js';

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
			if ('t' in event) event.t -= this.origin;
			shiftTimes(event, this.origin);
			text += serializeLine(event);
		}
		this.write(Buffer.from(text));
	}

	private write(data: Buffer): void {
		let offset = 0;
		while (offset < data.length) {
			try {
				offset += writeSync(this.fd, data, offset);
			} catch (error) {
				const code = (error as NodeJS.ErrnoException).code;
				if (code === 'EAGAIN') continue;
				// The monitor is gone (EPIPE): the script goes on, unobserved.
				this.broken = true;
				return;
			}
		}
	}
}

/** Fields other than `t` that hold absolute `performance.now()` times. */
function shiftTimes(event: AsyncmonEvent | HeaderEvent, origin: number): void {
	switch (event.type) {
		case 'task.resume':
			event.readyAt -= origin;
			break;
		case 'block.start':
			event.detectedAt -= origin;
			break;
	}
}
