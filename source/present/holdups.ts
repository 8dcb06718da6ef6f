import type {EventWait, Ms, WaitTarget} from '../protocol/events.js';
import {culpritOf, holdupOf, targetHoldup, timerOverdueMs, type Holdup} from '../model/holdups.js';
import {endedBefore, type Block, type ModelState, type TaskNode} from '../model/state.js';
import {formatDuration} from './durations.js';
import {glyphs} from './states.js';
import {counted, sanitize} from './text.js';
import {shownId} from './ids.js';
import {fileOf} from '../protocol/location-file.js';

/** What a row is stuck on right now, in a few words: `GET /api/x · ttfb 120ms`, `timer 1000ms`, `task #4 load`. */
export function waitingOn(state: ModelState, node: TaskNode, nowMs: Ms, ascii = false): string {
	const holdup = holdupOf(state, node);
	return holdup ? describeHoldup(state, holdup, nowMs, ascii) : '';
}

export function describeTarget(state: ModelState, target: WaitTarget, nowMs: Ms, ascii = false): string {
	return describeHoldup(state, targetHoldup(state, target), nowMs, ascii);
}

/** What a task was waiting on, in a sentence: `was waiting on timer 100ms`, or for a guess `was probably waiting on …`. */
export function waitedOnClause(state: ModelState, target: WaitTarget, nowMs: Ms): string {
	const holdup = targetHoldup(state, target);
	const guess = 'guess' in holdup && holdup.guess;
	return `was ${guess ? 'probably ' : ''}waiting on ${describeKnown(state, holdup, nowMs, false)}`;
}

/**
 * What a live view's waiting-on cell says: waitingOn, and for a timer counting down, what it has left (`timer 900ms ·
 * 381ms left`). Not in plain mode's lines, told as an await begins, which a timer made a moment before would stamp.
 */
export function waitingOnLive(state: ModelState, node: TaskNode, nowMs: Ms, ascii = false): string {
	const holdup = holdupOf(state, node);
	if (!holdup) return '';
	const described = describeHoldup(state, holdup, nowMs, ascii);
	const timer = holdup.kind === 'op' ? holdup.node : undefined;
	if (!timer?.timer || timer.timer.repeat || timer.endMs !== null || timerOverdueMs(timer, nowMs) > 0) return described;
	const left = timer.startMs + timer.timer.delayMs - nowMs;
	return left > 0 ? `${described} ${glyphs(ascii).separator} ${formatDuration(left)} left` : described;
}

/** A target inferred from what the task started, not known from the promise it awaits, reads as what it probably is. */
function describeHoldup(state: ModelState, holdup: Holdup, nowMs: Ms, ascii: boolean): string {
	const described = describeKnown(state, holdup, nowMs, ascii);
	return 'guess' in holdup && holdup.guess ? `probably ${described}` : described;
}

