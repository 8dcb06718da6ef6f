import {inspect} from 'node:util';
import {isPromise, isProxy} from 'node:util/types';
import {performance as perfHooksPerformance} from 'node:perf_hooks';
import {IDS_PER_THREAD, namedTaskIds, opCountOf, targetIds, taskCountOf, type AsyncmonEvent, type BlockEndEvent, type BlockStartEvent, type ErrorInfo, type EventWait, type Location, type OpKind, type OpStartEvent, type ProcessDetails, type ServerRequestDetails, type TaskAwaitEvent, type TaskEndEvent, type TaskKind, type TaskStartEvent, type WaitTarget} from '../protocol/events.js';
import {RECENT_MS, type EventSink, type Keep, type KeptStarts} from './event-sink.js';
import type {IsFolded} from './span-folder.js';
import {DESTRUCTURED_ARRAY, DESTRUCTURED_ARRAY_KEY, DESTRUCTURED_OBJECT, DESTRUCTURED_OBJECT_KEY, formatCall, hideSecretArguments, MAX_ARGS} from './preview.js';
import type {SiteTable} from './site-table.js';
import {describeError} from './errors.js';
import {recordedText} from './redact.js';
import {allOf, eitherOf, PROMISE, promiseOf, PromiseTargets, servedWait, TRACKED_CHILDREN, VALUE, type ServedResponseState} from './wait-targets.js';
import {ExecutorSettlers} from './executor-settlers.js';
import {QUIET_MAX_MS, QuietTrees, type QuietTree} from './quiet-trees.js';
import {type CallFrames, TaskContext} from './task-context.js';
import {WAITED_WRITE_MS} from './pipe-write.js';

/**
 * Read once: in the bundle each use of an imported name reads it through a getter (esbuild's interop with a
 * built-in module), and a quick call reads the clock four times.
 */
const performance = perfHooksPerformance;

const enum Phase {
	Running,
	Waiting,
	Done,
}

/**
 * How often buffered events reach the monitor; a SIGKILL loses at most this much. Short enough that what a
 * flush holds (a call's events and arguments, until it names the call) dies young: at 50 ms, a server at
 * 1,000 requests a second had V8 promote 300-650 KB of it at each young collection, old-space garbage that
 * grew the script's memory to twice node's; at 10-40 ms, 55 KB. At 10 ms rather than 25 a flush's pause is
 * shorter and Express under autocannon did a little better in two runs each (p99 8-9 ms against 9-10 with
 * `--plain`, 11 against 12 with the dashboard), an idle script no costlier (see docs/benchmarks.md, "Measured
 * by hand").
 */
export const FLUSH_INTERVAL_MS = 10;
/** A task resuming after a wait of a flush interval or more flushes, unless a flush came this recently: at most 500 a second. */
const EAGER_FLUSH_GAP_MS = 2;
/** Waits shorter than this that no flush saw are folded into the totals instead of emitted. */
const VISIBLE_WAIT_MS = 1;
/** The site of a wait that is no await: a task's wait on the promise it returned. */
const NO_SITE = -1;

/** A timer this late was held up by the loop, not by its delay. */
const LATE_TIMER_MS = 1;
const MAX_LATE_TIMERS = 1024;

export class Task implements CallFrames {
	phase = Phase.Running;
	busy = 0;
	wait = 0;
	sched = 0;
	awaits = 0;
	sliceStart: number;
	waitStart = 0;
	waitSite = NO_SITE;
	waitOn: WaitTarget = VALUE;
	/** The await event for the current wait is already in the stream. */
	waitEmitted = false;
	/** In Tracker.pendingAwaits: it began waiting since the last flush, which shows its wait if still unsent. */
	awaitPending = false;
	/** Until its first suspension the task runs inside its caller's synchronous code. */
	firstSlice = true;
	/**
	 * Its first suspension handed the context back to its caller, so the
	 * continuation resumes with the caller's store; later ones keep its own.
	 */
	resumesInCallerStore = false;
	/** Its code runs in an async context of its own, entered at its start; false for a call of a function that calls nothing (see Tracker.e). */
	ownContext = true;
	ownFrame: object | undefined = undefined;
	callerFrame: object | undefined = undefined;
	failed = false;
	error: unknown = undefined;
	returnPending = false;
	/** The tasks and ops it started in its current slice (the first TRACKED_SLICE_CHILDREN of each), made on first use: most tasks start none. */
	sliceTasks: number[] | null = null;
	sliceOps: number[] | null = null;
	/** How many it started in the slice, listed or not, and the latest task. */
	sliceTaskCount = 0;
	sliceOpCount = 0;
	sliceLastTask: number | null = null;
	/** The peer of the socket it last wrote to in the slice (see wroteTo), and how many tasks and ops the slice had started by then. */
	slicePeer: string | null = null;
	slicePeerAfter = 0;
	/** How many of the slice's ops gave the script a promise asyncmon knows (`fetch()`'s, say): an unknown one awaited is not theirs. */
	sliceOpsPromised = 0;
	/** The last promise a call of code not the script's gave it in the slice, standing for nothing asyncmon saw start: whatever settles it, it may be no op of the slice's. */
	sliceForeignPromise: Promise<unknown> | null = null;
	/** The stretch (Tracker.stretchEpoch) its code last ran in, and how long in all it ran there. */
	stretchEpoch = -1;
	stretchMs = 0;
	/**
	 * A call whose site's allowance was spent as it began: not in the stream until something names it (see
	 * Tracker.reveal), folded as it ends if nothing does. What its start event would say is kept on it, not in an
	 * event: a short call's start then dies with it, young. Silent while its arguments are kept for its name.
	 */
	silentAt = 0;
	silentName = '';
	silentLoc: Location | null = null;
	silentArgs: ArrayLike<unknown> | null = null;

	get silent(): boolean {
		return this.silentArgs !== null;
	}

	constructor(
		readonly id: number,
		readonly parent: Task | null,
		readonly prevRunning: Task | null,
		readonly prevStore: Task | undefined,
		startedAt: number,
	) {
		this.sliceStart = startedAt;
	}
}

/** What watches the loop for blocks: told which task runs, and of slices that ran past its threshold. */
export interface SliceWatch {
	readonly thresholdMs: number;
	/**
	 * Which task runs, since when its synchronous stretch (see Tracker.stretchStart) began; with `callback`, not its own
	 * code but a callback it scheduled: the timer's op id, or null for a setImmediate's.
	 */
	running(task: Task | null, stretchStart: number, callback?: number | null): void;
	/**
	 * A slice ran past the threshold: the events that measure its block exactly, for the tracker to emit; none if
	 * it was no block of the script's. `heldMs`: how long asyncmon held the thread in it (see takeHeldMs).
	 */
	longSlice(task: Task, start: number, end: number, heldMs: number): Array<BlockStartEvent | BlockEndEvent>;
	/** The tasks the watchdog's thread named in the latest block it told, at its start and the one it saw most in it (see I32_OPEN_BLOCK_TASK), once. */
	takeToldTasks(): number[];
	/** How long the watchdog held the thread to read a block's stack since it last said: no task's busy time. */
	takeHeldMs(): number;
	/** The entry module's own code starts running. */
	entryStarted(): void;
	/** Runs work that is no block of the script's; with `atLeastMs`, only when it took that long (see LoopWatch.excluded). */
	excluded<T>(fn: () => T, atLeastMs?: number): T;
}

/** How soon after its own immediate's callback returned a task resumes when that callback resolved what it awaited: a few jobs later. */
const YIELD_RESUME_MS = 0.5;

/** Worker threads' blocks are nobody else's: nothing watches them. */
export const NO_WATCH: SliceWatch = {thresholdMs: Infinity, running() {}, longSlice: () => [], takeToldTasks: () => [], takeHeldMs: () => 0, entryStarted() {}, excluded: fn => fn()};

/**
 * How a `server` task's request ended: its status (and the route template its framework matched, when it says), or
 * its client left; `aborted` with a status, after the response began (a stream's reader that had what it wanted):
 * no failure.
 */
export type ServedResponse = {status: number; route?: string; aborted?: true} | {aborted?: true; status?: undefined; route?: string};

/**
 * Set in a followed child process (and its workers): its ids are in its lane's range, and its main thread's root
 * is the process (kind `process`), under the parent process's task that started it.
 */
interface TrackedLane {
	firstId: number;
	process?: ProcessDetails;
}

/** A wait on a timer, an op or a peer's reply: the loop's, which resumes a task from a callback of its own, not from other tasks' code. */
function waitedOnTheLoop(on: WaitTarget): boolean {
	return on.kind === 'op' || on.kind === 'peer';
}

/** The start event of a silent call (see Task.silent), as startTask makes one. */
function silentStart(task: Task): TaskStartEvent {
	return {type: 'task.start', t: task.silentAt, id: task.id, parent: task.parent!.id, kind: 'task', name: task.silentName, loc: task.silentLoc};
}


export interface TrackerOptions {
	sink: EventSink;
	sites: SiteTable;
	/** asyncmon's own files, left out of error locations. */
	runtimeDirectory: string;
	watch: SliceWatch;
	/** Set in a worker thread: its root task is the worker, and its ids are its own range. */
	/** `location`: where the thread's code is, for a worker made from a file. */
	thread?: {id: number; name: string; location?: string | null; startedBy: number | null; lane?: TrackedLane};
}


