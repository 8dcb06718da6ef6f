import {isMainThreadId, laneSlotOf, type BlockStackSamples, type ErrorInfo, type ExitCall, type ForcedKill, type HeaderEvent, type HttpClient, type HttpQueue, type ListeningServer, type Location, type Ms, type NodeKind, type ProcessDetails, type ProcessExit, type StackFrame, type WaitTarget} from '../protocol/events.js';
import {copyLatency, type Latency} from './latency.js';

export type NodeState = 'running' | 'waiting' | 'ready' | 'finished' | 'failed';

export const NODE_STATES: readonly NodeState[] = ['running', 'waiting', 'ready', 'finished', 'failed'];

export interface HttpPhases {
	queueMs?: Ms;
	connectMs?: Ms;
	ttfbMs?: Ms;
	downloadMs?: Ms;
}

export interface HttpInfo {
	method: string;
	url: string;
	/** The client library that sent it, where the recording says. */
	client?: HttpClient;
	status?: number;
	bytes?: number;
	/** The connection pool it waited in, as it joined the queue (see HttpQueue): it waits there until `dequeuedAt`. */
	queue?: HttpQueue;
	dequeuedAt?: Ms;
	sentAt?: Ms;
	headersAt?: Ms;
	phases: HttpPhases;
}

/** The request a `server` task received, and how it ended. */
export interface ServerRequestInfo {
	method: string;
	/** Path and query, the query redacted. */
	url: string;
	host?: string;
	traceparent?: string;
	/** The response's status, once it finished. */
	status?: number;
	/** The client went away before the response finished. */
	aborted: boolean;
	/** The route template its framework matched (`/users/:id`), once the response finished. */
	route?: string;
}

export interface TimerInfo {
	delayMs: number;
	repeat: boolean;
	fires: number;
	/** Largest lateness of a firing, ms: how long the loop kept it from running. */
	lateMs: Ms;
}

export interface AwaitSiteStats {
	site: Location | null;
	count: number;
	totalMs: Ms;
}

export interface CurrentWait {
	site: Location | null;
	on: WaitTarget;
	since: Ms;
}

/** One emitted await of a task, oldest first; capped at AWAITS_RETAINED per task. */
export interface AwaitRecord {
	site: Location | null;
	on: WaitTarget;
	dependent: boolean;
	startMs: Ms;
	/** When what it awaited settled. */
	readyMs: Ms | null;
	resumedMs: Ms | null;
}

export const AWAITS_RETAINED = 256;

/** A span of one state, for timelines. Only emitted transitions are kept. */
export interface StateSpan {
	state: 'running' | 'waiting' | 'ready';
	startMs: Ms;
	endMs: Ms | null;
}

/** A task (script, task, worker, server, process) or an op (http, timer, fs, dns, child): one row of the tree. */
export interface TaskNode {
	id: number;
	parentId: number | null;
	kind: NodeKind;
	name: string;
	location: Location | null;
	thread?: number;
	state: NodeState;
	startMs: Ms;
	endMs: Ms | null;
	/** Totals as of `accountedAt`; the live part since then comes from `state`. */
	busyMs: Ms;
	waitMs: Ms;
	/** Of `waitMs`, its awaits' time waiting on other tasks alone (see waitsOnTasks): theirs is their own. */
	taskWaitMs: Ms;
	schedDelayMs: Ms;
	accountedAt: Ms;
	awaitCount: number;
	wait: CurrentWait | null;
	readyAt: Ms | null;
	awaitSites: AwaitSiteStats[];
	awaits: AwaitRecord[];
	spans: StateSpan[];
	children: number[];
	childTaskCount: number;
	/** When it started its first task: a unit of work (isWorkUnit) is a leaf, in flight, until then. */
	leafUntil?: Ms;
	/** A request the script sent (an op of kind `http`). */
	http?: HttpInfo;
	/** A request one of the script's servers received (a task of kind `server`). */
	request?: ServerRequestInfo;
	timer?: TimerInfo;
	/** A child process: a `process` task (a followed Node process, its lane's root) or a `child` op (another program). */
	process?: ProcessDetails & {exit?: ProcessExit};
	/** A followed process's output (a `process` task), from its copy: since its first write. */
	output?: LaneOutput;
	error?: ErrorInfo;
	/** Delay this task suffered because the loop was blocked while it was ready. */
	blockedDelayMs: Ms;
}

