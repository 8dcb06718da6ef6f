import {describe, expect, it} from 'vitest';
import {parallelismMessage} from '../../../source/present/insights/parallelism.js';

describe('parallelism in words', () => {
	it('measures worker threads busy at the same time, beside a free main loop', () => {
		expect(parallelismMessage({kind: 'parallelism', workers: 2, busyMs: 3000, wallMs: 1510, parallelism: 3000 / 1510, loopBlocked: false, taskIds: [1000, 2000]})).toBe(
			'2 worker threads computed for 3.00s in 1.51s: parallelism 2.0×, while the main loop stayed free',
		);
	});

	it('says when the main loop was blocked meanwhile', () => {
		expect(parallelismMessage({kind: 'parallelism', workers: 3, busyMs: 3000, wallMs: 1000, parallelism: 3, loopBlocked: true, taskIds: []})).toBe(
			'3 worker threads computed for 3.00s in 1.00s: parallelism 3.0×, but the main loop was blocked meanwhile',
		);
	});
});
