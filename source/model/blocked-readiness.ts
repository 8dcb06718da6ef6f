import {IDS_PER_THREAD, type Ms, type TaskReadyEvent} from '../protocol/events.js';
import type {ModelState} from './state.js';

/**
 * While the main loop is blocked its thread sends nothing, yet its tasks
 * that await a one-shot timer become ready the moment the timer is due: the
 * timer would fire if the loop were free. These are the `task.ready` events
 * that say so, timed at the due time, for the tasks the model still has
 * waiting. The task's resume, once the block is over, carries the same
 * `readyAt`. Worker threads' tasks are not held up by the main loop.
 * The live monitor asks for them while it runs (its blocked thread cannot
 * say them) and passes them on into the stream like the child's events.
 */
export function readyDuringBlock(state: ModelState, nowMs: Ms): TaskReadyEvent[] {
	if (state.activeBlockId === null) return [];
	const ready: TaskReadyEvent[] = [];
	for (const node of state.nodes.values()) {
		if (node.state !== 'waiting' || node.wait?.on.kind !== 'op' || node.id >= IDS_PER_THREAD) continue;
		const timer = state.nodes.get(node.wait.on.id);
		if (!timer?.timer || timer.timer.repeat || timer.endMs !== null) continue;
		const due = timer.startMs + timer.timer.delayMs;
		if (due <= nowMs) ready.push({type: 'task.ready', t: Math.max(due, node.wait.since), id: node.id});
	}
	return ready;
}
