import {performance} from 'node:perf_hooks';
import {HEARTBEAT_MS, STOP_SIGNALS, type BlockEndEvent, type BlockStartEvent} from '../protocol/events.js';
import {userStack, type UserStack} from './caller.js';
import {isScriptsBlock, mainThreadTimes, stallEnd, stallOf} from './stall.js';
import type {SliceWatch, Task} from './tracker.js';
import type {RunningWatchdog} from './watchdog-start.js';
import {
	CLAIMING,
	F64_BEAT_QUEUED,
	F64_EXCLUDED,
	F64_HEARTBEAT,
	F64_HELD,
	F64_HELD_QUEUED,
	F64_OPEN_BLOCK_START,
	F64_QUEUED_BEFORE,
	F64_STRETCH_START,
	I32_BLOCK_COUNTER,
	I32_EXITING,
	I32_HANDLED_SIGNALS,
	I32_OPEN_BLOCK,
	I32_OPEN_BLOCK_SEEN_TASK,
	I32_OPEN_BLOCK_TASK,
	I32_PAUSED,
	I32_STACK_SESSION,
	I32_TASK,
	I32_CALLBACK,
	IMMEDIATE_CALLBACK,
	MAX_STACK_FRAMES,
	POLL_MS,
	STACK_READER_KEY,
} from './watchdog-layout.js';

/**
 * A stretch that begins a tenth of the block threshold (5 ms by default) after the last reading of the main
 * thread's wait for a CPU reads it again: a wait to wake up, counted once the thread has a CPU, is no part of the
 * stretch. An error that small cannot turn a block into a starved stall, and a busy loop reads at most 200 times
 * a second.
 */
const QUEUED_READINGS_PER_THRESHOLD = 10;

/** How many frames of a blocked stack are looked at for the user's own: a framework's may be in between. */
const STACK_DEPTH = 64;

/** At most this long at exit for the watchdog to close its inspector session: it polls every 10 ms. */
const EXIT_WAIT_MS = 250;
/**
 * At most this long at exit for the watchdog to tell the end of a block the loop turned after: it polls every POLL_MS,
 * and on a machine busy with other work its thread may wait for a CPU longer than a few polls (5 polls lost an end
 * in a fresh-clone CI run). Paid only by an exit that comes right after a block.
 */
const BLOCK_END_WAIT_MS = 20 * POLL_MS;

/** The main thread's wait for a CPU (ThreadTimes.queuedMs) and its loop's idle time so far, read at `at` (performance.now() ms). */
interface ThreadReading {
	at: number;
	queuedMs: number;
	idleMs: number;
}

export interface LoopWatchOptions {
	/** The watchdog thread, started with the same thresholdMs, cwd and idBase (see startWatchdog). */
	watchdog: RunningWatchdog;
	thresholdMs: number;
	cwd: string;
	/** asyncmon's own bundle, whose frames are never the user's. */
	ownDirectory: string;
	/** Where the process's ids start (see laneIdBase): 0 in the script's process. */
	idBase: number;
	setInterval: typeof setInterval;
}

/**
 * The main thread's half of block detection. It publishes which task runs
 * and a heartbeat; a watchdog thread notices a loop that stopped turning
 * while it still has not, and reports it. A task slice that ran past the
 * threshold is then measured exactly here, when it ends.
 */
export class LoopWatch implements SliceWatch {
	private readonly f64: Float64Array;
	private readonly i32: Int32Array;
	private readonly toEpoch: number;
	private readonly times = mainThreadTimes();
	/** Read as the main thread last beat: the loop turned, its entry's code began, or a block claimed its time. */
	private beatReading: ThreadReading = {at: 0, queuedMs: 0, idleMs: 0};
	/** Read last, at the beat or where a stretch began a while after it: F64_QUEUED_BEFORE holds its wait for a CPU. */
	private stretchReading: ThreadReading = this.beatReading;
	/** When the loop last turned, and the longest wait between two turns since takeLongestTurnMs asked. */
	private lastTurnAt = 0;
	private longestTurnMs = 0;
	private readonly queuedReadingGapMs: number;
	private readonly idBase: number;
	/** The watchdog starts held: until the entry module's code runs, the loop is only loading modules. */
	private heldForEntry = true;
	private readonly paths: {cwd: string; ownDirectory: string};
	readonly thresholdMs: number;
	/**
	 * The task whose async context the code under way runs in, where no task of the script's is running (the tracker
	 * sets it): a library's code resumed after an await of its own runs in the context of the task that called it
	 * (NestFactory.create's lazy `require()`, awaited by the script's main()). Read in the interrupt of the blocked code.
	 */
	contextTask: () => number | null = () => null;
	private readonly stackReader = (): UserStack => this.readBlockedStack();

