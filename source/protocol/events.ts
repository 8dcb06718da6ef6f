/**
 * The asyncmon event protocol: the only contract shared by the instrumented
 * child process and the monitor. Live streams and recordings are both
 * newline-separated JSON, header first. Version 2 writes the busy events as
 * compact arrays (compact.ts); version 1, all objects, stays readable. In
 * memory every event is the object below, whichever way it was written.
 * See docs/protocol.md.
 */
export const PROTOCOL_VERSION = 2;

/** Milliseconds since the script started, with microsecond precision. */
export type Ms = number;

/** `path:line:col`, path relative to the script's working directory. */
export type Location = string;

/** How a function with no name is called: in a stack frame's `fn`, and in a task's name. */
export const ANONYMOUS = '<anonymous>';
/** A method's name under a computed key not known until the key is evaluated: `Store.<computed>`. */
export const COMPUTED_KEY = '<computed>';

/** Each worker thread numbers its tasks and ops from `threadId × IDS_PER_THREAD + 1`; the main thread's ids are below it. */
export const IDS_PER_THREAD = 1_000_000_000;

/**
 * A Node process the script starts (a followed child, see ChildConfig.lane) numbers its ids from
 * `slot × IDS_PER_PROCESS + 1`, its worker threads theirs from there as above: room for 1000 threads a process,
 * and MAX_PROCESS_SLOT processes before ids leave the integers a double holds exactly.
 */
export const IDS_PER_PROCESS = 1_000_000_000_000;
export const MAX_PROCESS_SLOT = 9000;

/** The lane an id belongs to: 0 for the script's own process, a followed process's slot otherwise. A block's id too (see laneIdBase). */
export function laneSlotOf(id: number): number {
	return Math.floor((id - 1) / IDS_PER_PROCESS);
}

/** Whether a task's or op's id is of a process's main thread (the script's or a followed process's), not of a worker thread. */
export function isMainThreadId(id: number): boolean {
	return (id - 1) % IDS_PER_PROCESS < IDS_PER_THREAD;
}

/** Whether a task's or op's id is of the script's own main thread: what its process.exit() ends (see finishExitCallers). */
export function isScriptsMainThreadId(id: number): boolean {
	return laneSlotOf(id) === 0 && isMainThreadId(id);
}

/** The thread, in its process, a task's or op's id is of: 0 for the main thread, a worker's threadId otherwise. */
export function threadOfId(id: number): number {
	return Math.floor(((id - 1) % IDS_PER_PROCESS) / IDS_PER_THREAD);
}

/**
 * `server`: a request one of the script's HTTP servers received, its listener and all it started.
 * `process`: a Node process the script started, followed: a lane of its own under the task that started it.
 */
export type TaskKind = 'script' | 'task' | 'worker' | 'server' | 'process';
/** `child`: a child process that is not a followed Node process (`ls`, a shell), from spawn to exit. */
export type OpKind = 'http' | 'timer' | 'fs' | 'dns' | 'child';

/** A child process: its pid (absent when it could not be started) and its command line, redacted (see redaction.ts). */
export interface ProcessDetails {
	pid?: number;
	command: string;
}

/** How a child process ended: its exit code, or the signal that killed it. */
export interface ProcessExit {
	code: number | null;
	signal: string | null;
	/** The signal was the script's own `child.kill()` (a cluster's `worker.kill()`): stopped as the script asked, not failed. */
	byScript?: true;
}
export type NodeKind = TaskKind | OpKind;

export interface ErrorInfo {
	name: string;
	message: string;
	stack?: string;
	location?: Location;
	/** The error it was thrown for (`new Error(message, {cause})`), and so on down the chain, a few deep. */
	cause?: ErrorInfo;
}

/**
 * What a task is suspended on at an await. Known from the awaited promise itself (the promise of a call, a
 * `Promise.all` over such promises, a timer's): `guess` marks the rest, inferred from what the task started in
 * the slice before the await.
 */
