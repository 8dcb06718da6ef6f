import {describe, expect, it} from 'vitest';
import {DRAWING_SHARE, FramePace, MAX_REDRAW_INTERVAL_MS} from '../../source/model/frame-pace.js';

describe('frame pace', () => {
	it('keeps its shortest interval while frames are cheap', () => {
		const pace = new FramePace(200);
		expect(pace.intervalMs).toBe(200);
		for (let frame = 0; frame < 20; frame++) pace.frameDrawn(2);
		expect(pace.intervalMs).toBe(200);
	});

	it(`spaces frames so that drawing takes ${DRAWING_SHARE * 100} % of a core, down to one in ${MAX_REDRAW_INTERVAL_MS} ms`, () => {
		const pace = new FramePace(1000 / 15);
		for (let frame = 0; frame < 40; frame++) pace.frameDrawn(30);
		expect(pace.intervalMs).toBeCloseTo(30 / DRAWING_SHARE, 0);
		for (let frame = 0; frame < 40; frame++) pace.frameDrawn(400);
		expect(pace.intervalMs).toBe(MAX_REDRAW_INTERVAL_MS);
	});

	it('moves little for one frame out of the ordinary', () => {
		const pace = new FramePace(200);
		for (let frame = 0; frame < 20; frame++) pace.frameDrawn(4);
		pace.frameDrawn(200);
		expect(pace.intervalMs).toBeLessThan(200 / DRAWING_SHARE / 3);
	});
});
