import type {ErrorInfo, ForcedKill, Location, Ms, NodeKind, ProcessExit, StackFrame, WaitTarget} from '../protocol/events.js';
import {liveTimes} from './live-times.js';
import {isActiveUnit, ownActiveTime} from './own-time.js';
import {isCountedTask, isWorkUnit, type Block, type FoldedFailure, type HttpPhases, type LaneOutput, type ModelState, type SiteAggregate, type TaskNode} from './state.js';
import {latencyStats} from './latency.js';
import {peakInFlight} from './intervals.js';

/** The JSON report: a contract. Fields may be added, never renamed. */
export interface SessionReport {
	version: 1;
	script: string;
	exitCode: number | null;
	signal: string | null;
	/** Present when asyncmon ended the script, stuck in synchronous code, with SIGKILL (`signal`) for this stop signal it did not handle. */
	stoppedFor?: string;
	/** Present when asyncmon sent the script SIGKILL (`signal`) after a stop signal: which, and why (`again`, `grace`, `quit`: see docs/protocol.md). */
	forced?: ForcedKill;
	/**
	 * Whether the recording holds the script's exit. False for one cut short (asyncmon killed, the file cut) or a
	 * `connect` session, which leaves the service running: what it says is what came before the cut.
	 */
	complete: boolean;
	durationMs: Ms;
	/** Present when the session joined a running service (`asyncmon connect`): when it joined; what came before is the agent's snapshot. */
	joinedMs?: Ms;
	tasks: ReportTask[];
	blocks: ReportBlock[];
	summary: ReportSummary;
	/** Present only when finished tasks and ops were folded into per-site totals (see `--retain`); `tasks` then lists the rest. */
	folded?: ReportFolded;
}

export interface ReportFolded {
	/** Folded tasks and ops, and of them tasks of kind `task`; the summary's figures include them. */
	nodes: number;
	tasks: number;
	/** Of those tasks, how many the script's process folded before sending (`fold` lines), not the reader. */
	atSource: number;
	/** Of the nodes, tasks and ops alike, how many the script's process folded. */
	nodesAtSource: number;
	/** Of the tasks, how many a running service's agent had folded before the client joined (`asyncmon connect`). */
	beforeJoin: number;
	/** The reader's window; null when it kept every task it was sent (`--retain all`). */
	retention: {maxFinished: number; maxAgeMs: Ms | null} | null;
	/** Most numerous first. */
	sites: ReportSite[];
	/** The slowest folded tasks, whole, slowest first. */
	slowest: ReportTask[];
}

/** The folded tasks or ops of one site: counts, exact sums, and percentiles of their total times. */
export interface ReportSite {
	kind: NodeKind;
	name: string;
	location: Location | null;
	count: number;
	failed: number;
	totalMs: Ms;
	busyMs: Ms;
	waitMs: Ms;
	p50Ms: Ms;
	p90Ms: Ms;
	p99Ms: Ms;
	maxMs: Ms;
	/** How its folded work failed: the first few kinds of failure, each with how often (see FoldedFailure). */
	failures: FoldedFailure[];
}

/** A request the script sent, in the report. */
export interface SentHttp {
	method: string;
	url: string;
	status: number | null;
	bytes: number | null;
	phases: Required<HttpPhases>;
}

/** A request one of the script's servers received: its `http` says what a sent one's first fields say. */
export type ServedHttp = Pick<SentHttp, 'method' | 'url' | 'status'>;

export interface ReportTask {
	id: number;
	parentId: number | null;
	kind: NodeKind;
	name: string;
	location: Location | null;
	state: 'finished' | 'failed' | 'pending';
	startMs: Ms;
	endMs: Ms | null;
	busyMs: Ms;
	waitMs: Ms;
	schedDelayMs: Ms;
	awaits: number;
	/** Where it awaited, for the awaits that were seen waiting (see docs/protocol.md, folded short awaits): most waiting first. */
	awaitSites: ReportAwaitSite[];
	/** A request the script sent (kind `http`), with its phases; one its servers received (kind `server`), without. */
	http?: SentHttp | ServedHttp;
	/** A request one of the script's servers received (kind `server`): `status` null until its response finished. */
	request?: {method: string; url: string; host: string | null; traceparent: string | null; status: number | null; aborted: boolean; route: string | null};
	timer?: {delayMs: number; repeat: boolean; fires: number; lateMs: Ms};
	/** A child process (kind `process`: a followed Node process's lane; kind `child`: another program): `exit` null until it ended. */
	process?: {pid: number | null; command: string; exit: ProcessExit | null; output?: ReportProcessOutput};
	error?: ErrorInfo;
}

