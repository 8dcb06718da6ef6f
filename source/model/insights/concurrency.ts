import type {ModelState} from '../state.js';
import {leafTasks, sessionDuration, summarize} from '../summary.js';
import type {ConcurrencyInsight} from './insight.js';

const MIN_CONCURRENCY = 1;

/** The seed's figure: the leaf tasks' total time against the wall-clock time it took. */
export function concurrency(state: ModelState): ConcurrencyInsight[] {
	const leaves = leafTasks(state);
	const durationMs = sessionDuration(state);
	const summary = summarize(state);
	// Below 1× nothing overlapped: the figure says nothing the sequential-awaits finding would not.
	if (leaves.length < 2 || durationMs <= 0 || summary.taskTimeMs <= 0 || summary.concurrency < MIN_CONCURRENCY) return [];
	return [
		{
			kind: 'concurrency',
			requests: leaves.length + state.aggregated.tasks,
			taskTimeMs: summary.taskTimeMs,
			durationMs,
			concurrency: summary.concurrency,
			taskIds: leaves.map(leaf => leaf.id),
		},
	];
}