/** `state` names a followed process's ids by its pid (see shownId). */
function describeKnown(state: ModelState, holdup: Holdup, nowMs: Ms, ascii: boolean): string {
	switch (holdup.kind) {
		case 'ready':
			return `ready for ${formatDuration(nowMs - (holdup.sinceMs ?? nowMs))}`;
		case 'promise': {
			const parts: string[] = [];
			if (holdup.tasks > 0) parts.push(counted(holdup.tasks, 'task'));
			// A request and its timeout, say: named, not `2 ops`.
			if (holdup.opNodes && holdup.opNodes.length <= NAMED_OPS) parts.push(...holdup.opNodes.map(opName));
			else if (holdup.ops > 0) parts.push(counted(holdup.ops, 'op'));
			if (holdup.eventCount > 0) parts.push(...eventsWords(holdup.events, holdup.eventCount));
			if (holdup.others > 0 && (parts.length > 0 || holdup.others > 1)) parts.push(counted(holdup.others, 'promise'));
			if (parts.length === 0) return 'a promise';
			// Promise.any settles with its first success (or once all failed), not its first to settle.
			const first = holdup.first === 'race' ? 'the first of ' : holdup.first === 'any' ? 'the first success of ' : '';
			return `${first}${parts.join(' + ')}`;
		}
		case 'value':
			return 'a value';
		case 'response':
		case 'peer':
		case 'event': {
			// `127.0.0.1:5432 · 300ms`: how long the reply (or the event, or the response's writing) has been awaited;
			// nothing yet as the wait begins (plain mode's await line).
			const awaited = holdup.kind === 'peer' ? holdup.address : holdup.kind === 'event' ? eventWords(holdup) : 'its response, the handler done';
			return holdup.sinceMs === null || nowMs <= holdup.sinceMs ? awaited : `${awaited} ${glyphs(ascii).separator} ${formatDuration(nowMs - holdup.sinceMs)}`;
		}
		case 'task':
			// A call the script's process folds into its site's row: its function is all there is to say.
			if (!holdup.node) return holdup.foldingCall === undefined ? `task ${shownId(holdup.id, state)}` : `a folded call of ${sanitize(holdup.foldingCall)}()`;
			// A followed process or a worker thread is named by what it is (`pid 4242: node worker.js`), not as a task of its own lane.
			return holdup.node.kind === 'process' || holdup.node.kind === 'worker' ? holdup.node.name : `task ${shownId(holdup.node.id, state)} ${holdup.node.name}`;
		case 'op':
			return holdup.node ? describeOp(holdup.node, nowMs, ascii) : `op ${shownId(holdup.id, state)}`;
	}
}

/** `event 'line' of readline (ReadStream data.csv)` */
function eventWords(holdup: EventWait): string {
	return `event '${sanitize(holdup.event)}' of ${sanitize(holdup.source)}`;
}

/**
 * A combination's events, by emitter: `events 'done', 'error' of EventEmitter`, `event 'data' of Socket …`; `12 events`
 * when it had more than it lists.
 */
function eventsWords(events: readonly EventWait[], count: number): string[] {
	if (count > events.length) return [counted(count, 'event')];
	const bySource = new Map<string, string[]>();
	for (const {event, source} of events) {
		const names = bySource.get(source) ?? [];
		if (names.length === 0) bySource.set(source, names);
		names.push(`'${sanitize(event)}'`);
	}
	return [...bySource].map(([source, names]) => `${names.length === 1 ? 'event' : 'events'} ${names.join(', ')} of ${sanitize(source)}`);
}

/**
 * An op with its phase at `nowMs`: the part of an HTTP request that is taking the time. As of then, though the
 * state may know more: plain mode describes an await sent at a flush, when the request may have moved on.
 */
export function describeOp(op: TaskNode, nowMs: Ms, ascii = false): string {
	const and = ` ${glyphs(ascii).separator} `;
	if (op.http) {
		const {http} = op;
		const reached = (ms: Ms | undefined): ms is Ms => ms !== undefined && ms <= nowMs;
		const request = opName(op);
		if (op.endMs !== null && op.endMs <= nowMs) return http.status === undefined ? request : `${request}${and}${http.status}`;
		if (reached(http.headersAt)) return `${request}${and}download ${formatDuration(nowMs - http.headersAt)}`;
		if (reached(http.sentAt)) return `${request}${and}ttfb ${formatDuration(nowMs - http.sentAt)}`;
		// Queued since it was made: every connection of its pool was busy, with this many requests, when it joined the queue.
		if (http.queue && !reached(http.dequeuedAt)) return `${request}${and}queued ${formatDuration(nowMs - op.startMs)} (${http.queue.inFlight} in flight)`;
		// Not sent yet. Where the state knows it was sent later on a connection it did not pay for (a kept-alive socket,
		// reused), it was being written, not connecting: plain mode tells an await once later events are in.
		return `${request}${and}${http.sentAt !== undefined && !http.phases.connectMs ? 'sending' : 'connecting'}`;
	}
	if (op.timer) {
		const timer = opName(op);
		const overdue = timerOverdueMs(op, nowMs);
		return overdue > 0 ? `${timer}${and}overdue ${formatDuration(overdue)}` : timer;
	}
	return op.name;
}

