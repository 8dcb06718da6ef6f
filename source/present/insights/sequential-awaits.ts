import type {SequentialAwaitsInsight} from '../../model/insights.js';
import {formatDuration} from '../durations.js';
import {formatCount} from '../numbers.js';

export function sequentialAwaitsMessage(insight: SequentialAwaitsInsight): string {
	return (
		`${insight.taskName} awaited ${insight.operations} operations in sequence (${formatDuration(insight.sequenceMs)}); ` +
		`started together with Promise.all they would take ~${formatDuration(insight.togetherMs)}, if none needs what another does` +
		(insight.calls > 1 ? ` (the costliest of ${formatCount(insight.calls)} calls of it that did so)` : '')
	);
}
