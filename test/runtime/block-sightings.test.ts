import {describe, expect, it} from 'vitest';
import {BlockSightings} from '../../source/runtime/block-sightings.js';

describe('BlockSightings, the task a block is told by', () => {
	it('is the one seen most, code of no task counted as any', () => {
		const seen = new BlockSightings(null, 0);
		for (let look = 1; look <= 20; look++) seen.add(null, look * 10);
		// The task that awaited the blocking library, and the top level after it, resumed before the loop turned.
		seen.add(2, 210);
		seen.add(1, 220);
		expect(seen.mostSeen()).toBeNull();
	});

	it('is a task seen more than the code of no task it began in', () => {
		const seen = new BlockSightings(null, 0);
		for (let look = 1; look <= 3; look++) seen.add(7, look * 10);
		seen.add(null, 40);
		expect(seen.mostSeen()).toBe(7);
	});

	it('goes to the one seen first on a tie', () => {
		const seen = new BlockSightings(5, 0);
		seen.add(9, 10);
		expect(seen.mostSeen()).toBe(5);
		seen.add(9, 20);
		expect(seen.mostSeen()).toBe(9);
	});
});

describe('BlockSightings, when the thread was last seen at work', () => {
	it('is the last look that found a task running, or a read of the stack that found code at work', () => {
		const seen = new BlockSightings(null, 0);
		expect(seen.busyUntil()).toBe(Number.NEGATIVE_INFINITY);
		seen.add(4, 10);
		seen.add(null, 20);
		expect(seen.busyUntil()).toBe(10);
		seen.sawBusy(25);
		seen.sawBusy(15);
		expect(seen.busyUntil()).toBe(25);
	});
});
