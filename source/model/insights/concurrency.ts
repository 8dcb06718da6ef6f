import type {ModelState} from '../state.js';
import {activeTime, leafTasks, sessionDuration, summarize} from '../summary.js';
import type {ConcurrencyInsight} from './insight.js';

/** At 1.0× or below nothing overlapped: the figure says nothing the sequential-awaits finding would not. */
const MIN_CONCURRENCY = 1;

/** The seed's figure: the time leaf tasks ran or waited against the wall-clock time it took (see concurrencyAt). */
export function concurrency(state: ModelState): ConcurrencyInsight[] {
	const leaves = leafTasks(state);
	const durationMs = sessionDuration(state);
	const summary = summarize(state);
	if (leaves.length < 2 || durationMs <= 0 || summary.concurrency <= MIN_CONCURRENCY) return [];
	return [
		{
			kind: 'concurrency',
			tasks: leaves.length + state.aggregated.tasks,
			activeMs: activeTime(state),
			durationMs,
			concurrency: summary.concurrency,
			taskIds: leaves.map(leaf => leaf.id),
		},
	];
}
