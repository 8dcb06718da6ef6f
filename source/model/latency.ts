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
/**
 * Longer ones, up to this, are counted aside by their histogram bucket (see bucketFloor): a wave of a thousand
 * calls of a few ms each, folded, took a tenth of the monitor's time in HdrHistogram's record.
 */
const BUCKETED_BELOW_US = 2 ** 31;
/** log2 of half the sub-buckets of a histogram of SIGNIFICANT_DIGITS digits (2,048 sub-buckets for 3). */
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 10;

/** A histogram of durations, with the short ones not yet in it counted aside. Read it through latencyStats. */
export interface Latency {
	readonly histogram: Histogram;
	/** By µs: how many durations of that length are not yet in the histogram. Made with the first one. */
	counted: Uint32Array | null;
	/** The lengths `counted` holds a count of, each once. */
	readonly countedValues: number[];
	/** Longer durations not yet in the histogram, by the lowest value of their bucket: how many. */
	readonly bucketed: Map<number, number>;
	/** The longest of them, recorded as itself: the histogram's largest value is a sample's, not a bucket's floor. */
	bucketedMaxUs: number;
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
	return {histogram, counted: null, countedValues: [], bucketed: new Map(), bucketedMaxUs: 0};
}

/** `count` durations of `ms` each. */
export function recordLatency(latency: Latency, ms: Ms, count = 1): void {
	const us = Math.max(0, Math.round(ms * 1000));
	if (us >= BUCKETED_BELOW_US) {
		latency.histogram.recordValueWithCount(us, count);
		return;
	}
	if (us >= COUNTED_BELOW_US) {
		const floor = bucketFloor(us);
		latency.bucketed.set(floor, (latency.bucketed.get(floor) ?? 0) + count);
		if (us > latency.bucketedMaxUs) latency.bucketedMaxUs = us;
		return;
	}
	const counted = (latency.counted ??= new Uint32Array(COUNTED_BELOW_US));
	if (counted[us] === 0) latency.countedValues.push(us);
	counted[us]! += count;
}

/**
 * The lowest value HdrHistogram counts `us` as, at SIGNIFICANT_DIGITS digits: from 2,048 µs on, bucket `b` holds
 * values of one `us >> b` together. Under 2^31.
 */
function bucketFloor(us: number): number {
	const bucket = Math.max(0, 31 - Math.clz32(us) - SUB_BUCKET_HALF_COUNT_MAGNITUDE);
	return (us >>> bucket) << bucket;
}

/** Puts the durations counted aside into the histogram. */
function settled(latency: Latency): Histogram {
	const {histogram, counted, countedValues, bucketed} = latency;
	if (counted) {
		for (const us of countedValues) {
			histogram.recordValueWithCount(us, counted[us]!);
			counted[us] = 0;
		}
		countedValues.length = 0;
	}
	if (bucketed.size > 0) {
		const maxFloor = bucketFloor(latency.bucketedMaxUs);
		for (const [floor, count] of bucketed) {
			// The same bucket either way: one of its count goes in as the longest sample, so the histogram's max is it.
			if (floor === maxFloor) {
				histogram.recordValue(latency.bucketedMaxUs);
				if (count > 1) histogram.recordValueWithCount(floor, count - 1);
			} else histogram.recordValueWithCount(floor, count);
		}
		bucketed.clear();
		latency.bucketedMaxUs = 0;
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