	constructor(options: LoopWatchOptions) {
		this.f64 = new Float64Array(options.watchdog);
		this.i32 = new Int32Array(options.watchdog);
		this.toEpoch = performance.timeOrigin;
		this.thresholdMs = options.thresholdMs;
		this.queuedReadingGapMs = options.thresholdMs / QUEUED_READINGS_PER_THRESHOLD;
		this.idBase = options.idBase;
		this.paths = {cwd: options.cwd, ownDirectory: options.ownDirectory};
		Object.defineProperty(globalThis, Symbol.for(STACK_READER_KEY), {value: this.stackReader, configurable: true});
		this.beat();
		options.setInterval(() => {
			this.turned();
			this.beat();
		}, HEARTBEAT_MS).unref();
	}

	/** The loop turned (the beat's timer ran): the wait since it last did is the loop's delay. */
	private turned(): void {
		const now = performance.now();
		if (this.lastTurnAt > 0) this.longestTurnMs = Math.max(this.longestTurnMs, now - this.lastTurnAt);
		this.lastTurnAt = now;
	}

	/**
	 * The longest time between two turns of the loop since the last call: its 10 ms beat when it is free, a
	 * block's length and more when it is not. Counted as the loop turns, never lost to when it is read (Node's
	 * delay histogram, reset at each read, forgets when it last ticked: a block that ended just before a read
	 * was lost whenever the script's timers ran before the histogram's after it, and a 2.5 s block read 0).
	 */
	takeLongestTurnMs(): number {
		const longest = this.longestTurnMs;
		this.longestTurnMs = 0;
		return longest;
	}

	private beat(): void {
		// Before the heartbeat: a watchdog that sees the beat reads the wait for a CPU up to it.
		const reading = this.read(performance.now());
		this.f64[F64_BEAT_QUEUED] = reading.queuedMs;
		this.f64[F64_QUEUED_BEFORE] = reading.queuedMs;
		this.beatReading = reading;
		this.stretchReading = reading;
		this.f64[F64_HEARTBEAT] = this.toEpoch + reading.at;
		this.f64[F64_EXCLUDED] = 0;
		this.requiringMs = 0;
	}

	private read(at: number): ThreadReading {
		// libuv's idle time, as eventLoopUtilization() reads it, without the object and the figures it makes: read at every beat.
		return {at, queuedMs: this.times().queuedMs, idleMs: performance.nodeTiming.idleTime};
	}

	/** Time in `require()` since the loop last turned (see measureRequires): a block mostly spent there was loading modules. */
	private requiringMs = 0;

	/**
	 * Counts the time the thread spends in `require()`, outermost calls only: the modules' top levels run there, which
	 * a block's stack, read too late or not at all (a block just past the threshold), may not tell.
	 */
	measureRequires(prototype: {require: (this: unknown, id: string) => unknown}): void {
		const original = prototype.require;
		let depth = 0;
		const watch = this;
		prototype.require = function require(this: unknown, id: string): unknown {
			if (depth++ > 0) {
				try {
					return original.call(this, id);
				} finally {
					depth--;
				}
			}
			const start = performance.now();
			try {
				return original.call(this, id);
			} finally {
				depth--;
				watch.requiringMs += performance.now() - start;
			}
		};
	}

	/**
	 * Runs work that is no block of the script's: asyncmon's compiling, and
	 * module loading before the script's own code starts. Nests. With
	 * `atLeastMs`, the time counts as excluded only when the work took that
	 * long (a write that waited for the monitor); shorter, it stays the script's.
	 */
	excluded<T>(fn: () => T, atLeastMs = 0): T {
		Atomics.add(this.i32, I32_PAUSED, 1);
		const start = performance.now();
		try {
			return fn();
		} finally {
			// Not a beat: the loop has not turned. The script's own silence so far still counts; asyncmon's time does not.
			const spent = performance.now() - start;
			if (spent >= atLeastMs) this.f64[F64_EXCLUDED] = this.f64[F64_EXCLUDED]! + spent;
			Atomics.sub(this.i32, I32_PAUSED, 1);
		}
	}

