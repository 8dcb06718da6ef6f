import type {Ms, WaitTarget} from '../protocol/events.js';
import {opsInFlightMs, waitOwner} from '../protocol/wait-owner.js';
import {liveTimes} from './live-times.js';
import {isTaskKind, isWorkUnit, type ModelState, type TaskNode} from './state.js';

/** How much of a wait, from `since` to `until`, was on other units' work, theirs to count (see waitOwner). The rest is its own. */
export function othersPartOfWait(state: ModelState, node: TaskNode, on: WaitTarget, since: Ms, until: Ms): Ms {
	const whole = Math.max(0, until - since);
	switch (waitOwner(on)) {
		case 'others':
			return whole;
		case 'own':
			return 0;
		case 'own-while-ops':
			return whole - opsInFlightMs(on, since, until, id => {
				const op = state.nodes.get(id);
				return op && [op.startMs, op.endMs];
			});
		case 'others-if-child-ran':
			return aChildRan(state, node, since, until) ? whole : 0;
	}
}

/**
 * Whether a task or worker thread `node` started ran at some time from `since` to `until`: in a Node process it
 * started, one of that process's (`await` of a promise settled as a fork exits). A process with none is no unit's
 * time, so the wait on it stays the caller's.
 */
function aChildRan(state: ModelState, node: TaskNode, since: Ms, until: Ms): boolean {
	for (const id of node.children) {
		const child = state.nodes.get(id);
		if (!child || !isTaskKind(child.kind) || child.startMs >= until || (child.endMs ?? Number.POSITIVE_INFINITY) <= since) continue;
		if (child.kind !== 'process' || aChildRan(state, child, since, until)) return true;
	}
	return false;
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
