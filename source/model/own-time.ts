import {waitsOnTasks, type Ms, type WaitTarget} from '../protocol/events.js';
import {liveTimes} from './live-times.js';
import {isTaskKind, isWorkUnit, type ModelState, type TaskNode} from './state.js';

/**
 * How much of a wait, from `since` to `until`, was on other units' work, theirs to count: all of a wait on tasks
 * (waitsOnTasks), or on a promise of unknown origin while a task or worker thread of its own ran (`new Promise`
 * around a worker's reply: counted again here, two workers read 3.5×); of a combination of tasks and ops
 * (`Promise.all([fetchUser(), db.query()])`), the part when none of its ops was in flight. The rest is its own.
 */
export function othersPartOfWait(state: ModelState, node: TaskNode, on: WaitTarget, since: Ms, until: Ms): Ms {
	const whole = Math.max(0, until - since);
	if (waitsOnTasks(on)) return whole;
	if (on.kind !== 'promise') return 0;
	if (on.tasks?.length && on.ops?.length) return whole - opsInFlight(state, on.ops, since, until);
	if (on.tasks || on.ops) return 0;
	for (const id of node.children) {
		const child = state.nodes.get(id);
		if (child && isTaskKind(child.kind) && child.kind !== 'process' && child.startMs < until && (child.endMs ?? Number.POSITIVE_INFINITY) > since) return whole;
	}
	return 0;
}

/** How long, from `since` to `until`, any of these ops was in flight; one no longer kept (folded) counts throughout. */
function opsInFlight(state: ModelState, ops: readonly number[], since: Ms, until: Ms): Ms {
	const spans: Array<[Ms, Ms]> = [];
	for (const id of ops) {
		const op = state.nodes.get(id);
		if (!op) return Math.max(0, until - since);
		const from = Math.max(since, op.startMs);
		const to = Math.min(until, op.endMs ?? until);
		if (to > from) spans.push([from, to]);
	}
	spans.sort((a, b) => a[0] - b[0]);
	let total = 0;
	let end = since;
	for (const [from, to] of spans) {
		if (to <= end) continue;
		total += to - Math.max(from, end);
		end = to;
	}
	return total;
}

/**
 * The units of work whose own time is concurrency's numerator: every async call and the script's top level (its
 * code runs and awaits as a call's does), and a request served or a worker thread while it started no task of its
 * own (they wait on their tasks without an await that says so).
 */
export function isActiveUnit(node: TaskNode): boolean {
	return node.kind === 'task' || node.kind === 'script' || (isWorkUnit(node.kind) && node.childTaskCount === 0);
}

/**
 * A unit of work's own time running or waiting on something, as of `nowMs`: its busy time, and its waits but
 * those on other units' work (see waitedOnOthers). Time it sat ready while the loop ran another is not in it.
 */
export function ownActiveTime(state: ModelState, node: TaskNode, nowMs: Ms): Ms {
	const {busyMs, waitMs} = liveTimes(node, nowMs);
	let taskWaitMs = node.taskWaitMs;
	if (node.endMs === null && node.wait && node.state !== 'running') {
		// The wait under way, which liveTimes counted: until now, or until what it awaited was ready.
		const until = node.state === 'ready' ? Math.min(nowMs, node.readyAt ?? nowMs) : nowMs;
		taskWaitMs += othersPartOfWait(state, node, node.wait.on, node.wait.since, until);
	}
	return busyMs + Math.max(0, waitMs - taskWaitMs);
}
