import type {Ms} from '../protocol/events.js';

/**
 * How far behind the latest event time a line may still arrive. The child
 * writes its events a batch at a time: the main thread and each worker flush
 * every 50 ms, a wait is sent at the flush with the time it began, and a
 * long callback holds its thread's batch until it returns. Lines older than
 * this by the stream's own clock are printed.
 */
export const REORDER_WINDOW_MS = 250;

interface Held<T> {
	t: Ms;
	item: T;
}

/**
 * Puts plain mode's lines in the order of their times. Each line is held
 * until the stream has moved REORDER_WINDOW_MS past it, and while the loop
 * is blocked, until the block ends: the blocked thread still holds the
 * events of the moments before it. Which lines are let go depends on the
 * stream alone, never on when it was read, so a replay of a recording prints
 * exactly what the live run printed. Lines of one time keep their order.
 */
export class TimeOrder<T> {
	/** Sorted by time; among equal times, in the order they came. */
	private readonly held: Array<Held<T>> = [];
	private latest = Number.NEGATIVE_INFINITY;
	/** Blocks under way, by id: their starts. */
	private readonly openBlocks = new Map<number, Ms>();

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
		this.releaseUpTo(this.horizon());
	}

	blockStarted(id: number, t: Ms): void {
		this.openBlocks.set(id, t);
	}

	blockEnded(id: number): void {
		this.openBlocks.delete(id);
	}

	/** The end of the stream: everything held, in order. */
	drain(): void {
		this.openBlocks.clear();
		this.releaseUpTo(Number.POSITIVE_INFINITY);
	}

	private horizon(): Ms {
		let until = this.latest;
		for (const start of this.openBlocks.values()) if (start < until) until = start;
		return until - this.windowMs;
	}

	private releaseUpTo(horizon: Ms): void {
		let count = 0;
		while (count < this.held.length && this.held[count]!.t <= horizon) count++;
		if (count === 0) return;
		for (const {item} of this.held.splice(0, count)) this.release(item);
	}
}
