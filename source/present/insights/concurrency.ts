import type {ConcurrencyInsight} from '../../model/insights.js';
import {formatDuration} from '../durations.js';
import {formatTimes} from '../numbers.js';
import {counted} from '../text.js';

/**
 * Tasks, not requests: HTTP requests are one kind of work among timers, files and plain computation. Leaf tasks,
 * so the count is not read as the summary's (every task, those that only started others included).
 */
export function concurrencyMessage(insight: ConcurrencyInsight, ascii = false): string {
	const units = [insight.tasks > 0 || insight.workers === 0 ? counted(insight.tasks, 'leaf task') : '', insight.workers > 0 ? counted(insight.workers, 'worker thread') : ''];
	return (
		`${units.filter(Boolean).join(' and ')} ran or waited ${formatDuration(insight.activeMs)} in all, in ${formatDuration(insight.durationMs)}: ` +
		`concurrency ${formatTimes(insight.concurrency, ascii)}`
	);
}
