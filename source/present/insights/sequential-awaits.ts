import type {SequentialAwaitsInsight} from '../../model/insights.js';
import {formatDuration} from '../durations.js';
import {formatCount} from '../numbers.js';
import {taskSiteName} from '../../protocol/function-name.js';

export function sequentialAwaitsMessage(insight: SequentialAwaitsInsight): string {
	return (
		`${insight.taskName} awaited ${insight.operations} ${insight.peer === undefined ? 'operations' : `replies of ${insight.peer}`} in sequence (${formatDuration(insight.sequenceMs)}); ` +
		`started together with Promise.all they would take ~${formatDuration(insight.togetherMs)}, if none needs what another does` +
		(insight.calls > 1 ? ` (the costliest of ${formatCount(insight.calls)} calls of it that did so)` : '') +
		(insight.alongside ? `; it ran beside the same call of ${taskSiteName(insight.taskName)} under the same caller: if they are a pool's workers, each sequential on purpose, leave them so` : '')
	);
}
