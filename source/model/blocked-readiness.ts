import {HEARTBEAT_MS, type Ms, type TaskReadyEvent} from '../protocol/events.js';
import {activeBlocks, onBlockedThread, type Block, type ModelState} from './state.js';

/**
 * While a loop is blocked its thread sends nothing, yet its tasks that
 * await a one-shot timer become ready the moment the timer is due: the
 * timer would fire if the loop were free. These are the `task.ready` events
 * that say so, timed at the due time, for the tasks the model still has
 * waiting on the blocked thread: the script's main thread, or a followed
 * process's. The task's resume, once the block is over, carries the same
 * `readyAt`. Worker threads' tasks, and other processes', are not held up.
 * The live monitor asks for them while it runs (its blocked thread cannot
 * say them) and passes them on into the stream like the child's events.
 */

export function readyDuringBlock(state: ModelState, nowMs: Ms): TaskReadyEvent[] {
	const blocked = activeBlocks(state);
	if (blocked.length === 0) return [];
	const ready: TaskReadyEvent[] = [];
	for (const node of state.nodes.values()) {
		if (node.state !== 'waiting' || node.wait?.on.kind !== 'op') continue;
		const block = holding(blocked, node.id);
		if (!block) continue;
		const timer = state.nodes.get(node.wait.on.id);
		if (!timer?.timer || timer.timer.repeat || timer.endMs !== null) continue;
		const due = timer.startMs + timer.timer.delayMs;
		// Due before the block began, the timer fired as the loop last turned, and its task most likely ran then: the
		// blocked thread has yet to say so (three 40 ms timers fired, their tasks ended, then one spun: none was
		// ready and held). A block that began in code of no task's is placed at the loop's last heartbeat, up to
		// HEARTBEAT_MS early: only a timer due past that, while the loop is surely blocked, waits for it.
		if (due <= nowMs && due >= block.startMs + HEARTBEAT_MS) ready.push({type: 'task.ready', t: Math.max(due, node.wait.since), id: node.id});
	}
	return ready;
}

function holding(blocks: readonly Block[], id: number): Block | undefined {
	return blocks.find(block => onBlockedThread(block, id));
}
