import type {Ms} from '../../protocol/events.js';
import {type Block, type ModelState, type TaskNode, isTaskKind, onBlockedThread} from '../state.js';
import type {BlockedLoopInsight, InsightOptions} from './insight.js';

interface Victim {
	task: TaskNode;
	/** How long it was ready but could not run because of the block. */
	delayMs: Ms;
}

/** Each finished block of at least the threshold, with the tasks it kept from running. */
export function blockedLoop(state: ModelState, options: Required<InsightOptions>): BlockedLoopInsight[] {
	const insights: BlockedLoopInsight[] = [];
	for (const block of state.blocks) {
		if (block.durationMs === null || block.endMs === null || block.durationMs < options.blockThresholdMs) continue;
		insights.push(blockFinding(block, block.durationMs, victimsOf(state, block, block.endMs)));
	}
	return insights;
}

/** Tasks of the blocked thread whose awaits became ready during the block but resumed only when it ended. */
function victimsOf(state: ModelState, block: Block, end: Ms): Victim[] {
	const victims: Victim[] = [];
	for (const task of state.nodes.values()) {
		if (!isTaskKind(task.kind) || task.id === block.taskId || !onBlockedThread(block, task.id)) continue;
		let delayMs = 0;
		for (const wait of task.awaits) {
			if (wait.readyMs === null || wait.resumedMs === null) continue;
			delayMs = Math.max(delayMs, Math.min(wait.resumedMs, end) - Math.max(wait.readyMs, block.startMs));
		}
		if (delayMs > 0) victims.push({task, delayMs});
	}
	return victims.sort((a, b) => b.delayMs - a.delayMs);
}

function blockFinding(block: Block, durationMs: Ms, victims: Victim[]): BlockedLoopInsight {
	const longestDelayMs = victims[0]?.delayMs ?? null;
	const insight: BlockedLoopInsight = {
		kind: 'blocked-loop',
		block,
		durationMs,
		delayedTasks: victims.length,
		longestDelayMs,
		taskIds: [...(block.taskId === null ? [] : [block.taskId]), ...victims.map(victim => victim.task.id)],
	};
	if (longestDelayMs !== null) insight.savesMs = longestDelayMs;
	return insight;
}
