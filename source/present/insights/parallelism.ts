import type {ParallelismInsight} from '../../model/insights.js';
import {formatDuration} from '../durations.js';
import {formatTimes} from '../numbers.js';

export function parallelismMessage(insight: ParallelismInsight, ascii = false): string {
	return (
		`${insight.workers} worker threads computed for ${formatDuration(insight.busyMs)} in ${formatDuration(insight.wallMs)}: parallelism ${formatTimes(insight.parallelism, ascii)}, ` +
		(insight.loopBlocked ? 'but the main loop was blocked meanwhile' : 'while the main loop stayed free')
	);
}
