import {describe, expect, it} from 'vitest';
import {concurrencyMessage} from '../../../source/present/insights/concurrency.js';
import type {ConcurrencyInsight} from '../../../source/model/insights.js';

describe('concurrency in words', () => {
	it("gives the seed's figure", () => {
		const seed: ConcurrencyInsight = {kind: 'concurrency', tasks: 4, workers: 0, activeMs: 6000, durationMs: 3000, concurrency: 2, taskIds: [1, 2, 3, 4]};
		expect(concurrencyMessage(seed)).toBe('4 tasks ran or waited 6.00s in all, not counting their waits on each other, in 3.00s: concurrency 2.0×');
		expect(concurrencyMessage(seed, true)).toBe('4 tasks ran or waited 6.00s in all, not counting their waits on each other, in 3.00s: concurrency 2.0x');
	});

	it('counts worker threads apart from tasks, as the summary counts no worker among its tasks', () => {
		const fanout: ConcurrencyInsight = {kind: 'concurrency', tasks: 19, workers: 2, activeMs: 37_300, durationMs: 9450, concurrency: 3.95, taskIds: []};
		expect(concurrencyMessage(fanout)).toBe('19 tasks and 2 worker threads ran or waited 37.3s in all, not counting their waits on each other, in 9.45s: concurrency 4.0×');
		// No task of the script's own: the workers alone, not "0 tasks and 2 worker threads".
		expect(concurrencyMessage({...fanout, tasks: 0, activeMs: 1050, durationMs: 600, concurrency: 1.75})).toBe('2 worker threads ran or waited 1.05s in all, in 600ms: concurrency 1.8×');
	});
});