export type WaitTarget =
	/**
	 * `name`: the task's function, when the stream may never tell the task one by one: a call its process holds, or
	 * keeps silent, to fold into its site's `fold` line (see docs/protocol.md, "Folded at the source").
	 */
	| {kind: 'task'; id: number; guess?: true; name?: string}
	| {kind: 'op'; id: number; guess?: true}
	/** A combination (e.g. `Promise.all`) of tasks, ops and events. */
	/**
	 * `tasks`, `ops` and `events` list the first 8 of each (an event once, however many of its promises); `taskCount`,
	 * `opCount` and `eventCount` say how many there were when more; `others`: how many of its members were promises of
	 * unknown origin, so that a partly known combination is not taken for the whole. `first`: it settles with the first of
	 * them, not once all have: `race`, the first to settle (`Promise.race`); `any`, the first to fulfil, or once all
	 * failed (`Promise.any`).
	 */
	| {
			kind: 'promise';
			tasks?: number[];
			ops?: number[];
			events?: EventWait[];
			taskCount?: number;
			opCount?: number;
			eventCount?: number;
			others?: number;
			first?: FirstOf;
			guess?: true;
	  }
	/** A reply from a socket's peer (`127.0.0.1:5432`): a database's, say; the task wrote to it and started nothing else. */
	| {kind: 'peer'; address: string}
	/**
	 * An event of an emitter or a stream: `events.once(emitter, 'ready')`, the next item of `events.on()`, of a
	 * readline interface (`'line'`) or of a readable stream (`'data'`), the end of `stream/promises`' `pipeline()` or
	 * `finished()` (`'finish'` or `'end'`). `source` names the emitter: `ReadStream data.csv`, `readline (ReadStream
	 * data.csv)`, `Socket 127.0.0.1:5432`, else its class (`EventEmitter`).
	 */
	| ({kind: 'event'} & EventWait)
	/**
	 * A request served whose listener returned with its response begun (its headers written) and nothing else started:
	 * it waits on its response's writing (a file piped to it, a server-sent events endpoint's writes).
	 */
	| {kind: 'response'}
	/** Not a promise: the await only yields to the microtask queue. */
	| {kind: 'value'};

/** How a race settles (see WaitTarget's `first`): with its first member to settle, or its first to fulfil. */
export type FirstOf = 'race' | 'any';

/** An event awaited, and the emitter or stream it comes from (see WaitTarget's `event`). */
export interface EventWait {
	event: string;
	source: string;
}

/** A combination's wait target (see WaitTarget). */
export type CombinationTarget = WaitTarget & {kind: 'promise'};

/** How many tasks a combination stands for: its count where it lists only the first of them. */
export function taskCountOf(on: CombinationTarget): number {
	return on.taskCount ?? on.tasks?.length ?? 0;
}

/** How many ops a combination stands for (see taskCountOf). */
export function opCountOf(on: CombinationTarget): number {
	return on.opCount ?? on.ops?.length ?? 0;
}

/** How many events a combination waits on (see taskCountOf). */
export function eventCountOf(on: CombinationTarget): number {
	return on.eventCount ?? on.events?.length ?? 0;
}

/** The ids of the tasks and ops a wait target names. */
export function targetIds(on: WaitTarget): readonly number[] {
	if (on.kind === 'task' || on.kind === 'op') return [on.id];
	if (on.kind !== 'promise') return [];
	return on.ops ? [...(on.tasks ?? []), ...on.ops] : (on.tasks ?? []);
}

/**
 * Whether an await waits on other tasks: a task, or a combination (`Promise.all`) of tasks. That time is theirs,
 * and counted there; counted again, a call awaiting three requests together would make four of them. A combination
 * of tasks and other promises (a worker thread's reply, say: a unit of its own) goes with its tasks; one that has an
 * op too (a timer, a request) is the task's own wait, as long as the op's.
 */
export function waitsOnTasks(on: WaitTarget): boolean {
	if (on.kind === 'task') return true;
	return on.kind === 'promise' && (on.tasks?.length ?? 0) > 0 && !on.ops?.length && !on.opCount;
}