export interface Block {
	id: number;
	startMs: Ms;
	detectedAt: Ms;
	/** The script's own synchronous time in it (asyncmon's own left out); null while it lasts. */
	durationMs: Ms | null;
	/** When the loop turned again: `startMs + durationMs` plus asyncmon's own time in it. */
	endMs: Ms | null;
	/** Of `durationMs`, how long the thread waited for a CPU: the machine's share (0 where unknown). */
	queuedMs: Ms;
	taskId: number | null;
	/** That task's name, kept here as the block is told: a finished task may be folded away later (see retention.ts). */
	taskName: string | null;
	/**
	 * Not the task's own code but a callback it scheduled, by the API that calls it back (`setTimeout`, `setInterval`,
	 * `setImmediate`; `timer` for a timer the stream did not name); null for the task's own code, or where unknown.
	 */
	callback: string | null;
	location: Location | null;
	frames: StackFrame[];
	/** Whether its stack was read (block.stack): a block that ended before the watchdog looked has no frames and says nothing of where. */
	stackRead: boolean;
	/** Its stack was read while Node loaded a module (a `require()` or an import under way), or its end said it was loading. */
	loading: boolean;
	/** Its end said it was loading, from its time in `require()` (see BlockEndEvent.loading): a later read of its stack does not take that back. */
	loadingByTime: boolean;
	/** How many of the reads of its stack found it where the one told was, when it was read more than once. */
	samples: BlockStackSamples | null;
	/** Loading a library's module with no frame of the script's under it: where its top level ran. */
	module: Location | null;
	/** The function of Node's own the script's innermost frame was in (`execSync` of `node:child_process`), when it was one. */
	callee: StackFrame | null;
	/** A stack read with no frame of the script's, loading nothing: the innermost frame of a library's, where to look. */
	library: StackFrame | null;
	exact: boolean;
	/** The followed process whose main thread's loop it held: its lane's root task (the block's id says which); null for the script's own loop. */
	processId: number | null;
	/** That process's pid and command, as its lane said them (kept here: the lane may be retired). */
	process: ProcessDetails | null;
}

/** One line of the script's output, its line break included; the last of a stream may still be open (none yet). */
export interface OutputLine {
	/** When its first part was written. */
	t: Ms;
	stream: 'stdout' | 'stderr';
	text: string;
}

/** The latest lines of some output, bounded: the script's (ModelState), or a followed process's (LaneOutput). */
export interface OutputTail {
	/** Its latest lines, oldest first. */
	output: OutputLine[];
	/** Lines dropped from the front of `output`. */
	outputDropped: number;
	/** Each stream's last line while it has no line break yet: the next write continues it. */
	openOutput: {stdout: OutputLine | null; stderr: OutputLine | null};
	/** The characters `output` holds, kept under a bound. */
	outputChars: number;
}

/** How much of some output is kept: the latest this many lines, of at most this many characters in all. */
export interface OutputBounds {
	lines: number;
	chars: number;
}

/** What a followed process wrote to its stdout and stderr, as its lane's copy told (see OutputEvent.lane). */
export interface LaneOutput extends OutputTail {
	/** Every byte it wrote, those its copy left out included. */
	bytes: number;
	/** The lines they make: their line breaks, and a last line begun on each stream (lineBreaks and midLine). */
	lines: number;
	lineBreaks: number;
	/** Whether each stream's last write ended without a line break. */
	midLine: {stdout: boolean; stderr: boolean};
}

/** A sparkline's bucket: the events within 50 ms of its first. */
export interface SeriesPoint {
	t: Ms;
	/** The bucket's largest value, which its bar shows. */
	value: number;
	/** Its last value: the latest of the series, for the last bucket. */
	latest: number;
}

export interface ScriptExit {
	t: Ms;
	code: number | null;
	signal: string | null;
	/** The stop signal asyncmon ended the stuck script for, with SIGKILL (`signal`). */
	stoppedFor?: string;
	/** Why asyncmon sent it SIGKILL after a stop signal (`signal`). */
	forced?: ForcedKill;
}

export interface Fatal {
	kind: string;
	message: string;
	loc?: Location;
	frame?: string;
}

export interface Uncaught {
	t: Ms;
	origin: string;
	error: ErrorInfo;
	taskId: number | null;
	/** The script's own handler took it, and the process went on. */
	handled?: true;
	/** How many times this one came (the same origin, error and place, handled alike): a server's handler may take one a request. */
	count?: number;
}

