import {describe, expect, it} from 'vitest';
import {REORDER_WINDOW_MS, TimeOrder} from '../../source/plain/time-order.js';

function ordered(): {order: TimeOrder<string>; out: string[]} {
	const out: string[] = [];
	return {order: new TimeOrder<string>(item => out.push(item)), out};
}

describe('TimeOrder', () => {
	it('lets lines go in time order once the stream is a window past them, equal times in the order they came', () => {
		const {order, out} = ordered();
		order.hold(120, 'b');
		order.hold(100, 'a');
		order.hold(120, 'c');
		order.reached(120);
		expect(out).toEqual([]);
		order.hold(110, 'late');
		order.reached(120 + REORDER_WINDOW_MS);
		expect(out).toEqual(['a', 'late', 'b', 'c']);
	});

	it('holds what follows the start of a block until it ends: the blocked thread still holds what came before', () => {
		const {order, out} = ordered();
		order.hold(50, 'before');
		order.blockStarted(1, 300);
		order.hold(360, 'BLOCKED');
		order.reached(2000);
		expect(out).toEqual(['before']);
		// Sent by the thread once the block is over.
		order.hold(299, 'its last start');
		order.blockEnded(1);
		order.hold(2000, 'block');
		order.reached(2000 + REORDER_WINDOW_MS);
		expect(out).toEqual(['before', 'its last start', 'BLOCKED', 'block']);
	});

	it('lets everything go at the end, a block still open or not', () => {
		const {order, out} = ordered();
		order.blockStarted(1, 10);
		order.hold(40, 'b');
		order.hold(20, 'a');
		order.drain();
		expect(out).toEqual(['a', 'b']);
	});
});
