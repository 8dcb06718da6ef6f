import type {Ms} from '../protocol/events.js';

/** The most intervals open at once; one ending at the instant another starts does not overlap it. */
export function maxOverlap(intervals: ReadonlyArray<readonly [start: Ms, end: Ms]>): number {
	const edges: Array<[Ms, number]> = [];
	for (const [start, end] of intervals) edges.push([start, 1], [end, -1]);
	edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let open = 0;
	let max = 0;
	for (const [, delta] of edges) {
		open += delta;
		max = Math.max(max, open);
	}
	return max;
}
