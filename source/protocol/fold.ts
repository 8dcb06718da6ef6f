import type {FoldEvent, Ms} from './events.js';

/** How many quick tasks of one function the child sends one by one at once, before its rate applies: a script's first burst stays whole. */
export const SENT_BURST = 1000;
/**
 * Then how many a second, in event time; beyond that a function's quick tasks fold (runtime/span-folder.ts). A
 * hundred a second is more than a dashboard can show one by one, and a server's every request sent costs the
 * monitor a dozen lines: at 500 a second, an Express server at 3,000 requests a second cost the monitor 47 µs of
 * CPU a request, at 100 a second 22 µs (its script 226 against 210 µs; node alone 112 µs).
 */
export const SENT_PER_SECOND = 100;

/**
 * The unit of a folded task's times: a microsecond, the stream's own precision (rounding.ts), so a folded
 * task's start and end are exactly what its own events would have said, and one that ended before the next
 * started still does. An int32 holds ±35 minutes.
 */
export const FOLD_UNIT_MS = 1e-3;
/** The int32s per folded task: start and end (relative to the fold's t), busy, wait. */
export const FOLD_FIELDS = 4;
/** The longest span, ms, that fits a field: a task the child cannot pack is sent one by one. */
export const FOLD_MAX_MS = 2 ** 31 * FOLD_UNIT_MS - 1;

/** One folded task's times, ms. */
export interface FoldedTask {
	startMs: Ms;
	totalMs: Ms;
	busyMs: Ms;
	waitMs: Ms;
}

const units = (ms: Ms): number => Math.round(ms / FOLD_UNIT_MS);

/** Packs folded tasks' times into a fold line's `tasks` text: little-endian whatever the machine. */
export class FoldedTaskWriter {
	private view = new DataView(new ArrayBuffer(FOLD_FIELDS * 4 * 64));
	private length = 0;
	private readonly origin: number;

	/** `t`: the fold line's time, which its tasks' starts and ends are written relative to. */
	constructor(t: Ms) {
		this.origin = units(t);
	}

	/** Adds a task, its times in session ms; its start and end must be within FOLD_MAX_MS of the fold's t. */
	add(startMs: Ms, endMs: Ms, busyMs: Ms, waitMs: Ms): void {
		if (this.length + FOLD_FIELDS * 4 > this.view.byteLength) {
			const grown = new Uint8Array(this.view.byteLength * 2);
			grown.set(new Uint8Array(this.view.buffer, 0, this.length));
			this.view = new DataView(grown.buffer);
		}
		const view = this.view;
		const at = this.length;
		view.setInt32(at, units(startMs) - this.origin, true);
		view.setInt32(at + 4, units(endMs) - this.origin, true);
		view.setInt32(at + 8, units(busyMs), true);
		view.setInt32(at + 12, units(waitMs), true);
		this.length = at + FOLD_FIELDS * 4;
	}

	text(): string {
		return Buffer.from(this.view.buffer, 0, this.length).toString('base64');
	}
}

/**
 * Calls `each` with every task of a fold line, its start in session time; false if `tasks` is not base64
 * of `count` tasks (Node's decoder skips what is not base64, so any such character leaves it short).
 */
export function forEachFoldedTask(fold: FoldEvent, each: (task: FoldedTask) => void): boolean {
	const bytes = Buffer.from(fold.tasks, 'base64');
	if (bytes.length !== fold.count * FOLD_FIELDS * 4 || fold.tasks.length !== 4 * Math.ceil(bytes.length / 3)) return false;
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
	const origin = units(fold.t);
	const task: FoldedTask = {startMs: 0, totalMs: 0, busyMs: 0, waitMs: 0};
	for (let offset = 0; offset < bytes.length; offset += FOLD_FIELDS * 4) {
		const start = origin + view.getInt32(offset, true);
		const end = origin + view.getInt32(offset + 4, true);
		// As roundMs writes a time: the same start and end the task's own events would have given.
		task.startMs = start / 1000;
		task.totalMs = end / 1000 - task.startMs;
		task.busyMs = view.getInt32(offset + 8, true) * FOLD_UNIT_MS;
		task.waitMs = view.getInt32(offset + 12, true) * FOLD_UNIT_MS;
		each(task);
	}
	return true;
}