/**
 * The runtime behind instrumented code: `e`nter, `w`ait, `r`esume, `c`atch,
 * `ret`urn, `f`ail and `l`eave. One synchronous thread runs one slice at a
 * time, so "which task runs now" is a variable, not a hook; an
 * AsyncLocalStorage carries the task into callbacks and library code so the
 * ops they start are attributed to it.
 *
 * It alone decides what goes into the thread's sink and when the sink is
 * flushed: on its timer, when the sink says it is full, and at exit.
 */
export class Tracker {
	/** Set once the process began to exit (see exit()). */
	private exiting = false;
	readonly context = new TaskContext<Task>();
	root: Task;
	private running: Task | null = null;
	/** The `server` task whose request listener runs in the current synchronous stretch. */
	private serving: Task | null = null;
	/** The response of the request whose listener runs (see serve). */
	private servingResponse: ServedResponseState | null = null;
	/** When the last flush began (or the tracker was made): see flushAfterLongWait. */
	private lastFlushAt = performance.now();
	/** When a task last started, resumed or suspended: how long the script has been doing nothing. */
	lastActivityAt = 0;
	private nextId = 1;
	private readonly sink: EventSink;
	private readonly sites: SiteTable;
	private readonly runtimeDirectory: string;
	private readonly watch: SliceWatch;
	private readonly droppedSites = new Set<number>();
	/** Due times of timers that fired late, by op id: a task awaiting one was ready at its due time. */
	private readonly lateTimers = new Map<number, number>();
	/** The task whose setImmediate callback ran last, and when it returned (see readyTime: a yield to the loop). */
	private immediateOwner: Task | null = null;
	private immediateDoneAt = Number.NEGATIVE_INFINITY;
	/** The task whose immediate's callback runs now, outside any task's slice. */
	private immediateRunningFor: Task | null = null;
	/**
	 * The silent calls waiting, by id (see Task.silent), in the order they first suspended: listed as they suspend,
	 * so that a call that returns at once (most of them) costs no entry. One still in its first slice is the running
	 * task (any call it starts reveals it first).
	 */
	private readonly silentTasks = new Map<number, Task>();
	/** Requests received past their route's allowance, held with what they start until they end (see QuietTrees). */
	private readonly quiet = new QuietTrees();
	/** Task starts whose names still lack their arguments: formatted at the flush, off the call path. */
	private unnamed: TaskStartEvent[] = [];
	private unnamedArgs: ArrayLike<unknown>[] = [];
	/**
	 * Failed tasks' ends whose errors are described at the flush: reading
	 * `error.stack` formats it, after which V8 can no longer tell Node where
	 * the error was thrown, and a crash report would point at Node's
	 * internals instead of the user's throw.
	 */
	private undescribed: Array<[TaskEndEvent, unknown]> = [];
	/** A task the top level awaits failed, with this error: see leftTopLevel. */
	private topLevelAwaitFailed = false;
	private topLevelAwaitError: unknown = undefined;
	/** The promise the top level awaits last (see leftTopLevel). */
	private topLevelAwaited: Promise<unknown> | null = null;
	/**
	 * The synchronous stretch of task code under way: from a task starting or
	 * resuming with none running to none running again. A stretch that calls
	 * many short tasks is cut into many short slices, yet blocks the loop all
	 * along: it is measured whole, unless one of its slices was reported.
	 */
	private stretchStart = 0;
	private stretchReported = false;
	/** The watchdog's pauses to read a stack, taken from the watch by the stretch's long slices: the stretch's block leaves them out too. */
	private stretchHeldMs = 0;
	/** The task whose code ran longest in the stretch so far, and how long: the block of a stretch told whole is its. */
	private stretchLongest: Task | null = null;
	private stretchLongestMs = 0;
	/** Counts the stretches: a task's time in the stretch under way is kept on it (see noteStretchPiece). */
	private stretchEpoch = 0;
	/**
	 * Tasks that began waiting since the last flush and whose wait is not in
	 * the stream yet: all a flush looks at, however many tasks wait.
	 */
	private pendingAwaits: Task[] = [];
	/** What each promise the script made stands for, as far as known. */
	readonly promiseTargets = new PromiseTargets();
	/** What an arrow's destructured parameters are passed as (see arrowArguments in transform.ts). */
	readonly [DESTRUCTURED_OBJECT_KEY] = DESTRUCTURED_OBJECT;
	readonly [DESTRUCTURED_ARRAY_KEY] = DESTRUCTURED_ARRAY;
	/**
	 * What the call under way just produced, and in whose slice: a task that
	 * returned its promise (its first slice ended), or an op it started. The
	 * next value an instrumented call returns (see p) or awaits is that
	 * task's promise, or the op's. Taken by that value, or dropped when the
	 * slice ends.
	 */
	private produced: WaitTarget | null = null;
	private producedIn: Task | null = null;
	/** The task whose promise was produced last: what a task returning that promise follows (see returned). */
	private producedTask: Task | null = null;
	/** What `unclaimedIn`'s slice made that no call of the script's claimed before it made more (see startTask). */
	private unclaimed: WaitTarget | null = null;
	private unclaimedIn: Task | null = null;
	/** What each flush sends besides what was emitted: a followed process's output held back (see copyOutput). */
	private readonly flushSources: Array<() => AsyncmonEvent[]> = [];

	/** The busy time of every slice of the thread's, the root's too. */
	private slicesMs = 0;

	/** The root is a followed process, not the script's top level or a worker: no script.start, and its parent tells its end. */
	private readonly rootIsProcess: boolean;
	/** The first id of this thread's process: each thread's range begins from it (see IDS_PER_THREAD). */
	private readonly processFirstId: number;

	constructor(options: TrackerOptions) {
		this.rootIsProcess = options.thread?.lane?.process !== undefined;
		this.flushesOnLongWaits = options.thread !== undefined && !this.rootIsProcess;
		this.processFirstId = options.thread?.lane?.firstId ?? 1;
		this.sink = options.sink;
		this.sites = options.sites;
		this.runtimeDirectory = options.runtimeDirectory;
		this.watch = options.watch;
		const thread = options.thread;
		if (thread) {
			this.nextId = this.processFirstId + thread.id * IDS_PER_THREAD;
			this.root = this.startTask(thread.lane?.process ? 'process' : 'worker', thread.name, thread.location ?? null, null, null, thread);
		} else {
			this.root = this.startTask('script', this.sites.scriptName, `${this.sites.scriptName}:1:1`, null, null);
		}
	}

	/** The flush timer: `every` is setInterval as it was before the script's timers were instrumented. */
	startFlushTimer(every: typeof setInterval): void {
		every(() => {
			this.executorSettlers.reset();
			this.flush('recent');
		}, FLUSH_INTERVAL_MS).unref();
	}

	/** `source` gives events at each flush, pushed before the buffered ones are completed and written. */
	addFlushSource(source: () => AsyncmonEvent[]): void {
		this.flushSources.push(source);
	}

	/** Every event of the thread's comes through here, the script's ops' too. */
	emit(event: AsyncmonEvent): void {
		if (this.silentTasks.size > 0 || this.running?.silent) this.revealNamedBy(event);
		const full = this.buffer(event);
		if (this.exiting) this.flushNow();
		// Not after a task's start: flushed in its first slice, asyncmon's pause would count in its duration. The next
		// event flushes, or the next start does before its task begins (see startTask).
		else if (full && event.type !== 'task.start') this.flush('burst');
	}

	/**
	 * Into the sink, or into the quiet request's tree it is of (see QuietTrees); a tree it names from outside goes into
	 * the sink first. True when the sink is full.
	 */
	private buffer(event: AsyncmonEvent): boolean {
		if (this.quiet.size > 0) {
			if (this.quiet.divert(event)) return false;
			for (const tree of this.quiet.namedBy(event)) this.releaseQuiet(tree);
		}
		return this.sink.push(event);
	}

	private releaseQuiet(tree: QuietTree): void {
		for (const event of this.quiet.release(tree)) this.sink.push(event);
	}

	/** The latest event emitted, while it is still buffered (not yet flushed): one its emitter may still add to. */
	lastBuffered(): AsyncmonEvent | undefined {
		const last = this.sink.last();
		return last?.type === 'header' ? undefined : last;
	}

	/**
	 * The process is exiting: what is buffered goes out now, and so does each event after it, one flush each,
	 * since the script's own 'exit' listeners run after asyncmon's and may still print.
	 */
	exit(): void {
		this.exiting = true;
		this.flushNow();
	}

	/**
	 * Completes the buffered events and writes them, as asyncmon's own work.
	 * `keep`: what of the calls still running may wait for the next flush
	 * (see Keep). `midBurst`: the flush comes inside the script's synchronous
	 * code, not between its callbacks, as a full buffer's (`burst`) does.
	 */
	flush(keep: Keep = 'nothing', midBurst = keep === 'burst'): void {
		this.lastFlushAt = performance.now();
		this.ownWork(() => {
			// The watchdog's thread told a block on a pipe of its own, naming the tasks it saw running: they go into the
			// stream whole, as those a block the tracker tells names (see keepWhole).
			for (const told of this.watch.takeToldTasks()) this.keepWhole(told);
			for (const source of this.flushSources) for (const event of source()) this.sink.push(event);
			this.describeErrors();
			this.revealSilent(keep);
			// Quiet requests running long are seen running from now; at exit, all of them.
			if (this.quiet.size > 0 && keep !== 'burst') for (const tree of this.quiet.begunBefore(keep === 'recent' ? performance.now() - QUIET_MAX_MS : undefined)) this.releaseQuiet(tree);
			this.showPendingAwaits(midBurst);
			const quiet = this.quiet.size > 0 ? this.quiet.held() : null;
			const unsent = {tasks: this.silentTasks.size + (quiet?.tasks ?? 0), http: quiet?.http ?? 0};
			this.sink.flush((isFolded, kept) => this.nameTasks(isFolded, kept), keep, unsent);
		});
	}