/** What a followed process wrote to its stdout and stderr: its size in all, and its last lines (without their line breaks). */
export interface ReportProcessOutput {
	bytes: number;
	lines: number;
	lastLines: Array<{stream: 'stdout' | 'stderr'; text: string}>;
}

export interface ReportAwaitSite {
	site: Location | null;
	count: number;
	waitMs: Ms;
	/** Up to 5 distinct things awaited there. */
	on: ReportAwaitTarget[];
}

/** `guess`: inferred from what the task started before the await, not known from the awaited promise. */
export type ReportAwaitTarget =
	/** `count`: how many tasks were awaited, when more than `ids` lists (the first 8 of a combination). */
	| {kind: 'tasks'; ids: number[]; count?: number; guess?: true}
	| {kind: 'op'; id: number; guess?: true}
	| {kind: 'timer'; delayMs: number; guess?: true}
	| {kind: 'promise'; guess?: true}
	| {kind: 'peer'; address: string}
	| {kind: 'event'; event: string; source: string}
	| {kind: 'response'}
	| {kind: 'value'};

/** How many distinct targets an await site lists. */
const TARGETS_LISTED = 5;

export interface ReportBlock {
	startMs: Ms;
	durationMs: Ms;
	taskId: number | null;
	/** The task's name as the block was told (added: the task may have been folded away since, and is not in `tasks`). */
	taskName?: string;
	/** Added: the block was in a callback that task scheduled, not its own code; the API that called it back (`setTimeout`). */
	callback?: string;
	location: Location | null;
	stack: string[];
	/** Added: the block was spent loading modules (require or import). */
	loading?: true;
	/** Added: with no frame of the script's, the library module whose top level ran as it loaded (see block.stack's `module`). */
	module?: Location;
	/** Added: with no frame of the script's and no loading, the library's frame the thread was in (see block.stack's `library`). */
	library?: StackFrame;
	/** Only for a followed process's block: the process whose loop it held (its lane's root task, pid and command); absent for the script's own loop. */
	process?: ReportBlockProcess;
}

export interface ReportBlockProcess {
	taskId: number;
	pid: number | null;
	command: string | null;
}

