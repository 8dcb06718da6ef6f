/** What a look at the main thread found running: a task's id, or null for code of no task's (a library resumed, a callback). */
export type Sighting = number | null;

/**
 * What the watchdog saw running at each of its looks while a block lasted. The block is the one seen most, not the
 * last: the loop turns only after the blocking code and the microtasks it settled (the awaiting task's resume, then
 * the top level's) have run, and a look in that moment finds one of those, briefly, after a long block of no task's.
 * A tie goes to the one seen first.
 */
export class BlockSightings {
	private readonly counts = new Map<Sighting, number>();
	private most: Sighting = null;

	constructor(first: Sighting) {
		this.counts.set(first, 1);
		this.most = first;
	}

	add(sighting: Sighting): void {
		const count = (this.counts.get(sighting) ?? 0) + 1;
		this.counts.set(sighting, count);
		if (count > this.counts.get(this.most)!) this.most = sighting;
	}

	/** The block's task as the looks saw it: null when code of no task's ran most of it. */
	mostSeen(): Sighting {
		return this.most;
	}
}
