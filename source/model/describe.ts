import type {Ms} from '../protocol/events.js';
import type {ModelState, TaskNode} from './state.js';

/** Compact durations: `0.3ms`, `12ms`, `1.24s`, `2m05s`. */
export function formatMs(ms: Ms): string {
	if (ms < 1) return `${ms.toFixed(1)}ms`;
	if (ms < 1000) return `${Math.round(ms)}ms`;
	if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
	const minutes = Math.floor(ms / 60_000);
	return `${minutes}m${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** What an op is, in a few words: `GET /api/x`, `timer 1000ms`, `readFile a.json`. */
export function describeOp(node: TaskNode): string {
	if (node.timer) return `timer ${node.timer.delayMs}ms`;
	return node.name;
}

/** Where an HTTP request is now: queued, waiting for the first byte, downloading. */
export function httpProgress(node: TaskNode, nowMs: Ms): string {
	const http = node.http;
	if (!http) return '';
	if (node.endMs !== null) return http.status === undefined ? 'failed' : `${http.status}`;
	if (http.headersAt !== undefined) return `download ${formatMs(nowMs - http.headersAt)}`;
	if (http.sentAt !== undefined) return `ttfb ${formatMs(nowMs - http.sentAt)}`;
	return `queued ${formatMs(nowMs - node.startMs)}`;
}

/** What a waiting task waits on, e.g. `GET /api/x · ttfb 120ms`, `timer 1000ms`, `task #4 fetchUser(3)`. */
export function describeWait(state: ModelState, node: TaskNode): string {
	const wait = node.wait;
	if (!wait) return '';
	const target = wait.on;
	switch (target.kind) {
		case 'task': {
			const task = state.nodes.get(target.id);
			return task ? `task #${task.id} ${task.name}` : `task #${target.id}`;
		}
		case 'op': {
			const op = state.nodes.get(target.id);
			if (!op) return 'an operation';
			return op.http ? `${op.name} · ${httpProgress(op, state.nowMs)}` : describeOp(op);
		}
		case 'promise': {
			const count = (target.tasks?.length ?? 0) + (target.ops?.length ?? 0);
			return count > 0 ? `${count} operations` : 'a promise';
		}
		case 'value':
			return 'the microtask queue';
	}
}