	/** The script's code is about to block its thread (see flushBeforeAtomicsWait): what is buffered goes out first. */
	flushBeforeBlocking(): void {
		if (this.ownWorkDepth !== 0) return;
		this.beforeBlocking();
		if (this.sink.last() !== undefined) this.flush();
	}

	/** Set in a worker thread: publishes its root's own busy time, which the thread that terminates it may need (see workerTerminated). */
	beforeBlocking: () => void = () => {};

	/** A worker's root's own time, given its thread's time so far: less its tasks'. */
	rootOwnBusyMs(threadBusyMs: number): number {
		return Math.max(0, threadBusyMs - (this.slicesMs - this.root.busy));
	}

	/** Flushes, then waits until everything reached the pipe: at exit, on a crash or a signal. The wait for the monitor is no block of the script's. */
	flushNow(): void {
		this.flush();
		this.ownWork(() => this.sink.drain());
	}

	/** How many tasks the next flush looks at. */
	get pendingAwaitCount(): number {
		return this.pendingAwaits.length;
	}

	/** The task that code running now belongs to. */
	current(): Task {
		return this.running ?? this.context.getStore() ?? this.root;
	}

	private startTask(
		kind: TaskKind,
		name: string,
		loc: Location | null,
		parent: Task | null,
		args: ArrayLike<unknown> | null,
		thread?: TrackerOptions['thread'],
		http?: ServerRequestDetails,
	): Task {
		// Before the task begins, so that the flush is in its caller's time (as asyncmon's own work: no busy time), not its own.
		if (this.sink.full && !this.exiting) this.flush('burst');
		const now = performance.now();
		const running = this.running;
		if (running) {
			this.addBusy(running, now - running.sliceStart);
			this.noteStretchPiece(running, now - running.sliceStart);
		}
		else this.beginStretch(now);
		this.lastActivityAt = now;
		// A call names its parent: a silent one is held with it, or in the stream first.
		if (parent?.silent) this.holdOrReveal(parent);
		const task = new Task(this.nextId++, parent, running, this.context.getStore(), now);
		// A sibling before it whose promise no call of the script's claimed: code that is not the script's is starting
		// them (a library's `mapLimit(items, 2, fn)`), and what it hands back may stand for any of them (see eitherOf).
		if (this.produced !== null && this.producedIn === parent) {
			this.unclaimed = this.unclaimed !== null && this.unclaimedIn === parent ? eitherOf(this.unclaimed, this.produced) : this.produced;
			this.unclaimedIn = parent;
		}
		this.produced = null;
		if (parent) {
			parent.sliceTasks = noteSliceChild(parent.sliceTasks, task.id);
			parent.sliceTaskCount++;
			parent.sliceLastTask = task.id;
		}
		this.running = task;
		const inQuiet = parent !== null && this.quiet.size > 0 && this.quiet.holds(parent.id);
		if (http && !inQuiet && !this.exiting && this.sink.startsQuiet(http, task.id, now)) this.quiet.begin(task.id, now);
		// Not in a quiet request's tree: held whole, it folds whole or goes whole.
		if (args && kind === 'task' && parent !== null && !inQuiet && !this.exiting && this.sink.startsSilent(loc ?? name, now)) {
			task.silentAt = now;
			task.silentName = name;
			task.silentLoc = loc;
			task.silentArgs = args;
			this.watch.running(task, this.stretchStart);
			return task;
		}
		const event: TaskStartEvent = {
			type: 'task.start',
			t: now,
			id: task.id,
			// A worker's root belongs to the main-thread task that started the worker.
			parent: parent?.id ?? thread?.startedBy ?? null,
			kind,
			name,
			loc,
		};
		if (thread?.lane?.process) event.process = thread.lane.process;
		else if (thread) event.thread = thread.id;
		if (http) event.http = http;
		// Listed first: the emit may flush, which names the listed.
		if (args) {
			this.unnamed.push(event);
			this.unnamedArgs.push(args);
		}
		this.emit(event);
		this.watch.running(task, this.stretchStart);
		return task;
	}

	/** A computed key of an instrumented method, as it is evaluated: it names the method (see FunctionSite.keyed). */
	k<K>(functionId: number, key: K): K {
		this.sites.nameByKey(functionId, key);
		return key;
	}

	/** Enter: a call of an instrumented async function starts a task. */
	e(functionId: number, args: ArrayLike<unknown>): Task {
		const site = this.sites.functionAt(functionId);
		// Named at the next flush, with the values it was called with even if the body reassigns them.
		const called = Array.prototype.slice.call(args, 0, Math.min(MAX_ARGS + 1, site.declaredArgs ?? MAX_ARGS + 1));
		if (site.secretParams) hideSecretArguments(called, site.secretParams);
		const task = this.startTask('task', site.name, site.loc, this.current(), called);
		// Entered at once, though it costs a quick call a third of its time (an AsyncContextFrame made going in and
		// another going out): libraries (got, ky) schedule a request from a callback the call's first slice registers.
		// Code that calls nothing registers none: it runs in its caller's context, which `running` overrides.
		if (site.callsNothing) task.ownContext = false;
		else this.context.enterCall(task);
		return task;
	}

	/**
	 * A call in the script's code returned `value`: what the call produced
	 * (see produced) is what that value stands for, when it is a promise.
	 */
	p<T>(value: T): T {
		if (this.produced !== null) {
			const producer = this.producedIn;
			if (Array.isArray(value) && producer === this.current()) this.promiseTargets.tagCalls(value, this.produced);
			const produced = this.takeProduced(value);
			// Kept for an await later, or a `Promise.all` (an await now takes it at once, without the map's cost). Not over an
			// event's own target (see takeTarget).
			if (produced && this.promiseTargets.of(value)?.kind !== 'event') {
				this.promiseTargets.tag(value as object, produced);
				if (produced.kind === 'op') producer!.sliceOpsPromised++;
			}
		} else if (isPromise(value)) {
			this.current().sliceForeignPromise = value;
		}
		return value;
	}

	/** The value the script's code last called `then`, `catch` or `finally` on (see pr); set by the instrumented call itself. */
	chained: unknown = undefined;

	/**
	 * A call of `then`, `catch` or `finally` in the script's code returned `value`: a promise that settles after the one
	 * it was called on (`receiver`, or `chained` where the call handed it over so), once its callback has run, so it stands for what that one does (`fetch(url).then(r =>
	 * r.json())` for the request, `load(id).then(pick)` for the call), where nothing else is known of it.
	 */
	pr<T>(value: T, receiver: unknown = this.chained): T {
		const target = this.promiseTargets.of(receiver);
		this.chained = undefined;
		this.p(value);
		// A settled value's chain waits on its callback alone (`Promise.resolve(x).then(x => x.json())`): unknown.
		if (target !== undefined && target.kind !== 'value' && isPromise(value) && this.promiseTargets.of(value) === undefined) this.promiseTargets.tag(value, target);
		return value;
	}

	/** The script's `new Promise` executors running now, and their settling listeners' events (see m, np, settling). */
	readonly executorSettlers = new ExecutorSettlers();

	/**
	 * A function literal an executor of the script's passes to a call that reads its resolve or reject (`bus.once('done',
	 * () => resolve())`, see settling-callbacks.ts), as it is passed: the function itself, known if it becomes a listener.
	 */
	settling<T>(listener: T): T {
		if (typeof listener === 'function') this.executorSettlers.mark(listener);
		return listener;
	}

	/** Before a `new Promise(executor)` of the script's: where its executor's tasks and ops begin (see np). */
	m(): number {
		this.executorSettlers.enter();
		return this.nextId;
	}

	/**
	 * The script made a promise: it stands for the events its executor made its resolve or reject a listener of
	 * (`child.on('exit', resolve)`), and the tasks and ops its executor started (a timeout guard's timer). One whose
	 * executor did neither is settled by something else (an event of a stream the slice opened, a listener made
	 * elsewhere that calls resolve): unknown.
	 */
	np<T>(since: number, promise: T): T {
		const events = this.executorSettlers.leave();
		const started = typeof promise === 'object' && promise !== null ? this.startedSince(this.current(), since) : undefined;
		// Either may settle it: `setTimeout(resolve, 300)` beside `bus.once('x', resolve)`, a guard's timer beside the event.
		const target = events ? allOf(started ? [...events, started] : events) : started;
		if (target) this.promiseTargets.tag(promise as object, target);
		else if (isPromise(promise)) this.promiseTargets.markMadeByScript(promise, this.nextId);
		return promise;
	}

	/** A statement dropped the promise of a call of an async function: reported once per site. */
	fl(value: unknown, siteId: number): void {
		this.produced = null;
		this.claimedBy(this.current());
		if (!isPromise(value) || this.droppedSites.has(siteId)) return;
		this.droppedSites.add(siteId);
		const caller = this.current();
		const task = caller.sliceLastTask;
		this.emit({type: 'floating', t: performance.now(), task, by: caller.id, site: this.sites.droppedCallAt(siteId)});
	}

	/** Explicit API: `task(name, fn)` names a unit of work. */
	named<T>(name: string, fn: () => T): T {
		const task = this.startTask('task', recordedText(name), null, this.current(), null);
		this.context.enterWith(task);
		try {
			// What the function returns is the caller's, as it is: a thenable stays one.
			return this.returned(task, fn());
		} catch (error) {
			this.f(task, error);
			throw error;
		} finally {
			this.l(task);
		}
	}

