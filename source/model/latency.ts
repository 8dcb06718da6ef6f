import {createRequire} from 'node:module';
import type * as Hdr from 'hdr-histogram-js';
import type {Ms} from '../protocol/events.js';

/** Loaded with the first histogram: about 30 ms that `asyncmon script.ts` does not spend at start-up for a run that folds nothing. */
let hdr: typeof Hdr | undefined;
const load = (): typeof Hdr => (hdr ??= createRequire(import.meta.url)('hdr-histogram-js') as typeof Hdr);

/**
 * Durations in whole microseconds, 3 significant digits: a percentile within 0.1 %. 32-bit counts: a value
 * recorded in 0.06 µs (the packed form takes 0.35 µs, and a folded task records three), for 30 to 90 KB a
 * histogram as the longest duration grows from 50 ms to an hour.
 */
const SHAPE = {bitBucketSize: 32, numberOfSignificantValueDigits: 3} as const;

export type Latency = Hdr.Histogram;

export interface LatencyStats {
	samples: number;
	p50Ms: Ms;
	p90Ms: Ms;
	p99Ms: Ms;
	maxMs: Ms;
}

export function newLatency(): Latency {
	return load().build(SHAPE);
}

export function recordLatency(latency: Latency, ms: Ms): void {
	latency.recordValue(Math.max(0, Math.round(ms * 1000)));
}

/** A copy: histograms are objects with methods, which `structuredClone` would strip. */
export function copyLatency(latency: Latency): Latency {
	const copy = newLatency();
	copy.add(latency);
	return copy;
}

/** One histogram's percentiles, with the samples of `extraMs` added to a copy (`latency` itself is left as it is). */
export function latencyStats(latency: Latency | null, extraMs: readonly Ms[] = []): LatencyStats {
	const histogram = latency ? copyLatency(latency) : newLatency();
	for (const ms of extraMs) recordLatency(histogram, ms);
	const maxUs = histogram.maxValue;
	// A percentile is the top of its bucket, which can lie above the largest sample.
	const at = (percentile: number): Ms => Math.min(histogram.getValueAtPercentile(percentile), maxUs) / 1000;
	const stats = {samples: histogram.totalCount, p50Ms: at(50), p90Ms: at(90), p99Ms: at(99), maxMs: maxUs / 1000};
	histogram.destroy();
	return stats;
}