	/**
	 * Keeps the watchdog told which stop signals the script listens to itself (`ours` are asyncmon's own
	 * listeners): a block's start says so, and the monitor ends a stuck script for a signal it does not handle,
	 * as node would have at once. Said as a listener is added, before the script's next line, which may block.
	 */
	watchSignalHandlers(ours: ReadonlySet<unknown>): void {
		const scripts = (signal: string, adding: unknown): boolean => (adding !== undefined && !ours.has(adding)) || process.listeners(signal as NodeJS.Signals).some(listener => !ours.has(listener));
		const update = (event: string | symbol, adding?: unknown): void => {
			const bit = STOP_SIGNALS.indexOf(event as (typeof STOP_SIGNALS)[number]);
			if (bit < 0) return;
			const mask = Atomics.load(this.i32, I32_HANDLED_SIGNALS);
			Atomics.store(this.i32, I32_HANDLED_SIGNALS, scripts(event as string, adding) ? mask | (1 << bit) : mask & ~(1 << bit));
		};
		// 'newListener' comes before the listener is added, 'removeListener' after it is gone.
		process.on('newListener', (event, listener) => update(event, listener));
		process.on('removeListener', event => update(event));
	}

	/** Once only: an entry evaluated again (taken out of require.cache) must not leave the watchdog paused for good. */
	entryStarted(): void {
		this.beat();
		if (!this.heldForEntry) return;
		this.heldForEntry = false;
		Atomics.sub(this.i32, I32_PAUSED, 1);
	}

	/**
	 * The process is exiting: the watchdog lets go of a session reading a block's stack, which would make Node
	 * wait for it and print "Waiting for the debugger to disconnect...". Waits for that, briefly.
	 */
	exiting(): void {
		// A block the watchdog told, over as the loop turned just before the exit (a handler's spin, then the script's
		// last callback): its end is told at the watchdog's next look, which the exit would otherwise not wait for, and
		// the session would hold the block's start with no end. Not one still under way: the loop has not turned since.
		const open = Atomics.load(this.i32, I32_OPEN_BLOCK);
		if (open !== 0 && open !== CLAIMING && this.f64[F64_HEARTBEAT]! > this.f64[F64_OPEN_BLOCK_START]!) Atomics.wait(this.i32, I32_OPEN_BLOCK, open, BLOCK_END_WAIT_MS);
		Atomics.store(this.i32, I32_EXITING, 1);
		Atomics.wait(this.i32, I32_STACK_SESSION, 1, EXIT_WAIT_MS);
	}

	/**
	 * The user's frames of the blocked code, called by the watchdog through the inspector: the call runs in an
	 * interrupt of that code, on its stack. Unlike pausing in the debugger, it leaves the code's optimizations be, so
	 * the rest of the block runs as fast as under node. Its own time is no part of the block.
	 */
	private readBlockedStack(): UserStack {
		// A long native call (JSON.parse of a large text, say) answers no interrupt: the inspector hands the read over
		// only once it returned, and once the block was over it lands in whatever ran next (a callback of the promise
		// the blocking task settled), where it is no sample of the block: its stack was told as the block's.
		const open = Atomics.load(this.i32, I32_OPEN_BLOCK);
		if (open === 0 || open === CLAIMING) return {frames: [], inOwnCode: false, loading: false, module: null, callee: null, library: null, over: true};
		const start = performance.now();
		const queuedBefore = this.times().queuedMs;
		try {
			const stack = userStack(this.stackReader, this.paths, MAX_STACK_FRAMES, STACK_DEPTH);
			const task = this.i32[I32_TASK] === 0 ? this.contextTask() : null;
			return task === null ? stack : {...stack, task};
		} finally {
			// Added up: the watchdog may read again (see watchdog-thread.ts).
			this.f64[F64_HELD_QUEUED] = this.f64[F64_HELD_QUEUED]! + this.times().queuedMs - queuedBefore;
			this.f64[F64_HELD] = this.f64[F64_HELD]! + performance.now() - start;
		}
	}

