import type {Ms} from '../protocol/events.js';
import type {Intervals} from './state.js';

type PackedIntervals = Pick<Intervals, 'data' | 'count'>;

/**
 * The most intervals open at once; one ending at the instant another starts does not overlap it. `packed`
 * adds intervals kept packed (folded ones, by the million), read where they lie: their starts and ends are
 * each in order when the calls came one after another, and are copied and sorted apart only when not. No
 * object is made per interval, nor a merged copy (a million tasks' summary took 50 ms copying).
 */
export function maxOverlap(intervals: ReadonlyArray<readonly [start: Ms, end: Ms]>, packed?: PackedIntervals): number {
	const starts = new SortedTimes(packed, 0, Float64Array.from(intervals, ([start]) => start).sort());
	const ends = new SortedTimes(packed, 1, Float64Array.from(intervals, ([, end]) => end).sort());
	let open = 0;
	let max = 0;
	// At equal times the end comes first.
	while (!starts.done()) {
		if (ends.peek() <= starts.peek()) {
			open--;
			ends.next();
		} else {
			open++;
			starts.next();
			if (open > max) max = open;
		}
	}
	return max;
}

/** The starts (or the ends) of the packed intervals and of the kept ones, in order, as one sequence. */
class SortedTimes {
	private readonly folded: Float64Array;
	private readonly stride: number;
	private readonly foldedCount: number;
	private f: number;
	private k = 0;

	constructor(
		packed: PackedIntervals | undefined,
		offset: 0 | 1,
		private readonly kept: Float64Array,
	) {
		this.foldedCount = packed?.count ?? 0;
		const data = packed?.data ?? new Float64Array(0);
		if (inOrder(data, offset, this.foldedCount)) {
			this.folded = data;
			this.stride = 2;
			this.f = offset;
		} else {
			// A loop, not Float64Array.from with a mapping function: that goes through the iterator protocol, three times slower.
			const times = new Float64Array(this.foldedCount);
			for (let i = 0; i < times.length; i++) times[i] = data[2 * i + offset]!;
			this.folded = times.sort();
			this.stride = 1;
			this.f = 0;
		}
	}

	private foldedLeft(): boolean {
		return this.f < this.foldedCount * this.stride;
	}

	private keptLeft(): boolean {
		return this.k < this.kept.length;
	}

	/** The next time is a folded one (a kept one at the same time comes after it). */
	private foldedNext(): boolean {
		return this.foldedLeft() && (!this.keptLeft() || this.folded[this.f]! <= this.kept[this.k]!);
	}

	done(): boolean {
		return !this.foldedLeft() && !this.keptLeft();
	}

	/** The next time; Infinity when none is left. */
	peek(): number {
		if (this.foldedNext()) return this.folded[this.f]!;
		return this.keptLeft() ? this.kept[this.k]! : Number.POSITIVE_INFINITY;
	}

	next(): void {
		if (this.foldedNext()) this.f += this.stride;
		else this.k++;
	}
}

/** Whether every other time of `data` from `offset`, `count` of them, is in order. */
function inOrder(data: Float64Array, offset: number, count: number): boolean {
	for (let i = 1; i < count; i++) if (data[2 * i + offset]! < data[2 * i - 2 + offset]!) return false;
	return true;
}
