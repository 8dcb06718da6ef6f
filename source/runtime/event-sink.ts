import {targetIds, type AsyncmonEvent, type FoldEvent, type HeaderEvent, type TaskStartEvent} from '../protocol/events.js';
import {serializeBatch} from '../protocol/encode.js';
import {NONE_FOLDED, type IsFolded, type SpanFolder} from './span-folder.js';

/** Where the sink's batches go: the monitor's pipe (PipeWriter) or the agent's thread (ChannelWriter, PipeWriter). */
export interface BatchWriter {
	/** `data` must own its buffer: it may be handed to another thread. */
	write(data: Uint8Array): void;
	/** Returns once everything written so far is where it goes. */
	drain(): void;
	/** How long the script waited for the reader since the last call, ms. */
	takeHeldBackMs(): number;
}

/**
 * A flush once this many events are buffered (or calls folded as they ended: see foldEnded). Kept small enough
 * that a burst's events and tasks die young: at 16,384, 100,000 tasks in waves of 1,000 (the bench's) kept theirs
 * across several scavenges, V8 promoted about 1.6 MB at each, and the run took 10 % longer (a million awaits too).
 */
export const MAX_BUFFERED = 4096;

/**
 * What a flush may keep for the next one: nothing (at exit, or when asked to send everything); the calls still
 * running that began in the batch's second half (`burst`: the buffer filled up in the middle of the script's
 * synchronous code); or only those of them that began in the last RECENT_MS (`recent`: the flush timer, so that
 * a server's requests in flight are not cut in two, while the monitor learns of anything older at once).
 */
export type Keep = 'nothing' | 'burst' | 'recent';

/** A call that began this recently is kept by a `recent` flush: longer than most quick requests take. */
export const RECENT_MS = 10;

/**
 * Buffers events and writes them to the monitor's pipe in batches, never one
 * syscall per event. It decides nothing: its owner flushes it, on a timer,
 * when `push` says the buffer is full, and at exit.
 */
export class EventSink {
	private buffer: Array<AsyncmonEvent | HeaderEvent> = [];
	/** What the last `held` line said: a flush says it again only when it changed. */
	private held = {tasks: 0, http: 0};
	/**
	 * No task or op buffered started before this id: one under an earlier id is in the stream already. Never above
	 * the lowest buffered start's id, sometimes below (once that start folded). Starts are buffered in id order but
	 * for a silent call's (see foldSilent), buffered once something names it.
	 */
	private firstStartId = Number.POSITIVE_INFINITY;
	/** Calls folded as they ended since the last flush: they fill the buffer as their events would have. */
	private foldedSinceFlush = 0;

	constructor(
		private readonly writer: BatchWriter,
		/** Event times are relative to this `performance.now()` reading. */
		private readonly origin: number,
		/** Null sends every task one by one. */
		private readonly folder: SpanFolder | null = null,
	) {}

	/** Buffers the event; true once the buffer is full and wants a flush. */
	push(event: AsyncmonEvent | HeaderEvent): boolean {
		if ((event.type === 'task.start' || event.type === 'op.start') && event.id < this.firstStartId) this.firstStartId = event.id;
		return this.buffer.push(event) + this.foldedSinceFlush >= MAX_BUFFERED;
	}

	/** Whether the buffer, with the calls folded since the last flush, wants a flush: a burst of them is sent as it runs, as their events would be. */
	get full(): boolean {
		return this.buffer.length + this.foldedSinceFlush >= MAX_BUFFERED;
	}

	/**
	 * Task `id`, a call of an async function, ended at `endT` (a `performance.now()` reading) within `maxMs` of
	 * its start, which is the last event buffered, and under a task whose start is in the stream already: it
	 * started nothing, nothing waited on it or blocked in it, and its parent cannot fold with it. Folded now if
	 * its site's allowance says so (see SpanFolder.foldEnded): its start is taken back, and its end is never
	 * made. True when it folded.
	 */
	foldEnded(id: number, endT: number, busy: number, wait: number, maxMs: number): boolean {
		const start = this.buffer.at(-1);
		if (!this.folder || start?.type !== 'task.start' || start.id !== id || start.kind !== 'task' || start.thread !== undefined) return false;
		if (start.parent === null || start.parent >= this.firstStartId || endT - start.t >= maxMs) return false;
		const folded = this.folder.foldEnded(start, start.t - this.origin, endT - this.origin, busy, wait);
		if (folded === false) return false;
		if (folded === true) this.buffer.pop();
		else this.buffer[this.buffer.length - 1] = folded;
		this.foldedSinceFlush++;
		return true;
	}

