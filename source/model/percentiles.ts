import * as hdr from 'hdr-histogram-js';
import type {Ms} from '../protocol/events.js';

/** How a set of durations spreads: the one percentile figure reports and comparisons give. */
export interface DurationStats {
	samples: number;
	p50Ms: Ms;
	p90Ms: Ms;
	p99Ms: Ms;
	maxMs: Ms;
}

/** Percentiles of durations, by a histogram in whole microseconds with 3 significant digits. */
export function durationStats(samplesMs: Iterable<Ms>): DurationStats {
	const histogram = hdr.build({numberOfSignificantValueDigits: 3});
	let samples = 0;
	for (const ms of samplesMs) {
		histogram.recordValue(Math.max(0, Math.round(ms * 1000)));
		samples++;
	}
	const maxUs = histogram.maxValue;
	// A percentile is the top of its bucket, which can lie above the largest sample.
	const at = (percentile: number): Ms => Math.min(histogram.getValueAtPercentile(percentile), maxUs) / 1000;
	const stats = {samples, p50Ms: at(50), p90Ms: at(90), p99Ms: at(99), maxMs: maxUs / 1000};
	histogram.destroy();
	return stats;
}