/** The tasks an event names other than its own id, its parent and what an await waits on: a block's or an error's task, a dropped promise's call and caller. */
export function namedTaskIds(event: AsyncmonEvent | HeaderEvent): ReadonlyArray<number | null | undefined> {
	switch (event.type) {
		case 'block.start':
		case 'block.end':
		case 'uncaught':
			return [event.task];
		case 'floating':
			return [event.task, event.by];
		default:
			return NONE_NAMED;
	}
}

const NONE_NAMED: readonly number[] = Object.freeze([]);

export interface HeaderEvent {
	type: 'header';
	/** The version the writer wrote: 1 or 2 (PROTOCOL_VERSION). */
	protocol: number;
	script: string;
	argv: string[];
	cwd: string;
	node: string;
	pid: number;
	/** Wall clock at t = 0, epoch milliseconds. */
	startedAt: number;
	blockThresholdMs: number;
	redacted: boolean;
	/** The session's W3C trace id, which its OpenTelemetry spans belong to (see trace-context.ts); absent in older recordings. */
	traceId?: string;
}

export interface TaskStartEvent {
	type: 'task.start';
	t: Ms;
	id: number;
	parent: number | null;
	kind: TaskKind;
	name: string;
	loc: Location | null;
	/** Worker thread id when the task runs off the main thread. */
	thread?: number;
	/** The request of a task of kind `server`. */
	http?: ServerRequestDetails;
	/** The process of a task of kind `process`. */
	process?: ProcessDetails;
}

/** A request a server of the script's received, as its `server` task starts. */
export interface ServerRequestDetails {
	method: string;
	/** Path and query as the client sent them, the query redacted (see redaction.ts). */
	url: string;
	/** The Host header, when the client sent one. */
	host?: string;
	/** The W3C `traceparent` header, when the client sent a well-formed one: the caller's trace. */
	traceparent?: string;
}

export interface TaskAwaitEvent {
	type: 'task.await';
	t: Ms;
	id: number;
	site: Location | null;
	on: WaitTarget;
	/**
	 * Set when the awaited expression reads a variable assigned from an earlier
	 * await in the same function: the awaits could not have run together.
	 */
	dependent?: boolean;
	/** Busy time so far, ms. */
	busy: Ms;
}

export interface TaskReadyEvent {
	type: 'task.ready';
	t: Ms;
	id: number;
}

export interface TaskResumeEvent {
	type: 'task.resume';
	t: Ms;
	id: number;
	/** When what it awaited settled. */
	readyAt: Ms;
	/** Waiting and scheduling-delay totals so far, ms. */
	wait: Ms;
	sched: Ms;
}

export interface TaskEndEvent {
	type: 'task.end';
	t: Ms;
	id: number;
	ok: boolean;
	error?: ErrorInfo;
	busy: Ms;
	wait: Ms;
	sched: Ms;
	awaits: number;
	/** A `server` task's response status, once the response finished. */
	status?: number;
	/** A `server` task whose client went away before the response finished (`ok` is false). */
	aborted?: boolean;
	/** A `server` task's route template, when its framework matched one (Express: `/users/:id`). */
	route?: string;
	/** A `process` task's exit, reported by the process that started it. */
	exit?: ProcessExit;
	/**
	 * With `exit`: the process task's start as the process that started it saw it. A reader that never got the
	 * process's own `task.start` (it was killed before its preload could send one) makes the task from it.
	 */
	launched?: ProcessLaunch;
}

/** When a followed process was started, by which task, and which process it is. */
export interface ProcessLaunch {
	t: Ms;
	parent: number | null;
	process: ProcessDetails;
}

/** Which client library sent a request: its connection limit is set in different ways. */
export type HttpClient = 'undici' | 'node:http' | 'node:http2';