	/**
	 * Whether a call of `site` starting now (a `performance.now()` reading) starts *silent*: it folds if it ends
	 * quickly, its site's allowance spent (see SpanFolder.startsSilent). Its start is not buffered until something
	 * names it, and if nothing does, it folds as it ends (see foldSilent).
	 */
	startsSilent(site: string, now: number): boolean {
		return this.folder?.startsSilent(site, now - this.origin) ?? false;
	}

	/** The task `id` is sent whole, never folded (see SpanFolder.keepWhole). */
	keepWhole(id: number): void {
		this.folder?.keepWhole(id);
	}

	/** Whether a request a server received, starting now, starts quiet (see QuietTrees and SpanFolder.startsQuiet). */
	startsQuiet(request: {method: string; url: string}, id: number, now: number): boolean {
		return this.folder?.startsQuiet(request, id, now - this.origin) ?? false;
	}

	/**
	 * A silent call (see wouldFold) ended at `endT`, quick, failed in nothing, named by nothing but its parent's
	 * await: it folds now into its site's line under its parent, unless its allowance sends it (a record-long
	 * call, say: its allowance is charged, and the caller buffers its start and end as any call's). Its start was
	 * never buffered, so its line (when it opens one) goes where the call ended, put in time order with the rest.
	 * True when it folded.
	 */
	foldSilent(start: TaskStartEvent, endT: number, busy: number, wait: number): boolean {
		const folded = this.folder!.foldEnded(start, start.t - this.origin, endT - this.origin, busy, wait);
		if (folded === false) return false;
		if (folded !== true) this.buffer.push(folded);
		this.foldedSinceFlush++;
		return true;
	}

	/** The latest event buffered, until the next flush: one the caller may still add to. */
	/** How long the script's output waited for the monitor since the last flush (see Tracker.writeToMonitor). */
	private outputHeldMs = 0;

	heldBack(ms: number): void {
		this.outputHeldMs += ms;
	}

	last(): AsyncmonEvent | HeaderEvent | undefined {
		return this.buffer.at(-1);
	}

	/**
	 * `beforeWrite` completes the events that are sent, told which tasks were folded and are not, and which tasks'
	 * starts are kept for the next flush (see KeptStarts). `keep`: what of the calls still
	 * running may wait for the next flush with what follows them, where they may have ended and fold (see Keep).
	 * `unsent`: the tasks and requests sent started and not ended that are not in the stream either: silent calls
	 * still running (see wouldFold), quiet requests' (see QuietTrees).
	 */
	flush(beforeWrite?: (isFolded: IsFolded, kept: KeptStarts) => void, keep: Keep = 'nothing', unsent: {tasks: number; http: number} = NOTHING_UNSENT): void {
		this.foldedSinceFlush = 0;
		const heldMs = this.writer.takeHeldBackMs() + this.outputHeldMs;
		this.outputHeldMs = 0;
		if (heldMs > 0) this.buffer.push({type: 'backpressure', t: performance.now(), heldMs});
		const buffered = this.buffer;
		const cut = keep === 'nothing' || !this.folder ? buffered.length : this.folder.cutBeforeRunning(buffered, keep === 'recent' ? performance.now() - RECENT_MS : Number.NEGATIVE_INFINITY);
		let events = cut === buffered.length ? buffered : buffered.slice(0, cut);
		// The cut is always before the start of a task or an op, and ids are given in start order.
		const keptFrom = cut === buffered.length ? Number.POSITIVE_INFINITY : (buffered[cut] as {id: number}).id;
		this.buffer = cut === buffered.length ? [] : sendTold(buffered.slice(cut), keptFrom, events);
		this.firstStartId = lowestStartId(this.buffer, keptFrom);
		const held = heldIn(this.buffer);
		held.tasks += unsent.tasks;
		held.http += unsent.http;
		// Again at each flush while any is held, unchanged or not: those held before are told in this batch, and a reader
		// takes each start older than the figure off it until the next (see the reducer's `held`).
		if (held.tasks !== this.held.tasks || held.http !== this.held.http || held.tasks > 0 || held.http > 0) {
			events.push({type: 'held', t: performance.now(), ...held});
			this.held = held;
		}
		// First: a fold line's times are written as its tasks' own would have been, relative to t = 0.
		// Indexed: an iterator's results, not optimised away in this long function, were 0.5 KB of a served request's garbage.
		for (let i = 0; i < events.length; i++) shiftTimes(events[i]!, this.origin);
		// Events come in the order they were told, not the order they happened: a wait is told when it ends (or at the
		// flush, if it lasts), with the time it began. In time order, a reader that stops anywhere in a batch (a pipe
		// read ends mid-batch; a replay seeks) sees each task as it was then, waiting, not running.
		events = inTimeOrder(events);
		let isFolded = NONE_FOLDED;
		if (this.folder) {
			({events, isFolded} = this.folder.fold(events));
			this.folder.completeOpen(foldLinesIn(this.buffer));
		}
		beforeWrite?.(isFolded, keptStarts(this.buffer, keptFrom, this.firstStartId));
		if (events.length === 0) return;
		this.writer.write(ENCODER.encode(serializeBatch(events)));
	}

