import type {Ms} from '../protocol/events.js';

/**
 * How far behind the latest event time a line may still arrive. The child
 * writes its events a batch at a time: the main thread and each worker flush
 * every 10 ms, and a wait is sent at the flush with the time it began. Lines
 * older than this by the stream's own clock are printed.
 */
export const REORDER_WINDOW_MS = 250;

interface Held<T> {
	t: Ms;
	item: T;
}

/**
 * Puts plain mode's lines in the order of their times. Each line is held
 * until the stream has moved REORDER_WINDOW_MS past it. A block is news, told
 * while it lasts: when the watchdog reports one, every line up to then goes at
 * once. What the blocked thread still held from the moments before the block
 * arrives after it ends, and goes late, out of order, the one exception.
 * Which lines are let go depends on the stream alone, never on when it was
 * read, so a replay of a recording prints exactly what the live run printed.
 * Lines of one time keep their order.
 */
export class TimeOrder<T> {
	/** Sorted by time; among equal times, in the order they came. */
	private readonly held: Array<Held<T>> = [];
	private latest = Number.NEGATIVE_INFINITY;

	constructor(
		private readonly release: (item: T) => void,
		private readonly windowMs = REORDER_WINDOW_MS,
	) {}

	/** Holds a line of time `t` until no earlier one can come. */
	hold(t: Ms, item: T): void {
		let at = this.held.length;
		// Lines come nearly in order: the place is found from the end.
		while (at > 0 && this.held[at - 1]!.t > t) at--;
		this.held.splice(at, 0, {t, item});
	}

	/** The stream reached `t`: lines far enough behind it are let go. */
	reached(t: Ms): void {
		if (t > this.latest) this.latest = t;
		this.releaseUpTo(this.latest - this.windowMs);
	}

	/** The watchdog reported a block at `detectedAt`: everything up to then goes now, so its line can be told while it lasts. */
	blockDetected(detectedAt: Ms): void {
		if (detectedAt > this.latest) this.latest = detectedAt;
		this.releaseUpTo(detectedAt);
	}

	/** The end of the stream: everything held, in order. */
	drain(): void {
		this.releaseUpTo(Number.POSITIVE_INFINITY);
	}

	private releaseUpTo(horizon: Ms): void {
		let count = 0;
		while (count < this.held.length && this.held[count]!.t <= horizon) count++;
		if (count === 0) return;
		for (const {item} of this.held.splice(0, count)) this.release(item);
	}
}