/** Distinct uncaught exceptions and unhandled rejections kept one by one; those past it are only counted (uncaughtUnlisted). */
export const UNCAUGHT_KEPT = 100;

/** A promise of the script's own async function that a statement dropped. */
export interface DroppedPromise {
	t: Ms;
	taskId: number | null;
	callerId: number;
	site: Location;
}

/** What held the process alive while nothing ran. */
export interface KeptAlive {
	t: Ms;
	idleSince: Ms;
	resources: Record<string, number>;
	servers: ListeningServer[];
}

/** The finished tasks and ops of one site (kind, name without arguments, location), folded into totals. */
export interface SiteAggregate {
	/** Negative and stable, so a view selects the row as it selects a node's. */
	id: number;
	kind: NodeKind;
	/** `getUser()` for a task; `GET host` for a request; the op's name otherwise. */
	name: string;
	location: Location | null;
	count: number;
	failed: number;
	/** Exact sums, ms; the histograms give percentiles. */
	totalMs: Ms;
	busyMs: Ms;
	waitMs: Ms;
	total: Latency;
	busy: Latency;
	wait: Latency;
	lastEndMs: Ms;
	/** How its folded tasks and ops failed: the first MAX_FAILURE_KINDS kinds, each with how often. */
	failures: FoldedFailure[];
}

/** How many kinds of failure a site keeps (see FoldedFailure); more are counted in its `failed` alone. */
export const MAX_FAILURE_KINDS = 5;

/**
 * One kind of failure of a site's folded work, as its report names a failure of a task kept: the error, or, a
 * request that failed without one, its status or its client gone. Errors are one kind when their name, message
 * and location are.
 */
export interface FoldedFailure {
	error: ErrorInfo | null;
	status?: number;
	aborted?: true;
	count: number;
}

/** A request's phases, in order; `total` runs from its start to its end. */
export const HTTP_PHASES = ['queue', 'connect', 'ttfb', 'download', 'total'] as const;
export type HttpPhaseName = (typeof HTTP_PHASES)[number];

/** Folded requests to one host: counts and a histogram per phase. */
export interface HostAggregate {
	requests: number;
	/** A network error or a 5xx status. */
	failed: number;
	/** A 4xx status. */
	clientErrors: number;
	phases: Partial<Record<HttpPhaseName, Latency>>;
	/** Of `requests`, those through each client library, where it was said. */
	byClient: Partial<Record<HttpClient, number>>;
}

/** [start, end] intervals, packed (start0, end0, start1, end1, …) in `data[0 .. 2 * count)`: exact overlap figures from 16 bytes a node. */
/** Fewer held than this are never settled (see settleIfLarge): a short session keeps every interval, and settling is rare. */
export const SETTLE_FROM = 65_536;

export function newIntervals(): Intervals {
	return {data: new Float64Array(0), count: 0, total: 0, settledUntil: Number.NEGATIVE_INFINITY, peakBefore: 0, settleAt: SETTLE_FROM};
}

/**
 * Folded work's intervals, for the peak in flight, bounded in a long session (see settleIfLarge): those held,
 * packed two numbers each in `data`, and the peak before `settledUntil`, where those let go ended.
 */
export interface Intervals {
	data: Float64Array;
	/** How many are held. */
	count: number;
	/** How many were ever added. */
	total: number;
	settledUntil: Ms;
	peakBefore: number;
	/** How many held make the next settling. */
	settleAt: number;
}

/** Which finished tasks and ops a view keeps one by one; older ones are folded into per-site aggregates. */
export interface Retention {
	/** The latest this many finished tasks and ops are kept in full. */
	maxFinished: number;
	/** Those that finished longer ago than this are folded, however few. */
	maxAgeMs: Ms;
}

/** What the live dashboard, plain mode and replay keep: 10,000 finished tasks, or 5 minutes. */
export const LIVE_RETENTION: Retention = {maxFinished: 10_000, maxAgeMs: 5 * 60_000};

/** What a report keeps: the same count, but no age limit, as a report looks at the whole session at once. */
export const REPORT_RETENTION: Retention = {maxFinished: LIVE_RETENTION.maxFinished, maxAgeMs: Infinity};

/**
 * Finished tasks and ops no longer kept one by one: beyond the retention
 * window, a finished node whose children are gone is folded into these
 * totals and dropped from `nodes`, `order` and its parent's `children`.
 * Summary figures stay exact (summarize() adds these in); views say how
 * many were folded. Running, waiting and ready tasks are never folded, and
 * neither is a task while any of its children is kept.
 */
