import {createRequire} from 'node:module';
import type {Histogram} from 'hdr-histogram-js';
import type {Ms} from '../protocol/events.js';

type Int32HistogramClass = new (lowestDiscernibleValue: number, highestTrackableValue: number, numberOfSignificantValueDigits: number) => Histogram;

/**
 * The one histogram class used, loaded with the first histogram, by its own file: the package's index also
 * inflates its WebAssembly build and formats with `Intl` as it loads, 50 to 70 ms of the monitor's CPU against
 * 7 ms for this file.
 */
let Int32Histogram: Int32HistogramClass | undefined;
const load = (): Int32HistogramClass =>
	(Int32Histogram ??= (createRequire(import.meta.url)('hdr-histogram-js/dist/Int32Histogram.js') as {default: Int32HistogramClass}).default);

/**
 * Durations in whole microseconds, 3 significant digits: a percentile within 0.1 %. 32-bit counts: a value
 * recorded in 0.06 µs (the packed form takes 0.35 µs, and a folded task records three), for 30 to 90 KB a
 * histogram as the longest duration grows from 50 ms to an hour.
 */
const SIGNIFICANT_DIGITS = 3;

export type Latency = Histogram;

export interface LatencyStats {
	samples: number;
	p50Ms: Ms;
	p90Ms: Ms;
	p99Ms: Ms;
	maxMs: Ms;
}

export function newLatency(): Latency {
	// As the package's `build()` makes it: from 1 µs, growing as larger values come.
	const histogram = new (load())(1, 2, SIGNIFICANT_DIGITS);
	histogram.autoResize = true;
	return histogram;
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