	/** Wait: the task is about to suspend at an await of `value`. */
	w<T>(task: Task, value: T, siteId: number): T {
		const now = performance.now();
		// Known before the slice ends: a task's first slice ending makes its promise the one produced.
		const on = this.takeTarget(task, value, siteId);
		// A thenable that is no promise: the await calls its `then` in a job of its own, where a lazy one starts its work
		// (superagent's request, a knex query), in the context current as the await began, which at a call's first
		// await is its caller's again (see TaskContext.leaveCall): the request was the caller's. A promise resolved with
		// it here makes that job in the task's context, as the await would (the same job, `then` read once, no frame added).
		const awaited = on === PROMISE && !isPromise(value) ? (new Promise(resolve => resolve(value)) as T) : value;
		this.endSlice(task, now);
		this.suspend(task, now, siteId, on);
		if (task === this.root) this.topLevelAwaited = isPromise(value) ? value : null;
		return awaited;
	}

	/**
	 * Wait, at an await in a loop over what an earlier await gave (`for (const id of await getIds()) await work(id)`):
	 * it needs that value on entering the loop (`entrySite`, dependent), not what the turn before awaited (`loopSite`):
	 * the calls of the loop could start together, once the list is there. The task's await before it says which: one
	 * at a site of the loop (registered from `loopFirst` on, in the order of the source) is a turn before.
	 */
	we<T>(task: Task, value: T, entrySite: number, loopSite: number, loopFirst: number): T {
		return this.w(task, value, task.waitSite !== NO_SITE && task.waitSite >= loopFirst ? loopSite : entrySite);
	}

	/**
	 * The iterable of a `for await` loop: each call of its iterator's next() is an await of what it gives, reported
	 * as the loop is about to suspend on it; the loop's body, and the statement after the loop, resume (`c`). Of a
	 * sync iterable the loop awaits each value. Anything else is a TypeError, as under node.
	 */
	fa(task: Task, iterable: unknown, siteId: number, notIterable: string): unknown {
		if (iterable !== null && iterable !== undefined) {
			const source = iterable as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
			const asyncIterator = source[Symbol.asyncIterator];
			if (typeof asyncIterator === 'function') return {[Symbol.asyncIterator]: () => this.awaitingEach(task, asyncIterator.call(source), siteId, false, this.itemsOf(source, asyncIterator))};
			const syncIterator = asyncIterator === undefined || asyncIterator === null ? source[Symbol.iterator] : undefined;
			if (typeof syncIterator === 'function') return {[Symbol.iterator]: () => this.awaitingEach(task, syncIterator.call(source), siteId, true)};
		}
		// As V8 words it for the loop's own expression, thrown from the loop's line.
		const error = new TypeError(iterable === null || iterable === undefined ? `Cannot read properties of ${String(iterable)} (reading 'Symbol(Symbol.asyncIterator)')` : notIterable);
		Error.captureStackTrace(error, this.fa);
		throw error;
	}

	/**
	 * An iterator whose next() reports the wait on what it gave: the promise of the next item, or a sync iterator's next
	 * value. `items`: what each promise stands for, where its iterator did not say (a stream of the readable-stream package).
	 */
	private awaitingEach(task: Task, iterator: Iterator<unknown> | AsyncIterator<unknown>, siteId: number, values: boolean, items: WaitTarget | null = null): Iterator<unknown> | AsyncIterator<unknown> {
		// Read once, as the loop itself reads it.
		const next = iterator.next as (this: unknown) => IteratorResult<unknown> | Promise<IteratorResult<unknown>>;
		const each: {next(): unknown; return?: (value?: unknown) => unknown} = {
			// The loop calls next() with no argument, and so does this: an iterator that counts its arguments (a function
			// util.promisify made, which takes its callback as the last) gets none more than under node.
			next: () => {
				const result = next.call(iterator);
				// The iterator's promise is its own (an async generator's, `events.on`'s): what the slice started is only
				// probably what settles it (the interval that emits, the sleep inside the generator).
				if (!values) {
					if (isPromise(result)) {
						task.sliceForeignPromise = result;
						if (items && !this.promiseTargets.of(result)) this.promiseTargets.tag(result, items);
					}
					this.w(task, result, siteId);
				}
				else if (!(result as IteratorResult<unknown>).done) this.w(task, (result as IteratorResult<unknown>).value, siteId);
				return result;
			},
		};
		// Looked up as the loop is left early, as the loop itself looks it up then: an iterator may set its return()
		// once it has started (its cleanup), and a `return` getter is read only if the loop is left early.
		Object.defineProperty(each, 'return', {
			get: () => {
				const close = iterator.return as ((this: unknown, value?: unknown) => unknown) | undefined;
				return typeof close === 'function' ? (value?: unknown) => close.call(iterator, value) : close;
			},
		});
		return each as Iterator<unknown> | AsyncIterator<unknown>;
	}

	/**
	 * A request one of the script's servers received: its task starts, and
	 * the request listener, which Node calls next in this synchronous stretch,
	 * runs inside it. Node says nothing once the listener returned: the
	 * task's first slice ends at the next microtask, or when the next request
	 * on the connection starts first. It then waits on what the listener
	 * started until the response finishes (see served), or, when it started
	 * nothing, on what `response` says (see servedWait).
	 */
	serve(name: string, http: ServerRequestDetails, response?: ServedResponseState): Task {
		if (this.serving) this.listenerReturned(this.serving);
		const task = this.startTask('server', name, null, this.current(), null, undefined, http);
		this.context.enterWith(task);
		this.serving = task;
		this.servingResponse = response ?? null;
		queueMicrotask(() => this.listenerReturned(task));
		return task;
	}

	/** A `server` task's response finished, or its client went away first. */
	served(task: Task, response: ServedResponse): void {
		this.listenerReturned(task);
		if (response.aborted && response.status === undefined) task.failed = true;
		this.finish(task, performance.now(), response);
	}

	/** A request served whose response the server's code destroyed with `error`, after its headers went out (`status`) or before. */
	failedToServe(task: Task, error: Error, response: {status?: number; route?: string}): void {
		this.listenerReturned(task);
		task.failed = true;
		task.error = error;
		const route = response.route === undefined ? {} : {route: response.route};
		this.finish(task, performance.now(), response.status === undefined ? route : {status: response.status, ...route});
	}

	/** Resume after a fulfilled await. */
	r<T>(task: Task, value: T): T {
		this.resume(task);
		return value;
	}

	/** At the start of a catch or finally clause: a rejected await resumes here. */
	c(task: Task): void {
		if (task.phase === Phase.Waiting) this.resume(task);
	}

	/**
	 * Return, from an async function: a returned promise keeps the task pending until it settles. So does a
	 * thenable that is no native promise (a query builder's, say), which the function's promise adopts: it reads its
	 * `then` once, as the function returns, and calls it once, in a job, with its own resolve functions. The thenable
	 * returned in its place does just that, its `then` read here, and hears how it settled on the way: no second
	 * read, no job more (a native promise in its place took two more, and read `then` again of what it gave).
	 * Its `then` unreadable, it is returned as it is, and the function's promise fails as under node.
	 */
	ret<T>(task: Task, value: T): T {
		// A native promise's settling is heard as it comes; a subclass's `then` is the script's own, which node calls once.
		if ((isPromise(value) && Object.getPrototypeOf(value) === Promise.prototype) || !isThenable(value)) return this.returned(task, value);
		let then: unknown;
		try {
			then = (value as {then: unknown}).then;
		} catch {
			return value;
		}
		if (typeof then !== 'function') return value;
		task.returnPending = true;
		task.waitOn = this.takeTarget(task, value);
		const settled = (error?: {value: unknown}): void => {
			if (task.phase === Phase.Done) return;
			if (error) this.f(task, error.value);
			this.finish(task);
		};
		const adopting = {
			then: (resolve: (value: unknown) => void, reject: (reason: unknown) => void): unknown => {
				try {
					return Reflect.apply(then, value, [
						(result: unknown) => {
							settled();
							resolve(result);
						},
						(reason: unknown) => {
							settled({value: reason});
							reject(reason);
						},
					]);
				} catch (error) {
					settled({value: error});
					throw error;
				}
			},
		};
		return adopting as T;
	}

	/**
	 * A returned promise keeps the task pending until it settles. The one a call just gave (`return fail()`, the
	 * script's own async function), of a task still under way, settles as that task ends: the task follows it there
	 * (see finish). Any other is heard through a reaction of asyncmon's, which V8's async stack trace cannot follow:
	 * a second reaction ends it there, and a task's error thrown below would lose every `at async` frame above
	 * (`const p = fail(); …; return p` still does: knowing every task's promise, a WeakMap's entry each, cost a
	 * million-task burst 15 % of its time).
	 */
	private returned<T>(task: Task, value: T): T {
		if (isPromise(value)) {
			task.returnPending = true;
			const producer = this.produced?.kind === 'task' ? this.producedTask : null;
			task.waitOn = this.takeTarget(task, value);
			if (producer && producer.phase !== Phase.Done && task.waitOn.kind === 'task' && task.waitOn.id === producer.id && !task.waitOn.guess) {
				const follower = {task, promise: value};
				const followers = this.followers.get(producer.id);
				if (followers) followers.push(follower);
				else this.followers.set(producer.id, [follower]);
				return value;
			}
			this.endsWith(task, value);
		}
		return value;
	}

