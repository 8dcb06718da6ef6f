import type {Ms, WaitTarget} from '../protocol/events.js';
import {isTaskKind, type Block, type ModelState, type TaskNode} from './state.js';
import {formatDuration} from '../present/durations.js';
import {counted} from '../present/text.js';

/** What a row is stuck on right now, in a few words: `GET /api/x · ttfb 120ms`, `timer 1000ms`, `task #4 load`. */
export function waitingOn(state: ModelState, node: TaskNode, nowMs: Ms): string {
	if (!isTaskKind(node.kind)) return node.endMs === null ? describeOp(node, nowMs) : '';
	if (node.state === 'ready') return `ready for ${formatDuration(nowMs - (node.readyAt ?? nowMs))}`;
	if (node.state !== 'waiting' || !node.wait) return '';
	const on = node.wait.on;
	// A request queued in a pool starts after the await that waits for it: the task's one open op is the better answer.
	if (on.kind === 'promise' && !on.tasks && !on.ops) {
		const op = soleOpenOp(state, node);
		if (op) return describeOp(op, nowMs);
	}
	return describeTarget(state, on, nowMs);
}

/** The task's only op still in flight, if it has exactly one. */
function soleOpenOp(state: ModelState, node: TaskNode): TaskNode | null {
	let found: TaskNode | null = null;
	for (const id of node.children) {
		const child = state.nodes.get(id);
		if (!child || isTaskKind(child.kind) || child.endMs !== null) continue;
		if (found) return null;
		found = child;
	}
	return found;
}

export function describeTarget(state: ModelState, target: WaitTarget, nowMs: Ms): string {
	switch (target.kind) {
		case 'promise': {
			const parts = [counted(target.tasks?.length ?? 0, 'task'), counted(target.ops?.length ?? 0, 'op')].filter(part => !part.startsWith('0 '));
			return parts.length > 0 ? parts.join(' + ') : 'a promise';
		}
		case 'value':
			return 'a value';
		case 'task': {
			const task = state.nodes.get(target.id);
			return task ? `task #${task.id} ${task.name}` : `task #${target.id}`;
		}
		case 'op': {
			const op = state.nodes.get(target.id);
			return op ? describeOp(op, nowMs) : `op #${target.id}`;
		}
	}
}

/** An op with its current phase: the part of an HTTP request that is taking the time. */
export function describeOp(op: TaskNode, nowMs: Ms): string {
	if (op.http) {
		const {http} = op;
		const request = `${http.method} ${shortUrl(http.url)}`;
		if (op.endMs !== null) return http.status === undefined ? request : `${request} · ${http.status}`;
		if (http.headersAt !== undefined) return `${request} · download ${formatDuration(nowMs - http.headersAt)}`;
		if (http.sentAt !== undefined) return `${request} · ttfb ${formatDuration(nowMs - http.sentAt)}`;
		return `${request} · connecting`;
	}
	if (op.timer) {
		const timer = `${op.timer.repeat ? 'interval' : 'timer'} ${formatDuration(op.timer.delayMs)}`;
		// Due but not fired: the loop is too busy to run it (a block, while it lasts).
		const overdue = op.endMs === null && !op.timer.repeat ? nowMs - (op.startMs + op.timer.delayMs) : 0;
		return overdue >= OVERDUE_MS ? `${timer} · overdue ${formatDuration(overdue)}` : timer;
	}
	return op.name;
}

/** Timers fire a little late all the time; this late means the loop is held up. */
const OVERDUE_MS = 20;

/** The path is what tells requests apart; the origin is in the details view. */
function shortUrl(url: string): string {
	try {
		const parsed = new URL(url);
		return parsed.pathname + parsed.search;
	} catch {
		return url;
	}
}

/**
 * Who blocked the loop: the innermost function of the user's on the blocked
 * stack, with the task it ran in when that is another name; else the task.
 */
export function blockCulprit(state: ModelState, block: Block): string {
	const task = block.taskId === null ? undefined : state.nodes.get(block.taskId);
	const frame = block.frames[0];
	if (!frame) return task?.name ?? 'a callback';
	const fn = `${frame.fn}()`;
	const sameFunction = task !== undefined && (task.name === frame.fn || task.name.startsWith(`${frame.fn}(`));
	return task && task.kind === 'task' && !sameFunction ? `${fn} in ${task.name}` : fn;
}
