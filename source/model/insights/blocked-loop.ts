import type {Ms} from '../../protocol/events.js';
import {blockCulprit} from '../../present/holdups.js';
import {type Block, type ModelState, type TaskNode, isTaskKind} from '../state.js';
import {formatDuration, lineLocation} from './format.js';
import {counted} from '../../present/text.js';
import type {Insight, InsightOptions} from './insight.js';

interface Victim {
	task: TaskNode;
	/** How long it was ready but could not run because of the block. */
	delayMs: Ms;
}

/** Each finished block of at least the threshold, with the tasks it kept from running. */
export function blockedLoop(state: ModelState, options: Required<InsightOptions>): Insight[] {
	const insights: Insight[] = [];
	for (const block of state.blocks) {
		if (block.durationMs === null || block.durationMs < options.blockThresholdMs) continue;
		insights.push(describeBlock(state, block, block.durationMs, victimsOf(state, block, block.durationMs)));
	}
	return insights;
}

/** Tasks whose awaits became ready during the block but resumed only when it ended. */
function victimsOf(state: ModelState, block: Block, durationMs: Ms): Victim[] {
	const end = block.startMs + durationMs;
	const victims: Victim[] = [];
	for (const task of state.nodes.values()) {
		if (!isTaskKind(task.kind) || task.id === block.taskId) continue;
		let delayMs = 0;
		for (const wait of task.awaits) {
			if (wait.readyMs === null || wait.resumedMs === null) continue;
			delayMs = Math.max(delayMs, Math.min(wait.resumedMs, end) - Math.max(wait.readyMs, block.startMs));
		}
		if (delayMs > 0) victims.push({task, delayMs});
	}
	return victims.sort((a, b) => b.delayMs - a.delayMs);
}

function describeBlock(state: ModelState, block: Block, durationMs: Ms, victims: Victim[]): Insight {
	const culprit = blockCulprit(state, block);
	const where = block.location ? ` at ${lineLocation(block.location)}` : '';
	const longestDelay = victims[0]?.delayMs;
	const waited =
		longestDelay === undefined
			? ''
			: `${counted(victims.length, 'task was', 'tasks were')} ready and waited up to ${formatDuration(longestDelay)}; `;
	const insight: Insight = {
		kind: 'blocked-loop',
		message: `${culprit}${where} blocked the event loop for ${formatDuration(durationMs)}; ${waited}move CPU-bound work to a worker thread`,
		taskIds: [...(block.taskId === null ? [] : [block.taskId]), ...victims.map(victim => victim.task.id)],
	};
	if (longestDelay !== undefined) insight.savesMs = longestDelay;
	return insight;
}