	/** `task` ends as `promise` settles, failed with its reason if it rejects: heard through a reaction of asyncmon's. */
	private endsWith(task: Task, promise: Promise<unknown>): void {
		promise.then(
			() => this.finish(task),
			(error: unknown) => {
				this.f(task, error);
				this.finish(task);
			},
		);
	}

	/** Tasks that returned the promise of a task not yet ended, by its id, with the promise they returned (see returned). */
	private readonly followers = new Map<number, Array<{task: Task; promise: Promise<unknown>}>>();

	/**
	 * Those that returned `task`'s promise settle with it: they end as it does. Unless it failed: the promise returned
	 * may be a library's around the task (a retry helper's, `return pRetry(attempt)`, which made the task and gave
	 * its own promise), which goes on to another attempt. Its own outcome, heard now, says: the task's promise has
	 * settled already, and its error's async stack was taken when it was thrown.
	 */
	private endFollowers(task: Task, now: number): void {
		const followers = this.followers.get(task.id);
		if (!followers) return;
		this.followers.delete(task.id);
		for (const {task: follower, promise} of followers) {
			if (task.failed) this.endsWith(follower, promise);
			else this.finish(follower, now);
		}
	}

	/** Fail: an exception leaves the function. */
	f(task: Task, error: unknown): void {
		task.failed = true;
		task.error = error;
	}

	/** Leave: the function body is done (its finally clause). */
	l(task: Task): void {
		if (task.phase === Phase.Waiting) this.resume(task);
		const now = performance.now();
		this.endSlice(task, now);
		if (task.returnPending) {
			// Its body is done, its promise not: it waits on what it returned (`return db.query(…)`), shown as an await is.
			this.suspend(task, now, NO_SITE, task.waitOn);
		} else {
			this.finish(task, now);
		}
	}

	/**
	 * The current task's code wrote to a client socket whose peer is `peer`
	 * (a database's, say): an await of a promise nothing else explains waits
	 * for the reply. Written in its slice, before the await; or while it
	 * waits already, by a callback of its own (a pool that hands it a
	 * connection on the next tick), as long as its wait is not shown yet.
	 */
	wroteTo(peer: string): void {
		const task = this.current();
		if (task.phase === Phase.Running) {
			task.slicePeer = peer;
			task.slicePeerAfter = task.sliceTaskCount + task.sliceOpCount;
		} else if (task.phase === Phase.Waiting && !task.waitEmitted && task.waitOn === PROMISE) task.waitOn = {kind: 'peer', address: peer};
	}

	/** `node:timers/promises` as the user's own files import it, its sleeps ops (see instrumentTimers); installed by the timers' instrumentation. */
	userTimersPromises: object = {};

	/** Installed by the HTTP instrumentation; called by npm undici's dispatcher module as it loads. */
	patchDispatcher: (dispatcherBase: never) => void = () => {};

	/** Installed in a worker or a followed process; called by vitest's module evaluator as it loads (see vitest-evaluator.ts). */
	vitestEvaluator: (evaluator: never) => void = () => {};

	/**
	 * Installed with the event waits: the event each item of a `for await` over `iterable` is, if it is a stream's (see
	 * streamItems). `iterator`: its `[Symbol.asyncIterator]`, as the loop read it (once: a getter's is the script's).
	 */
	itemsOf: (iterable: object, iterator: Function) => WaitTarget | null = () => null;

	startOp(kind: OpKind, name: string, details: Partial<Pick<OpStartEvent, 'http' | 'timer' | 'process' | 't'>> = {}, owner?: Task): number {
		const id = this.nextId++;
		const current = this.current();
		owner ??= current;
		// An interval is nothing a promise waits for (a heartbeat set up before `await new Promise(…)`): no guess's.
		if (!details.timer?.repeat) {
			owner.sliceOps = noteSliceChild(owner.sliceOps, id);
			owner.sliceOpCount++;
			if (owner === current) this.produce({kind: 'op', id}, owner);
		}
		const event: OpStartEvent = {type: 'op.start', t: details.t ?? performance.now(), id, parent: owner.id, kind, name};
		if (details.http) event.http = details.http;
		if (details.timer) event.timer = details.timer;
		if (details.process) event.process = details.process;
		this.emit(event);
		return id;
	}

	/**
	 * A callback `task` scheduled (a timer's, say) runs now, outside any task's slice: a block in it is blamed on
	 * that task until the first microtask after it, which Node runs as soon as the callback returns. Ops it starts
	 * are the task's already: the context flows there. `callback`: the timer's op id, or null for a setImmediate's.
	 */
	attributeUntilNextMicrotask(task: Task, callback: number | null): void {
		if (this.running) return;
		this.watch.running(task, performance.now(), callback);
		if (callback === null) this.immediateRunningFor = task;
		queueMicrotask(this.attributedCallbackDone);
	}

	private readonly attributedCallbackDone = (): void => {
		const now = performance.now();
		if (this.immediateRunningFor) {
			this.immediateOwner = this.immediateRunningFor;
			this.immediateDoneAt = now;
			this.immediateRunningFor = null;
		}
		this.watch.running(this.running, now);
	};

	/**
	 * Runs asyncmon's own work inside the script's thread (compiling a module,
	 * writing events, waiting for the monitor to read them): it is no part of
	 * the running task's busy time, and no block.
	 */
	ownWork<T>(fn: () => T): T {
		const start = performance.now();
		this.ownWorkDepth++;
		try {
			return this.watch.excluded(fn);
		} finally {
			this.ownWorkDepth--;
			this.notTheScripts(performance.now() - start);
		}
	}

	/** Time the thread spent for asyncmon inside the running slice: no part of its busy time or of its stretch. */
	private notTheScripts(spent: number): void {
		const running = this.running;
		if (!running) return;
		running.sliceStart += spent;
		this.stretchStart += spent;
		this.watch.running(running, this.stretchStart);
	}

	private ownWorkDepth = 0;

	/**
	 * A write of the script's output to the monitor, which shows it in the dashboard's pane: a write that waits
	 * (WAITED_WRITE_MS or more) waits for the monitor to read its pipe (while it loads the dashboard, say), and is
	 * asyncmon's holding the script back, told as backpressure: no block, no busy time. A quicker one is the
	 * script's own time, as printing is under node.
	 */
	writeToMonitor<T>(write: () => T): T {
		const start = performance.now();
		try {
			return this.watch.excluded(write, WAITED_WRITE_MS);
		} finally {
			const spent = performance.now() - start;
			if (spent >= WAITED_WRITE_MS) {
				this.sink.heldBack(spent);
				this.notTheScripts(spent);
			}
		}
	}

	/** Whether asyncmon's own work runs now: what it starts (esbuild's worker thread, say) is none of the script's. */
	get doingOwnWork(): boolean {
		return this.ownWorkDepth > 0;
	}

	/** The entry module's code starts (the script's, or a followed process's): its imports are loaded, and the root task's own work begins. */
	entryStarted(): void {
		// Before the script's own code, which may hold the thread: a block the watchdog tells meanwhile comes after
		// the root task it names, not before it.
		this.flush();
		const now = performance.now();
		if (!this.rootIsProcess) this.emit({type: 'script.start', t: now});
		this.root.sliceStart = now;
		this.beginStretch(now);
		this.watch.running(this.root, this.stretchStart);
		this.watch.entryStarted();
	}

	/**
	 * The root task ends when the entry module has evaluated. Its code hands
	 * the thread back to the event loop here: the stretch ends, and whatever
	 * runs next starts one of its own, however long the loop sat idle.
	 */
	rootDone(threadBusyMs?: number): void {
		if (this.root.phase === Phase.Waiting) this.resume(this.root);
		const now = performance.now();
		this.endSlice(this.root, now);
		// A worker's root is its thread, whose slices span its idle waits (timers, messages): its own time is its event
		// loop's active time since it began (Node's eventLoopUtilization) less its tasks', never more than its slices.
		if (threadBusyMs !== undefined) this.root.busy = Math.min(this.root.busy, this.rootOwnBusyMs(threadBusyMs));
		// A followed process lives on past its entry's top level: its parent reports its end (see instrumentFollowedProcess).
		if (!this.rootIsProcess) this.finish(this.root, now);
	}

	/**
	 * A worker of this thread's was terminated while its thread could not end its lane (blocked in `Atomics.wait`
	 * between a pool's tasks): its root ends here, as the thread would have ended it. What the thread did meanwhile
	 * it sent before it blocked (see flushBeforeAtomicsWait), and its own time, its CPU time less its tasks', as of
	 * then: `busyMs` (a piscina pool's workers read 0 ms before, their computing unseen).
	 */
	workerTerminated(threadId: number, busyMs: number): void {
		const t = performance.now();
		this.emit({type: 'task.end', t, id: this.workerRootId(threadId), ok: true, busy: busyMs, wait: 0, sched: 0, awaits: 0});
	}

	/** The root task of a worker thread of this thread's process: the first id of the thread's range. */
	workerRootId(threadId: number): number {
		return this.processFirstId + threadId * IDS_PER_THREAD;
	}

	/**
	 * Whether `error`, reaching the process now, left the script's top level:
	 * thrown there (the top level has not finished, nor is it suspended), or
	 * the failure of a task it awaits, rethrown at the await. Node calls such
	 * an error of an ES module's evaluation a rejection; it is the script's
	 * uncaught exception.
	 */
	leftTopLevel(error: unknown): boolean {
		if (this.root.phase === Phase.Running) return true;
		if (this.root.phase !== Phase.Waiting) return false;
		return (this.topLevelAwaitFailed && error === this.topLevelAwaitError) || (this.topLevelAwaited !== null && isRejected(this.topLevelAwaited));
	}

