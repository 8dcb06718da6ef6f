import type {ConcurrencyInsight} from '../../model/insights.js';
import {formatDuration} from '../durations.js';
import {formatTimes} from '../numbers.js';
import {counted} from '../text.js';

/**
 * Tasks, not requests: HTTP requests are one kind of work among timers, files and plain computation. Their waits
 * on each other are said to be left out, so that a call awaiting its helpers is not read as counted twice.
 */
export function concurrencyMessage(insight: ConcurrencyInsight, ascii = false): string {
	const units = [insight.tasks > 0 || insight.workers === 0 ? counted(insight.tasks, 'task') : '', insight.workers > 0 ? counted(insight.workers, 'worker thread') : ''];
	return (
		`${units.filter(Boolean).join(' and ')} ran or waited ${formatDuration(insight.activeMs)} in all, ${insight.tasks > 0 ? 'not counting their waits on each other, ' : ''}in ${formatDuration(insight.durationMs)}: ` +
		`concurrency ${formatTimes(insight.concurrency, ascii)}`
	);
}
