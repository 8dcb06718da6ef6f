import type {Ms} from '../protocol/events.js';
import {waitOfNode, type TaskNode} from './state.js';

/** A node's times as of a moment, for views: the reducer keeps totals as of the node's last event. */
export interface LiveTimes {
	totalMs: Ms;
	busyMs: Ms;
	waitMs: Ms;
	schedDelayMs: Ms;
}

/** Live totals: the accounted totals plus the time spent in the current state since. */
export function liveTimes(node: TaskNode, nowMs: Ms): LiveTimes {
	const end = node.endMs ?? nowMs;
	const since = Math.max(0, nowMs - node.accountedAt);
	let {busyMs, waitMs, schedDelayMs} = node;
	if (node.endMs === null) {
		// A followed process's lane runs as long as the process lives; what its thread does is its tasks' to say.
		if (node.state === 'running') busyMs += node.kind === 'process' ? 0 : since;
		else if (node.state === 'waiting') waitMs += since;
		else if (node.state === 'ready') {
			const readyAt = node.readyAt ?? node.accountedAt;
			waitMs += Math.max(0, readyAt - node.accountedAt);
			schedDelayMs += Math.max(0, nowMs - readyAt);
		}
	}
	const totalMs = end - node.startMs;
	return {totalMs, busyMs, waitMs: waitOfNode(node.kind, totalMs, waitMs), schedDelayMs};
}
