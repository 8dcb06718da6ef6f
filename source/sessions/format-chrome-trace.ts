import {laneSlotOf, type Ms} from '../protocol/events.js';
import {isTaskKind, type Block, type ModelState, type SeriesPoint, type TaskNode} from '../model/state.js';
import {sessionDuration} from '../model/summary.js';
import {formatDuration} from '../present/durations.js';
import {safeJson} from './safe-json.js';
import {errorText} from '../present/errors.js';

/**
 * Chrome trace event format, as Perfetto (ui.perfetto.dev) imports it:
 * tasks and ops are async tracks (b/e keyed by cat + id), running slices and
 * blocks are complete events (X) on thread tracks, parent -> child links are
 * v2 flows (`bind_id` + `flow_out` / `flow_in`).
 */
export interface TraceEvent {
	name: string;
	ph: 'M' | 'b' | 'e' | 'n' | 'X' | 'i' | 'C';
	pid: number;
	tid?: number;
	/** Microseconds. */
	ts?: number;
	/** Microseconds. */
	dur?: number;
	cat?: string;
	id?: string;
	/** Instant scope: process. */
	s?: 'p';
	bind_id?: number;
	flow_in?: boolean;
	flow_out?: boolean;
	args?: Record<string, unknown>;
}

export interface ChromeTrace {
	traceEvents: TraceEvent[];
	displayTimeUnit: 'ms';
}

export const MAIN_THREAD_TID = 1;
export const LOOP_TID = 2;
const WORKER_TID_BASE = 1000;

const us = (ms: Ms): number => Math.round(ms * 1000);

export function formatChromeTrace(state: ModelState): string {
	return safeJson(chromeTrace(state));
}

export function chromeTrace(state: ModelState): ChromeTrace {
	const pid = state.header?.pid ?? 1;
	const endMs = Math.max(sessionDuration(state), state.nowMs);
	const events: TraceEvent[] = [...metadataEvents(state, pid)];
	const runningSlices: Slice[] = [];
	for (const id of state.order) {
		const node = state.nodes.get(id)!;
		events.push(...nodeTrackEvents(state, node, pid, endMs));
		if (isTaskKind(node.kind)) runningSlices.push(...runningSlicesOf(node, endMs));
	}
	const blockSlices: Slice[] = state.blocks.map(block => ({
		tid: blockTrackOf(block),
		name: `blocked ${formatDuration(block.durationMs ?? endMs - block.startMs)}`,
		cat: 'block',
		startUs: us(block.startMs),
		endUs: us(block.startMs + (block.durationMs ?? endMs - block.startMs)),
		args: {location: block.location, task: block.taskId, stack: block.frames.map(f => `${f.fn} (${f.loc})`), exact: block.exact},
	}));
	for (const slice of [...nestSlices(runningSlices), ...nestSlices(blockSlices)]) {
		events.push({name: slice.name, ph: 'X', cat: slice.cat, pid, tid: slice.tid, ts: slice.startUs, dur: slice.endUs - slice.startUs, args: slice.args});
	}
	for (const block of state.blocks) {
		if (block.detectedAt <= 0) continue;
		events.push({name: 'block detected', ph: 'i', s: 'p', cat: 'block', pid, tid: blockTrackOf(block), ts: us(block.detectedAt), args: {location: block.location}});
	}
	events.push(...counterEvents('tasks in flight', 'tasks', state.inFlightSeries, pid));
	events.push(...counterEvents('loop delay (ms)', 'ms', state.loopDelaySeries, pid));
	// Stable: events at the same instant keep the order they were built in (a
	// flow's source before its target, an inner slice's end before the next begin).
	events.sort((a, b) => (a.ts ?? -1) - (b.ts ?? -1));
	return {traceEvents: events, displayTimeUnit: 'ms'};
}

/** A followed process's lane is a track of its own, and so are its loop's blocks. */
const PROCESS_TID_BASE = 1_000_000;
const PROCESS_LOOP_TID_BASE = 2_000_000;

/** The track of a followed process's loop blocks. */
const processLoopTid = (slot: number): number => PROCESS_LOOP_TID_BASE + slot;

function blockTrackOf(block: Block): number {
	const lane = laneSlotOf(block.id);
	return lane > 0 ? processLoopTid(lane) : LOOP_TID;
}

function threadOf(node: TaskNode): number {
	const lane = laneSlotOf(node.id);
	if (lane > 0) return PROCESS_TID_BASE + lane;
	return node.thread === undefined ? MAIN_THREAD_TID : WORKER_TID_BASE + node.thread;
}

function metadataEvents(state: ModelState, pid: number): TraceEvent[] {
	const script = state.header?.script ?? 'script';
	const threads = new Map<number, string>([
		[MAIN_THREAD_TID, 'main thread (JS)'],
		[LOOP_TID, 'event loop blocks'],
	]);
	for (const node of state.nodes.values()) {
		if (node.kind === 'process') {
			threads.set(threadOf(node), node.name);
			threads.set(processLoopTid(laneSlotOf(node.id)), `${node.name}: event loop blocks`);
		}
		else if (node.thread !== undefined && laneSlotOf(node.id) === 0) threads.set(threadOf(node), `worker thread ${node.thread}`);
	}
	return [
		{name: 'process_name', ph: 'M', pid, args: {name: `node ${script}`}},
		...[...threads].map(([tid, name]): TraceEvent => ({name: 'thread_name', ph: 'M', pid, tid, args: {name}})),
	];
}