export interface Aggregated {
	/** Null keeps every node. */
	retention: Retention | null;
	/** Folded tasks of kind `task` (the summary's task count), and how many of them failed. */
	tasks: number;
	failed: number;
	/** Folded nodes of every kind. */
	nodes: number;
	/** Of the folded tasks, those the script's process folded before sending them (`fold` lines). */
	atSource: number;
	/** Of the folded nodes, those the script's process folded: tasks and ops (timers) alike. */
	nodesAtSource: number;
	/** Of the folded tasks, those a running service's agent had folded before this client joined (`joined`). */
	beforeJoin: number;
	/** Of those, the leaves: counted in task time and concurrency, though their intervals are not known. */
	leavesBeforeJoin: number;
	/** Folded leaf tasks (see leafTasks): their summed durations, and their intervals. */
	taskTimeMs: Ms;
	leafIntervals: Intervals;
	/** Folded units of work (see activeUnits): their own time running or waiting (ownActiveTime). */
	activeMs: Ms;
	/** Folded HTTP requests: their intervals (max in flight) and per-host figures. */
	httpIntervals: Intervals;
	hosts: Map<string, HostAggregate>;
	sites: Map<string, SiteAggregate>;
	/** The slowest folded tasks, slowest first, so "slowest tasks" stays true. */
	slowest: TaskNode[];
	/** Finished nodes in finish order, the oldest at `head`: the next to fold. A queue compacted in batches. */
	candidates: {ids: number[]; head: number};
	/** Finished nodes passed over because a child was still kept: queued again once their last child goes. */
	heldByChildren: Set<number>;
}

export interface StateOptions {
	/** Which finished nodes are kept one by one; by default every one. */
	retention?: Retention | null;
}

export interface Counters {
	running: number;
	waiting: number;
	ready: number;
	finished: number;
	failed: number;
}

/**
 * Its OutputTail is the latest lines of the script's output, however it wrote them, within SCRIPT_OUTPUT_BOUNDS (a
 * recording keeps every line). Followed processes' copies are not in it: each is its lane's (TaskNode.output).
 */
export interface ModelState extends OutputTail {
	header: HeaderEvent | null;
	/** Latest time seen in the stream. */
	nowMs: Ms;
	nodes: Map<number, TaskNode>;
	/** Ids in start order. */
	order: number[];
	rootIds: number[];
	/**
	 * Per-state counts of tasks of kind `task` and `server` (the script's async function calls and the requests
	 * its servers received; not its top level, worker threads or ops), as the summary's taskCount counts them:
	 * the header's and the summary's figures agree.
	 */
	taskCounts: Counters;
	/** The running lanes beside the script's main thread: its worker threads, and the Node processes it started that asyncmon follows. */
	lanesRunning: {workers: number; processes: number};
	/**
	 * Units of work (isWorkUnit) pending that started no task of their own yet: the leaf tasks whose overlap the
	 * summary's maxInFlight counts, and the header's sparkline plots (inFlightSeries).
	 */
	tasksInFlight: number;
	/** HTTP requests started and not ended, those in a pool's queue included. */
	httpInFlight: number;
	/** Requests the script's servers received and have not answered yet (`server` tasks under way). */
	servingNow: number;
	/**
	 * What the script's process holds back, in flight and not yet sent (see HeldEvent): tasks, and HTTP requests it
	 * sent. Not in taskCounts or httpInFlight, which count what the stream told.
	 */
	held: {tasks: number; http: number};
	/** When `held` was told: a start older than that comes out of what was held then, and leaves it (see the reducer). */
	heldAt: Ms;
	/** Of httpInFlight, those waiting in a pool's queue for a connection. */
	httpQueued: number;
	/** Requests that ended in a network error, a 5xx status or a gRPC error. */
	httpFailed: number;
	blocks: Block[];
	/**
	 * Stalls that ended starved (the thread waited for a CPU): no blocks. Their other lines come by the watchdog's
	 * pipe, before or after the end, and must not bring them back.
	 */
	starvedBlockIds: Set<number>;
	/** The script's own loop's block under way. */
	activeBlockId: number | null;
	/** Followed processes' blocks under way: each holds its own process's loop, not the script's. */
	activeProcessBlockIds: number[];
	inFlightSeries: SeriesPoint[];
	loopDelaySeries: SeriesPoint[];
	exit: ScriptExit | null;
	/** When the entry module's first line ran (after start-up and compiling); null until then. */
	scriptStartMs: Ms | null;
	/** When the script's process began to exit, by its own clock (before asyncmon's teardown); null until then. */
	scriptExitMs: Ms | null;
	/** The script's process.exit() that ended it; null when it ended otherwise (or has not yet). */
	exitCall: ExitCall | null;
	/** The tasks of its main thread still running when it called process.exit(): one of them called it, and they ended with it. */
	exitCallers: number[];
	/** When this session joined a service that was already running (`asyncmon connect`); null for a session that saw it start. */
	joinedMs: Ms | null;
	fatal: Fatal | null;
	uncaught: Uncaught[];
	/** Uncaught exceptions and unhandled rejections past UNCAUGHT_KEPT distinct ones, counted. */
	uncaughtUnlisted: number;
	floating: DroppedPromise[];
	keptAlive: KeptAlive | null;
	droppedEvents: number;
	/** What the runtime said it did differently (a file it left uninstrumented, a cache it could not use), in order. */
	notices: string[];
	/** Lines from the child the monitor could not decode and skipped (its `corrupt` events). */
	corruptLines: number;
	/** How long the script waited for the monitor to take its events (backpressure), ms. */
	heldBackMs: Ms;
	/** Finished tasks and ops folded into totals to bound memory; empty unless a retention applies. */
	aggregated: Aggregated;
	/** Bumped on every applied event, so views can tell when to redraw. */
	version: number;
	/**
	 * Bumped on every applied event that may change the task tree's rows (see OUTSIDE_THE_TREE in reducer.ts): an idle
	 * service's loop samples, four a second, would otherwise have the dashboard walk every kept task at each frame.
	 */
	treeVersion: number;
}