	/** The tasks the latest block the watchdog told named, at its start and the one it saw most in it (see I32_OPEN_BLOCK_TASK); read once. */
	takeToldTasks(): number[] {
		const told: number[] = [];
		for (const slot of [I32_OPEN_BLOCK_TASK, I32_OPEN_BLOCK_SEEN_TASK]) {
			const task = Atomics.exchange(this.i32, slot, 0);
			if (task !== 0 && !told.includes(this.idBase + task)) told.push(this.idBase + task);
		}
		return told;
	}

	/** Read once: the next slices were not held. The watchdog writes it, before it lets the thread go, for the block it reads. */
	takeHeldMs(): number {
		const held = this.f64[F64_HELD]!;
		if (held !== 0) this.f64[F64_HELD] = 0;
		return held;
	}

	running(task: Task | null, stretchStart: number, callback?: number | null): void {
		this.i32[I32_TASK] = task ? task.id - this.idBase : 0;
		this.i32[I32_CALLBACK] = callback === undefined ? 0 : callback === null ? IMMEDIATE_CALLBACK : callback - this.idBase;
		// A thread woken after the last reading may have waited for a CPU before the stretch began: not the stretch's
		// wait. Read before the stretch's start is published, for a watchdog that sees the one to see the other.
		if (task && stretchStart - this.stretchReading.at >= this.queuedReadingGapMs) {
			this.stretchReading = this.read(stretchStart);
			this.f64[F64_QUEUED_BEFORE] = this.stretchReading.queuedMs;
		}
		this.f64[F64_STRETCH_START] = task ? this.toEpoch + stretchStart : 0;
	}

	/**
	 * A slice past the threshold, measured exactly as it ends; its start is
	 * new unless the watchdog saw the block already. A stall the script did
	 * not take (its thread waited for a CPU) is no block: not reported, or,
	 * if the watchdog reported it while it lasted, closed as starved.
	 */
	longSlice(task: Task, from: number, end: number, heldMs: number): Array<BlockStartEvent | BlockEndEvent> {
		// A beat since the slice or stretch began means the loop turned, or time was claimed, in between: it is no one
		// stretch. Only what came after the beat is measured (a task taken as still running across an await it never
		// told, say, would otherwise hold the idle time before it).
		const open = Atomics.exchange(this.i32, I32_OPEN_BLOCK, CLAIMING);
		// A block the watchdog told began where it said, which may be before the slice or stretch (code that is no
		// task's ran first): the claim ends it, whole.
		const start = open === 0 ? Math.max(from, this.beatReading.at) : Math.min(Math.max(from, this.beatReading.at), this.f64[F64_OPEN_BLOCK_START]! - this.toEpoch);
		try {
			// No beat since the stretch began: the wait for a CPU since the last reading before it is the stretch's, give or
			// take a tenth of the threshold (see QUEUED_READINGS_PER_THRESHOLD), or a beat for a slice that began within its stretch.
			// A block the watchdog told from the beat (the stretch began long after it: a thread woken late on a busy machine)
			// counts from the beat's reading: the wait to wake up, and the loop's idle time before it, are in its span.
			const since = start < this.stretchReading.at ? this.beatReading : this.stretchReading;
			const now = this.read(end);
			const queuedMs = now.queuedMs - since.queuedMs;
			// Waiting for its next event, the loop was free: no part of any block.
			const busyMs = end - start - (now.idleMs - since.idleMs);
			const stall = open === 0 ? stallOf(busyMs, 0, queuedMs) : stallOf(busyMs, heldMs, queuedMs - this.f64[F64_HELD_QUEUED]!);
			if (open === 0 && !isScriptsBlock(stall, this.thresholdMs)) return [];
			// The block claims the loop's silence up to its end: should the loop be slow to turn after it, that silence
			// is another, from here, not from the last beat before the block (it would hold the block a second time).
			const loading = this.requiringMs >= stall.durationMs / 2;
			this.beat();
			const id = this.idBase + (open === 0 ? Atomics.add(this.i32, I32_BLOCK_COUNTER, 1) + 1 : open);
			const blockEnd = stallEnd({type: 'block.end', t: end, id, durationMs: stall.durationMs, task: task.id, exact: true, ...(loading && {loading: true as const})}, stall, this.thresholdMs);
			return open === 0 ? [{type: 'block.start', t: start, id, task: task.id, detectedAt: end}, blockEnd] : [blockEnd];
		} finally {
			Atomics.store(this.i32, I32_OPEN_BLOCK, 0);
		}
	}
}
