import type {Ms} from '../protocol/events.js';
import type {Intervals} from './state.js';

/**
 * The most intervals open at once; one ending at the instant another starts does not overlap it. `packed`
 * adds intervals kept packed (folded ones, by the million): starts and ends are sorted apart, in typed
 * arrays, so no object is made per interval.
 */
export function maxOverlap(intervals: ReadonlyArray<readonly [start: Ms, end: Ms]>, packed?: Intervals): number {
	const count = intervals.length + (packed?.count ?? 0);
	const starts = new Float64Array(count);
	const ends = new Float64Array(count);
	intervals.forEach(([start, end], i) => {
		starts[i] = start;
		ends[i] = end;
	});
	for (let i = 0, at = intervals.length; i < (packed?.count ?? 0); i++, at++) {
		starts[at] = packed!.data[2 * i]!;
		ends[at] = packed!.data[2 * i + 1]!;
	}
	starts.sort();
	ends.sort();
	let open = 0;
	let max = 0;
	// At equal times the end comes first.
	for (let s = 0, e = 0; s < count; ) {
		if (ends[e]! <= starts[s]!) {
			open--;
			e++;
		} else {
			open++;
			s++;
			if (open > max) max = open;
		}
	}
	return max;
}
