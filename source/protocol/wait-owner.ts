import {waitsOnTasks, type Ms, type WaitTarget} from './events.js';

/**
 * Whose a wait is, as concurrency counts a unit of work's own time: the model's (model/own-time.ts) and a
 * service's agent's for the tasks it folds before a client joins (runtime/agent-retention.ts), so that both read
 * the same figure.
 * - `others`: a wait on tasks, or on a combination of tasks alone (waitsOnTasks): theirs throughout.
 * - `own`: on an op, a timer, a combination with no task: the waiting unit's own.
 * - `own-while-ops`: a combination of tasks and ops (`Promise.all([fetchUser(), db.query()])`): its own while one
 *   of its ops is in flight, theirs the rest.
 * - `others-if-child-ran`: a promise of unknown origin: theirs if a task or worker thread the unit started ran
 *   meanwhile (`new Promise` around a worker's reply, counted again otherwise: two workers read 3.5×), else its own.
 */
export type WaitOwner = 'others' | 'own' | 'own-while-ops' | 'others-if-child-ran';

export function waitOwner(on: WaitTarget): WaitOwner {
	if (waitsOnTasks(on)) return 'others';
	if (on.kind !== 'promise') return 'own';
	if (on.tasks?.length && on.ops?.length) return 'own-while-ops';
	return on.tasks || on.ops ? 'own' : 'others-if-child-ran';
}

/** The ops a combination awaits (the ones `own-while-ops` is about). */
export function opsAwaited(on: WaitTarget): readonly number[] {
	return on.kind === 'promise' ? (on.ops ?? []) : [];
}

/** How long, from `since` to `until`, any of `spans` (each `[from, to]`) covered; sorts `spans` in place. */
export function coveredMs(spans: Array<[Ms, Ms]>, since: Ms, until: Ms): Ms {
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
