import type {ModelState} from '../state.js';
import {activeTime, leafTasks, roundedConcurrency, sessionDuration} from '../summary.js';
import type {ConcurrencyInsight} from './insight.js';

/** At 1.0× or below nothing overlapped: the figure says nothing the sequential-awaits finding would not. */
const MIN_CONCURRENCY = 1;

/** The seed's figure: the time leaf tasks ran or waited against the wall-clock time it took (see concurrencyAt). */
export function concurrency(state: ModelState): ConcurrencyInsight[] {
	const leaves = leafTasks(state);
	const durationMs = sessionDuration(state);
	// Not summarize(): the dashboard asks every second, and the summary's peak in flight sorts every folded task.
	const concurrency = roundedConcurrency(state);
	if (leaves.length < 2 || durationMs <= 0 || concurrency <= MIN_CONCURRENCY) return [];
	// Counted apart: "tasks" are the summary's (kinds task and server), of which only the leaves are here.
	const workers = leaves.filter(leaf => leaf.kind === 'worker').length;
	return [
		{
			kind: 'concurrency',
			tasks: leaves.length - workers + state.aggregated.leafIntervals.total + state.aggregated.leavesBeforeJoin,
			workers,
			activeMs: activeTime(state),
			durationMs,
			concurrency,
			taskIds: leaves.map(leaf => leaf.id),
		},
	];
}
