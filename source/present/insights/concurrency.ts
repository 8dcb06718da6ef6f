import type {ConcurrencyInsight} from '../../model/insights.js';
import {formatDuration} from '../durations.js';
import {formatTimes} from '../numbers.js';

export function concurrencyMessage(insight: ConcurrencyInsight): string {
	return (
		`${insight.requests} requests took ${formatDuration(insight.taskTimeMs)} of waiting in ${formatDuration(insight.durationMs)}: ` +
		`concurrency ${formatTimes(insight.concurrency)}`
	);
}