export interface HttpDetails {
	method: string;
	/** The whole URL, redacted; only the path and query where the request was queued by a dispatcher that keeps its origin to itself (see op.dequeued). */
	url: string;
	/** `undici`: npm undici and Node's global fetch; `node:http`: Node's http/https (axios, got, node-fetch); `node:http2`: a node:http2 session's requests. */
	client?: HttpClient;
	/** The request waits in a connection pool's queue: every connection of the pool was busy. */
	queue?: HttpQueue;
}

/** A connection pool as a request joined its queue. */
export interface HttpQueue {
	/** Requests queued before it. */
	ahead: number;
	/** Requests on the pool's connections. */
	inFlight: number;
}

export interface TimerDetails {
	delayMs: number;
	repeat: boolean;
}

export interface OpStartEvent {
	type: 'op.start';
	t: Ms;
	id: number;
	parent: number | null;
	kind: OpKind;
	name: string;
	loc?: Location | null;
	http?: HttpDetails;
	timer?: TimerDetails;
	process?: ProcessDetails;
}

/** HTTP progress: `sent` ends the queue and connect phases, `headers` ends time to first byte. */
export interface OpPhaseEvent {
	type: 'op.phase';
	t: Ms;
	id: number;
	phase: 'sent' | 'headers';
	queueMs?: Ms;
	connectMs?: Ms;
	status?: number;
}

/** A request queued in a connection pool (its op.start's `http.queue`) left the queue: made on a connection. */
export interface OpDequeuedEvent {
	type: 'op.dequeued';
	t: Ms;
	id: number;
	/** The whole URL, redacted, where op.start had only the path and query. */
	url?: string;
}

/** A repeating timer fired; `lateMs` is how long after its due time. */
export interface OpFireEvent {
	type: 'op.fire';
	t: Ms;
	id: number;
	lateMs: Ms;
}

export interface OpEndEvent {
	type: 'op.end';
	t: Ms;
	id: number;
	ok: boolean;
	status?: number;
	bytes?: number;
	error?: ErrorInfo;
	lateMs?: Ms;
	cancelled?: boolean;
	/** A `child` op's exit. */
	exit?: ProcessExit;
}

/** The signals that end a process unless it handles them: what stops a script. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

export interface BlockStartEvent {
	type: 'block.start';
	/** When the blocking slice began. */
	t: Ms;
	id: number;
	task: number | null;
	/** Not the task's own code: a callback it scheduled, outside any task's slice (see BlockCallback). */
	callback?: BlockCallback;
	/** When the watchdog noticed, while the loop was still blocked. */
	detectedAt: Ms;
	/**
	 * From the watchdog, while the loop is blocked: the stop signals the script listens to itself. It can run no
	 * handler until the block ends; a signal it does not listen to would end it at once under node.
	 */
	handles?: StopSignal[];
}

/** A callback a task scheduled: a timer's (its op), or a setImmediate's (`op` null). */
export interface BlockCallback {
	op: number | null;
}

export interface BlockStackEvent {
	type: 'block.stack';
	t: Ms;
	id: number;
	frames: StackFrame[];
	/** Node was loading a module when the stack was read: a `require()` or an import under way (its top level running). */
	loading?: true;
	/**
	 * Loading with no frame of the user's under it: the outermost frame of a library's, whose code started the loading
	 * (`node_modules/sdk/index.js:4:7`): the top level of the module an import loads, or the library's function that
	 * called `require()`.
	 */
	module?: Location;
	/** The function of Node's own the user's innermost frame was in, and its module: `{fn: 'execSync', loc: 'node:child_process'}`. */
	callee?: StackFrame;
	/** No frame of the user's and no module loading: the innermost frame of a library's, where the thread was (`{fn: 'spin', loc: 'node_modules/slowlib/spin.js:3:9'}`). */
	library?: StackFrame;
	/** The block's stack was read more than once as it lasted: this read's place was the most reads' (see BlockStackSamples). */
	samples?: BlockStackSamples;
	/**
	 * No task of the script's was running (block.start's `task` is null): the task whose async context the code ran
	 * in, as the read found it: a library's code resumed after an await of its own runs in the context of the task
	 * that called it (a framework's lazy `require()`, awaited by the script's main()).
	 */
	task?: number;
}