export const OUTPUT_RETAINED_LINES = 5000;
/** However long the lines: the ring holds at most this many characters. */
export const OUTPUT_RETAINED_CHARS = 1_000_000;
export const SCRIPT_OUTPUT_BOUNDS: OutputBounds = {lines: OUTPUT_RETAINED_LINES, chars: OUTPUT_RETAINED_CHARS};
/** A followed process's tail: enough for its details and its report, for up to 9,000 processes. */
export const LANE_OUTPUT_BOUNDS: OutputBounds = {lines: 20, chars: 4096};
/** A line without a break grows no longer than this (wider than any terminal): a progress bar drawn with `\r` becomes several. */
export const OUTPUT_LINE_MAX_CHARS = 1024;
export const SERIES_RETAINED_POINTS = 600;

/** A followed process's output before its first write. */
export function emptyLaneOutput(): LaneOutput {
	return {output: [], outputDropped: 0, openOutput: {stdout: null, stderr: null}, outputChars: 0, bytes: 0, lines: 0, lineBreaks: 0, midLine: {stdout: false, stderr: false}};
}

/** The blocks under way: the script's loop's first, then followed processes'. */
export function activeBlocks(state: ModelState): Block[] {
	if (state.activeBlockId === null && state.activeProcessBlockIds.length === 0) return [];
	return [state.activeBlockId, ...state.activeProcessBlockIds].flatMap(id => state.blocks.find(block => block.id === id) ?? []);
}

/** Whether a task or op is of the thread a block held: its process's main thread (a worker's loop, or another process's, runs on). */
export function onBlockedThread(block: Block, id: number): boolean {
	return laneSlotOf(id) === laneSlotOf(block.id) && isMainThreadId(id);
}

/** The error nothing handled that ended the process (an `uncaught` event, then a failing exit with no signal), if one did. */
export function fatalUncaught(state: ModelState): Uncaught | undefined {
	if (!state.exit || state.exit.signal !== null || state.exit.code === 0) return undefined;
	return state.uncaught.find(uncaught => !uncaught.handled);
}

/** Tasks not settled: running, waiting or ready (in flight; at the end, cut off or never settled). */
export function unsettledTasks(state: ModelState): number {
	return state.taskCounts.running + state.taskCounts.waiting + state.taskCounts.ready;
}

export function isTaskKind(kind: NodeKind): boolean {
	return kind === 'script' || kind === 'task' || kind === 'worker' || kind === 'server' || kind === 'process';
}

/**
 * A node's wait time, from the wait its events counted: an op (a timer, a request sent, a file read) does
 * nothing of its own on the thread, so all its life is waiting, whether it is a row of its own or folded
 * into its site's. Its events count none.
 */
export function waitOfNode(kind: NodeKind, totalMs: Ms, countedWaitMs: Ms): Ms {
	return isTaskKind(kind) ? countedWaitMs : totalMs;
}

