import type {Ms} from '../../protocol/events.js';
import {type Block, type ModelState, type TaskNode, isTaskKind, onBlockedThread} from '../state.js';
import {insightIdentity} from './identity.js';
import {blockingCallOf} from '../blocking-calls.js';
import type {BlockedLoopInsight, InsightOptions} from './insight.js';

interface Victim {
	task: TaskNode;
	/** How long it was ready but could not run because of the block. */
	delayMs: Ms;
}

/**
 * The finished blocks of at least the threshold, one finding per loop and place (a function's code, or the same
 * first frame), and per call of Node's it was in: a server whose handler blocks at each request has one finding, its
 * longest block, with how many there were and their time in all, not a finding per request; a function's wait in
 * execSync and its wait in Atomics.wait are two, each with its own advice. The longest first.
 */
export function blockedLoop(state: ModelState, options: Required<InsightOptions>): BlockedLoopInsight[] {
	const byPlace = new Map<string, {finding: BlockedLoopInsight; delayed: Set<number>}>();
	for (const block of state.blocks) {
		if (block.durationMs === null || block.endMs === null || block.durationMs < options.blockThresholdMs) continue;
		const victims = victimsOf(state, block, block.endMs);
		const finding = blockFinding(block, block.durationMs, victims);
		// A call with advice of its own is a finding of its own; any other is the function's own work, wherever in it the stack was read.
		const call = block.callee ? blockingCallOf(block.callee) : null;
		const callee = call ? `${block.callee!.loc}\u0000${block.callee!.fn}` : '';
		const place = `${block.processId ?? ''}\u0000${callee}\u0000${insightIdentity(finding)}`;
		const seen = byPlace.get(place);
		if (!seen) {
			byPlace.set(place, {finding, delayed: new Set(victims.map(victim => victim.task.id))});
			continue;
		}
		// A task two blocks there kept waiting is one task kept waiting.
		for (const victim of victims) seen.delayed.add(victim.task.id);
		seen.finding = {...together(seen.finding, finding), delayedTasks: seen.delayed.size};
	}
	return [...byPlace.values()].map(({finding}) => finding).sort((a, b) => b.durationMs - a.durationMs);
}

/** Two findings of one place as one: the longer block's, with both counted (their delayed tasks are the caller's to count once each). */
function together(a: BlockedLoopInsight, b: BlockedLoopInsight): BlockedLoopInsight {
	const [longer, shorter] = b.durationMs > a.durationMs ? [b, a] : [a, b];
	const taskIds = [...new Set([...longer.taskIds, ...shorter.taskIds])];
	const merged: BlockedLoopInsight = {
		...longer,
		blocks: a.blocks + b.blocks,
		totalMs: a.totalMs + b.totalMs,
		longestDelayMs: a.longestDelayMs === null || b.longestDelayMs === null ? (a.longestDelayMs ?? b.longestDelayMs) : Math.max(a.longestDelayMs, b.longestDelayMs),
		taskIds,
	};
	if (merged.longestDelayMs !== null) merged.savesMs = merged.longestDelayMs;
	return merged;
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
		blocks: 1,
		totalMs: durationMs,
		delayedTasks: victims.length,
		longestDelayMs,
		taskIds: [...(block.taskId === null ? [] : [block.taskId]), ...victims.map(victim => victim.task.id)],
	};
	if (longestDelayMs !== null) insight.savesMs = longestDelayMs;
	return insight;
}
