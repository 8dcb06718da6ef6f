import type {ModelState} from '../state.js';
import {activeTime, activeUnits, concurrencyOf, sessionDuration, summaryTaskCount} from '../summary.js';
import type {ConcurrencyInsight} from './insight.js';

/** At 1.0× or below nothing overlapped: the figure says nothing the sequential-awaits finding would not. */
const MIN_CONCURRENCY = 1;

/** The seed's figure: the time tasks ran or waited on something against the wall-clock time it took (see concurrencyAt). */
export function concurrency(state: ModelState): ConcurrencyInsight[] {
	const units = activeUnits(state);
	const durationMs = sessionDuration(state);
	// Not summarize(): the dashboard asks every second, and the summary's peak in flight sorts every folded task.
	const activeMs = activeTime(state);
	const concurrency = concurrencyOf(activeMs, durationMs);
	const workers = units.filter(unit => unit.kind === 'worker').length;
	// The summary's count, on the line above it: every task's time is in the figure, if only through its calls'.
	const tasks = summaryTaskCount(state);
	if (tasks + workers < 2 || durationMs <= 0 || concurrency <= MIN_CONCURRENCY) return [];
	return [
		{
			kind: 'concurrency',
			tasks,
			workers,
			activeMs,
			durationMs,
			concurrency,
			taskIds: units.map(unit => unit.id),
		},
	];
}
