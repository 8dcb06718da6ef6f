import type {ErrorInfo, HeaderEvent, HttpClient, ListeningServer, Location, Ms, NodeKind, StackFrame, WaitTarget} from '../protocol/events.js';

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
	sentAt?: Ms;
	headersAt?: Ms;
	phases: HttpPhases;
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

/** A task (script, task, worker) or an op (http, timer, fs, dns): one row of the tree. */
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
	http?: HttpInfo;
	timer?: TimerInfo;
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
	location: Location | null;
	frames: StackFrame[];
	exact: boolean;
}

export interface OutputLine {
	t: Ms;
	stream: 'stdout' | 'stderr';
	text: string;
}

export interface SeriesPoint {
	t: Ms;
	value: number;
}

export interface ScriptExit {
	t: Ms;
	code: number | null;
	signal: string | null;
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
}

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

/** Per-name figures of tasks that were aggregated (see ModelState.aggregated). */
export interface AggregatedName {
	count: number;
	failed: number;
	/** Sum of their durations (end - start), ms. */
	totalMs: Ms;
	busyMs: Ms;
	waitMs: Ms;
}

/**
 * Finished leaf tasks the live monitor no longer keeps one by one: beyond
 * `limit` of them, the oldest are folded into these totals and dropped from
 * `nodes`, `order` and their parent's `children`. Summary figures stay exact
 * (summarize() adds these in); views should say how many were aggregated.
 */
export interface Aggregated {
	/** How many finished leaf tasks are kept with full detail; Infinity keeps all. */
	limit: number;
	/** Tasks folded in so far. */
	tasks: number;
	failed: number;
	/** Sum of their durations, ms (summary's task time). */
	taskTimeMs: Ms;
	/** Their [start, end] intervals, packed (start0, end0, start1, end1, …) in `intervals[0 .. 2 * spanned)`, for exact overlap figures. */
	intervals: Float64Array;
	/** Of `tasks`, those with an interval: a running service's agent sends totals without them (a `joined` event). */
	spanned: number;
	byName: Map<string, AggregatedName>;
	/** Finished tasks in finish order, the oldest at `head`: the next to fold in. A queue compacted in batches. */
	candidates: {ids: number[]; head: number};
}

/** What the live monitor keeps with full detail, finished leaf tasks beyond it being aggregated. */
export const LIVE_RETAINED_FINISHED_TASKS = 20_000;

export interface StateOptions {
	/** Finished leaf tasks kept one by one (default: all of them, as reports and replays need). */
	retainFinishedTasks?: number;
}

export interface Counters {
	running: number;
	waiting: number;
	ready: number;
	finished: number;
	failed: number;
}

export interface ModelState {
	header: HeaderEvent | null;
	/** Latest time seen in the stream. */
	nowMs: Ms;
	nodes: Map<number, TaskNode>;
	/** Ids in start order. */
	order: number[];
	rootIds: number[];
	/**
	 * Per-state counts of tasks of kind `task` (the script's async function calls; not its top level, worker
	 * threads or ops), as the summary's taskCount counts them: the header's and the summary's figures agree.
	 */
	taskCounts: Counters;
	tasksInFlight: number;
	httpInFlight: number;
	/** Requests that ended in a network error or a 5xx status. */
	httpFailed: number;
	blocks: Block[];
	activeBlockId: number | null;
	output: OutputLine[];
	outputDropped: number;
	inFlightSeries: SeriesPoint[];
	loopDelaySeries: SeriesPoint[];
	exit: ScriptExit | null;
	/** When the entry module's first line ran (after start-up and compiling); null until then. */
	scriptStartMs: Ms | null;
	/** When the script's process began to exit, by its own clock (before asyncmon's teardown); null until then. */
	scriptExitMs: Ms | null;
	/** When this session joined a service that was already running (`asyncmon connect`); null for a session that saw it start. */
	joinedMs: Ms | null;
	fatal: Fatal | null;
	uncaught: Uncaught[];
	floating: DroppedPromise[];
	keptAlive: KeptAlive | null;
	droppedEvents: number;
	/** What the runtime said it did differently (a file it left uninstrumented, a cache it could not use), in order. */
	notices: string[];
	/** Lines from the child the monitor could not decode and skipped (its `corrupt` events). */
	corruptLines: number;
	/** How long the script waited for the monitor to take its events (backpressure), ms. */
	heldBackMs: Ms;
	/** Finished leaf tasks folded into totals to bound memory; `aggregated.tasks` is 0 unless a limit applies. */
	aggregated: Aggregated;
	/** Bumped on every applied event, so views can tell when to redraw. */
	version: number;
}

export const OUTPUT_RETAINED_LINES = 5000;
export const SERIES_RETAINED_POINTS = 600;

export function isTaskKind(kind: NodeKind): boolean {
	return kind === 'script' || kind === 'task' || kind === 'worker';
}

export function createState(options: StateOptions = {}): ModelState {
	return {
		header: null,
		nowMs: 0,
		nodes: new Map(),
		order: [],
		rootIds: [],
		taskCounts: {running: 0, waiting: 0, ready: 0, finished: 0, failed: 0},
		tasksInFlight: 0,
		httpInFlight: 0,
		httpFailed: 0,
		blocks: [],
		activeBlockId: null,
		output: [],
		outputDropped: 0,
		inFlightSeries: [],
		loopDelaySeries: [],
		exit: null,
		scriptStartMs: null,
		scriptExitMs: null,
		joinedMs: null,
		fatal: null,
		uncaught: [],
		floating: [],
		keptAlive: null,
		droppedEvents: 0,
		notices: [],
		corruptLines: 0,
		heldBackMs: 0,
		aggregated: {limit: options.retainFinishedTasks ?? Infinity, tasks: 0, failed: 0, taskTimeMs: 0, intervals: new Float64Array(0), spanned: 0, byName: new Map(), candidates: {ids: [], head: 0}},
		version: 0,
	};
}
