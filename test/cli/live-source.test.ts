import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {LiveSource, REDRAW_INTERVAL_MS} from '../../source/cli/live-source.js';
import {DRAWING_SHARE, MAX_REDRAW_INTERVAL_MS} from '../../source/model/frame-pace.js';
import {createState} from '../../source/model/state.js';

/** How long after a change the view hears of it. */
function notifiedAfter(source: LiveSource): number {
	let heard: number | null = null;
	const started = Date.now();
	const unsubscribe = source.subscribe(() => (heard = Date.now() - started));
	source.changed();
	vi.advanceTimersByTime(MAX_REDRAW_INTERVAL_MS + 1);
	unsubscribe();
	return heard!;
}

describe('a live source spaces its redraws by what they cost', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('five a second while frames are cheap', () => {
		const source = new LiveSource(createState());
		expect(notifiedAfter(source)).toBe(REDRAW_INTERVAL_MS);
		for (let frame = 0; frame < 20; frame++) source.frameDrawn(2);
		expect(notifiedAfter(source)).toBe(REDRAW_INTERVAL_MS);
	});

	it(`fewer once they cost more than ${DRAWING_SHARE * 100} % of a core at that pace, down to one a second`, () => {
		const source = new LiveSource(createState());
		for (let frame = 0; frame < 40; frame++) source.frameDrawn(16);
		expect(source.redrawIntervalMs).toBeCloseTo(16 / DRAWING_SHARE, 0);
		expect(notifiedAfter(source)).toBe(Math.round(16 / DRAWING_SHARE));
		for (let frame = 0; frame < 40; frame++) source.frameDrawn(500);
		expect(notifiedAfter(source)).toBe(MAX_REDRAW_INTERVAL_MS);
	});
});
