import {Session} from 'node:inspector';
import {workerData} from 'node:worker_threads';
import {HEARTBEAT_MS, STOP_SIGNALS, type AsyncmonEvent, type BlockCallback, type StopSignal} from '../protocol/events.js';
import type {UserStack} from './caller.js';
import {StackSamples, type ToldStack} from './stack-samples.js';
import {BlockSightings} from './block-sightings.js';
import {serializeLine} from '../protocol/encode.js';
import {ChannelWriter} from './agent-channel.js';
import {writeWhole} from './pipe-write.js';
import {isScriptsBlock, mainThreadRunnable, mainThreadTimes, silenceStart, stallEnd, stallOf} from './stall.js';
import {
	F64_BEAT_QUEUED,
	F64_QUEUED_BEFORE,
	F64_EXCLUDED,
	F64_HEARTBEAT,
	F64_HELD,
	F64_HELD_QUEUED,
	F64_OPEN_BLOCK_START,
	F64_STRETCH_START,
	I32_BLOCK_COUNTER,
	I32_EXITING,
	I32_HANDLED_SIGNALS,
	I32_OPEN_BLOCK,
	I32_OPEN_BLOCK_TASK,
	I32_OPEN_BLOCK_SEEN_TASK,
	I32_PAUSED,
	I32_STACK_SESSION,
	I32_TASK,
	I32_CALLBACK,
	IMMEDIATE_CALLBACK,
	POLL_MS,
	STACK_READER_KEY,
	epochNow,
	type WatchdogData,
} from './watchdog-layout.js';

/**
 * The watchdog thread: it polls the heartbeat the main thread writes and,
 * when the loop has not turned for longer than the threshold, reports the
 * block at once, then has the main thread read its own stack through the
 * inspector. It never waits on the main thread's loop.
 */
const data = workerData as WatchdogData;
const f64 = new Float64Array(data.buffer);
const i32 = new Int32Array(data.buffer);
const STACK_TIMEOUT_MS = 1000;
/** An idle loop beats at least this often: a stretch that begins later than this after the last beat runs in a loop that has not turned since. */
const LOOP_TURN_MS = 2 * HEARTBEAT_MS;
/** How many times a read of a block's stack is taken again at most, and how far apart, for one in the user's work: see captureStack. */
const STACK_READS = 8;
const STACK_READ_GAP_MS = 3;
/** A read answered this late found a thread that answered no interrupt meanwhile: one long native call (see captureStack). */
const LATE_ANSWER_MS = 10;
/**
 * A block that lasts is read again this often, at most MAX_STACK_SAMPLES times (5 s of it): where most reads found
 * it is where it was. Each read holds the thread 1-3 ms, which is no part of the block (see LoopWatch.readBlockedStack).
 */
const STACK_SAMPLE_GAP_MS = 100;
const MAX_STACK_SAMPLES = 50;
const mainThread = mainThreadTimes();
const mainThreadIsRunnable = mainThreadRunnable();

const relativeTime = (epoch: number): number => epoch - data.startedAt;

/** Under the agent (no monitor, no pipe) blocks go to the agent's thread. */
const agent = data.listens ? new ChannelWriter(data.listens) : null;

function emit(event: AsyncmonEvent): void {
	const line = Buffer.from(serializeLine(event));
	if (agent) agent.write(line);
	else writeWhole(data.fd, line);
}

/**
 * The block reported and not seen ending: `number`, the counter's (I32_OPEN_BLOCK holds it), and `id`, the one it
 * is told by; `queuedBefore`: the main thread's wait for a CPU read last before it began.
 */
let openBlock: {number: number; id: number; start: number; heartbeat: number; queuedBefore: number; seen: BlockSightings} | null = null;
/** The main thread's time on a CPU at the last look during a silence past the threshold that was not reported. */
let runAtLastLook = Number.NaN;
/** The silence under way, since the beat the looks last found: what they saw running through it (see BlockSightings). */
let silence: {heartbeat: number; seen: BlockSightings} | null = null;

