import {describe, expect, it} from 'vitest';
import {BlockSightings} from '../../source/runtime/block-sightings.js';

describe('BlockSightings, the task a block is told by', () => {
	it('is the one seen most, code of no task counted as any', () => {
		const seen = new BlockSightings(null);
		for (let look = 0; look < 20; look++) seen.add(null);
		// The task that awaited the blocking library, and the top level after it, resumed before the loop turned.
		seen.add(2);
		seen.add(1);
		expect(seen.mostSeen()).toBeNull();
	});

	it('is a task seen more than the code of no task it began in', () => {
		const seen = new BlockSightings(null);
		for (let look = 0; look < 3; look++) seen.add(7);
		seen.add(null);
		expect(seen.mostSeen()).toBe(7);
	});

	it('goes to the one seen first on a tie', () => {
		const seen = new BlockSightings(5);
		seen.add(9);
		expect(seen.mostSeen()).toBe(5);
		seen.add(9);
		expect(seen.mostSeen()).toBe(9);
	});
});
