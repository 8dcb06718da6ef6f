import {ANONYMOUS, eventCountOf, opCountOf, taskCountOf, type EventWait, type FirstOf, type Ms, type WaitTarget} from '../protocol/events.js';
import {isTaskKind, type Block, type ModelState, type TaskNode} from './state.js';

/** What holds a row up right now: the facts that present/holdups.ts puts into words. */
export type Holdup =
	/** What the task awaited is done, but the loop has not resumed it yet. */
	| {kind: 'ready'; sinceMs: Ms | null}
	/**
	 * An op in flight, or a task; `node` is missing once the model no longer holds it, or when it never came: a call
	 * folded at the source, then named by its function (`foldingCall`). `guess`: inferred, not known.
	 */
	| {kind: 'op' | 'task'; id: number; node: TaskNode | undefined; guess: boolean; foldingCall?: string}
	/**
	 * A promise gathering this many tasks and ops (none when the await only saw the promise), events (the first few
	 * listed), and promises of unknown origin; `first`: settled by the first of them (a race), or null. `opNodes`: its
	 * ops, when it lists them all and the model still holds each (a request and its timeout), else null.
	 */
	| {kind: 'promise'; tasks: number; ops: number; opNodes: readonly TaskNode[] | null; events: readonly EventWait[]; eventCount: number; others: number; first: FirstOf | null; guess: boolean}
	/**
	 * A request served whose handler's task returned, or whose listener returned with the response begun, while its
	 * response is still written (a stream piped to it), since `sinceMs` when the wait says so.
	 */
	| {kind: 'response'; sinceMs: Ms | null}
	/** A reply from a socket's peer, awaited since `sinceMs` (when known). */
	| {kind: 'peer'; address: string; sinceMs: Ms | null}
	/** An event of an emitter or a stream (see WaitTarget), awaited since `sinceMs` (when known). */
	| {kind: 'event'; event: string; source: string; sinceMs: Ms | null}
	| {kind: 'value'};

/** A wait on a promise of which nothing is known: no task, op or other promise behind it that the model can name. */
export const namesNothing = (holdup: Holdup | null): boolean => holdup?.kind === 'promise' && holdup.tasks + holdup.ops + holdup.eventCount + holdup.others === 0;

export function holdupOf(state: ModelState, node: TaskNode): Holdup | null {
	if (!isTaskKind(node.kind)) return node.endMs === null ? {kind: 'op', id: node.id, node, guess: false} : null;
	if (node.state === 'ready') return {kind: 'ready', sinceMs: node.readyAt};
	if (node.state !== 'waiting' || !node.wait) return null;
	const on = node.wait.on;
	// A request queued in a pool starts after the await that waits for it: the task's one open op is the better answer.
	// One it started before the await (a request left to run, then `await once(emitter, …)`) may be no part of it: a guess.
	if (on.kind === 'promise' && !on.tasks && !on.ops && !on.events) {
		const op = soleOpenOp(state, node);
		if (op) return {kind: 'op', id: op.id, node: op, guess: op.startMs < node.wait.since};
		// A framework's promise (Nest's, a router's), awaited for a request it serves: its handler's task at work is the guess.
		if (node.kind === 'server') {
			const handler = tasksStillAtWork(state, node);
			if (handler) return handler;
		}
	}
	// A request waits on its handler without an await of its own, a guess: once the task guessed returned, the request
	// waits on what its tasks still do (the route's handler after an async middleware or a guard, which called it or
	// came after it), and once none is at work, on its response's writing.
	if (node.kind === 'server' && on.kind === 'task' && (state.nodes.get(on.id)?.endMs ?? null) !== null) return tasksStillAtWork(state, node) ?? {kind: 'response', sinceMs: null};
	return targetHoldup(state, on, node.wait.since);
}

/** The tasks under `node` still at work under no other such task (a finished one's are looked into): one, or how many; null when none is. */
function tasksStillAtWork(state: ModelState, node: TaskNode): Holdup | null {
	const atWork: TaskNode[] = [];
	const pending = [...node.children];
	while (pending.length > 0) {
		const child = state.nodes.get(pending.pop()!);
		if (!child || !isTaskKind(child.kind)) continue;
		if (child.endMs === null) atWork.push(child);
		else pending.push(...child.children);
	}
	if (atWork.length === 0) return null;
	return atWork.length === 1 ? {kind: 'task', id: atWork[0]!.id, node: atWork[0], guess: true} : {kind: 'promise', tasks: atWork.length, ops: 0, opNodes: null, events: [], eventCount: 0, others: 0, first: null, guess: true};
}