/** The tasks counted as the script's units of work: its async function calls and the requests its servers received. */
export function isCountedTask(kind: NodeKind): boolean {
	return kind === 'task' || kind === 'server';
}

/** The units of work whose overlap is concurrency, once they are leaves: counted tasks, and worker threads. */
export function isWorkUnit(kind: NodeKind): boolean {
	return isCountedTask(kind) || kind === 'worker';
}

export function createState(options: StateOptions = {}): ModelState {
	return {
		header: null,
		nowMs: 0,
		nodes: new Map(),
		order: [],
		rootIds: [],
		taskCounts: {running: 0, waiting: 0, ready: 0, finished: 0, failed: 0},
		lanesRunning: {workers: 0, processes: 0},
		tasksInFlight: 0,
		httpInFlight: 0,
		servingNow: 0,
		held: {tasks: 0, http: 0},
		heldAt: Number.NEGATIVE_INFINITY,
		httpQueued: 0,
		httpFailed: 0,
		blocks: [],
		starvedBlockIds: new Set(),
		activeBlockId: null,
		activeProcessBlockIds: [],
		output: [],
		outputDropped: 0,
		openOutput: {stdout: null, stderr: null},
		outputChars: 0,
		inFlightSeries: [],
		loopDelaySeries: [],
		exit: null,
		scriptStartMs: null,
		scriptExitMs: null,
		exitCall: null,
		exitCallers: [],
		joinedMs: null,
		fatal: null,
		uncaught: [],
		uncaughtUnlisted: 0,
		floating: [],
		keptAlive: null,
		droppedEvents: 0,
		notices: [],
		corruptLines: 0,
		heldBackMs: 0,
		aggregated: {
			retention: options.retention ?? null,
			tasks: 0,
			failed: 0,
			nodes: 0,
			atSource: 0,
			nodesAtSource: 0,
			beforeJoin: 0,
			leavesBeforeJoin: 0,
			taskTimeMs: 0,
			leafIntervals: newIntervals(),
			activeMs: 0,
			httpIntervals: newIntervals(),
			hosts: new Map(),
			sites: new Map(),
			slowest: [],
			candidates: {ids: [], head: 0},
			heldByChildren: new Set(),
		},
		version: 0,
		treeVersion: 0,
	};
}

/**
 * A copy that shares nothing with `state`, for a paused view. The folded histograms are objects with methods,
 * which `structuredClone` would strip: they are copied one by one.
 */
export function cloneState(state: ModelState): ModelState {
	const {leafIntervals, httpIntervals} = state.aggregated;
	// The interval arrays grow by doubling: a copy holds only what is used.
	const used = (intervals: Intervals): Intervals => ({...intervals, data: intervals.data.slice(0, 2 * intervals.count)});
	const copy = structuredClone({...state, aggregated: {...state.aggregated, sites: new Map(), hosts: new Map(), leafIntervals: used(leafIntervals), httpIntervals: used(httpIntervals)}});
	return {...copy, aggregated: {...copy.aggregated, ...copyFoldedFigures(state.aggregated)}};
}

/** Copies of the folded histograms (per site, per host): objects with methods, which `structuredClone` and `v8.serialize` would strip. */
export function copyFoldedFigures({sites, hosts}: Pick<Aggregated, 'sites' | 'hosts'>): Pick<Aggregated, 'sites' | 'hosts'> {
	const copy: Pick<Aggregated, 'sites' | 'hosts'> = {sites: new Map(), hosts: new Map()};
	for (const [key, site] of sites) {
		copy.sites.set(key, {...site, total: copyLatency(site.total), busy: copyLatency(site.busy), wait: copyLatency(site.wait), failures: site.failures.map(failure => ({...failure}))});
	}
	for (const [host, figures] of hosts) {
		const phases: HostAggregate['phases'] = {};
		for (const phase of HTTP_PHASES) if (figures.phases[phase]) phases[phase] = copyLatency(figures.phases[phase]);
		copy.hosts.set(host, {...figures, phases, byClient: {...figures.byClient}});
	}
	return copy;
}

/** Whether the task `id` had ended by `t`: a block it is named for then ran in a callback it scheduled. */
export function endedBefore(state: ModelState, id: number | null, t: Ms): boolean {
	const endMs = id === null ? null : (state.nodes.get(id)?.endMs ?? null);
	return endMs !== null && endMs <= t;
}
