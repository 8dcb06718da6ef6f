import {waitsOnTasks, type Ms} from '../protocol/events.js';
import {liveTimes} from './live-times.js';
import {isWorkUnit, type TaskNode} from './state.js';

/**
 * The units of work whose own time is concurrency's numerator: every async call, and a request served or a worker
 * thread while it started no task of its own (they wait on their tasks without an await that says so).
 */
export function isActiveUnit(node: TaskNode): boolean {
	return node.kind === 'task' || (isWorkUnit(node.kind) && node.childTaskCount === 0);
}

/**
 * A unit of work's own time running or waiting on something, as of `nowMs`: its busy time, and its waits but
 * those on other tasks alone. Time it sat ready while the loop ran another is not in it.
 */
export function ownActiveTime(node: TaskNode, nowMs: Ms): Ms {
	const {busyMs, waitMs} = liveTimes(node, nowMs);
	let taskWaitMs = node.taskWaitMs;
	if (node.endMs === null && node.wait && node.state !== 'running' && waitsOnTasks(node.wait.on)) {
		// The wait under way, which liveTimes counted: until now, or until what it awaited was ready.
		const until = node.state === 'ready' ? Math.min(nowMs, node.readyAt ?? nowMs) : nowMs;
		taskWaitMs += Math.max(0, until - node.wait.since);
	}
	return busyMs + Math.max(0, waitMs - taskWaitMs);
}