function poll(): void {
	const now = epochNow();
	// Read before the heartbeat it goes with (beat() writes it first): if the thread beats in between, this reading is
	// the older one, and the wait for a CPU it gives is more, never less, than the silence's.
	const queuedAtBeat = f64[F64_BEAT_QUEUED]!;
	const heartbeat = f64[F64_HEARTBEAT]!;
	// The open block keeps its silence's sightings: a beat begins the next silence's.
	if (silence?.heartbeat === heartbeat) silence.seen.add(taskOrNull(), now);
	else silence = {heartbeat, seen: new BlockSightings(taskOrNull(), now)};
	if (openBlock) {
		if (heartbeat !== openBlock.heartbeat) {
			// Still ours: no task slice claimed it with an exact measurement.
			if (Atomics.compareExchange(i32, I32_OPEN_BLOCK, openBlock.number, 0) === openBlock.number) {
				// A beat's period before the beat that ended it at the earliest (the loop may have idled until it), and no
				// earlier than the thread was last seen at work in it.
				const end = Math.max(openBlock.start, heartbeat - HEARTBEAT_MS, openBlock.seen.busyUntil());
				// The beat that ended it read the wait for a CPU first.
				const stall = stallOf(end - openBlock.start, f64[F64_HELD]!, f64[F64_BEAT_QUEUED]! - openBlock.queuedBefore - f64[F64_HELD_QUEUED]!);
				// The task seen in it most: the one the slot holds now is the next stretch's, the loop having turned.
				emit(stallEnd({type: 'block.end', t: relativeTime(end), id: openBlock.id, durationMs: stall.durationMs, task: openBlock.seen.mostSeen(), exact: false}, stall, data.thresholdMs));
				// Told: a main thread exiting may wait for it (LoopWatch.exiting).
				Atomics.notify(i32, I32_OPEN_BLOCK);
			}
			openBlock = null;
			// Its reads' final count, now: the process may exit right after the block.
			endSampling?.();
		} else {
			const task = openBlock.seen.mostSeen();
			if (task !== null) Atomics.store(i32, I32_OPEN_BLOCK_SEEN_TASK, task - data.idBase);
		}
		return;
	}
	const excluded = f64[F64_EXCLUDED]!;
	if (now - heartbeat - excluded < data.thresholdMs - POLL_MS || Atomics.load(i32, I32_PAUSED) !== 0) {
		runAtLastLook = Number.NaN;
		return;
	}
	const {at: start, queuedMs: queuedBefore} = silenceStart({at: heartbeat, queuedMs: queuedAtBeat}, {at: f64[F64_STRETCH_START]!, queuedMs: f64[F64_QUEUED_BEFORE]!}, LOOP_TURN_MS);
	const silenceMs = now - start - excluded;
	// A silence from the last beat may have begun up to a beat's period later (the loop idle until its next beat): told a
	// period later. One from a stretch of a task's code is exact, and told at the threshold, with the look before it
	// to tell a thread at work from one waiting for a CPU (see starvedSoFar): a read of its stack then still finds a
	// block just over the threshold under way (it was told a poll or two later, often as it ended, and read after it).
	if (silenceMs - (start === heartbeat ? HEARTBEAT_MS : 0) < data.thresholdMs) {
		runAtLastLook = mainThread().runMs;
		return;
	}
	if (starvedSoFar(silenceMs, queuedBefore)) return;
	const number = Atomics.add(i32, I32_BLOCK_COUNTER, 1) + 1;
	// Before the block is published: a slice that claims it reads where it began, and the task its start names.
	f64[F64_OPEN_BLOCK_START] = start;
	const runningTask = i32[I32_TASK]!;
	Atomics.store(i32, I32_OPEN_BLOCK_TASK, runningTask);
	if (Atomics.compareExchange(i32, I32_OPEN_BLOCK, 0, number) !== 0) return;
	const id = data.idBase + number;
	const task = runningTask === 0 ? null : data.idBase + runningTask;
	openBlock = {number, id, start, heartbeat, queuedBefore, seen: silence.seen};
	f64[F64_HELD] = 0;
	f64[F64_HELD_QUEUED] = 0;
	const callback = callbackOrNone();
	emit({type: 'block.start', t: relativeTime(start), id, task, ...(callback && {callback}), detectedAt: relativeTime(now), handles: handledSignals()});
	captureStack(id);
}