/**
 * Of `of` reads of a block's stack so far, `same` found the thread where this one did: the same function of the
 * user's in its file, the same module loading, or the same library file.
 */
export interface BlockStackSamples {
	same: number;
	of: number;
}

export interface StackFrame {
	fn: string;
	loc: Location;
}

/** How often a watched thread proves its loop turns: an end estimated from it (`block.end` not `exact`) may be up to this early. */
export const HEARTBEAT_MS = 10;

export interface BlockEndEvent {
	type: 'block.end';
	t: Ms;
	id: number;
	/** The script's own synchronous time: the block's span less asyncmon's own time in it. */
	durationMs: Ms;
	task: number | null;
	/** True when measured at task-slice boundaries, false when estimated from the loop heartbeat (up to HEARTBEAT_MS early). */
	exact: boolean;
	/** Of `durationMs`, how long the thread was ready to run but waited for a CPU (the machine was busy). Where the system says (Linux). */
	queuedMs?: Ms;
	/** The stall reported while it lasted was the machine's, not the script's (see queuedMs): no block. */
	starved?: boolean;
	/** Half of it or more was spent in `require()`: loading modules, their top levels run (as a stack read in it says with block.stack's `loading`). */
	loading?: true;
}

export interface LoopEvent {
	type: 'loop';
	t: Ms;
	/** Largest event-loop delay in the sample window, ms. */
	delayMs: Ms;
	/** Event-loop utilisation in the window, 0..1. */
	utilization: number;
}

/** A chunk of the script's stdout or stderr, byte for byte (see output-bytes.ts); or a followed process's copy of its own (`lane`). */
export interface OutputEvent {
	type: 'output';
	t: Ms;
	stream: 'stdout' | 'stderr';
	/** What was written, as text; where the bytes are not valid UTF-8, with U+FFFD in their place. */
	text: string;
	/** The exact bytes, base64-encoded, when they are not valid UTF-8 (binary output): they, not `text`, are what was written. */
	base64?: string;
	/**
	 * A followed process's copy of what it wrote, for its lane: the lane's root task id. Its bytes went where they go
	 * under node (its parent's pipe, the terminal, a file) and may reach the session a second time, unattributed.
	 */
	lane?: number;
	/** Of a lane's copy: what the process wrote on this stream before this chunk that the copy left out (see docs/protocol.md). */
	skipped?: SkippedOutput;
}

/**
 * The script wrote `bytes` bytes to its stdout or stderr through `process.stdout` or `process.stderr`, at `t`
 * (consecutive writes within a millisecond, with nothing else between them, count as one). The bytes themselves
 * go down the process's own pipe, as under node; this line says when they were written, and the monitor makes
 * them an `output` event of that time (see docs/protocol.md). Only the script's runtime sends it, to the monitor;
 * recordings never hold it.
 */
export interface WroteEvent {
	type: 'wrote';
	t: Ms;
	stream: 'stdout' | 'stderr';
	bytes: number;
	/**
	 * The first bytes written (WROTE_HEAD_BYTES at most), base64: where they stand in the pipe. A child process that
	 * shares the pipe writes bytes no `wrote` line counts, and without them the script's would be cut where theirs end.
	 */
	head?: string;
}

/** How many of a write's first bytes its `wrote` line carries (see WroteEvent.head). */
export const WROTE_HEAD_BYTES = 16;

/** Output a followed process wrote beyond its copy's allowance: how many bytes, and how many line breaks among them. */
export interface SkippedOutput {
	bytes: number;
	lines: number;
}

/** Something the runtime did differently from what the user may expect, said once, in one line: the monitor shows it and it is recorded. */
export interface NoticeEvent {
	type: 'notice';
	t: Ms;
	message: string;
}

export type FatalKind = 'syntax' | 'load' | 'internal';

/** The script could not be run at all (it never started). */
export interface FatalEvent {
	type: 'fatal';
	t: Ms;
	kind: FatalKind;
	message: string;
	loc?: Location;
	frame?: string;
}

