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

	it('tells a block while it lasts: at its detection everything up to then goes; what the blocked thread held comes late', () => {
		const {order, out} = ordered();
		order.hold(50, 'before');
		order.hold(280, 'just before');
		order.hold(360, 'BLOCKED');
		order.blockDetected(360);
		expect(out).toEqual(['before', 'just before', 'BLOCKED']);
		// Told by the monitor while the thread is blocked (a timer came due), in the window as any line.
		order.hold(1000, 'ready');
		order.reached(1000 + REORDER_WINDOW_MS);
		expect(out.at(-1)).toBe('ready');
		// Sent by the thread once the block is over: late, the one line out of order.
		order.hold(299, 'its last start');
		order.hold(2000, 'block');
		order.reached(2000 + REORDER_WINDOW_MS);
		expect(out).toEqual(['before', 'just before', 'BLOCKED', 'ready', 'its last start', 'block']);
	});

	it('lets everything go at the end', () => {
		const {order, out} = ordered();
		order.hold(40, 'b');
		order.hold(20, 'a');
		order.drain();
		expect(out).toEqual(['a', 'b']);
	});
});