	errorInfo(error: unknown): ErrorInfo {
		return describeError(error, this.sites.scriptDirectory, this.runtimeDirectory);
	}

	timerFired(opId: number, due: number, firedAt: number): void {
		if (firedAt - due < LATE_TIMER_MS) return;
		// Late timers nobody awaited are never looked up: keep the map small.
		if (this.lateTimers.size >= MAX_LATE_TIMERS) this.lateTimers.clear();
		this.lateTimers.set(opId, due);
	}

	/**
	 * When what the task awaits became ready. A promise's own settling runs
	 * right before the await resumes (they are adjacent reactions), so it adds
	 * nothing; a timer that fired late was ready at its due time, and the
	 * difference is time the loop kept the task from running.
	 */
	private readyTime(task: Task, now: number): number {
		// `await 5`, `await null`: nothing to wait for; what passes until the resume is the queue's, time ready.
		if (task.waitOn.kind === 'value') return task.waitStart;
		// A yield to the loop (`await new Promise(r => setImmediate(r))`, timers/promises' setImmediate(),
		// scheduler.yield()): its own immediate resolved what it awaited and returned just now, in the jobs before this
		// one. Ready as it yielded: the rest was other work's turn (`setTimeout(r, 0)` reads so by its timer).
		if (task.waitOn === PROMISE && this.immediateOwner === task && now - this.immediateDoneAt < YIELD_RESUME_MS && this.immediateDoneAt >= task.waitStart) {
			this.immediateOwner = null;
			return task.waitStart;
		}
		// Only the timer it surely awaits: a guessed one may have fired long before what the task waited for.
		if (task.waitOn.kind !== 'op' || task.waitOn.guess || this.lateTimers.size === 0) return now;
		const due = this.lateTimers.get(task.waitOn.id);
		if (due === undefined) return now;
		this.lateTimers.delete(task.waitOn.id);
		return Math.max(task.waitStart, due);
	}

	private resume(task: Task): void {
		const now = performance.now();
		this.lastActivityAt = now;
		const readyAt = this.readyTime(task, now);
		task.wait += readyAt - task.waitStart;
		task.sched += now - readyAt;
		task.awaits++;
		task.phase = Phase.Running;
		task.sliceStart = now;
		clearSlice(task);
		this.produced = null;
		this.claimedBy(task);
		const previous = this.running;
		if (previous && previous !== task) this.addBusy(previous, now - previous.sliceStart);
		if (!previous) this.beginStretch(now);
		this.running = task;
		if (task.resumesInCallerStore) {
			task.resumesInCallerStore = false;
			this.context.resumeCall(task);
		}
		if (this.showWait(task, now, false)) this.emit({type: 'task.resume', t: now, id: task.id, readyAt, wait: task.wait, sched: task.sched});
		// After a long wait for a timer or I/O, what it does next may be long too (a worker's computing, which its
		// flush timer cannot interrupt): it is shown running, not waiting on what it awaited long ago. Not after a wait
		// on other tasks: inside a burst of them (a wave's Promise.all), a flush would cut their calls in two, unfolded.
		if (this.flushesOnLongWaits && waitedOnTheLoop(task.waitOn) && now - task.waitStart >= FLUSH_INTERVAL_MS) this.flushAfterLongWait(now);
		this.watch.running(task, this.stretchStart);
	}

	/**
	 * A task resumes after a long wait and no flush came for EAGER_FLUSH_GAP_MS: what is buffered goes out now,
	 * its resume with it, so that a task that goes on to run for seconds is shown running, not waiting on the timer
	 * it awaited long ago. As asyncmon's own time.
	 */
	private flushAfterLongWait(now: number): void {
		if (now - this.lastFlushAt >= EAGER_FLUSH_GAP_MS && !this.exiting && this.ownWorkDepth === 0) this.flush('recent');
	}

	/**
	 * Whether a task resuming after a long wait flushes first (see flushAfterLongWait): in a worker thread, whose blocks no
	 * watchdog tells. On a thread with one (the script's, a followed process's) the watchdog tells a block as it
	 * happens, naming its task, and a flush at every such resume cut bursts of calls awaiting their timers in two,
	 * unfolded (a test of 30 waves of 200 such calls folded 2,300 of them at the source instead of over 3,000).
	 */
	flushesOnLongWaits: boolean;

	/** A server task's listener has returned: it waits for its response on what the listener started. */
	private listenerReturned(task: Task): void {
		if (this.serving !== task) return;
		const response = this.servingResponse;
		this.serving = null;
		this.servingResponse = null;
		if (task.phase !== Phase.Running || this.running !== task) return;
		const now = performance.now();
		this.endSlice(task, now, false);
		const on = this.sliceTarget(task, undefined);
		this.suspend(task, now, -1, on === PROMISE && response ? servedWait(response) : on);
	}

	/** `siteId`: the await's, or NO_SITE for the wait on a returned promise. */
	private suspend(task: Task, now: number, siteId: number, on: WaitTarget): void {
		if (task.silent) this.silentTasks.set(task.id, task);
		task.phase = Phase.Waiting;
		task.waitStart = now;
		task.waitSite = siteId;
		task.waitOn = on;
		task.waitEmitted = false;
		if (!task.awaitPending) {
			task.awaitPending = true;
			this.pendingAwaits.push(task);
		}
	}

	private addBusy(task: Task, ms: number): void {
		task.busy += ms;
		this.slicesMs += ms;
	}

	/**
	 * `handsPromise`: false for a served request's, which no call of the script's made: nobody takes its promise, and
	 * counted among its parent's unclaimed (see eitherOf) every request a server took grew one union more.
	 */
	private endSlice(task: Task, now: number, handsPromise = true): void {
		if (task.phase !== Phase.Running) return;
		this.lastActivityAt = now;
		// The watchdog's pause to read a blocked stack is asyncmon's time, not the task's; only a slice as long as a
		// block can hold one (a shorter one must leave it to the watchdog, which measures blocks outside tasks).
		const long = now - task.sliceStart >= this.watch.thresholdMs;
		const heldMs = long ? this.watch.takeHeldMs() : 0;
		this.stretchHeldMs += heldMs;
		const sliceMs = now - task.sliceStart;
		this.noteStretchPiece(task, sliceMs);
		this.addBusy(task, sliceMs - heldMs);
		// A long slice is a block of its own only if it began the stretch: one that began inside a longer stretch (an
		// async function called from top-level code that ran 200 ms first) is part of the stretch's block, told whole
		// when the stretch ends; told alone, it ended the block early, and --fail-on-block passed it.
		if (long && task.sliceStart <= this.stretchStart && this.emitLongSlice(task, task.sliceStart, now, heldMs)) this.stretchReported = true;
		if (task.firstSlice) {
			task.firstSlice = false;
			// The caller gets the task's promise now.
			if (task.parent !== null && handsPromise) {
				this.produce({kind: 'task', id: task.id}, task.parent);
				this.producedTask = task;
			}
			this.running = task.prevRunning;
			if (this.running) this.running.sliceStart = now;
			if (task.ownContext) {
				this.context.leaveCall(task, task.prevStore);
				task.resumesInCallerStore = true;
			}
		} else if (this.running === task) {
			this.running = null;
		}
		// Told as the block of the task whose code ran most of it (parse() that spun, not the run() that awaited it).
		if (!this.running && !this.stretchReported && now - this.stretchStart >= this.watch.thresholdMs) this.emitLongSlice(this.stretchLongest ?? task, this.stretchStart, now, this.stretchHeldMs + this.watch.takeHeldMs());
		this.watch.running(this.running, this.stretchStart);
	}

	/** True when the watch found it a block. */
	private emitLongSlice(task: Task, start: number, end: number, heldMs: number): boolean {
		const events = this.watch.longSlice(task, start, end, heldMs);
		for (const event of events) this.emit(event);
		return events.length > 0;
	}

	/**
	 * A task named from outside the tracker's events: revealed if silent, its tree let go if held, and never folded (a
	 * call held or silent to fold would fold away, and the block name a task the reader never heard of).
	 */
	private keepWhole(id: number): void {
		this.revealId(id);
		const tree = this.quiet.size > 0 ? this.quiet.treeOf(id) : undefined;
		if (tree) this.releaseQuiet(tree);
		this.sink.keepWhole(id);
	}

	/**
	 * A task ran `ms` of the stretch in one piece (up to its await, or to a call it made): the stretch's block is the
	 * task that ran most of it in all (a loop calling a thousand short tasks is the loop's).
	 */
	private noteStretchPiece(task: Task, ms: number): void {
		if (task.stretchEpoch !== this.stretchEpoch) {
			task.stretchEpoch = this.stretchEpoch;
			task.stretchMs = 0;
		}
		task.stretchMs += ms;
		if (task.stretchMs <= this.stretchLongestMs) return;
		this.stretchLongestMs = task.stretchMs;
		this.stretchLongest = task;
	}

	private beginStretch(now: number): void {
		this.stretchStart = now;
		this.stretchReported = false;
		this.stretchHeldMs = 0;
		this.stretchLongest = null;
		this.stretchLongestMs = 0;
		this.stretchEpoch++;
	}

	/** `response`: how a `server` task's request ended. Those that returned its promise end after it (see returned). */
	private finish(task: Task, now = performance.now(), response?: ServedResponse): void {
		if (task.phase === Phase.Done) return;
		this.ended(task, now, response);
		if (this.followers.size > 0) this.endFollowers(task, now);
	}

