import type {ModelState} from '../state.js';
import {formatDuration} from './format.js';
import type {Insight} from './insight.js';

/**
 * The seed's "concurrency is not parallelism", measured: worker threads busy
 * at the same time, beside a main loop that stayed free. Needs two workers
 * whose work overlapped; one worker alone runs no faster than the loop would.
 */
export function parallelism(state: ModelState): Insight[] {
	const workers = [...state.nodes.values()].filter(node => node.kind === 'worker' && node.endMs !== null);
	if (workers.length < 2) return [];
	const start = Math.min(...workers.map(worker => worker.startMs));
	const end = Math.max(...workers.map(worker => worker.endMs!));
	const busy = workers.reduce((total, worker) => total + worker.busyMs, 0);
	const wall = end - start;
	if (wall <= 0 || busy <= wall * 1.1) return [];
	const blocked = state.blocks.some(block => block.startMs < end && block.startMs + (block.durationMs ?? 0) > start);
	return [
		{
			kind: 'parallelism',
			message:
				`${workers.length} worker threads computed for ${formatDuration(busy)} in ${formatDuration(wall)}: parallelism ${(busy / wall).toFixed(1)}×, ` +
				(blocked ? 'but the main loop was blocked meanwhile' : 'while the main loop stayed free'),
			taskIds: workers.map(worker => worker.id),
		},
	];
}
