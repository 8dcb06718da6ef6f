import {describe, expect, it} from 'vitest';
import {concurrencyMessage} from '../../../source/present/insights/concurrency.js';
import type {ConcurrencyInsight} from '../../../source/model/insights.js';

describe('concurrency in words', () => {
	it("gives the seed's figure", () => {
		const seed: ConcurrencyInsight = {kind: 'concurrency', tasks: 3, activeMs: 6000, durationMs: 3000, concurrency: 2, taskIds: [2, 3, 4]};
		expect(concurrencyMessage(seed)).toBe('3 tasks ran or waited 6.00s in all, in 3.00s: concurrency 2.0×');
		expect(concurrencyMessage(seed, true)).toBe('3 tasks ran or waited 6.00s in all, in 3.00s: concurrency 2.0x');
	});
});