	private ended(task: Task, now: number, response: ServedResponse | undefined): void {
		if (task.phase === Phase.Waiting) task.wait += now - task.waitStart;
		task.phase = Phase.Done;
		// A task kept past its end (an await names it) keeps no context alive.
		task.ownFrame = task.callerFrame = undefined;
		if (task.silent) {
			if (this.foldedSilently(task, now)) return;
			this.reveal(task);
		} else if (response === undefined && !task.failed && this.foldedAsEnded(task, now)) return;
		const event: TaskEndEvent = {type: 'task.end', t: now, id: task.id, ok: !task.failed, busy: task.busy, wait: task.wait, sched: task.sched, awaits: task.awaits};
		if (response) {
			if (response.aborted) event.aborted = true;
			if (response.status !== undefined) event.status = response.status;
			// Matched before any answer: a request its client left while its handler ran counts under its route.
			if (response.route !== undefined) event.route = recordedText(response.route);
		}
		// A request whose client went away failed with no error to describe: its end says `aborted`.
		if (task.failed && !event.aborted) {
			// Listed first: the emit may flush, which describes the listed.
			this.undescribed.push([event, task.error]);
			if (awaitsTask(this.root, task.id)) {
				this.topLevelAwaitFailed = true;
				this.topLevelAwaitError = task.error;
			}
		}
		this.emit(event);
		// A quiet request ended: its tree into the sink whole, to fold with the next flush (or go one by one).
		const tree = this.quiet.size > 0 ? this.quiet.rootedAt(task.id) : undefined;
		if (tree) {
			this.releaseQuiet(tree);
			if (this.sink.full) this.flush('burst');
		}
	}

	/**
	 * A quick call folds as it ends when it can (see EventSink.foldEnded): the common `await cached(key)` of a
	 * function that returns at once costs no end event, and nothing at the flush. Only one shorter than a block:
	 * the watchdog may have named a longer one. Not at exit, where every event goes out as it comes.
	 */
	private foldedAsEnded(task: Task, now: number): boolean {
		if (this.exiting || !this.sink.foldEnded(task.id, now, task.busy, task.wait, this.watch.thresholdMs)) return false;
		// Its start was the last event, so it is the last to be named, if it has arguments.
		if (this.unnamed.at(-1)?.id === task.id) {
			this.unnamed.pop();
			this.unnamedArgs.pop();
		}
		if (this.sink.full) this.flush('burst');
		return true;
	}

	/**
	 * A silent call ended: it folds into its site's line if it succeeded, in less than a block (the watchdog may
	 * have named a longer one), and its allowance does not send it after all (a record-long call: see SpanFolder).
	 */
	private foldedSilently(task: Task, now: number): boolean {
		if (task.failed || this.exiting || now - task.silentAt >= this.watch.thresholdMs) return false;
		// Made now, for the fold (its line's name and place) or, if its allowance sends it after all, for the stream.
		const start = silentStart(task);
		if (!this.sink.foldSilent(start, now, task.busy, task.wait)) {
			this.reveal(task, start);
			return false;
		}
		task.silentArgs = null;
		this.silentTasks.delete(task.id);
		if (this.sink.full) this.flush('burst');
		return true;
	}

	/** A silent call is named (by a call or op it starts, a block, an error, another task's await) or has run long: its start goes into the stream, at its time. */
	private reveal(task: Task, start?: TaskStartEvent): void {
		if (task.silent) this.sink.push(this.unsilenced(task, start));
	}

	/** A silent call is silent no more: its start, made now (or `start`), listed to be named at the flush that sends it. */
	private unsilenced(task: Task, start = silentStart(task)): TaskStartEvent {
		this.silentTasks.delete(task.id);
		this.unnamed.push(start);
		this.unnamedArgs.push(task.silentArgs!);
		task.silentArgs = null;
		return start;
	}

	/** Before `event` is buffered: the silent calls it names. */
	private revealNamedBy(event: AsyncmonEvent): void {
		switch (event.type) {
			case 'task.start':
			case 'op.start':
				this.holdOrRevealId(event.parent);
				return;
			default:
				for (const id of namedTaskIds(event)) this.revealId(id);
		}
	}

	/** A silent call `id` starts a call or an op: see holdOrReveal. */
	private holdOrRevealId(id: number | null | undefined): void {
		const task = this.silentCall(id);
		if (task) this.holdOrReveal(task);
	}

	/** The silent call `id`: waiting (listed), or running its first slice. */
	private silentCall(id: number | null | undefined): Task | undefined {
		if (id === null || id === undefined) return undefined;
		return this.silentTasks.get(id) ?? (this.running?.id === id && this.running.silent ? this.running : undefined);
	}

	/**
	 * A silent call starts a call or an op (`fetchItem(i)`'s request): it is held with what it starts until it ends
	 * (see QuietTrees), as a request past its route's allowance is, so that it folds whole with them however long
	 * it takes, where revealed it could fold only within one flush (a request takes longer). At exit, revealed.
	 */
	private holdOrReveal(task: Task): void {
		if (!task.silent) return;
		if (this.exiting) return this.reveal(task);
		const start = this.unsilenced(task);
		this.quiet.begin(task.id, task.silentAt, {parent: task.parent!.id, name: start.name});
		this.quiet.divert(start);
	}

	private revealId(id: number | null | undefined): void {
		const task = this.silentCall(id);
		if (task) this.reveal(task);
	}

	/**
	 * At a flush, the silent calls still running that the monitor should hear of: all of them at exit (`nothing`),
	 * those older than a `recent` flush keeps (a call running that long is seen running, or waiting), none mid-burst.
	 */
	private revealSilent(keep: Keep): void {
		// At exit, the one running too (a process.exit() in its first slice).
		if (keep === 'nothing' && this.running) this.reveal(this.running);
		if (this.silentTasks.size === 0 || keep === 'burst') return;
		const since = keep === 'recent' ? performance.now() - RECENT_MS : Number.POSITIVE_INFINITY;
		for (const task of this.silentTasks.values()) if (task.silentAt < since) this.reveal(task);
	}

	/**
	 * The one place that decides whether a wait is shown: it puts the task's
	 * current wait in the stream once it has lasted VISIBLE_WAIT_MS, or at
	 * once when `fresh` ones show too. Shorter waits that no flush showed fold
	 * into the totals. True when the wait is in the stream.
	 */
	private showWait(task: Task, now: number, fresh: boolean): boolean {
		if (task.waitEmitted) return true;
		// Its wait counts in its totals; it shows if the call is revealed while still waiting.
		if (task.silent) return false;
		if (!fresh && now - task.waitStart < VISIBLE_WAIT_MS) return false;
		task.waitEmitted = true;
		// What it awaits, if a silent call not its own, goes into the stream first: only its parent may name a call that folds.
		if (this.silentTasks.size > 0) {
			for (const id of targetIds(task.waitOn)) {
				const awaited = this.silentTasks.get(id);
				if (awaited && awaited.parent !== task) this.reveal(awaited);
			}
		}
		const site = task.waitSite === NO_SITE ? null : this.sites.awaitAt(task.waitSite);
		const event: TaskAwaitEvent = {type: 'task.await', t: task.waitStart, id: task.id, site: site?.loc ?? null, on: this.withFoldingCallNamed(task.waitOn), busy: task.busy};
		if (site?.dependent) event.dependent = true;
		// Buffered, not emitted: a resume event or the flush under way comes next, and a full sink is flushed by that.
		this.buffer(event);
		return true;
	}

	/**
	 * A wait on a call the stream may never tell, one held or silent to fold (a worker's `await fetchItem(i)`): said
	 * with its function's name, which the reader has nowhere else. A copy: a target may be shared.
	 */
	private withFoldingCallNamed(on: WaitTarget): WaitTarget {
		if (on.kind !== 'task' || (this.quiet.size === 0 && this.silentTasks.size === 0)) return on;
		const name = this.quiet.heldCallName(on.id) ?? this.silentTasks.get(on.id)?.silentName;
		return name === undefined ? on : {...on, name};
	}

	/**
	 * Formats the names of the tasks sent, not of those folded: their line names the function alone. Those whose
	 * starts the flush kept wait for the next one, where they may fold.
	 */
	private nameTasks(isFolded: IsFolded, kept: KeptStarts): void {
		const events = this.unnamed;
		const args = this.unnamedArgs;
		this.unnamed = [];
		this.unnamedArgs = [];
		for (let i = 0; i < events.length; i++) {
			const event = events[i]!;
			if (kept.has(event.id) || this.quiet.holds(event.id)) {
				this.unnamed.push(event);
				this.unnamedArgs.push(args[i]!);
			} else if (!isFolded(event.id)) event.name = formatCall(event.name, args[i]!);
		}
	}

	private describeErrors(): void {
		const undescribed = this.undescribed;
		this.undescribed = [];
		// Optional fields are set, not spread in: hot events keep one shape.
		for (const [event, error] of undescribed) event.error = this.errorInfo(error);
	}

	/**
	 * A flush between the script's callbacks shows every task still waiting:
	 * the script is idle, so they are suspended for real, and the monitor's
	 * picture is exact should the loop block next, up to the first call
	 * still running that began in the flush's last 10 ms: from there on,
	 * the events wait for the next flush (see Keep). A flush forced by a full
	 * buffer comes mid-burst: waits under VISIBLE_WAIT_MS may still fold away,
	 * so they stay listed for the next one. A shown wait leaves the list.
	 */
	private showPendingAwaits(midBurst: boolean): void {
		const pending = this.pendingAwaits;
		this.pendingAwaits = [];
		const now = performance.now();
		for (const task of pending) {
			task.awaitPending = false;
			if (task.phase !== Phase.Waiting || this.showWait(task, now, !midBurst)) continue;
			task.awaitPending = true;
			this.pendingAwaits.push(task);
		}
	}

