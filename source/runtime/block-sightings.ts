/** What a look at the main thread found running: a task's id, or null for code of no task's (a library resumed, a callback). */
export type Sighting = number | null;

/**
 * What the watchdog saw running at each of its looks through a silence of the loop (since its last beat), which it
 * may come to tell as a block. The block is the one seen most, not the last: the loop turns only after the blocking
 * code and the microtasks it settled (the awaiting task's resume, then the top level's) have run, and a look in that
 * moment finds one of those, briefly, after a long block of no task's. Nor only those seen once it was told: a
 * watchdog that got a CPU late tells a block as it ends, and its first looks then find what ran last (a loop of
 * awaits, then the call after it). A tie goes to the one seen first.
 */
export class BlockSightings {
	private readonly counts = new Map<Sighting, number>();
	private most: Sighting;
	/** The latest moment (epoch ms) the thread was seen at work in the silence: its end is no earlier. */
	private busy = Number.NEGATIVE_INFINITY;

	constructor(first: Sighting, at: number) {
		this.counts.set(first, 1);
		this.most = first;
		if (first !== null) this.busy = at;
	}

	/** A look at `at` (epoch ms) found `sighting` running. */
	add(sighting: Sighting, at: number): void {
		const count = (this.counts.get(sighting) ?? 0) + 1;
		this.counts.set(sighting, count);
		if (count > this.counts.get(this.most)!) this.most = sighting;
		if (sighting !== null) this.sawBusy(at);
	}

	/** The thread was at work at `at` (epoch ms): a task's code ran, or a read of its stack found code of the user's. */
	sawBusy(at: number): void {
		this.busy = Math.max(this.busy, at);
	}

	/** The block's task as the looks saw it: null when code of no task's ran most of it. */
	mostSeen(): Sighting {
		return this.most;
	}

	/** The latest moment the thread was seen at work, or -Infinity. */
	busyUntil(): number {
		return this.busy;
	}
}