/** How many ops a combination names one by one (`GET /a + timer 2.00s`); more are counted. */
const NAMED_OPS = 2;

/** An op by what it is, without its progress: `GET /users?page=2`, `timer 100ms`, else its name. */
function opName(op: TaskNode): string {
	if (op.http) return `${op.http.method} ${shortUrl(op.http.url)}`;
	if (op.timer) return `${op.timer.repeat ? 'interval' : 'timer'} ${formatDuration(op.timer.delayMs)}`;
	return op.name;
}

/** The path is what tells requests apart; the origin is in the details view. */
function shortUrl(url: string): string {
	try {
		const parsed = new URL(url);
		return parsed.pathname + parsed.search;
	} catch {
		return url;
	}
}

/** A stall reported while it lasted that was the machine's, not the script's: no block, and nothing to move to a worker. */
export function starvedStall(durationMs: Ms, queuedMs: Ms | undefined): string {
	const waiting = queuedMs === undefined ? 'waited for a CPU' : `spent ${formatDuration(queuedMs)} of it waiting for a CPU`;
	return `the loop stalled for ${formatDuration(durationMs)}, but the script's thread ${waiting} (the machine was busy): no block`;
}

/**
 * Who blocked the loop, in words: `crunch() in main()`, `crunch()`, `main()` or `a callback`; a followed process's
 * main module, which its block names already (see loopOwner), is `its top level`. A task the monitor has not heard of
 * is named by its id: 'a callback' said of it was a guess stated as fact.
 */
export function blockCulprit(state: ModelState, block: Block): string {
	const known = knownBlockCulprit(state, block);
	if (known) return known;
	// Joined late (asyncmon connect), a block of the service's past is one of a task folded before this client came.
	const id = shownId(block.taskId!, state);
	return state.joinedMs !== null && block.startMs < state.joinedMs ? `task ${id}, done before this client joined` : `a task not reported yet (${id})`;
}

/**
 * Who blocked the loop, as blockCulprit says it; null while the block's task is one the monitor has not heard of: its
 * start is still in the blocked thread's buffer (a call it made in the turn that blocks, a quick call whose start the
 * script's process holds back), and its stack has not been read. It is named when either comes.
 */
export function knownBlockCulprit(state: ModelState, block: Block): string | null {
	const {fn, task} = culpritOf(state, block);
	// A library loading, with no code of the script's under it: in a task's async context (a framework's lazy require(),
	// awaited by main()), that task, loadingWords saying whose code loaded; else that code's file (an import() the
	// script's top level awaited: the module's own top level).
	if (fn === null && block.module !== null) return loadsForTask(block, task) ? task.name : fileOf(block.module);
	// A callback the task scheduled, as the runtime said (a timer's, run while the task awaited something else), or any
	// code of a task that had ended (the top level, long done): not the task's own code.
	if (task && block.callback !== null) return `${fn === null ? '' : `${fn}() in `}a ${block.callback} callback ${task.name} scheduled`;
	if (fn === null && task && endedBefore(state, task.id, block.startMs)) return `a callback ${task.name} scheduled`;
	if (fn === null) return task?.kind === 'process' ? 'its top level' : (task?.name ?? unknownCulprit(block));
	return task ? `${fn}() in ${task.name}` : `${fn}()`;
}

/** What a block spent loading modules was loading, said after its culprit; null for any other block. */
export function loadingWords(state: ModelState, block: Block): string | null {
	if (!block.loading) return null;
	const {fn, task} = culpritOf(state, block);
	return fn === null && loadsForTask(block, task) ? `loading modules from ${fileOf(block.module!)}` : 'loading modules';
}

/** A library's module loading in a task's async context, with no code of the script's under it. */
function loadsForTask(block: Block, task: TaskNode | undefined): task is TaskNode {
	return block.module !== null && task?.kind === 'task';
}

/** No task at all: a callback's. One told, then folded away since (a finished request under load): its name was kept with the block. */
function unknownCulprit(block: Block): string | null {
	return block.taskId === null ? 'a callback' : block.taskName;
}
