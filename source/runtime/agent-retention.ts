import {decodeLine} from '../protocol/decode.js';
import {serializeLine} from '../protocol/encode.js';
import type {FoldedName, JoinedEvent, Location, OpEndEvent, OpStartEvent, TaskEndEvent, TaskStartEvent, WaitTarget} from '../protocol/events.js';
import {taskSiteName} from '../protocol/function-name.js';
import {opsInFlightMs, waitOwner, type OpSpanOf} from '../protocol/wait-owner.js';
import {routeOf} from '../protocol/routes.js';

/** Finished tasks and ops kept event by event for a client that joins; older finished tasks fold into per-name totals. */
export const RETAINED_FINISHED = 2000;
/** Events kept per running task or op: its start, then its latest ones (a task resumes from its latest await). */
export const RETAINED_PER_NODE = 32;
/** Other events kept (blocks, notices, uncaught errors, dropped promises…), the latest ones. */
export const RETAINED_OTHER = 1000;
/** Loop samples kept: the dashboard's loop-delay sparkline. */
export const RETAINED_LOOP = 300;

type Line = [seq: number, type: string, text: string];

/** Where finished tasks fold, as the model's sites go: kind, name and place. */
type Site = Required<Pick<FoldedName, 'kind' | 'name' | 'loc'>>;

interface Kept {
	lines: Line[];
	/** The script's async function calls (kind `task`) and the requests its servers received, as the model counts them. */
	isTask: boolean;
	/** The script's top level: kept all along, the tree the requests hang under. */
	isRoot: boolean;
	loc: Location | null;
	/** A received request's method and url. */
	request: {method: string; url: string} | null;
	/** It started a task: no leaf, as the model counts leaves. */
	startedTask: boolean;
	/** The part of its waits so far that was on other units' work (see waitOwner): not its own time, as the model counts it. */
	taskWaitMs: number;
	/** The wait under way, while it waits; `childRan`: a task or worker thread it started ran meanwhile. */
	wait: {on: WaitTarget; since: number; childRan: boolean} | null;
	/** Tasks and worker threads it started that are running (see waitOwner's `others-if-child-ran`). */
	childrenRunning: number;
	parent: number | null;
	/** A task or worker thread that runs for its parent (all but a child process): see `childrenRunning`. */
	childUnit: boolean;
	name: string;
	startMs: number;
	/** Its end, once it ended. */
	end: TaskEndEvent | OpEndEvent | null;
}

/**
 * What the agent keeps of the service's stream, in memory and bounded, so that a client that joins late
 * starts from a snapshot: every running task and op (its start and its latest events), the latest
 * RETAINED_FINISHED finished ones, the latest of the other events, and per-name totals of the finished tasks
 * it let go. It keeps the lines as they were sent: a snapshot is those lines, in their order.
 */
export class AgentRetention {
	private header: Line | null = null;
	private readonly nodes = new Map<number, Kept>();
	/** Finished ids, oldest first, from `head`. */
	private finished: number[] = [];
	private head = 0;
	private others: Line[] = [];
	private loops: Line[] = [];
	private alive: Line | null = null;
	/** The latest `held`: said at every flush of a busy service, it would push the blocks and notices out of `others`. */
	private held: Line | null = null;
	private scriptStart: Line | null = null;
	private seq = 0;
	/** Events of kept tasks let go to bound them, and events about tasks no longer kept. */
	private omitted = 0;
	private readonly folded: Required<JoinedEvent['folded']> = {tasks: 0, failed: 0, taskTimeMs: 0, byName: Object.create(null) as Record<string, FoldedName>, leaves: {count: 0, totalMs: 0, activeMs: 0}, activeMs: 0};
	/** Tasks (kind `task`) running now, and finished since the start. */
	running = 0;
	finishedTasks = 0;
	/** Tasks the service's process holds back, started and not yet in the stream (see HeldEvent): under load, most of those running. */
	heldTasks = 0;