	/** Waits until everything flushed so far reached the pipe: at exit, on a crash or a signal. */
	drain(): void {
		this.writer.drain();
	}
}

const ENCODER = new TextEncoder();
const NOTHING_UNSENT = Object.freeze({tasks: 0, http: 0});

/**
 * Of the events a flush keeps (`tail`, from the first kept task's or op's start, id `keptFrom`, on), those that
 * need not wait go with `sent`: the later events of the tasks and ops the monitor knows by now (started before
 * the cut), their awaits told at this flush (see Tracker.showPendingAwaits, which pushes them last), their
 * resumes, phases and ends, when no earlier event of theirs is kept, and, for a resume or an end, nothing kept
 * names them (a call they started, an await on them): a task ends after what it started begins, and one whose end
 * waits reads waiting, not running; for an await, it names no op kept. Kept, they would leave those tasks
 * shown running or waiting until the next flush, done as they are: under load, most of a server's requests in
 * flight. Returns what stays.
 */
function sendTold(tail: Array<AsyncmonEvent | HeaderEvent>, keptFrom: number, sent: Array<AsyncmonEvent | HeaderEvent>): Array<AsyncmonEvent | HeaderEvent> {
	const kept: Array<AsyncmonEvent | HeaderEvent> = [];
	/** Tasks and ops with an event kept: a later event of theirs keeps its place after it. */
	const ownKept = new Set<number>();
	/** Tasks and ops a kept event names (its parent, what it awaits, the task a block is in). */
	const named = new Set<number>();
	/** The calls whose start is kept. */
	const keptCalls = new Set<number>();
	for (const event of tail) {
		if (goesNow(event, keptFrom, ownKept, named, keptCalls)) {
			sent.push(event);
			continue;
		}
		kept.push(event);
		if (event.type === 'task.start') keptCalls.add(event.id);
		noteKept(event, ownKept, named);
	}
	return kept;
}

function goesNow(event: AsyncmonEvent | HeaderEvent, keptFrom: number, ownKept: ReadonlySet<number>, named: ReadonlySet<number>, keptCalls: ReadonlySet<number>): boolean {
	switch (event.type) {
		case 'task.end':
			return event.launched === undefined && event.id < keptFrom && !ownKept.has(event.id) && !named.has(event.id);
		// A resume goes with the end, or the task would read running, its end kept.
		case 'task.ready':
		case 'task.resume':
			return event.id < keptFrom && !ownKept.has(event.id) && !named.has(event.id);
		// An await of a call kept goes too (a handler's await of the call it just made): the reader shows the task
		// waiting, as it is, on a call it hears of with the next flush. Not one of an op kept (the timer a call set
		// after the cut): told before its timer, an await reads `op #12` where after it it reads `timer 20ms`.
		case 'task.await':
			return event.id < keptFrom && !ownKept.has(event.id) && targetIds(event.on).every(id => id < keptFrom || keptCalls.has(id));
		case 'op.phase':
		case 'op.dequeued':
		case 'op.fire':
		case 'op.end':
			return event.id < keptFrom && !ownKept.has(event.id);
		// Calls folded as they ended: nothing keeps them (see SpanFolder.completeOpen), but a parent whose start is
		// kept (a silent call's may have started in the batch: see EventSink.foldSilent), which the line would name first.
		case 'fold':
			return event.parent === null || !keptCalls.has(event.parent);
		default:
			return false;
	}
}

/** Notes a kept event: the task or op it is of (in `ownKept`), and those it names (in `named`). */
function noteKept(event: AsyncmonEvent | HeaderEvent, ownKept: Set<number>, named: Set<number>): void {
	switch (event.type) {
		case 'task.start':
		case 'op.start':
			ownKept.add(event.id);
			if (event.parent !== null) named.add(event.parent);
			return;
		case 'task.await':
			ownKept.add(event.id);
			for (const id of targetIds(event.on)) named.add(id);
			return;
		case 'task.end':
			ownKept.add(event.id);
			if (event.launched?.parent != null) named.add(event.launched.parent);
			return;
		case 'task.ready':
		case 'task.resume':
		case 'op.phase':
		case 'op.dequeued':
		case 'op.fire':
		case 'op.end':
			ownKept.add(event.id);
			return;
		case 'block.start':
		case 'block.end':
		case 'uncaught':
			if (event.task !== null && event.task !== undefined) ownKept.add(event.task);
			return;
		case 'floating':
			if (event.task !== null) named.add(event.task);
			named.add(event.by);
			return;
		default:
	}
}

