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
 * Durations in whole microseconds, 3 significant digits: a percentile within 0.1 %. 32-bit counts, for 30 to
 * 90 KB a histogram as the longest duration grows from 50 ms to an hour.
 */
const SIGNIFICANT_DIGITS = 3;

/**
 * Durations shorter than this many µs are counted exactly first, and go into the histogram with one call per
 * distinct value when it is read. HdrHistogram's own record takes 0.1 to 0.3 µs (float logarithms and powers),
 * and a folded task records three durations, mostly of a few µs each: counted here, a few nanoseconds. At 3
 * significant digits the histogram holds each value under 2,048 exactly, so the figures come out the same.
 */
const COUNTED_BELOW_US = 1024;

/** A histogram of durations, with the short ones not yet in it counted aside. Read it through latencyStats. */
export interface Latency {
	readonly histogram: Histogram;
	/** By µs: how many durations of that length are not yet in the histogram. Made with the first one. */
	counted: Uint32Array | null;
	/** The lengths `counted` holds a count of, each once. */
	readonly countedValues: number[];
}

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
	return {histogram, counted: null, countedValues: []};
}

/** `count` durations of `ms` each. */
export function recordLatency(latency: Latency, ms: Ms, count = 1): void {
	const us = Math.max(0, Math.round(ms * 1000));
	if (us >= COUNTED_BELOW_US) {
		latency.histogram.recordValueWithCount(us, count);
		return;
	}
	const counted = (latency.counted ??= new Uint32Array(COUNTED_BELOW_US));
	if (counted[us] === 0) latency.countedValues.push(us);
	counted[us]! += count;
}

/** Puts the durations counted aside into the histogram. */
function settled(latency: Latency): Histogram {
	const {histogram, counted, countedValues} = latency;
	if (counted) {
		for (const us of countedValues) {
			histogram.recordValueWithCount(us, counted[us]!);
			counted[us] = 0;
		}
		countedValues.length = 0;
	}
	return histogram;
}

/** A copy: histograms are objects with methods, which `structuredClone` would strip. */
export function copyLatency(latency: Latency): Latency {
	const copy = newLatency();
	copy.histogram.add(settled(latency));
	return copy;
}

/** One histogram's percentiles, with the samples of `extraMs` added to a copy (`latency` itself is left as it is). */
export function latencyStats(latency: Latency | null, extraMs: readonly Ms[] = []): LatencyStats {
	const copy = latency ? copyLatency(latency) : newLatency();
	for (const ms of extraMs) recordLatency(copy, ms);
	const histogram = settled(copy);
	const maxUs = histogram.maxValue;
	// A percentile is the top of its bucket, which can lie above the largest sample.
	const at = (percentile: number): Ms => Math.min(histogram.getValueAtPercentile(percentile), maxUs) / 1000;
	const stats = {samples: histogram.totalCount, p50Ms: at(50), p90Ms: at(90), p99Ms: at(99), maxMs: maxUs / 1000};
	histogram.destroy();
	return stats;
}