export interface ReportSummary {
	taskCount: number;
	taskTimeMs: Ms;
	/** The units of work's own time running or waiting on something (see activeTime): concurrency's numerator. */
	activeTimeMs: Ms;
	concurrency: number;
	maxInFlight: number;
	maxInFlightHttp: number;
	longestBlockMs: Ms;
	failedCount: number;
	httpCount: number;
	/** HTTP requests that ended in a network error, a 5xx status or a gRPC error. */
	failedHttp: number;
	/** Added: requests the script's servers received (`server` tasks, folded ones included), and those that failed (a 5xx, a client gone first, the server's own end). */
	httpReceived: number;
	failedReceived: number;
	/** How long asyncmon held the script back while the monitor caught up with its events. */
	heldBackMs: Ms;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Where the session ends, on the stream's clock: where the script began to exit, else its process's exit, else now. */
export function sessionEnd(state: ModelState): Ms {
	return state.scriptExitMs ?? state.exit?.t ?? state.nowMs;
}

/**
 * When the script's first line ran, on the stream's clock: process start-up and compiling come before it.
 * Recordings made before `script.start` existed count from their script task's start.
 */
function scriptStart(state: ModelState): Ms {
	if (state.scriptStartMs !== null) return state.scriptStartMs;
	const root = state.rootIds.length > 0 ? state.nodes.get(state.rootIds[0]!) : undefined;
	return root?.kind === 'script' ? root.startMs : 0;
}

/** Session length, as the script itself would measure it: from its first line to its exit (or now). */
export function sessionDuration(state: ModelState, nowMs: Ms = sessionEnd(state)): Ms {
	return Math.max(0, nowMs - scriptStart(state));
}

/**
 * The units of work whose overlap the peak in flight counts and whose durations are the task time: leaf tasks (of
 * kind `task` or `server`, with no child task, the seed's "requests") and worker threads that started no task of
 * their own, whose busy time runs in parallel.
 */
export function leafTasks(state: ModelState): TaskNode[] {
	const leaves: TaskNode[] = [];
	for (const node of state.nodes.values()) if (isWorkUnit(node.kind) && node.childTaskCount === 0) leaves.push(node);
	return leaves;
}

/** The units of work (isActiveUnit) kept one by one: their own time is concurrency's numerator. */
export function activeUnits(state: ModelState): TaskNode[] {
	const units: TaskNode[] = [];
	for (const node of state.nodes.values()) if (isActiveUnit(node)) units.push(node);
	return units;
}

/**
 * Concurrency, defined once for the header, the summary and the insight (the help overlay says it in words):
 * the time the script's tasks spent running or waiting on something other than its other tasks, over the
 * session's duration (see ownActiveTime). Time a task spent ready but not running, because the loop was busy
 * with another, is no concurrency: CPU-bound tasks started together still run one at a time, and read about 1.0×.
 */
export function concurrencyAt(state: ModelState, nowMs: Ms = sessionEnd(state)): number {
	// Once the script exited, a view's clock runs on past its end: the figure is the summary's.
	const at = state.exit ? sessionEnd(state) : nowMs;
	const durationMs = sessionDuration(state, at);
	return durationMs > 0 ? activeTime(state, at) / durationMs : 0;
}

/** Concurrency as the summary and the insight state it: to two decimals. */
export function roundedConcurrency(state: ModelState, nowMs: Ms = sessionEnd(state)): number {
	return toTwoDecimals(concurrencyAt(state, nowMs));
}

/** Concurrency from its two figures, as the summary and the insight state it (see concurrencyAt): to two decimals. */
export function concurrencyOf(activeMs: Ms, durationMs: Ms): number {
	return toTwoDecimals(durationMs > 0 ? activeMs / durationMs : 0);
}

const toTwoDecimals = (value: number): number => Math.round(value * 100) / 100;

/** The units of work's own time running or waiting on something, folded ones included: concurrency's numerator. */
export function activeTime(state: ModelState, nowMs: Ms = sessionEnd(state)): Ms {
	let activeMs = state.aggregated.activeMs;
	for (const node of state.nodes.values()) if (isActiveUnit(node)) activeMs += ownActiveTime(state, node, nowMs);
	return activeMs;
}

/** Tasks of kind `task` and `server`, folded ones included: the summary's count. */
export function summaryTaskCount(state: ModelState): number {
	let count = state.aggregated.tasks;
	for (const node of state.nodes.values()) if (isCountedTask(node.kind)) count++;
	return count;
}

export function summarize(state: ModelState): ReportSummary {
	const endMs = sessionEnd(state);
	const leaves = leafTasks(state);
	// Finished tasks and requests that were folded (state.aggregated) count as they would have one by one.
	const aggregated = state.aggregated;
	let taskTimeMs = aggregated.taskTimeMs;
	for (const leaf of leaves) taskTimeMs += (leaf.endMs ?? endMs) - leaf.startMs;
	let failedCount = aggregated.failed;
	let requests = 0;
	const received = {count: 0, failed: 0};
	for (const node of state.nodes.values()) {
		if (node.state === 'failed' && isCountedTask(node.kind)) failedCount++;
		if (node.kind === 'http') requests++;
		if (node.kind === 'server') {
			received.count++;
			if (node.state === 'failed') received.failed++;
		}
	}
	for (const site of aggregated.sites.values()) {
		if (site.kind !== 'server') continue;
		received.count += site.count;
		received.failed += site.failed;
	}
	let longestBlockMs = 0;
	for (const block of state.blocks) longestBlockMs = Math.max(longestBlockMs, block.durationMs ?? endMs - block.startMs);
	const activeMs = activeTime(state, endMs);
	const durationMs = sessionDuration(state, endMs);
	return {
		taskCount: summaryTaskCount(state),
		taskTimeMs: round(taskTimeMs),
		activeTimeMs: round(activeMs),
		concurrency: concurrencyOf(activeMs, durationMs),
		maxInFlight: peakInFlight(state, endMs),
		maxInFlightHttp: peakInFlight(state, endMs, true),
		longestBlockMs: round(longestBlockMs),
		failedCount,
		httpCount: requests + aggregated.httpIntervals.total,
		failedHttp: state.httpFailed,
		httpReceived: received.count,
		failedReceived: received.failed,
		heldBackMs: round(state.heldBackMs),
	};
}


function reportTask(node: TaskNode, nowMs: Ms, state: ModelState): ReportTask {
	const times = liveTimes(node, nowMs);
	const task: ReportTask = {
		id: node.id,
		parentId: node.parentId,
		kind: node.kind,
		name: node.name,
		location: node.location,
		state: node.state === 'finished' || node.state === 'failed' ? node.state : 'pending',
		startMs: round(node.startMs),
		endMs: node.endMs === null ? null : round(node.endMs),
		busyMs: round(times.busyMs),
		waitMs: round(times.waitMs),
		schedDelayMs: round(times.schedDelayMs),
		awaits: node.awaitCount,
		awaitSites: reportAwaitSites(node, state),
	};
	if (node.http) {
		const p = node.http.phases;
		task.http = {
			method: node.http.method,
			url: node.http.url,
			status: node.http.status ?? null,
			bytes: node.http.bytes ?? null,
			phases: {
				queueMs: round(p.queueMs ?? 0),
				connectMs: round(p.connectMs ?? 0),
				ttfbMs: round(p.ttfbMs ?? 0),
				downloadMs: round(p.downloadMs ?? 0),
			},
		};
	}
	if (node.request) {
		const {method, url, host, traceparent, status, aborted, route} = node.request;
		task.request = {method, url, host: host ?? null, traceparent: traceparent ?? null, status: status ?? null, aborted, route: route ?? null};
		task.http = {method, url, status: status ?? null};
	}
	if (node.timer) task.timer = {...node.timer, lateMs: round(node.timer.lateMs)};
	if (node.process) {
		task.process = {pid: node.process.pid ?? null, command: node.process.command, exit: node.process.exit ?? null};
		if (node.output) task.process.output = reportOutput(node.output);
	}
	if (node.error) task.error = node.error;
	return task;
}

function reportOutput(output: LaneOutput): ReportProcessOutput {
	return {
		bytes: output.bytes,
		lines: output.lines,
		lastLines: output.output.map(line => ({stream: line.stream, text: line.text.endsWith('\n') ? line.text.slice(0, -1) : line.text})),
	};
}

function reportAwaitSites(node: TaskNode, state: ModelState): ReportAwaitSite[] {
	return [...node.awaitSites]
		.sort((a, b) => b.totalMs - a.totalMs)
		.map(stats => {
			const on = new Map<string, ReportAwaitTarget>();
			for (const record of node.awaits) {
				if (record.site !== stats.site || on.size >= TARGETS_LISTED) continue;
				for (const target of reportTargets(record.on, state)) if (on.size < TARGETS_LISTED) on.set(JSON.stringify(target), target);
			}
			return {site: stats.site, count: stats.count, waitMs: round(stats.totalMs), on: [...on.values()]};
		});
}

function reportTargets(on: WaitTarget, state: ModelState): ReportAwaitTarget[] {
	if (on.kind === 'value' || on.kind === 'response') return [{kind: on.kind}];
	if (on.kind === 'peer') return [{kind: 'peer', address: on.address}];
	if (on.kind === 'event') return [{kind: 'event', event: on.event, source: on.source}];
	const marked = <T extends ReportAwaitTarget>(target: T): T => (on.guess ? {...target, guess: true} : target);
	const op = (id: number): ReportAwaitTarget => {
		const timer = state.nodes.get(id)?.timer;
		return marked(timer ? {kind: 'timer', delayMs: timer.delayMs} : {kind: 'op', id});
	};
	switch (on.kind) {
		case 'task':
			return [marked({kind: 'tasks', ids: [on.id]})];
		case 'op':
			return [op(on.id)];
		case 'promise': {
			const more = on.tasks && on.taskCount !== undefined && on.taskCount > on.tasks.length ? {count: on.taskCount} : {};
			const targets: ReportAwaitTarget[] = on.tasks ? [marked({kind: 'tasks', ids: on.tasks, ...more})] : [];
			if (on.ops) targets.push(...on.ops.map(op));
			for (const {event, source} of on.events ?? []) targets.push({kind: 'event', event, source});
			// Promises of unknown origin among the known ones (see WaitTarget's `others`): said, not left out.
			if (targets.length === 0 || (on.others ?? 0) > 0) targets.push(marked({kind: 'promise'}));
			return targets;
		}
	}
}

export function buildReport(state: ModelState): SessionReport {
	const endMs = sessionEnd(state);
	return {
		version: 1,
		script: state.header?.script ?? '',
		exitCode: state.exit?.code ?? null,
		signal: state.exit?.signal ?? null,
		...(state.exit?.stoppedFor ? {stoppedFor: state.exit.stoppedFor} : {}),
		...(state.exit?.forced ? {forced: state.exit.forced} : {}),
		complete: state.exit !== null,
		durationMs: round(sessionDuration(state)),
		...(state.joinedMs === null ? {} : {joinedMs: round(state.joinedMs)}),
		tasks: state.order.map(id => reportTask(state.nodes.get(id)!, endMs, state)),
		blocks: state.blocks.map(block => reportBlock(block, endMs)),
		summary: summarize(state),
		...(state.aggregated.nodes > 0 ? {folded: reportFolded(state, endMs)} : {}),
	};
}

function reportBlock(block: Block, endMs: Ms): ReportBlock {
	const report: ReportBlock = {
		startMs: round(block.startMs),
		durationMs: round(block.durationMs ?? endMs - block.startMs),
		taskId: block.taskId,
		location: block.location,
		stack: block.frames.map(f => `${f.fn} (${f.loc})`),
	};
	if (block.taskName !== null) report.taskName = block.taskName;
	if (block.callback !== null) report.callback = block.callback;
	if (block.loading) report.loading = true;
	if (block.module !== null) report.module = block.module;
	if (block.library !== null) report.library = block.library;
	if (block.processId !== null) report.process = {taskId: block.processId, pid: block.process?.pid ?? null, command: block.process?.command ?? null};
	return report;
}

function reportFolded(state: ModelState, endMs: Ms): ReportFolded {
	const {aggregated} = state;
	const retention = aggregated.retention;
	return {
		nodes: aggregated.nodes,
		tasks: aggregated.tasks,
		atSource: aggregated.atSource,
		nodesAtSource: aggregated.nodesAtSource,
		beforeJoin: aggregated.beforeJoin,
		retention: retention && {maxFinished: retention.maxFinished, maxAgeMs: retention.maxAgeMs === Infinity ? null : retention.maxAgeMs},
		sites: [...aggregated.sites.values()].sort((a, b) => b.count - a.count || a.id - b.id).map(reportSite),
		slowest: aggregated.slowest.map(node => reportTask(node, endMs, state)),
	};
}

export function reportSite(site: SiteAggregate): ReportSite {
	const total = latencyStats(site.total);
	return {
		kind: site.kind,
		name: site.name,
		location: site.location,
		count: site.count,
		failed: site.failed,
		totalMs: round(site.totalMs),
		busyMs: round(site.busyMs),
		waitMs: round(site.waitMs),
		p50Ms: round(total.p50Ms),
		p90Ms: round(total.p90Ms),
		p99Ms: round(total.p99Ms),
		maxMs: round(total.maxMs),
		failures: site.failures.map(failure => ({...failure})),
	};
}