	private produce(target: WaitTarget, by: Task): void {
		if (this.unclaimed !== null && this.unclaimedIn === by) {
			target = eitherOf(this.unclaimed, target);
			this.unclaimed = null;
		}
		this.produced = target;
		this.producedIn = by;
	}

	/** `task`'s own code runs again, or took a value: what its slice made unclaimed is done with. */
	private claimedBy(task: Task): void {
		if (this.unclaimedIn === task) this.unclaimed = null;
	}

	/** What was produced is what `value` stands for, if it is a promise and the producer's slice is the one running. */
	private takeProduced(value: unknown): WaitTarget | undefined {
		const produced = this.produced!;
		this.produced = null;
		this.claimedBy(this.current());
		return isPromise(value) && this.producedIn === this.current() ? produced : undefined;
	}

	/**
	 * What the task now waits on at an await of `value`: what the promise is
	 * known to stand for, else what the task started in the slice, marked a
	 * guess. The slice's lists are done with either way: a callback that
	 * starts more while it waits starts new ones.
	 */
	/**
	 * A promise of unknown origin that the await at `siteId` took straight from a call: a library's or Node's
	 * (`await once(bus, 'ready')`), unless the script's own code made it (a helper's `new Promise` around a stream).
	 */
	private calledForeign(value: unknown, siteId: number): boolean {
		return siteId !== NO_SITE && this.sites.awaitAt(siteId)?.call === true && !this.promiseTargets.madeByScript(value);
	}

	/** `siteId`: the await's, whose awaited value a call may have given directly (see AwaitMeta.call). */
	private takeTarget(task: Task, value: unknown, siteId = NO_SITE): WaitTarget {
		if (!isPromise(value)) {
			this.produced = null;
			this.claimedBy(task);
			// A thenable is waited on for real, for as long as it takes; only a plain value is ready at once.
			return isThenable(value) ? PROMISE : VALUE;
		}
		const produced = this.produced !== null ? this.takeProduced(value) : undefined;
		const tagged = this.promiseTargets.of(value);
		// An event's promise (see event-waits.ts) is that event, whatever the slice started before the call that made it
		// (`new WebSocket(url)`'s request, then `once(ws, 'open')`).
		const known = produced === undefined || tagged?.kind === 'event' ? tagged : produced;
		if (known === undefined) return this.sliceTarget(task, value, value === task.sliceForeignPromise || this.calledForeign(value, siteId));
		// Events of the socket the task just wrote to (`once(socket, 'data')`, see emitterName, or a race of its 'data' and
		// 'error'): its peer's reply, as a client library's promise reads.
		if (task.slicePeer !== null && onlyEventsOf(known, task.slicePeer)) {
			const peer: WaitTarget = {kind: 'peer', address: task.slicePeer};
			clearSlice(task);
			return peer;
		}
		if (known.kind === 'promise' && !known.tasks && !known.ops && !known.events && known.others !== undefined) {
			// A combination of promises of unknown origin only (a library's): the slice's as many tasks and ops, as a
			// guess (`Promise.all([get(a), get(b)])` and the slice's two requests), or the one peer it wrote to and
			// nothing else (a Redis client's twenty GETs, as its one GET or its pipeline); else those promises, counted.
			const guess = this.sliceTarget(task, value, true);
			return guess.kind === 'peer' || startedCount(guess) === known.others ? guess : known;
		}
		clearSlice(task);
		return known;
	}

	/**
	 * A guess from what the slice started, unless one op alone was started
	 * there (the awaited promise's: a timer's, say), or nothing but a write
	 * to a socket (its peer's reply). A write to a socket after one op
	 * started is a query's, the op beside it its timeout (a watchdog timer,
	 * then `await client.query()`): the peer. An op that gave the script a
	 * promise of its own is no certain answer either (`fetch()` left to run,
	 * then `await once(emitter, 'ready')`): a guess. So is the op for a
	 * promise a library call gave the script (`foreign`): `const p =
	 * lib.later(400); setTimeout(tick, 50); await p` waits 400 ms, and
	 * `await once(emitter, 'done')` may wait on the timer that emits it.
	 * So is an op started after the script's own `new Promise` awaited
	 * (`value`) was made (see PromiseTargets.startedAfter).
	 */
	private sliceTarget(task: Task, value: unknown, foreign = false): WaitTarget {
		const {sliceTasks: tasks, sliceOps: ops, sliceTaskCount: taskCount, sliceOpCount: opCount, slicePeer: peer, sliceOpsPromised: promised} = task;
		// The write came last, nothing started after it: the reply to it, not the tasks and ops left to run before (a
		// `Promise.all` of background tasks kept aside, then `await redis.blpop()`).
		const wroteLast = peer !== null && task.slicePeerAfter === taskCount + opCount;
		clearSlice(task);
		if ((!ops && !tasks) || wroteLast) return peer === null ? PROMISE : {kind: 'peer', address: peer};
		if (!ops) return taskCount === 1 ? {kind: 'task', id: tasks![0]!, guess: true} : promiseOf(tasks, taskCount, null, 0, true);
		if (!tasks && opCount === 1) {
			if (peer !== null) return {kind: 'peer', address: peer};
			return promised > 0 || foreign || this.promiseTargets.startedAfter(value, ops[0]!) ? {kind: 'op', id: ops[0]!, guess: true} : {kind: 'op', id: ops[0]!};
		}
		if (!tasks) return promiseOf(null, 0, ops, opCount, true);
		return promiseOf(tasks, taskCount, ops, opCount, true);
	}

	/** The tasks and ops `task` started in its slice from id `since` on: what a promise made there stands for; unknown if none is listed. */
	private startedSince(task: Task, since: number): WaitTarget | undefined {
		// Ids are given as things start: none given since, none started (the common `new Promise` of a callback API).
		if (this.nextId === since) return undefined;
		const tasks = idsFrom(task.sliceTasks, since);
		const ops = idsFrom(task.sliceOps, since);
		if (!tasks && !ops) return undefined;
		if (tasks && !ops && tasks.length === 1) return {kind: 'task', id: tasks[0]!};
		if (ops && !tasks && ops.length === 1) return {kind: 'op', id: ops[0]!};
		return promiseOf(tasks, tasks?.length ?? 0, ops, ops?.length ?? 0);
	}
}

/** Whether `target` is events of the socket whose peer is `peer` and nothing else. */
function onlyEventsOf(target: WaitTarget, peer: string): boolean {
	const ofPeer = (event: EventWait): boolean => event.source.endsWith(` ${peer}`);
	if (target.kind === 'event') return ofPeer(target);
	return target.kind === 'promise' && !target.tasks && !target.ops && !target.others && target.eventCount === undefined && target.events?.every(ofPeer) === true;
}

/** The ids of `list` from `since` on (ids only grow along a list), or null if none. */
function idsFrom(list: number[] | null, since: number): number[] | null {
	if (!list) return null;
	let first = list.length;
	while (first > 0 && list[first - 1]! >= since) first--;
	return first < list.length ? list.slice(first) : null;
}

/** How many tasks and ops a target from a slice names. */
function startedCount(target: WaitTarget): number {
	if (target.kind === 'task' || target.kind === 'op') return 1;
	if (target.kind !== 'promise') return 0;
	return taskCountOf(target) + opCountOf(target);
}

/** Awaits that task's own promise: a combination (`Promise.all`) may hold tasks it does not await. */
function awaitsTask(task: Task, id: number): boolean {
	return task.phase === Phase.Waiting && task.waitOn.kind === 'task' && task.waitOn.id === id;
}

/**
 * Whether a promise's resolution would read `then` on the value: it has one, own or inherited. Asked with `in`, not
 * read: the await or the return reads it next, and a getter or a Proxy (a query builder's) is read once, as under node.
 */
/**
 * Whether a value has a `then` of its own or inherited, asking a Proxy nothing: node reads a Proxy's `then` once,
 * with its `get` trap, and asyncmon's look must not run its `has` trap too (a strict model object's throws). A
 * thenable Proxy is left to the engine, as a value.
 */
function isThenable(value: unknown): boolean {
	if (!((typeof value === 'object' && value !== null) || typeof value === 'function') || isProxy(value)) return false;
	try {
		return 'then' in value;
	} catch {
		// A Proxy up its prototype chain threw.
		return false;
	}
}

function clearSlice(task: Task): void {
	task.sliceTasks = null;
	task.sliceOps = null;
	task.sliceTaskCount = 0;
	task.sliceOpCount = 0;
	task.sliceLastTask = null;
	task.slicePeer = null;
	task.sliceOpsPromised = 0;
	task.sliceForeignPromise = null;
}

function noteSliceChild(list: number[] | null, id: number): number[] {
	if (!list) return [id];
	if (list.length < TRACKED_CHILDREN) list.push(id);
	return list;
}

/**
 * Whether a promise has rejected, read as it is now: a promise the top level awaits that rejects (`await
 * Promise.any(…)`) ends the module's evaluation, which Node reports as a rejection though the await handled it. A
 * handler of asyncmon's on it would tell as much, but a promise with two reactions ends V8's async stack trace
 * there: the script's stacks lost their `at async file:///app.mjs:3:7` frame. Node's inspection reads the state
 * instead, on this rare path alone (an error reaching the process).
 */
function isRejected(promise: Promise<unknown>): boolean {
	return /^[^{]*\{\s*<rejected>/.test(inspect(promise, {depth: 0}));
}
