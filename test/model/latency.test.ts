import * as fc from 'fast-check';
import * as hdr from 'hdr-histogram-js';
import {describe, expect, it} from 'vitest';
import {copyLatency, latencyStats, newLatency, recordLatency, type LatencyStats} from '../../source/model/latency.js';

/** The same durations in a histogram of the package's own making, each recorded as it comes: what the figures must be. */
function statsOfPlainHistogram(durations: ReadonlyArray<{ms: number; count: number}>): LatencyStats {
	const histogram = hdr.build({bitBucketSize: 32, numberOfSignificantValueDigits: 3});
	for (const {ms, count} of durations) histogram.recordValueWithCount(Math.max(0, Math.round(ms * 1000)), count);
	const maxUs = histogram.maxValue;
	const at = (percentile: number) => Math.min(histogram.getValueAtPercentile(percentile), maxUs) / 1000;
	return {samples: histogram.totalCount, p50Ms: at(50), p90Ms: at(90), p99Ms: at(99), maxMs: maxUs / 1000};
}

/** Mostly the few µs of a tiny task, counted aside; longer ones counted aside by bucket; some past 35 minutes (2^31 µs), into the histogram at once. */
const durations = fc.array(
	fc.record({
		ms: fc.oneof(fc.double({min: 0, max: 1.1, noNaN: true}), fc.double({min: 0, max: 5000, noNaN: true}), fc.double({min: 1000, max: 5_000_000, noNaN: true})),
		count: fc.integer({min: 1, max: 5}),
	}),
	{maxLength: 300},
);

describe('latency histograms', () => {
	it('read the same percentiles as a plain HdrHistogram of the same durations, the short ones counted aside first', () => {
		fc.assert(
			fc.property(durations, durations, (first, second) => {
				const latency = newLatency();
				for (const {ms, count} of first) recordLatency(latency, ms, count);
				// Read once in between: what was counted aside goes in, and counting starts over.
				expect(latencyStats(latency)).toEqual(statsOfPlainHistogram(first));
				for (const {ms, count} of second) recordLatency(latency, ms, count);
				expect(latencyStats(latency)).toEqual(statsOfPlainHistogram([...first, ...second]));
			}),
			{numRuns: 60},
		);
	});

	it('count long durations aside by bucket, exactly as the histogram would: its largest value a sample, not a bucket\'s floor', () => {
		const latency = newLatency();
		// 4,097 and 4,098 µs share a bucket of 2 µs; 1,234,567 µs one of 1,024.
		for (const ms of [4.097, 4.098, 4.098, 1234.567, 1234.001]) recordLatency(latency, ms);
		expect(latencyStats(latency)).toEqual(statsOfPlainHistogram([4.097, 4.098, 4.098, 1234.567, 1234.001].map(ms => ({ms, count: 1}))));
		expect(latencyStats(latency).maxMs).toBe(1234.567);
	});

	it('copy what is counted aside, and a copy grows apart from its original', () => {
		const latency = newLatency();
		recordLatency(latency, 0.004, 1_000_000);
		recordLatency(latency, 12);
		const copy = copyLatency(latency);
		recordLatency(copy, 0.004);
		expect(latencyStats(latency)).toMatchObject({samples: 1_000_001, p50Ms: 0.004, maxMs: 12});
		expect(latencyStats(copy).samples).toBe(1_000_002);
	});

	it('add the extra samples to a copy only', () => {
		const latency = newLatency();
		recordLatency(latency, 1);
		expect(latencyStats(latency, [2, 3])).toMatchObject({samples: 3, maxMs: 3});
		expect(latencyStats(latency)).toMatchObject({samples: 1, maxMs: 1});
	});
});