	/** One line of the stream, as sent. Lines that do not decode are not kept (the client's decoder would skip them too). */
	take(text: string): void {
		const events = decodeLine(text);
		if (typeof events === 'string') return;
		const head = events[0]!;
		const line: Line = [this.seq++, head.type, text];
		switch (head.type) {
			case 'header':
				this.header = line;
				return;
			case 'task.start':
			case 'op.start':
				this.start(head, line);
				// A span line: the task's or op's start and end in one, kept as one line.
				if (events.length === 2) this.end(events[1] as TaskEndEvent | OpEndEvent, null);
				return;
			case 'task.await':
			case 'task.resume': {
				const node = this.addTo(head.id, line);
				if (!node) return;
				if (head.type === 'task.await') node.wait = {on: head.on, since: head.t, childRan: node.childrenRunning > 0};
				else if (node.wait) this.waitEnds(node, head.readyAt);
				return;
			}
			case 'task.ready':
			case 'op.phase':
			case 'op.dequeued':
			case 'op.fire':
				this.addTo(head.id, line);
				return;
			case 'task.end':
			case 'op.end':
				this.end(head, line);
				return;
			case 'fold':
				// Work folded at the source: its tasks straight into their name's totals.
				if (head.kind === 'timer') return;
				// As the model counts a fold line: what its calls waited on is not said, so one that started tasks adds its busy time alone.
				this.addToTotals(
					head.kind === 'server' && head.request ? {kind: 'server', name: routeOf(head.request), loc: null} : {kind: 'task', name: taskSiteName(head.name), loc: head.loc},
					head.count,
					0,
					head.totalMs,
					head.busyMs,
					head.waitMs,
					head.leaf,
					head.leaf ? head.busyMs + head.waitMs : head.kind === 'task' ? head.busyMs : 0,
				);
				this.finishedTasks += head.count;
				return;
			// Requests sent, folded at the source: ops, which the totals leave out as letGo does.
			case 'fold.http':
				return;
			case 'loop':
				this.loops = keepLatest(this.loops, line, RETAINED_LOOP);
				return;
			case 'alive':
				this.alive = line;
				return;
			case 'held':
				this.held = line;
				this.heldTasks = head.tasks;
				return;
			case 'script.start':
				this.scriptStart = line;
				return;
			default:
				this.others = keepLatest(this.others, line, RETAINED_OTHER);
		}
	}

	/** The snapshot a joining client starts from: the kept lines in the order they came, then `joined` at `t`. */
	snapshot(t: number): string[] {
		const lines: Line[] = [...this.others.slice(-RETAINED_OTHER), ...this.loops.slice(-RETAINED_LOOP)];
		// In the order they came, `held` too: a start told after it is one it counted (see the reducer's `held`).
		for (const line of [this.header, this.scriptStart, this.alive, this.held]) if (line) lines.push(line);
		for (const node of this.nodes.values()) lines.push(...node.lines);
		lines.sort((a, b) => a[0] - b[0]);
		const joined: JoinedEvent = {type: 'joined', t, folded: this.folded, omitted: this.omitted};
		return [...lines.map(line => line[2]), serializeLine(joined).trimEnd()];
	}

	/** The node it was added to, if it is kept. */
	private addTo(id: number, line: Line): Kept | undefined {
		const node = this.nodes.get(id);
		if (!node) {
			this.omitted++;
			return undefined;
		}
		node.lines.push(line);
		if (node.lines.length <= RETAINED_PER_NODE) return node;
		// Let the oldest events after the start go, up to the next await: a task's later resume needs the await before it.
		let cut = 2;
		while (cut < node.lines.length - 1 && node.lines[cut]![1] !== 'task.await' && node.lines[cut]![1] !== 'op.fire') cut++;
		this.omitted += cut - 1;
		node.lines.splice(1, cut - 1);
		return node;
	}

	private start(event: TaskStartEvent | OpStartEvent, line: Line): void {
		// As the model counts them: the script's async calls and the requests its servers received.
		const isTask = event.type === 'task.start' && (event.kind === 'task' || event.kind === 'server');
		const task = event.type === 'task.start' ? event : null;
		this.nodes.set(event.id, {
			lines: [line],
			isTask,
			isRoot: task?.parent === null,
			loc: event.loc ?? null,
			request: task?.http ? {method: task.http.method, url: task.http.url} : null,
			startedTask: false,
			taskWaitMs: 0,
			wait: null,
			childrenRunning: 0,
			parent: task?.parent ?? null,
			childUnit: task !== null && task.kind !== 'process',
			name: event.name,
			startMs: event.t,
			end: null,
		});
		const parent = task && task.parent !== null ? this.nodes.get(task.parent) : undefined;
		if (parent) {
			parent.startedTask = true;
			if (task!.kind !== 'process') {
				parent.childrenRunning++;
				if (parent.wait) parent.wait.childRan = true;
			}
		}
		if (isTask) this.running++;
	}