/**
 * Whether the silence so far is the machine's rather than the script's: less
 * the main thread's wait for a CPU it is under the threshold, or the thread
 * waits for one right now (ready to run, with no time on a CPU since the
 * last look), a wait the scheduler counts only once it is over. Looked at
 * again at the next poll.
 */
function starvedSoFar(silenceMs: number, queuedBefore: number): boolean {
	const times = mainThread();
	const lastRun = runAtLastLook;
	runAtLastLook = times.runMs;
	if (!isScriptsBlock(stallOf(silenceMs, 0, times.queuedMs - queuedBefore), data.thresholdMs)) return true;
	return !(times.runMs > lastRun) && mainThreadIsRunnable();
}

/** The stop signals the blocked script listens to: the monitor ends it for any other that comes while it is stuck. */
function handledSignals(): StopSignal[] {
	const mask = Atomics.load(i32, I32_HANDLED_SIGNALS);
	return STOP_SIGNALS.filter((_, bit) => (mask & (1 << bit)) !== 0);
}

function taskOrNull(): number | null {
	const task = i32[I32_TASK]!;
	return task === 0 ? null : data.idBase + task;
}

/** The callback of the task's that runs, if it is one (see I32_CALLBACK). */
function callbackOrNone(): BlockCallback | undefined {
	const callback = i32[I32_CALLBACK]!;
	if (callback === 0) return undefined;
	return {op: callback === IMMEDIATE_CALLBACK ? null : data.idBase + callback};
}

/** Ends the reading of the open block's stack (see captureStack), if it goes on. */
let endSampling: (() => void) | null = null;

/** The inspector session reading a block's stack, if one is open. */
let openSession: Session | null = null;

/**
 * Ends the stack-reading session. A session still connected when the process exits makes Node print
 * "Waiting for the debugger to disconnect..." and wait: the main thread waits for this instead (LoopWatch.exiting).
 */
function disconnect(): void {
	openSession?.disconnect();
	openSession = null;
	Atomics.store(i32, I32_STACK_SESSION, 0);
	Atomics.notify(i32, I32_STACK_SESSION);
}

/** Calls the main thread's stack reader: the inspector runs it in an interrupt of the blocked code. */
const READ_STACK = `globalThis[Symbol.for(${JSON.stringify(STACK_READER_KEY)})]()`;

/**
 * Reads the blocked main thread's stack, and again every STACK_SAMPLE_GAP_MS while the block lasts: the first read
 * is told at once, and a later place that most reads found, as it leads (see StackSamples). The inspector hands
 * each call to the main thread at its next check for interrupts, in the blocked code itself; a thread stuck in one
 * long synchronous call answers when it returns, or not before the timeout.
 */