/** The task's only op still in flight, if it has exactly one; an interval runs beside the task, it is never awaited. */
function soleOpenOp(state: ModelState, node: TaskNode): TaskNode | null {
	let found: TaskNode | null = null;
	for (const id of node.children) {
		const child = state.nodes.get(id);
		if (!child || isTaskKind(child.kind) || child.endMs !== null || child.timer?.repeat) continue;
		if (found) return null;
		found = child;
	}
	return found;
}

/** The nodes of `ids` when they are all there are (`count` says no more) and the model holds each; else null. */
function listedNodes(state: ModelState, ids: readonly number[] | undefined, count: number | undefined): TaskNode[] | null {
	if (!ids || ids.length === 0 || (count !== undefined && count > ids.length)) return null;
	const nodes: TaskNode[] = [];
	for (const id of ids) {
		const node = state.nodes.get(id);
		if (!node) return null;
		nodes.push(node);
	}
	return nodes;
}

/** `sinceMs`: when the wait began, for a target that says nothing of its own progress (a peer's reply). */
export function targetHoldup(state: ModelState, target: WaitTarget, sinceMs: Ms | null = null): Holdup {
	switch (target.kind) {
		case 'peer':
			return {kind: 'peer', address: target.address, sinceMs};
		case 'event':
			return {kind: 'event', event: target.event, source: target.source, sinceMs};
		case 'response':
			return {kind: 'response', sinceMs};
		case 'promise':
			return {
				kind: 'promise',
				tasks: taskCountOf(target),
				ops: opCountOf(target),
				opNodes: listedNodes(state, target.ops, target.opCount),
				events: target.events ?? [],
				eventCount: eventCountOf(target),
				others: target.others ?? 0,
				first: target.first ?? null,
				guess: target.guess === true,
			};
		case 'value':
			return {kind: 'value'};
		case 'task':
			return {kind: 'task', id: target.id, node: state.nodes.get(target.id), guess: target.guess === true, ...(target.name !== undefined && {foldingCall: target.name})};
		case 'op':
			return {kind: 'op', id: target.id, node: state.nodes.get(target.id), guess: target.guess === true};
	}
}

/** Timers fire a little late all the time; this late means the loop is held up. */
const OVERDUE_MS = 20;

/** How long a one-shot timer is past due without having fired (the loop is too busy to run it), or 0 while that is only the usual lateness. */
export function timerOverdueMs(op: TaskNode, nowMs: Ms): Ms {
	if (!op.timer || op.timer.repeat || op.endMs !== null) return 0;
	const overdue = nowMs - (op.startMs + op.timer.delayMs);
	return overdue >= OVERDUE_MS ? overdue : 0;
}

/** Who blocked the loop: the innermost function of the user's on the blocked stack, if known, and the task it ran in when that says more. */
export interface Culprit {
	fn: string | null;
	task: TaskNode | undefined;
}

export function culpritOf(state: ModelState, block: Block): Culprit {
	const task = block.taskId === null ? undefined : state.nodes.get(block.taskId);
	const frame = block.frames[0];
	// A callback the task scheduled: the task is who scheduled it, whatever its kind; an unnamed callback is the callback.
	if (block.callback !== null) return {fn: frame && frame.fn !== ANONYMOUS ? frame.fn : null, task};
	if (!frame) return {fn: null, task};
	// A module's top level runs in a function V8 leaves unnamed: it is the script's own code, the script itself (or a followed process's).
	if (frame.fn === ANONYMOUS && (task?.kind === 'script' || task?.kind === 'process')) return {fn: null, task};
	// V8 leaves an anonymous function unnamed; asyncmon names its calls by the call it was given to (`<app.get '/x' callback>`).
	if (frame.fn === ANONYMOUS && task?.kind === 'task' && task.name.startsWith('<')) return {fn: null, task};
	const sameFunction = task !== undefined && (task.name === frame.fn || task.name.startsWith(`${frame.fn}(`));
	return {fn: frame.fn, task: task?.kind === 'task' && !sameFunction ? task : undefined};
}