	/** `line` is null for a span line, already kept as the start's. */
	private end(event: TaskEndEvent | OpEndEvent, line: Line | null): void {
		const node = this.nodes.get(event.id);
		if (!node) {
			this.omitted++;
			return;
		}
		if (line) node.lines.push(line);
		node.end = event;
		if (node.wait) this.waitEnds(node, event.t);
		if (node.childUnit) {
			const parent = node.parent === null ? undefined : this.nodes.get(node.parent);
			if (parent) parent.childrenRunning--;
		}
		if (node.isTask) {
			this.running--;
			this.finishedTasks++;
		}
		if (node.isRoot) return;
		this.finished.push(event.id);
		if (this.finished.length - this.head > RETAINED_FINISHED) this.letGo();
	}

	/** Where a kept op was in flight, as the model reads it (see opsInFlightMs). */
	private readonly opSpanOf: OpSpanOf = id => {
		const op = this.nodes.get(id);
		return op && [op.startMs, op.end?.t ?? null];
	};

	/** `node`'s wait ends at `until` (what it awaited was ready, or it ended): the part of it that was others' (see waitOwner). */
	private waitEnds(node: Kept, until: number): void {
		const {on, since, childRan} = node.wait!;
		node.wait = null;
		const whole = Math.max(0, until - since);
		switch (waitOwner(on)) {
			case 'others':
				node.taskWaitMs += whole;
				return;
			case 'own-while-ops':
				node.taskWaitMs += whole - opsInFlightMs(on, since, until, this.opSpanOf);
				return;
			case 'others-if-child-ran':
				if (childRan) node.taskWaitMs += whole;
				return;
			case 'own':
				return;
		}
	}

	/** The oldest finished task or op is no longer kept; a task's figures go into its name's totals. */
	private letGo(): void {
		const id = this.finished[this.head++]!;
		const node = this.nodes.get(id)!;
		this.nodes.delete(id);
		if (this.head > RETAINED_FINISHED) {
			this.finished = this.finished.slice(this.head);
			this.head = 0;
		}
		const end = node.end;
		if (!node.isTask || end?.type !== 'task.end') return;
		// As the monitor names them: `work(41)` and `work(42)` are one function, `GET /users/1` and `/users/2` one route.
		const site: Site = node.request
			? {kind: 'server', name: routeOf({...node.request, route: end.route}), loc: null}
			: {kind: 'task', name: taskSiteName(node.name), loc: node.loc};
		// As the model counts a unit of work's own time (ownActiveTime): an async call's, less its waits on other tasks; a
		// request served that started its handler, none (it waits on it without an await that says so).
		const ownMs = node.request ? (node.startedTask ? 0 : end.busy + end.wait) : end.busy + Math.max(0, end.wait - node.taskWaitMs);
		this.addToTotals(site, 1, end.ok ? 0 : 1, end.t - node.startMs, end.busy, end.wait, !node.startedTask, ownMs);
	}

	/**
	 * `leaf`: they started no task, so their time adds to the session's task time (see FoldedLeaves). `ownMs`: their
	 * own time running or waiting, which concurrency adds up (see JoinedEvent).
	 */
	private addToTotals(site: Site, count: number, failed: number, totalMs: number, busyMs: number, waitMs: number, leaf: boolean, ownMs: number): void {
		// Readable as the site's name by readers that take the key for it (see FoldedName).
		const key = site.loc === null ? site.name : `${site.name} ${site.loc}`;
		const byName: FoldedName = (this.folded.byName[key] ??= {count: 0, failed: 0, totalMs: 0, busyMs: 0, waitMs: 0, ...site});
		byName.count += count;
		byName.failed += failed;
		byName.totalMs += totalMs;
		byName.busyMs += busyMs;
		byName.waitMs += waitMs;
		this.folded.tasks += count;
		this.folded.failed += failed;
		this.folded.taskTimeMs += totalMs;
		this.folded.activeMs += ownMs;
		if (!leaf) return;
		this.folded.leaves.count += count;
		this.folded.leaves.totalMs += totalMs;
		this.folded.leaves.activeMs += busyMs + waitMs;
	}
}

/** `lines` with `line` at the end, the oldest let go past `limit` (in batches, so the array is copied rarely). */
function keepLatest(lines: Line[], line: Line, limit: number): Line[] {
	lines.push(line);
	return lines.length > limit * 2 ? lines.slice(-limit) : lines;
}