function captureStack(blockId: number): void {
	let session: Session;
	try {
		session = new Session();
		session.connectToMainThread();
	} catch {
		return;
	}
	openSession = session;
	Atomics.store(i32, I32_STACK_SESSION, 1);
	const samples = new StackSamples();
	// A connected session makes the process wait for it at exit: let go once the block is over, or a read is not answered.
	let timer = setTimeout(disconnect, STACK_TIMEOUT_MS);
	const lasts = (): boolean => openBlock?.id === blockId && openSession === session;
	const tell = ({stack, samples: counted}: ToldStack): void => {
		// Read in it with no frame of the user's: where it was is a library's (where to look), Node's, or the entry's static
		// imports, run before its own first line (loading), and that no code of the user's ran is itself what was read.
		const {frames, loading, module, callee, library, task} = stack;
		emit({type: 'block.stack', t: relativeTime(epochNow()), id: blockId, frames, ...(loading && {loading: true as const}), ...(module !== null && {module}), ...(callee && {callee}), ...(library && {library}), ...(counted && {samples: counted}), ...(task !== undefined && {task})});
	};
	/**
	 * A read taken again that found a library's code, kept until a read after it finds the block: a library's native
	 * call answers only once it returned (better-sqlite3's query under knex, in a callback of knex's), and the reads
	 * after that find asyncmon's code, or the block over. The read in the library's code is all there is of it then.
	 */
	let fallback: UserStack | null = null;
	const add = (stack: UserStack): void => {
		fallback = null;
		const told = samples.add(stack);
		if (told) tell(told);
	};
	/** No more reads (the block is over, or a read failed): the reads' final count, if it changed. */
	const done = (): void => {
		if (endSampling !== done) return;
		endSampling = null;
		clearTimeout(timer);
		if (fallback) add(fallback);
		// Told before the session goes: a main thread exiting waits for that, and no longer.
		const told = samples.final();
		if (told) tell(told);
		if (openSession === session) disconnect();
	};
	const read = (attempt: number): void => {
		// A read due after the session went (the block closed meanwhile): posting on it would throw, and end this thread.
		if (openSession !== session) return done();
		const posted = performance.now();
		const postedAt = epochNow();
		session.post('Runtime.evaluate', {expression: READ_STACK, returnByValue: true, silent: true}, (error, answer) => {
			const stack = error || answer.exceptionDetails ? null : (answer.result.value as UserStack);
			if (!stack || stack.over) return done();
			// Found at work, no later than the read was asked for: the block went on until then at least.
			if (openBlock?.id === blockId && (stack.frames.length > 0 || stack.loading || stack.library !== null)) openBlock.seen.sawBusy(postedAt);
			// Answered late, the thread was in one long native call all along (JSON.parse of a large text answers no
			// interrupt), and the read lands as it returned: in asyncmon's code of the call's return, under the user's frame
			// that made the call. That call is where the block was, not a read to take again, which would find the code
			// after it (a short computation, the next statement) or the block over.
			const afterLongCall = stack.frames.length > 0 && performance.now() - posted >= LATE_ANSWER_MS;
			// The read came while asyncmon's own code ran (its instrumentation of a call, which has many points where
			// the thread answers), or between two of the script's callbacks (a loop of awaits runs each continuation from
			// Node's microtask queue, with no frame of the script's under it: half the reads of a million awaits): a
			// sample of no work of the user's. Another read, a moment later, is likelier in it. Unless asyncmon's code was
			// its wrapper of the script's call (spawnSync), which just returned: the read's callee says so.
			if (!afterLongCall && ((stack.inOwnCode && !stack.callee) || stack.frames.length === 0) && attempt < STACK_READS && lasts()) {
				if (!stack.inOwnCode && (stack.library !== null || stack.loading)) fallback = stack;
				setTimeout(() => read(attempt + 1), STACK_READ_GAP_MS);
				return;
			}
			add(stack);
			if (samples.count >= MAX_STACK_SAMPLES || !lasts()) return done();
			clearTimeout(timer);
			timer = setTimeout(disconnect, STACK_SAMPLE_GAP_MS + STACK_TIMEOUT_MS);
			setTimeout(() => (lasts() ? read(1) : done()), STACK_SAMPLE_GAP_MS);
		});
	};
	endSampling = done;
	read(1);
}

/** How long a script asked to stop because its monitor died may take before it is killed. */
const ORPHAN_GRACE_MS = 500;
let orphanedAt: number | null = null;

/** Polled with the heartbeat: a killed or crashed monitor leaves its child to another parent (init or a subreaper). */
function endIfOrphaned(): void {
	// Under the agent the service has no monitor to lose; a followed process's parent is not the monitor, and it
	// runs on after the script as under node.
	if (data.monitorPid === 0) return;
	if (orphanedAt === null) {
		// The monitor's own pid, not a reading of ppid at this thread's start: the monitor may already be gone by then.
		if (process.ppid === data.monitorPid) return;
		orphanedAt = epochNow();
		// A script with handlers of its own may close its servers; a blocked one cannot run them, hence the SIGKILL below.
		process.kill(process.pid, 'SIGTERM');
	} else if (epochNow() - orphanedAt >= ORPHAN_GRACE_MS) {
		process.kill(process.pid, 'SIGKILL');
	}
}

setInterval(() => {
	endIfOrphaned();
	if (openSession && Atomics.load(i32, I32_EXITING) === 1) {
		// What the reads found so far is told before the session goes.
		endSampling?.();
		disconnect();
	}
	poll();
}, POLL_MS);
