import type {ConcurrencyInsight} from '../../model/insights.js';
import {formatDuration} from '../durations.js';
import {formatTimes} from '../numbers.js';
import {counted} from '../text.js';

/** Tasks, not requests: HTTP requests are one kind of work among timers, files and plain computation. */
export function concurrencyMessage(insight: ConcurrencyInsight, ascii = false): string {
	return (
		`${counted(insight.tasks, 'task')} ran or waited ${formatDuration(insight.activeMs)} in all, in ${formatDuration(insight.durationMs)}: ` +
		`concurrency ${formatTimes(insight.concurrency, ascii)}`
	);
}