/** An exception or rejection nothing handled; the process is about to die. */
export interface UncaughtEvent {
	type: 'uncaught';
	t: Ms;
	origin: 'uncaughtException' | 'unhandledRejection';
	error: ErrorInfo;
	task: number | null;
	/** The script's own `process.on('uncaughtException')` handler (or a domain's) took it, and the process went on. */
	handled?: true;
}

/**
 * The script's own handler for a stop signal runs now (asyncmon's, which sends this, runs first): the signal is
 * the script's to act on, a graceful stop, say. A block of what its handler does next is its own: asyncmon does
 * not end it for that signal, as node would not (see StopRule), even once a `process.once` handler is gone.
 */
export interface SignalEvent {
	type: 'signal';
	t: Ms;
	signal: StopSignal;
}

/**
 * The entry module's own first line runs: start-up, the preload and compiling came before. The session's duration
 * is counted from here.
 */
export interface ScriptStartEvent {
	type: 'script.start';
	t: Ms;
}

/**
 * The script's process began to exit (Node's 'exit' event: the loop ran dry, or process.exit()), sent by the
 * child before asyncmon's own teardown. The session's duration ends here; the monitor's `exit` comes later by
 * that teardown. Absent when a signal ended the process.
 */
export interface ScriptExitEvent {
	type: 'script.exit';
	t: Ms;
	code: number;
	/** Present when process.exit() ended it: whatever still waited was cut off, not left to hang. */
	exitCall?: ExitCall;
}

/** A call of process.exit() in the script's main thread. */
export interface ExitCall {
	/** The script's own frame nearest the call (a library's process.exit is reached from it); null when none led there. */
	site: Location | null;
}

export interface ExitEvent {
	type: 'exit';
	t: Ms;
	code: number | null;
	signal: string | null;
	/**
	 * The stop signal asyncmon ended the script for with SIGKILL (`signal`): it came while the script was stuck
	 * in synchronous code with no handler of its own for it, where node would have ended it at once.
	 */
	stoppedFor?: StopSignal;
	/** asyncmon ended the script with SIGKILL (`signal`) after a stop signal, and why (see ForcedKill). */
	forced?: ForcedKill;
}

/**
 * Why asyncmon sent the script SIGKILL after a stop signal: the same signal came `again` (a second Ctrl-C or
 * SIGTERM); the script was still running 2 s after a hangup (`grace`), or after the dashboard was quit (`quit`:
 * its SIGTERM). With `quit` and the exit's signal SIGTERM, the SIGTERM asyncmon sent as the dashboard was quit
 * ended it.
 */
/**
 * The error of a followed process's end, or of a child op's, that the monitor wrote as the session ended: the
 * process is gone and the one that started it exited first, telling no exit (`exit` has neither a code nor a signal).
 */
export const PROCESS_GONE: ErrorInfo = Object.freeze({name: 'ProcessGone', message: 'gone, its end not seen: the process that started it exited first'});

export const isProcessGone = (error: ErrorInfo | null | undefined): boolean => error?.name === PROCESS_GONE.name;

/** The name of the error a child process's end is told by when it failed (`exited with code 1`, `killed by SIGKILL`), and of what a followed process's end cut short. */
export const PROCESS_EXIT = 'ProcessExit';

/** How long a script may take to stop after a hangup, or after the dashboard was quit, before asyncmon kills it (`grace`, `quit`). */
export const KILL_GRACE_MS = 2000;

export interface ForcedKill {
	after: StopSignal;
	because: 'again' | 'grace' | 'quit';
}

/** A statement called an async function of the script's and dropped its promise: nothing awaits it. Once per site. */
export interface FloatingEvent {
	type: 'floating';
	t: Ms;
	/** The task whose promise was dropped, when the call started one. */
	task: number | null;
	/** The task that made the call. */
	by: number;
	site: Location;
}