/** The fold lines a flush kept, with the starts of the parents they name. */
function foldLinesIn(kept: ReadonlyArray<AsyncmonEvent | HeaderEvent>): ReadonlySet<FoldEvent> {
	const lines = new Set<FoldEvent>();
	for (const event of kept) if (event.type === 'fold') lines.add(event);
	return lines;
}

/**
 * The starts a flush kept for the next one: those from id `from` on (Infinity: none), and any kept behind later ones,
 * of lower ids (a silent call's, a held call's or a quiet request's tree let go as it ended).
 */
export interface KeptStarts {
	readonly from: number;
	has(id: number): boolean;
}

function keptStarts(kept: ReadonlyArray<AsyncmonEvent | HeaderEvent>, from: number, lowest: number): KeptStarts {
	if (lowest >= from) return {from, has: id => id >= from};
	const below = new Set<number>();
	for (const event of kept) if ((event.type === 'task.start' || event.type === 'op.start') && event.id < from) below.add(event.id);
	return {from, has: id => id >= from || below.has(id)};
}

/** The lowest id of a task or op whose start a flush kept, `keptFrom` at most: a silent call's start may be kept behind later ones. */
function lowestStartId(kept: ReadonlyArray<AsyncmonEvent | HeaderEvent>, keptFrom: number): number {
	let lowest = keptFrom;
	for (const event of kept) if ((event.type === 'task.start' || event.type === 'op.start') && event.id < lowest) lowest = event.id;
	return lowest;
}

/** The tasks and the HTTP requests sent that start among the events a flush keeps and are still running: in flight, not yet in the stream. */
function heldIn(kept: ReadonlyArray<AsyncmonEvent | HeaderEvent>): {tasks: number; http: number} {
	const open = new Map<number, 'task' | 'http'>();
	for (const event of kept) {
		if (event.type === 'task.start') open.set(event.id, 'task');
		else if (event.type === 'op.start' && event.http) open.set(event.id, 'http');
		else if (event.type === 'task.end' || event.type === 'op.end') open.delete(event.id);
	}
	let tasks = 0;
	for (const kind of open.values()) if (kind === 'task') tasks++;
	return {tasks, http: open.size - tasks};
}

/**
 * The events by time, the header first; those at one time in the order they were told, as a stable sort would
 * leave them: in place, and returned. Nearly in order already: only waits told late (and what a flush adds) are
 * out of place, so the rest is one run, and those few are sorted apart and merged into it. A sort of the whole
 * batch with a comparator was a tenth of the script's time under a flood of quick tasks; copies of the batch (the
 * run, then the merge) were a tenth of a server request's garbage.
 */
export function inTimeOrder<T extends AsyncmonEvent | HeaderEvent>(events: T[]): T[] {
	let latest = Number.NEGATIVE_INFINITY;
	let firstLate = 0;
	for (; firstLate < events.length; firstLate++) {
		const t = timeOf(events[firstLate]!);
		if (t < latest) break;
		latest = t;
	}
	if (firstLate === events.length) return events;
	// The run closes up over the late events, which are set apart.
	const late: T[] = [];
	let runLength = firstLate;
	for (let i = firstLate; i < events.length; i++) {
		const event = events[i]!;
		const t = timeOf(event);
		if (t >= latest) {
			events[runLength++] = event;
			latest = t;
		} else late.push(event);
	}
	late.sort((a, b) => timeOf(a) - timeOf(b));
	// Merged from the end. At one time, an event of the run was told before a late one: a late event is earlier than
	// some event told before it, so every event of the run told after it is later still.
	let run = runLength - 1;
	for (let at = events.length - 1, next = late.length - 1; next >= 0; at--) {
		if (run >= 0 && timeOf(events[run]!) > timeOf(late[next]!)) events[at] = events[run--]!;
		else events[at] = late[next--]!;
	}
	return events;
}

function timeOf(event: AsyncmonEvent | HeaderEvent): number {
	return event.type === 'header' ? Number.NEGATIVE_INFINITY : event.t;
}

/** Events carry `performance.now()` readings until they are written: then they become times since t = 0. */
function shiftTimes(event: AsyncmonEvent | HeaderEvent, origin: number): void {
	if (event.type === 'header') return;
	event.t -= origin;
	switch (event.type) {
		case 'task.resume':
			event.readyAt -= origin;
			break;
		case 'block.start':
			event.detectedAt -= origin;
			break;
		case 'alive':
			event.idleSince -= origin;
			break;
		case 'task.end':
			if (event.launched) event.launched.t -= origin;
			break;
	}
}
