import type {BlockedLoopInsight} from '../../model/insights.js';
import {blockCulprit} from '../holdups.js';
import type {ModelState} from '../../model/state.js';
import {formatDuration} from '../durations.js';
import {lineLocation} from '../locations.js';
import {counted} from '../text.js';

export function blockedLoopMessage(state: ModelState, insight: BlockedLoopInsight): string {
	const {block, longestDelayMs} = insight;
	const where = block.location ? ` at ${lineLocation(block.location)}` : '';
	const waited =
		longestDelayMs === null ? '' : `${counted(insight.delayedTasks, 'task was', 'tasks were')} ready and waited up to ${formatDuration(longestDelayMs)}; `;
	return `${blockCulprit(state, block)}${where} blocked the event loop for ${formatDuration(insight.durationMs)}; ${waited}move CPU-bound work to a worker thread`;
}
