import type {FoldEvent, HttpFoldEvent, Ms} from './events.js';

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
/** The int32s per folded request (`fold.http`): start and end (relative to the line's t), its wait in a pool's queue, then its queue, connect, time-to-first-byte and download phases. */
export const FOLD_REQUEST_FIELDS = 7;
/** A folded request's phase it did not reach. */
const NO_PHASE = -1;
/** The longest span, ms, that fits a field: a task the child cannot pack is sent one by one. */
export const FOLD_MAX_MS = 2 ** 31 * FOLD_UNIT_MS - 1;

/** One folded task's times, ms. */
export interface FoldedTask {
	startMs: Ms;
	totalMs: Ms;
	busyMs: Ms;
	waitMs: Ms;
}

/** One folded request's times, ms: its phases as the model measures them (see reducer.ts), each absent when not reached. */
export interface FoldedRequest {
	startMs: Ms;
	totalMs: Ms;
	/** Its wait in a connection pool's queue (see HttpDetails.queue), until op.dequeued: none when it joined no queue. */
	pooledMs?: Ms;
	queueMs?: Ms;
	connectMs?: Ms;
	ttfbMs?: Ms;
	downloadMs?: Ms;
}

const units = (ms: Ms): number => Math.round(ms / FOLD_UNIT_MS);

/** Packs folded tasks' (or requests') times into a fold line's `tasks` (or `requests`) text: little-endian whatever the machine. */
export class FoldedTaskWriter {
	private view = new DataView(new ArrayBuffer(FOLD_REQUEST_FIELDS * 4 * 64));
	private length = 0;
	private readonly origin: number;

	/** `t`: the fold line's time, which its tasks' starts and ends are written relative to. */
	constructor(t: Ms) {
		this.origin = units(t);
	}

	/** Adds a task, its times in session ms; its start and end must be within FOLD_MAX_MS of the fold's t. */
	add(startMs: Ms, endMs: Ms, busyMs: Ms, waitMs: Ms): void {
		const at = this.span(startMs, endMs, FOLD_FIELDS);
		this.view.setInt32(at + 8, units(busyMs), true);
		this.view.setInt32(at + 12, units(waitMs), true);
	}

	/** Adds a request (of a `fold.http` line: write only requests to one writer), its phases undefined when not reached. */
	addRequest(request: FoldedRequest): void {
		const at = this.span(request.startMs, request.startMs + request.totalMs, FOLD_REQUEST_FIELDS);
		this.phase(at + 8, request.pooledMs);
		this.phase(at + 12, request.queueMs);
		this.phase(at + 16, request.connectMs);
		this.phase(at + 20, request.ttfbMs);
		this.phase(at + 24, request.downloadMs);
	}

	private phase(at: number, ms: Ms | undefined): void {
		this.view.setInt32(at, ms === undefined ? NO_PHASE : units(ms), true);
	}

	text(): string {
		return Buffer.from(this.view.buffer, 0, this.length).toString('base64');
	}

	/** Makes room for a record of `fields` int32s and writes its start and end: where it begins. */
	private span(startMs: Ms, endMs: Ms, fields: number): number {
		if (this.length + fields * 4 > this.view.byteLength) {
			const grown = new Uint8Array(this.view.byteLength * 2);
			grown.set(new Uint8Array(this.view.buffer, 0, this.length));
			this.view = new DataView(grown.buffer);
		}
		const at = this.length;
		this.view.setInt32(at, units(startMs) - this.origin, true);
		this.view.setInt32(at + 4, units(endMs) - this.origin, true);
		this.length = at + fields * 4;
		return at;
	}
}

/**
 * Calls `each` with every task of a fold line, its start in session time; false if `tasks` is not base64
 * of `count` tasks (Node's decoder skips what is not base64, so any such character leaves it short).
 */
export function forEachFoldedTask(fold: FoldEvent, each: (task: FoldedTask) => void): boolean {
	const view = packed(fold.tasks, fold.count, FOLD_FIELDS);
	if (!view) return false;
	const origin = units(fold.t);
	const task: FoldedTask = {startMs: 0, totalMs: 0, busyMs: 0, waitMs: 0};
	for (let offset = 0; offset < view.byteLength; offset += FOLD_FIELDS * 4) {
		spanAt(view, offset, origin, task);
		task.busyMs = view.getInt32(offset + 8, true) * FOLD_UNIT_MS;
		task.waitMs = view.getInt32(offset + 12, true) * FOLD_UNIT_MS;
		each(task);
	}
	return true;
}

/** As forEachFoldedTask, for the requests of a `fold.http` line. */
export function forEachFoldedRequest(fold: HttpFoldEvent, each: (request: FoldedRequest) => void): boolean {
	const view = packed(fold.requests, fold.count, FOLD_REQUEST_FIELDS);
	if (!view) return false;
	const origin = units(fold.t);
	for (let offset = 0; offset < view.byteLength; offset += FOLD_REQUEST_FIELDS * 4) {
		const request: FoldedRequest = {startMs: 0, totalMs: 0};
		spanAt(view, offset, origin, request);
		const phase = (at: number): Ms | undefined => {
			const value = view.getInt32(offset + at, true);
			return value === NO_PHASE ? undefined : value * FOLD_UNIT_MS;
		};
		request.pooledMs = phase(8);
		request.queueMs = phase(12);
		request.connectMs = phase(16);
		request.ttfbMs = phase(20);
		request.downloadMs = phase(24);
		each(request);
	}
	return true;
}

/** The packed int32s of `count` records of `fields` each, or null if `text` is not base64 of exactly those. */
function packed(text: string, count: number, fields: number): DataView | null {
	const bytes = Buffer.from(text, 'base64');
	if (bytes.length !== count * fields * 4 || text.length !== 4 * Math.ceil(bytes.length / 3)) return null;
	return new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Reads a record's start and end into `into`, the start in session time. */
function spanAt(view: DataView, offset: number, origin: number, into: {startMs: Ms; totalMs: Ms}): void {
	const start = origin + view.getInt32(offset, true);
	const end = origin + view.getInt32(offset + 4, true);
	// As roundMs writes a time: the same start and end the task's own events would have given.
	into.startMs = start / 1000;
	into.totalMs = end / 1000 - into.startMs;
}
