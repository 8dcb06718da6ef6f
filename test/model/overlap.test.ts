import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {maxOverlap} from '../../source/model/overlap.js';

/** The definition, pair by pair: the most intervals open at an instant where one starts. */
function bruteForce(intervals: Array<readonly [number, number]>): number {
	let max = 0;
	for (const [start] of intervals) {
		const open = intervals.filter(([s, e]) => s <= start && e > start).length;
		max = Math.max(max, open);
	}
	return max;
}

const interval = fc.tuple(fc.integer({min: 0, max: 50}), fc.integer({min: 0, max: 20})).map(([start, length]) => [start, start + length] as const);

describe('maxOverlap', () => {
	it('counts the most intervals open at once; one ending as another starts does not overlap it', () => {
		expect(maxOverlap([])).toBe(0);
		expect(maxOverlap([[0, 10], [10, 20]])).toBe(1);
		expect(maxOverlap([[0, 10], [5, 20], [9, 11]])).toBe(3);
	});

	it('is the definition, for intervals kept and packed, in order or not', () => {
		fc.assert(
			fc.property(fc.array(interval, {maxLength: 30}), fc.array(interval, {maxLength: 30}), fc.boolean(), (kept, folded, inOrder) => {
				const packedIntervals = inOrder ? [...folded].sort((a, b) => a[0] - b[0] || a[1] - b[1]) : folded;
				// Packed intervals sit in a buffer with room to spare, whose unused end holds anything.
				const packed = {data: Float64Array.from([...packedIntervals.flat(), -5, 99, 7]), count: packedIntervals.length};
				expect(maxOverlap(kept, packed)).toBe(bruteForce([...kept, ...packedIntervals]));
			}),
		);
	});
});
