import type {AsyncmonEvent, HeaderEvent} from '../protocol/events.js';
import {serializeOwnedLine} from '../protocol/encode.js';
import {PipeWriter} from './pipe-writer.js';

/** How often buffered events reach the monitor; a SIGKILL loses at most this much. */
export const FLUSH_INTERVAL_MS = 50;
const MAX_BUFFERED = 4096;

/**
 * Buffers events and writes them to the monitor's pipe in batches, never one
 * syscall per event; `flushNow` makes sure nothing is lost at exit.
 */
export class EventSink {
	/**
	 * Runs right before each flush, to emit state that only a flush makes
	 * visible. `midBurst`: the buffer filled up inside the script's synchronous
	 * code, not between its callbacks.
	 */
	beforeFlush: ((midBurst: boolean) => void) | null = null;
	/** Runs a flush as asyncmon's own work, not the script's (see Tracker.ownWork). */
	ownWork: <T>(fn: () => T) => T = fn => fn();
	private buffer: Array<AsyncmonEvent | HeaderEvent> = [];
	private readonly writer: PipeWriter;

	constructor(
		fd: number,
		/** Event times are relative to this `performance.now()` reading. */
		private readonly origin: number,
		/** The pipe writer thread's code, for the main thread; null in worker threads, which write themselves. */
		writerFile: URL | null = null,
	) {
		this.writer = new PipeWriter(fd, writerFile);
	}

	push(event: AsyncmonEvent | HeaderEvent): void {
		this.buffer.push(event);
		if (this.buffer.length >= MAX_BUFFERED) this.flush(true);
	}

	flush(midBurst = false): void {
		this.ownWork(() => {
			this.beforeFlush?.(midBurst);
			const heldMs = this.writer.takeHeldBackMs();
			if (heldMs > 0) this.buffer.push({type: 'backpressure', t: performance.now(), heldMs});
			if (this.buffer.length === 0) return;
			const events = this.buffer;
			this.buffer = [];
			let text = '';
			for (const event of events) {
				shiftTimes(event, this.origin);
				text += serializeOwnedLine(event);
			}
			this.writer.write(ENCODER.encode(text));
		});
	}

	/** Flushes, then waits until everything reached the pipe: at exit, on a crash or a signal. */
	flushNow(): void {
		this.flush();
		this.writer.drain();
	}
}

const ENCODER = new TextEncoder();

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
