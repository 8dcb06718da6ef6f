import {describe, expect, it} from 'vitest';
import {concurrencyMessage} from '../../../source/present/insights/concurrency.js';

describe('concurrency in words', () => {
	it("gives the seed's figure", () => {
		expect(concurrencyMessage({kind: 'concurrency', requests: 3, taskTimeMs: 6000, durationMs: 3000, concurrency: 2, taskIds: [2, 3, 4]})).toBe(
			'3 requests took 6.00s of waiting in 3.00s: concurrency 2.0×',
		);
	});
});