/** The loop has been idle with no task running, yet the process stays alive: what holds it. */
export interface AliveEvent {
	type: 'alive';
	t: Ms;
	/** Since when nothing ran. */
	idleSince: Ms;
	/** Node's active resources by type (`Timeout`, `TCPServerWrap`, …), asyncmon's own left out. */
	resources: Record<string, number>;
	/** The script's servers still listening, with where its code started them. */
	servers?: ListeningServer[];
}

export interface ListeningServer {
	/** `host:port`, or a pipe's path. */
	address: string;
	/** Where the script's own code called `listen()`. */
	loc: Location | null;
	/** How many connections it accepted, if any. */
	connections?: number;
}

/**
 * The script's main thread waited for the monitor to take its events (the
 * monitor was behind): asyncmon slowed the script by `heldMs` since the
 * previous such event. Nothing is lost; that time is in no task's busy time.
 */
export interface BackpressureEvent {
	type: 'backpressure';
	t: Ms;
	heldMs: Ms;
}

/**
 * What the script's process holds back, as a flush keeps the calls still running that began just before it (to
 * send them with what follows, where they may have ended and fold): started, in flight, not yet in the stream.
 * Sent when the figures change; a server under load holds most of its requests in flight so.
 */
export interface HeldEvent {
	type: 'held';
	t: Ms;
	/** Tasks started and kept (running or waiting). */
	tasks: number;
	/** Of them and of the ops kept, the HTTP requests the script sent (received ones are tasks: `server`). */
	http: number;
}

/** The monitor could not keep up and discarded events; never silent. */
export interface DroppedEvent {
	type: 'dropped';
	t: Ms;
	count: number;
}

/**
 * The monitor received lines from the child it could not decode (see
 * decode.ts) and skipped them; never silent. Made by the monitor, like `exit`.
 */
export interface CorruptEvent {
	type: 'corrupt';
	t: Ms;
	/** Corrupt lines since the previous `corrupt` event. */
	count: number;
	/** Why the first of them is corrupt: `task.await: 'on' is missing`. */
	reason: string;
}

/** What folds at the source: calls of async functions, requests a server received, and timers they set. */
export type FoldKind = 'task' | 'server' | 'timer';

/**
 * Quick work the child folded instead of sending it one by one (runtime/span-folder.ts): whole subtrees (a call of an
 * async function, or a request a server received, with the calls and timers it started) that succeeded within one
 * flush and that no other event names, beyond what their function or route may send a second. One line per site:
 * the subtrees' roots under one parent, or their inner calls or timers. Counts and sums are exact; `tasks` keeps
 * each one's times, for percentiles and overlap. The line sits where the first of them started.
 */
export interface FoldEvent {
	type: 'fold';
	/** When the last of them ended. */
	t: Ms;
	kind: FoldKind;
	/** Their name and location, as their starts would have given them (a function's without its arguments). */
	name: string;
	loc: Location | null;
	/** A root's parent (the task that made the calls, or the server's script); null for inner nodes, whose parents folded too. */
	parent: number | null;
	/** Tasks that started no task: leaves, whose time counts in concurrency (false for timers). */
	leaf: boolean;
	/** A received request's method, url and route (the first one's: they share the route, or the url when none is known). */
	request?: {method: string; url: string; route?: string};
	count: number;
	/** Sums over them, ms: durations (end - start), busy and waiting time. */
	totalMs: Ms;
	busyMs: Ms;
	waitMs: Ms;
	/** Per task: its start and end (relative to `t`, so negative or 0), busy and waiting time, as int32 microseconds, little-endian, base64 (see fold.ts). */
	tasks: string;
}

/**
 * Requests the script sent (ops of kind `http`) that the child folded instead of sending them one by one, as
 * `fold` does for calls (runtime/span-folder.ts): each succeeded (no error, no 4xx or 5xx status) within one
 * flush (one that joined a pool's queue left it), and no event but its own caller's await names it, beyond what its method,
 * host and place may send a second. One line per method, host, place and parent. Counts and sums are exact;
 * `requests` keeps each one's times and phases, for the host's percentiles and the requests in flight. Its own
 * type, not a `fold` kind: readers that do not know it skip it (see the protocol's versioning rules).
 */