/** The node's async track: begin, HTTP phases nested in it, one flow source per child it started, end. */
function nodeTrackEvents(state: ModelState, node: TaskNode, pid: number, sessionEndMs: Ms): TraceEvent[] {
	const cat = node.kind;
	const id = String(node.id);
	const startUs = us(node.startMs);
	const endUs = Math.max(startUs, us(node.endMs ?? sessionEndMs));
	const begin: TraceEvent = {name: node.name, ph: 'b', cat, id, pid, ts: startUs, args: nodeArgs(node)};
	if (node.parentId !== null && state.nodes.has(node.parentId)) {
		begin.bind_id = node.id;
		begin.flow_in = true;
	}
	const events = [begin, ...httpPhaseEvents(node, cat, id, pid, startUs, endUs)];
	for (const childId of node.children) {
		const child = state.nodes.get(childId)!;
		events.push({name: `started ${child.name}`, ph: 'n', cat, id, pid, ts: us(child.startMs), bind_id: child.id, flow_out: true});
	}
	const end: TraceEvent = {name: node.name, ph: 'e', cat, id, pid, ts: endUs, args: {state: node.endMs === null ? 'pending at session end' : node.state}};
	if (node.error) end.args!.error = errorText(node.error);
	events.push(end);
	return events;
}

function nodeArgs(node: TaskNode): Record<string, unknown> {
	const args: Record<string, unknown> = {id: node.id, kind: node.kind, location: node.location, parent: node.parentId};
	if (node.http) args.http = {method: node.http.method, url: node.http.url, status: node.http.status ?? null, bytes: node.http.bytes ?? null};
	if (node.timer) args.timer = node.timer;
	return args;
}

/**
 * queue and connect both end when the request is sent (connect last),
 * ttfb runs to the headers, download to the end. Each is clipped into the
 * request so the nesting stays valid whatever the measurements say.
 */
function httpPhaseEvents(node: TaskNode, cat: string, id: string, pid: number, startUs: number, endUs: number): TraceEvent[] {
	const http = node.http;
	if (!http) return [];
	const phases: Array<[string, number, number]> = [];
	if (http.sentAt !== undefined) {
		const sentUs = us(http.sentAt);
		const connectStartUs = sentUs - us(http.phases.connectMs ?? 0);
		phases.push(['queue', connectStartUs - us(http.phases.queueMs ?? 0), connectStartUs], ['connect', connectStartUs, sentUs]);
		if (http.headersAt !== undefined) {
			const headersUs = us(http.headersAt);
			phases.push(['ttfb', sentUs, headersUs]);
			if (node.endMs !== null) phases.push(['download', headersUs, endUs]);
		}
	}
	const events: TraceEvent[] = [];
	let cursor = startUs;
	for (const [name, from, to] of phases) {
		const b = Math.min(endUs, Math.max(cursor, from));
		const e = Math.min(endUs, Math.max(b, to));
		if (e <= b) continue;
		events.push({name, ph: 'b', cat, id, pid, ts: b}, {name, ph: 'e', cat, id, pid, ts: e});
		cursor = e;
	}
	return events;
}

export interface Slice {
	tid: number;
	name: string;
	cat: string;
	startUs: number;
	endUs: number;
	args: Record<string, unknown>;
}

function runningSlicesOf(node: TaskNode, sessionEndMs: Ms): Slice[] {
	return node.spans
		.filter(span => span.state === 'running')
		.map(span => ({
			tid: threadOf(node),
			name: node.name,
			cat: 'running',
			startUs: us(span.startMs),
			endUs: us(span.endMs ?? sessionEndMs),
			args: {task: node.id},
		}));
}

/**
 * Complete events on a thread must nest. JS runs one slice at a time, so
 * slices are either sequential or a synchronous call inside another (a task
 * started from a running task); a partial overlap is measurement noise.
 * It is resolved by trimming whichever of the two overlaps less: the
 * earlier slice when the later one lies mostly after it, else the later one.
 */
export function nestSlices(slices: readonly Slice[]): Slice[] {
	const byThread = new Map<number, Slice[]>();
	for (const slice of slices) {
		const copy = {...slice, endUs: Math.max(slice.startUs, slice.endUs)};
		const list = byThread.get(slice.tid);
		if (list) list.push(copy);
		else byThread.set(slice.tid, [copy]);
	}
	const nested: Slice[] = [];
	for (const list of byThread.values()) {
		list.sort((a, b) => a.startUs - b.startUs || b.endUs - a.endUs);
		const open: Slice[] = [];
		for (const slice of list) {
			while (open.length > 0) {
				const top = open[open.length - 1]!;
				if (top.endUs <= slice.startUs) {
					open.pop();
					continue;
				}
				if (slice.endUs <= top.endUs) break;
				if (slice.endUs - top.endUs > top.endUs - slice.startUs) {
					top.endUs = slice.startUs;
					open.pop();
					continue;
				}
				slice.endUs = top.endUs;
				break;
			}
			open.push(slice);
			nested.push(slice);
		}
	}
	return nested;
}

function counterEvents(name: string, key: string, series: readonly SeriesPoint[], pid: number): TraceEvent[] {
	return series.map(point => ({name, ph: 'C', pid, tid: MAIN_THREAD_TID, ts: us(point.t), args: {[key]: point.value}}));
}
