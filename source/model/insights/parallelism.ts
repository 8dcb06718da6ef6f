import type {ModelState} from '../state.js';
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
	const busyMs = workers.reduce((total, worker) => total + worker.busyMs, 0);
	const wallMs = end - start;
	if (wallMs <= 0 || busyMs <= wallMs * 1.1) return [];
	return [
		{
			kind: 'parallelism',
			workers: workers.length,
			busyMs,
			wallMs,
			parallelism: busyMs / wallMs,
			loopBlocked: state.blocks.some(block => block.startMs < end && block.startMs + (block.durationMs ?? 0) > start),
			taskIds: workers.map(worker => worker.id),
		},
	];
}
