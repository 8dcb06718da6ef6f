import {waitsOnTasks, type Ms, type WaitTarget} from './events.js';

/**
 * Whose a wait is, as concurrency counts a unit of work's own time: the model's (model/own-time.ts) and a
 * service's agent's for the tasks it folds before a client joins (runtime/agent-retention.ts), so that both read
 * the same figure.
 * - `others`: a wait on tasks, or on a combination of tasks alone (waitsOnTasks): theirs throughout.
 * - `own`: on an op, a timer, a combination with no task: the waiting unit's own.
 * - `own-while-ops`: a combination of tasks and ops (`Promise.all([fetchUser(), db.query()])`): its own while one
 *   of its ops is in flight, theirs the rest.
 * - `others-if-child-ran`: a promise of unknown origin, or an event: theirs if a task or worker thread the unit started ran
 *   meanwhile (`new Promise` around a worker's reply, counted again otherwise: two workers read 3.5×), else its own.
 */
export type WaitOwner = 'others' | 'own' | 'own-while-ops' | 'others-if-child-ran';

export function waitOwner(on: WaitTarget): WaitOwner {
	if (waitsOnTasks(on)) return 'others';
	// An event may come from the unit's own tasks' work (one emits 'ready' once done) as a promise of unknown origin does.
	if (on.kind === 'event') return 'others-if-child-ran';
	if (on.kind !== 'promise') return 'own';
	if (on.tasks?.length && on.ops?.length) return 'own-while-ops';
	return on.tasks || on.ops ? 'own' : 'others-if-child-ran';
}

/** Where an op was in flight, `[start, end]` (end null while it is), as the side asking keeps it; undefined once it does not. */
export type OpSpanOf = (id: number) => readonly [Ms, Ms | null] | undefined;

/**
 * How long, from `since` to `until`, any of the ops a combination awaits (those `own-while-ops` is about) was in
 * flight; one no longer known (folded) counts throughout.
 */
export function opsInFlightMs(on: WaitTarget, since: Ms, until: Ms, spanOf: OpSpanOf): Ms {
	const spans: Array<[Ms, Ms]> = [];
	for (const id of on.kind === 'promise' ? (on.ops ?? []) : []) {
		const span = spanOf(id);
		if (!span) return Math.max(0, until - since);
		spans.push([span[0], span[1] ?? until]);
	}
	spans.sort((a, b) => a[0] - b[0]);
	let total = 0;
	let end = since;
	for (const [spanFrom, spanTo] of spans) {
		const from = Math.max(spanFrom, end);
		const to = Math.min(spanTo, until);
		if (to <= from) continue;
		total += to - from;
		end = to;
	}
	return total;
}
