import {laneSlotOf, type Ms} from '../../protocol/events.js';
import {isTaskKind, type ModelState, type TaskNode} from '../state.js';
import type {ParallelismInsight} from './insight.js';

/**
 * The seed's "concurrency is not parallelism", measured: worker threads busy
 * at the same time, beside a main loop that stayed free. Needs two workers
 * whose work overlapped; one worker alone runs no faster than the loop would.
 */
export function parallelism(state: ModelState): ParallelismInsight[] {
	const workers = [...state.nodes.values()].filter(node => node.kind === 'worker' && node.endMs !== null);
	if (workers.length < 2) return [];
	const start = Math.min(...workers.map(worker => worker.startMs));
	const end = Math.max(...workers.map(worker => worker.endMs!));
	const workerSlots = new Set(workers.map(worker => laneSlotOf(worker.id)));
	const busyMs = workers.reduce((total, worker) => total + threadBusy(state, worker), 0);
	const wallMs = end - start;
	if (wallMs <= 0 || busyMs <= wallMs * 1.1) return [];
	return [
		{
			kind: 'parallelism',
			workers: workers.length,
			busyMs,
			wallMs,
			parallelism: busyMs / wallMs,
			// The loop of the workers' own process: another process's blocks hold nothing of theirs up.
			loopBlocked: state.blocks.some(block => block.startMs < end && block.startMs + (block.durationMs ?? 0) > start && workerSlots.has(laneSlotOf(block.id))),
			taskIds: workers.map(worker => worker.id),
		},
	];
}

/**
 * A worker's busy time on its thread: its own top level and every task under it, as each task counts only the time
 * it ran itself. A worker or process started under it runs on a thread of its own, and is not counted here.
 */
function threadBusy(state: ModelState, worker: TaskNode): Ms {
	let busyMs = worker.busyMs;
	const pending = [...worker.children];
	for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
		const node = state.nodes.get(id);
		if (!node || node.kind === 'worker' || node.kind === 'process') continue;
		if (isTaskKind(node.kind)) busyMs += node.busyMs;
		pending.push(...node.children);
	}
	return busyMs;
}
