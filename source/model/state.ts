import type {ErrorInfo, HeaderEvent, Location, Ms, NodeKind, OpKind, StackFrame, WaitTarget} from '../protocol/events.js';

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
	durationMs: Ms | null;
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
	/** Per-state counts of tasks (not ops). */
	taskCounts: Counters;
	tasksInFlight: number;
	httpInFlight: number;
	maxTasksInFlight: number;
	maxInFlightHttp: number;
	blocks: Block[];
	activeBlockId: number | null;
	output: OutputLine[];
	outputDropped: number;
	inFlightSeries: SeriesPoint[];
	loopDelaySeries: SeriesPoint[];
	exit: ScriptExit | null;
	fatal: Fatal | null;
	uncaught: Uncaught[];
	floating: DroppedPromise[];
	keptAlive: KeptAlive | null;
	droppedEvents: number;
	/** Bumped on every applied event, so views can tell when to redraw. */
	version: number;
}

export const OUTPUT_RETAINED_LINES = 5000;
export const SERIES_RETAINED_POINTS = 600;
export const OP_KINDS: readonly OpKind[] = ['http', 'timer', 'fs', 'dns'];

export function isTaskKind(kind: NodeKind): boolean {
	return kind === 'script' || kind === 'task' || kind === 'worker';
}

export function createState(): ModelState {
	return {
		header: null,
		nowMs: 0,
		nodes: new Map(),
		order: [],
		rootIds: [],
		taskCounts: {running: 0, waiting: 0, ready: 0, finished: 0, failed: 0},
		tasksInFlight: 0,
		httpInFlight: 0,
		maxTasksInFlight: 0,
		maxInFlightHttp: 0,
		blocks: [],
		activeBlockId: null,
		output: [],
		outputDropped: 0,
		inFlightSeries: [],
		loopDelaySeries: [],
		exit: null,
		fatal: null,
		uncaught: [],
		floating: [],
		keptAlive: null,
		droppedEvents: 0,
		version: 0,
	};
}
