import {Session} from 'node:inspector';
import {relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import {workerData} from 'node:worker_threads';
import {TraceMap, originalPositionFor} from '@jridgewell/trace-mapping';
import {ANONYMOUS, type AsyncmonEvent, type StackFrame} from '../protocol/events.js';
import {serializeLine} from '../protocol/encode.js';
import {ChannelWriter} from './agent-channel.js';
import {writeWhole} from './pipe-write.js';
import {isScriptsBlock, mainThreadRunnable, mainThreadTimes, stallEnd, stallOf} from './stall.js';
import {
	F64_BEAT_QUEUED,
	F64_QUEUED_BEFORE,
	F64_EXCLUDED,
	F64_HEARTBEAT,
	F64_HELD,
	F64_HELD_QUEUED,
	F64_STRETCH_START,
	HEARTBEAT_MS,
	I32_BLOCK_COUNTER,
	I32_EXITING,
	I32_OPEN_BLOCK,
	I32_PAUSED,
	I32_STACK_SESSION,
	I32_TASK,
	POLL_MS,
	epochNow,
	type WatchdogData,
} from './watchdog-layout.js';

/**
 * The watchdog thread: it polls the heartbeat the main thread writes and,
 * when the loop has not turned for longer than the threshold, reports the
 * block at once, then pauses the main thread through the inspector to read
 * its stack. It never waits on the main thread's loop.
 */
const data = workerData as WatchdogData;
const f64 = new Float64Array(data.buffer);
const i32 = new Int32Array(data.buffer);
const MAX_FRAMES = 12;
const STACK_TIMEOUT_MS = 1000;
const mainThread = mainThreadTimes();
const mainThreadIsRunnable = mainThreadRunnable();

const relativeTime = (epoch: number): number => epoch - data.startedAt;

/** Under the agent (no monitor, no pipe) blocks go to the agent's thread. */
const agent = data.fd < 0 ? new ChannelWriter() : null;

function emit(event: AsyncmonEvent): void {
	const line = Buffer.from(serializeLine(event));
	if (agent) agent.write(line);
	else writeWhole(data.fd, line);
}

/**
 * The block reported and not seen ending: `number`, the counter's (I32_OPEN_BLOCK holds it), and `id`, the one it
 * is told by; `queuedBefore`: the main thread's wait for a CPU read last before it began.
 */
let openBlock: {number: number; id: number; start: number; heartbeat: number; queuedBefore: number} | null = null;
/** The main thread's time on a CPU at the last look during a silence past the threshold that was not reported. */
let runAtLastLook = Number.NaN;

function poll(): void {
	const now = epochNow();
	const heartbeat = f64[F64_HEARTBEAT]!;
	if (openBlock) {
		if (heartbeat !== openBlock.heartbeat) {
			// Still ours: no task slice claimed it with an exact measurement.
			if (Atomics.compareExchange(i32, I32_OPEN_BLOCK, openBlock.number, 0) === openBlock.number) {
				const end = Math.max(openBlock.start, heartbeat - HEARTBEAT_MS);
				// The beat that ended it read the wait for a CPU first.
				const stall = stallOf(end - openBlock.start, f64[F64_HELD]!, f64[F64_BEAT_QUEUED]! - openBlock.queuedBefore - f64[F64_HELD_QUEUED]!);
				emit(stallEnd({type: 'block.end', t: relativeTime(end), id: openBlock.id, durationMs: stall.durationMs, task: taskOrNull(), exact: false}, stall, data.thresholdMs));
			}
			openBlock = null;
		}
		return;
	}
	const excluded = f64[F64_EXCLUDED]!;
	if (now - heartbeat - excluded < data.thresholdMs + HEARTBEAT_MS || Atomics.load(i32, I32_PAUSED) !== 0) {
		runAtLastLook = Number.NaN;
		return;
	}
	const stretchStart = f64[F64_STRETCH_START]!;
	const start = stretchStart > heartbeat ? stretchStart : heartbeat;
	const silenceMs = now - start - excluded;
	if (silenceMs < data.thresholdMs || starvedSoFar(silenceMs)) return;
	const queuedBefore = f64[F64_QUEUED_BEFORE]!;
	const number = Atomics.add(i32, I32_BLOCK_COUNTER, 1) + 1;
	if (Atomics.compareExchange(i32, I32_OPEN_BLOCK, 0, number) !== 0) return;
	const id = data.idBase + number;
	openBlock = {number, id, start, heartbeat, queuedBefore};
	f64[F64_HELD] = 0;
	f64[F64_HELD_QUEUED] = 0;
	emit({type: 'block.start', t: relativeTime(start), id, task: taskOrNull(), detectedAt: relativeTime(now)});
	captureStack(id);
}

/**
 * Whether the silence so far is the machine's rather than the script's: less
 * the main thread's wait for a CPU it is under the threshold, or the thread
 * waits for one right now (ready to run, with no time on a CPU since the
 * last look), a wait the scheduler counts only once it is over. Looked at
 * again at the next poll.
 */
function starvedSoFar(silenceMs: number): boolean {
	const times = mainThread();
	const lastRun = runAtLastLook;
	runAtLastLook = times.runMs;
	if (!isScriptsBlock(stallOf(silenceMs, 0, times.queuedMs - f64[F64_QUEUED_BEFORE]!), data.thresholdMs)) return true;
	return !(times.runMs > lastRun) && mainThreadIsRunnable();
}

function taskOrNull(): number | null {
	const task = i32[I32_TASK]!;
	return task === 0 ? null : data.idBase + task;
}

interface CallFrame {
	functionName: string;
	url: string;
	location: {scriptId: string; lineNumber: number; columnNumber: number};
}

/** Instrumented scripts by id, from the inspector's scriptParsed events (call frames of modules carry no url). */
const sourceMaps = new Map<string, TraceMap | null>();
const scripts = new Map<string, {url: string; mapUrl: string}>();

/**
 * Pauses the main thread to read its stack. That holds the script's thread:
 * enabling the debugger has the main thread describe every script it has
 * loaded (tens of ms), then it stays paused until the frames are mapped. The
 * hold is measured, from the moment the main thread answers a first, empty
 * request (it may be stuck in a synchronous call that answers nothing
 * meanwhile) to the resume, and left out of the block: it is asyncmon's time.
 */
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

function captureStack(blockId: number): void {
	let session: Session;
	try {
		session = connect();
	} catch {
		return;
	}
	openSession = session;
	Atomics.store(i32, I32_STACK_SESSION, 1);
	let answered: {at: number; queued: number} | null = null;
	// A connected session makes the process wait for it at exit: let go as soon as the stack is read.
	const release = (): void => {
		clearTimeout(timer);
		session.post('Debugger.resume', disconnect);
	};
	const timer = setTimeout(release, STACK_TIMEOUT_MS);
	session.once('Debugger.paused', message => {
		const frames = (message.params.callFrames as CallFrame[]).map(toStackFrame).filter((frame): frame is StackFrame => frame !== null);
		// Written before the resume: the main thread claims the block only once it runs again.
		if (answered) {
			f64[F64_HELD] = epochNow() - answered.at;
			f64[F64_HELD_QUEUED] = mainThread().queuedMs - answered.queued;
		}
		release();
		if (frames.length > 0) emit({type: 'block.stack', t: relativeTime(epochNow()), id: blockId, frames: frames.slice(0, MAX_FRAMES)});
	});
	session.post('Schema.getDomains', () => (answered = {at: epochNow(), queued: mainThread().queuedMs}));
	session.post('Debugger.enable');
	session.post('Debugger.pause');
}

function connect(): Session {
	const created = new Session();
	created.connectToMainThread();
	created.on('Debugger.scriptParsed', message => {
		const {scriptId, url, sourceMapURL} = message.params as {scriptId: string; url: string; sourceMapURL?: string};
		if (sourceMapURL?.startsWith('data:') && url.startsWith('file:')) scripts.set(scriptId, {url, mapUrl: sourceMapURL});
	});
	return created;
}

function mapFor(scriptId: string): TraceMap | null {
	let map = sourceMaps.get(scriptId);
	if (map !== undefined) return map;
	const url = scripts.get(scriptId)?.mapUrl;
	map = null;
	if (url) {
		try {
			map = new TraceMap(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64').toString('utf8'));
		} catch {
			map = null;
		}
	}
	sourceMaps.set(scriptId, map);
	return map;
}

/** Only the user's own, instrumented code: its original file, line and column. */
function toStackFrame(frame: CallFrame): StackFrame | null {
	const script = scripts.get(frame.location.scriptId);
	const map = script ? mapFor(frame.location.scriptId) : null;
	if (!script || !map) return null;
	const original = originalPositionFor(map, {line: frame.location.lineNumber + 1, column: frame.location.columnNumber});
	const source = original.source ?? script.url;
	const file = source.startsWith('file:') ? fileURLToPath(source) : source;
	return {fn: frame.functionName || ANONYMOUS, loc: `${relative(data.cwd, file)}:${original.line ?? frame.location.lineNumber + 1}:${(original.column ?? frame.location.columnNumber) + 1}`};
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
	if (openSession && Atomics.load(i32, I32_EXITING) === 1) disconnect();
	poll();
}, POLL_MS);