export interface HttpFoldEvent {
	type: 'fold.http';
	/** When the last of them ended. */
	t: Ms;
	/** The first one's method and whole URL (as its start or, from a pool's queue, its op.dequeued gave it, redacted): they share the method and the host. */
	method: string;
	url: string;
	/** The client library they went through, as their starts said (see HttpDetails.client): they share it. */
	client?: HttpClient;
	/** Where the script sent them, as their starts gave it. */
	loc: Location | null;
	/** The task that sent them; null when it folded too (an inner node of a folded call). */
	parent: number | null;
	count: number;
	/** Sum of their durations (end - start), ms. */
	totalMs: Ms;
	/** Per request, seven little-endian int32s of microseconds, base64 (see fold.ts): its start and end relative to `t`, its wait in a pool's queue, then its queue, connect, time-to-first-byte and download phases; -1 for what it did not go through. */
	requests: string;
}

/**
 * Per-site totals of finished tasks that are no longer kept one by one (see JoinedEvent), under a key that
 * names the site. Agents before `name` keyed them by name alone, each of kind `task` with no location.
 */
export interface FoldedName {
	count: number;
	failed: number;
	/** Sum of their durations (end - start), ms. */
	totalMs: Ms;
	busyMs: Ms;
	waitMs: Ms;
	/** The site as the model names it: a function without its arguments (`work()`), a request's route (`GET /users/:id`). */
	name?: string;
	kind?: 'task' | 'server';
	loc?: Location | null;
}

/**
 * A client of a running service's agent (`asyncmon connect`) joined at `t`. The lines before it are the agent's
 * snapshot: the header, then what it kept of the running tasks and the recent finished ones, in their order;
 * the lines after it are live. `folded` is what the agent no longer kept one by one: finished tasks, by name,
 * since the service started. `omitted` counts the events of the snapshot's tasks the agent compacted away.
 */
export interface JoinedEvent {
	type: 'joined';
	t: Ms;
	folded: {
		tasks: number;
		failed: number;
		taskTimeMs: Ms;
		byName: Record<string, FoldedName>;
		leaves?: FoldedLeaves;
		/**
		 * Their own time running or waiting (busy, and waits but those on other tasks): what concurrency adds up, as
		 * the JSON report's `activeTimeMs` counts it. Absent from agents before it: their readers take `leaves.activeMs`.
		 */
		activeMs?: Ms;
	};
	omitted: number;
}

/**
 * Of the agent's folded tasks, those that started no task (as the model counts leaves): what the session's
 * task time and concurrency add up. A request's handler and the call it awaits are one stretch of time, not
 * two. Absent from agents before it: their readers count every folded task.
 */
export interface FoldedLeaves {
	count: number;
	/** Sum of their durations (end - start), ms. */
	totalMs: Ms;
	/** Sum of their busy and waiting times, ms. */
	activeMs: Ms;
}

export type AsyncmonEvent =
	| TaskStartEvent
	| TaskAwaitEvent
	| TaskReadyEvent
	| TaskResumeEvent
	| TaskEndEvent
	| OpStartEvent
	| OpPhaseEvent
	| OpDequeuedEvent
	| OpFireEvent
	| OpEndEvent
	| BlockStartEvent
	| BlockStackEvent
	| BlockEndEvent
	| LoopEvent
	| OutputEvent
	| WroteEvent
	| NoticeEvent
	| FatalEvent
	| UncaughtEvent
	| SignalEvent
	| ScriptStartEvent
	| ScriptExitEvent
	| ExitEvent
	| FloatingEvent
	| AliveEvent
	| BackpressureEvent
	| HeldEvent
	| DroppedEvent
	| CorruptEvent
	| JoinedEvent
	| FoldEvent
	| HttpFoldEvent;

export type ProtocolLine = HeaderEvent | AsyncmonEvent;
