import {namedTaskIds, type AsyncmonEvent, type FoldEvent, type FoldKind, type HeaderEvent, type HttpFoldEvent, type OpEndEvent, type OpPhaseEvent, type OpStartEvent, type TaskEndEvent, type TaskStartEvent, type WaitTarget} from '../protocol/events.js';
import {startedIds} from '../protocol/encode.js';
import {FOLD_MAX_MS, FoldedTaskWriter, SENT_BURST, SENT_PER_SECOND, type FoldedRequest} from '../protocol/fold.js';
import {hostOf} from '../protocol/hosts.js';
import {routeOf} from '../protocol/routes.js';
import {timerSite} from '../protocol/timer-names.js';

/** Fewer of one group than this in a flush are sent one by one: a fold line would cost more. */
const MIN_FOLDED = 4;
/**
 * A call this much longer than any before it is sent, so the slowest are seen one by one. Not any longer
 * one: calls made in a loop and answered in turn each take a little longer than the last, and every one
 * would be a record.
 */
const RECORD_MARGIN = 1.25;

type Line = AsyncmonEvent | HeaderEvent;
type DequeuedEvent = AsyncmonEvent & {type: 'op.dequeued'};
type NodeStart = TaskStartEvent | OpStartEvent;
/** What folds: a `fold` line's kinds, and requests the script sent, which fold into `fold.http` lines. */
type NodeFoldKind = FoldKind | 'http';
type FoldLine = FoldEvent | HttpFoldEvent;

/** Which tasks of a flush were folded: told by id, for naming only those that are sent. */
export type IsFolded = (id: number) => boolean;

export const NONE_FOLDED: IsFolded = () => false;

/** How many sites' allowances the folder keeps: a long-running server's routes and functions, many times over. */
export const MAX_ALLOWANCES = 10_000;

/** How many tasks named by blocks the folder keeps whole at once (see keepWhole): blocks are few. */
const MAX_KEPT_WHOLE = 64;

/** How many requests received in flight the folder keeps its decisions for (see startsQuiet): more than any server holds. */
const MAX_REQUESTS_IN_FLIGHT = 100_000;

/** A function's (or a route's) allowance of calls sent one by one. */
interface Allowance {
	tokens: number;
	refilledAt: number;
	/** The longest of its calls sent for being the longest (see RECORD_MARGIN). */
	longestMs: number;
	/** Calls started in the stream since the flush numbered `reservedIn`, which the next flush is likely to charge (see startsSilent). */
	reserved: number;
	reservedIn: number;
}

/** A line of calls folded as they ended, and their times, FOLDED_TIMES numbers each (see fillLine). */
interface OpenLine {
	line: FoldEvent;
	times: number[];
}

/** The lines of calls folded as they ended, by site, then by parent. */
type OpenLines = Map<string, Map<number | null, OpenLine>>;

/** A folded call's times in a list: start, end, busy, wait. */
const FOLDED_TIMES = 4;

/** The nodes of one site folded in one flush, by slot (see BatchNodes), in start order. */
interface Group {
	line: FoldLine;
	slots: number[];
	/** The line of its site's calls under its parent folded as they ended in this flush (see foldEnded): the group joins it. */
	open?: OpenLine;
}

/**
 * The tasks and ops that started in one batch, by id less the batch's first id. A subtree of them can fold
 * when every node of it ended in the batch, succeeded, is of a kind that folds, and nothing outside it
 * names any of them (another task's await, a block, an error, a dropped promise).
 */
class BatchNodes {
	readonly startAt: Int32Array;
	readonly endAt: Int32Array;
	/** The parent's slot, or -1 when the parent started before the batch. */
	readonly parentSlot: Int32Array;
	/** Not foldable itself (failed, still open, named from outside, a kind that does not fold) or under a node that is not. */
	readonly blocked: Uint8Array;
	/** A task that started a task (not a leaf, as the model counts leaves). */
	readonly startedTask: Uint8Array;
	/** A request's `sent` and `headers` phases, and its leaving a pool's queue, by position in the batch; -1 before it reached them. */
	readonly sentAt: Int32Array;
	readonly headersAt: Int32Array;
	readonly dequeuedAt: Int32Array;

	constructor(
		readonly first: number,
		size: number,
	) {
		this.startAt = new Int32Array(size).fill(-1);
		this.endAt = new Int32Array(size).fill(-1);
		this.parentSlot = new Int32Array(size).fill(-1);
		this.blocked = new Uint8Array(size);
		this.startedTask = new Uint8Array(size);
		this.sentAt = new Int32Array(size).fill(-1);
		this.headersAt = new Int32Array(size).fill(-1);
		this.dequeuedAt = new Int32Array(size).fill(-1);
	}

	slotOf(id: number | null): number {
		if (id === null) return -1;
		const slot = id - this.first;
		return slot >= 0 && slot < this.startAt.length && this.startAt[slot]! >= 0 ? slot : -1;
	}

	/** `id` is named by an event of a node other than itself or its parent: it stays whole. */
	pin(id: number | null): void {
		const slot = this.slotOf(id);
		if (slot >= 0) this.blocked[slot] = 1;
	}
}

/**
 * Keeps the statistics of a flood of quick work in the script's process, as tokio-console's aggregator
 * does, instead of sending each call: the monitor then spends nothing on it, and the script is not held
 * back waiting for the monitor. What folds is a whole finished subtree that nothing else refers to: a call
 * of an async function, or a request a server received, that succeeded within one flush together with
 * everything it started (calls of async functions and timers). Each function or route sends SENT_BURST
 * of them one by one, then SENT_PER_SECOND; beyond that they fold: one `fold` line per flush for each
 * site (its root's parent too, for a subtree's root), with each call's times.
 */
export class SpanFolder {
	private readonly allowances = new Map<string, Allowance>();
	/** The lines of calls folded as they ended (see foldEnded), by site, until the flush completes them. */
	private readonly open: OpenLines = new Map();
	/** Calls foldEnded found their allowance sends, charged already: the flush sends them without charging again. */
	private readonly sentEarly = new Set<TaskStartEvent>();
	/** Counts the flushes (see Allowance.reserved). */
	private flushes = 0;
	/** A received request's site as its framework named it (`GET /users/:id`), by its path's shape, as the flush learned it: a request starting knows only its path. */
	private readonly routes = new Map<string, string>();
	/** Requests received, by their task's id, whose allowance was charged as they started (see startsQuiet): whether they began quiet, and their path's shape. */
	private readonly requests = new Map<number, {quiet: boolean; shape: string}>();
	/** Tasks to send whole when their start comes (see keepWhole). */
	private readonly keptWhole = new Set<number>();

	/** The batch as it is to be sent (folded subtrees' events out, a fold line where each group's first call started), and which tasks were folded. */
	fold(events: Line[]): {events: Line[]; isFolded: IsFolded} {
		this.flushes++;
		const nodes = indexNodes(events, this.keptWhole);
		if (!nodes) return {events, isFolded: NONE_FOLDED};
		const size = nodes.startAt.length;
		if (this.sentEarly.size > 0) this.sendCallersOfSentEarly(events, nodes);
		/** Each folded node's group; -1 for one sent. */
		const groupOf = new Int32Array(size).fill(-1);
		const groups: Group[] = [];
		const bySite = new Map<string, number[]>();
		// Parents come before their children (ids are given as nodes start): one pass finds the roots and their trees.
		for (let slot = 0; slot < size; slot++) {
			const startAt = nodes.startAt[slot]!;
			if (startAt < 0) continue;
			const start = events[startAt] as NodeStart;
			const end = events[nodes.endAt[slot]!] as TaskEndEvent | undefined;
			// A request received was charged as it started (see startsQuiet); its route is known once it ended.
			const quiet = start.type === 'task.start' && start.http ? this.requestTaken(start, end) : undefined;
			if (nodes.blocked[slot]) {
				// Sent still running, a call spends its function's allowance as one sent whole does: the calls of a function
				// that each outlast a flush (each awaits a request) start silent once it is spent, and fold as they end.
				if (nodes.endAt[slot]! < 0 && start.type === 'task.start' && start.kind === 'task') this.charge(siteKey(start), start.t);
				continue;
			}
			const parent = nodes.parentSlot[slot]!;
			const inFoldedTree = parent >= 0 && groupOf[parent]! >= 0;
			const url = start.type === 'op.start' && start.http ? requestUrl(events, nodes, slot) : undefined;
			const site = siteKey(start, end, url);
			// A root: its parent is sent, or started before the batch. Its allowance decides for its whole tree. The
			// calls under one it sends are roots too, each charged to its own site's allowance: a call that made a
			// thousand quick ones is seen with a sample of them and a fold line for the rest.
			// Its parent's await may name it: that await stays in the stream, naming a call the reader knows by its
			// site's line (a loop's `await work(i)`, a Promise.all's first calls), as one the model let go of.
			if (!inFoldedTree && (quiet === undefined ? this.sends(site, start.t, end!.t - start.t) : !quiet || this.isRecord(this.allowanceOf(site, start.t), end!.t - start.t))) continue;
			const kind = foldKind(start)!;
			const leaf = (kind === 'task' || kind === 'server') && !nodes.startedTask[slot];
			// Only a root's parent is in the model; inner nodes' parents fold with them.
			groupOf[slot] = groupFor(groups, bySite, site, start, end!, url, kind, leaf, inFoldedTree ? null : start.parent, this.open);
			groups[groupOf[slot]!]!.slots.push(slot);
		}
		if (groups.length === 0) return {events, isFolded: NONE_FOLDED};
		joinAcrossParents(groups, bySite, groupOf);
		// Too few of a group in this flush, counting the calls of its line folded as they ended: they go one by one, with the rest of their trees.
		const small = groups.map(group => group.slots.length + (group.open ? group.open.times.length / FOLDED_TIMES : 0) < MIN_FOLDED);
		if (small.some(Boolean)) unfoldTreesOfSmallGroups(nodes, groupOf, small);
		// A group keeps the nodes still folded (a tree sent back takes its nodes out of every group); its line goes where
		// the first started, or is the line of the calls folded as they ended, in the batch already and completed with them.
		const lines: Array<[at: number, line: FoldLine]> = [];
		let joinedOpen = false;
		groups.forEach((group, index) => {
			const kept = group.slots.filter(slot => groupOf[slot] === index);
			if (kept.length === 0) return;
			if (group.open) {
				pushTimes(events, nodes, kept, group.open.times);
				joinedOpen = true;
			} else lines.push([nodes.startAt[kept[0]!]!, group.line.type === 'fold' ? completed(events, nodes, group.line, kept) : completedRequests(events, nodes, group.line, kept)]);
		});
		if (lines.length === 0 && !joinedOpen) return {events, isFolded: NONE_FOLDED};
		lines.sort((a, b) => a[0] - b[0]);
		const sent: Line[] = [];
		let next = 0;
		for (let i = 0; i < events.length; i++) {
			while (next < lines.length && lines[next]![0] === i) sent.push(lines[next++]![1]);
			const event = events[i]!;
			if (isOfFoldedNode(event, nodes, groupOf)) continue;
			// A line of calls folded as they ended under a parent that folded now: inner calls of its tree, as fold() makes them.
			if (event.type === 'fold' && event.parent !== null) {
				const parent = nodes.slotOf(event.parent);
				if (parent >= 0 && groupOf[parent]! >= 0) event.parent = null;
			}
			sent.push(event);
		}
		return {events: sent, isFolded: id => groupOf[nodes.slotOf(id)]! >= 0};
	}

	/**
	 * The calls foldEnded sent as they ended (their allowance charged) are sent, and so are their callers in the
	 * batch, up to its root: a request folded with its handler while the lookup it awaited went one by one told that
	 * lookup under a parent never sent (a root row, an OTLP span whose parent never came).
	 */
	private sendCallersOfSentEarly(events: readonly Line[], nodes: BatchNodes): void {
		for (let slot = 0; slot < nodes.startAt.length; slot++) {
			const startAt = nodes.startAt[slot]!;
			if (startAt < 0 || !this.sentEarly.delete(events[startAt] as TaskStartEvent)) continue;
			// Blocked already, its callers are too (see indexNodes).
			for (let up = slot; up >= 0 && !nodes.blocked[up]; up = nodes.parentSlot[up]!) nodes.blocked[up] = 1;
		}
	}

	/**
	 * Where to end a flush: before the first call or op of the batch's second half still running (of those that
	 * began at `since` or later), so that it and what follows wait for the next flush, where they may have ended
	 * and fold. Cut anywhere, the calls that started before the flush and end after it would all go one by one: a
	 * wave of `Promise.all` in a burst that filled the buffer, a server's requests in flight at each flush. A call
	 * still running from the first half does not move the cut (it may run for long: what follows it would wait
	 * with it). `events.length` sends it all.
	 */
	cutBeforeRunning(events: readonly Line[], since = Number.NEGATIVE_INFINITY): number {
		const half = events.length >> 1;
		const range = startedIds(events, half);
		if (!range) return events.length;
		const [first, last] = range;
		// Each node's start position, by id less the first; -1 once it ended (or for an id another thread took).
		const startAt = new Int32Array(last - first + 1).fill(-1);
		for (let i = half; i < events.length; i++) {
			const event = events[i]!;
			if (event.type === 'task.start' || event.type === 'op.start') startAt[event.id - first] = event.t >= since ? i : -1;
			else if ((event.type === 'task.end' || event.type === 'op.end') && event.id >= first && event.id <= last) startAt[event.id - first] = -1;
		}
		// In start order: the first still there started earliest.
		for (const at of startAt) if (at >= 0) return at;
		return events.length;
	}

	/**
	 * A call of an async function that ended in the slice it started in, under a task already in the stream, with
	 * nothing of its own in between (its start the sink's last event), or a silent call that ended named by nothing
	 * (see EventSink.foldSilent): folded as it ends when its site's allowance folds it, so its end is never made
	 * and its start never sorted, indexed or written. Times are session times.
	 * Returns the line this call opens (for the sink to put where the call started), true when it joined its
	 * site's line of this flush, or false when it is sent one by one, its allowance charged (the flush does not
	 * charge it again).
	 */
	foldEnded(start: TaskStartEvent, startMs: number, endMs: number, busyMs: number, waitMs: number): FoldEvent | boolean {
		const site = siteKey(start);
		if (this.sends(site, startMs, endMs - startMs)) {
			this.sentEarly.add(start);
			return false;
		}
		let open = openLineOf(this.open, site, start.parent);
		const opened = open === undefined;
		if (!open) {
			open = {line: foldLineOf(start, undefined, 'task', true, start.parent), times: []};
			const lines = this.open.get(site);
			if (lines) lines.set(start.parent, open);
			else this.open.set(site, new Map([[start.parent, open]]));
		}
		open.times.push(startMs, endMs, busyMs, waitMs);
		if (!opened) return true;
		// Until the flush completes it, the line stands where its first call started, in time order too.
		open.line.t = start.t;
		return open.line;
	}

	/**
	 * Completes the lines of calls folded as they ended that the batch the sink is flushing sends, with the calls
	 * fold() folded into them; later calls open new ones. A line `kept` with its parent's start (see goesNow) stays
	 * open: later calls join it, and the flush that sends it completes it. After fold().
	 */
	completeOpen(kept: ReadonlySet<FoldEvent> = new Set()): void {
		for (const [site, lines] of this.open) {
			for (const [parent, {line, times}] of lines) {
				if (kept.has(line)) continue;
				fillLine(line, times);
				lines.delete(parent);
			}
			if (lines.size === 0) this.open.delete(site);
		}
	}

	/**
	 * Whether a call of `key` starting at `t` (session ms) may start silent: it will fold if it ends quickly, its
	 * site's allowance spent, counting the calls started in the stream since the last flush, which it will charge.
	 * One that does not is counted among those. A guess, and only that: a silent call's end charges the allowance as
	 * any call's does (see foldEnded), and a record-long one is sent.
	 */
	startsSilent(key: string, t: number): boolean {
		const allowance = this.allowances.get(key);
		if (allowance === undefined) return false;
		if (allowance.reservedIn !== this.flushes) {
			allowance.reserved = 0;
			allowance.reservedIn = this.flushes;
		}
		if (refilled(allowance, t).tokens - allowance.reserved < 1) return true;
		allowance.reserved++;
		return false;
	}

	/**
	 * Whether a request a server received starting at `t` may start quiet (see QuietTrees): held with what it starts
	 * until it ends, for its route's allowance is spent, as startsSilent tells of a call.
	 */
	startsQuiet(request: {method: string; url: string}, id: number, t: number): boolean {
		const shape = routeOf(request);
		const allowance = this.allowanceOf(this.routes.get(shape) ?? shape, t);
		// Charged now: a request that outlasts a flush is seen by no flush whole, and would charge nothing.
		const quiet = allowance.tokens < 1;
		if (!quiet) allowance.tokens--;
		// Bounded all the same: a request forgotten is charged again at the flush, as one never charged.
		if (this.requests.size >= MAX_REQUESTS_IN_FLIGHT) this.requests.clear();
		this.requests.set(id, {quiet, shape});
		return quiet;
	}

	/**
	 * A request received, in the batch: whether it began quiet (undefined when it was not charged as it began: a
	 * request at exit), its route learned for those to come. Each start is in one batch: it leaves the list.
	 */
	private requestTaken(start: TaskStartEvent, end: TaskEndEvent | undefined): boolean | undefined {
		const taken = this.requests.get(start.id);
		if (taken === undefined) return undefined;
		this.requests.delete(start.id);
		if (end?.route === undefined) return taken.quiet;
		// As siteKey names it, from the route its framework said: no path to read again.
		const site = routeOf({method: start.http!.method, url: '', route: end.route});
		if (this.routes.get(taken.shape) !== site) {
			if (this.routes.size >= MAX_ALLOWANCES) this.routes.clear();
			this.routes.set(taken.shape, site);
		}
		return taken.quiet;
	}

	/** Whether the allowance of the call's function or route sends this call one by one. */
	private sends(key: string, t: number, totalMs: number): boolean {
		const allowance = this.allowanceOf(key, t);
		if (this.isRecord(allowance, totalMs)) return true;
		if (allowance.tokens < 1) return false;
		allowance.tokens--;
		return true;
	}

	/**
	 * A task named where the batch cannot show it (a block's start the watchdog's thread told): sent whole, never
	 * folded, at the flush that sends its start. Bounded: one whose start went before is never found.
	 */
	keepWhole(id: number): void {
		if (this.keptWhole.size >= MAX_KEPT_WHOLE) this.keptWhole.clear();
		this.keptWhole.add(id);
	}

	/** One call of `key` sent: its allowance's token spent, if it has one left. */
	private charge(key: string, t: number): void {
		const allowance = this.allowanceOf(key, t);
		if (allowance.tokens >= 1) allowance.tokens--;
	}

	/** The allowance of a site, as of `t` (see refilled). */
	private allowanceOf(key: string, t: number): Allowance {
		let allowance = this.allowances.get(key);
		if (!allowance) {
			// Sites past the bound (paths of no id-like shape, say) start afresh: a few more calls go one by one, and the map stays bounded.
			if (this.allowances.size >= MAX_ALLOWANCES) this.allowances.clear();
			this.allowances.set(key, (allowance = {tokens: SENT_BURST, refilledAt: t, longestMs: 0, reserved: 0, reservedIn: this.flushes}));
		}
		return refilled(allowance, t);
	}

	/** A call this much longer than its site's sent for being the longest is sent too (see RECORD_MARGIN). */
	private isRecord(allowance: Allowance, totalMs: number): boolean {
		if (totalMs <= allowance.longestMs * RECORD_MARGIN) return false;
		allowance.longestMs = totalMs;
		return true;
	}
}

/** The allowance as of `t`: its tokens grow back at SENT_PER_SECOND, up to SENT_BURST. */
function refilled(allowance: Allowance, t: number): Allowance {
	if (t > allowance.refilledAt) {
		allowance.tokens = Math.min(SENT_BURST, allowance.tokens + ((t - allowance.refilledAt) * SENT_PER_SECOND) / 1000);
		allowance.refilledAt = t;
	}
	return allowance;
}

/**
 * The index in `groups` of the group of this site, kind, leafness and parent, made if new: one that joins the line
 * of its calls folded as they ended (`open`, by site), as calls of a function under one parent, leaves all.
 */
function groupFor(groups: Group[], bySite: Map<string, number[]>, site: string, start: NodeStart, end: TaskEndEvent, url: string | undefined, kind: NodeFoldKind, leaf: boolean, parent: number | null, open: OpenLines): number {
	let indexes = bySite.get(site);
	if (!indexes) bySite.set(site, (indexes = []));
	for (const index of indexes) {
		const line = groups[index]!.line;
		if ((line.type === 'fold.http' ? kind === 'http' : line.kind === kind && line.leaf === leaf) && line.parent === parent) return index;
	}
	const joined = kind === 'task' && leaf && parent !== null ? openLineOf(open, site, parent) : undefined;
	const line = kind === 'http' ? requestsLineOf(start as OpStartEvent, url!, parent) : foldLineOf(start, end, kind, leaf, parent);
	groups.push(joined ? {line: joined.line, slots: [], open: joined} : {line, slots: []});
	indexes.push(groups.length - 1);
	return groups.length - 1;
}

/** The line of a site's calls under `parent` folded as they ended in this flush, if any. */
function openLineOf(open: OpenLines, site: string, parent: number | null): OpenLine | undefined {
	return open.get(site)?.get(parent);
}

/**
 * Groups of calls of one function too small under each parent, but not together (a pool's workers, each awaiting
 * one call a flush), join as one line under no parent: their calls fold by site, told apart from their callers.
 * Requests and timers do not: one a call sent one by one made stays under it, whole.
 */
function joinAcrossParents(groups: Group[], bySite: Map<string, number[]>, groupOf: Int32Array): void {
	for (const indexes of bySite.values()) {
		if (indexes.length < 2) continue;
		const joinable = new Map<boolean, number[]>();
		for (const index of indexes) {
			const group = groups[index]!;
			const line = group.line;
			if (line.type !== 'fold' || line.kind !== 'task' || group.open || line.parent === null || group.slots.length >= MIN_FOLDED) continue;
			const same = joinable.get(line.leaf);
			if (same) same.push(index);
			else joinable.set(line.leaf, [index]);
		}
		for (const same of joinable.values()) {
			if (same.length < 2 || same.reduce((sum, index) => sum + groups[index]!.slots.length, 0) < MIN_FOLDED) continue;
			const [into, ...rest] = same.map(index => groups[index]!);
			into!.line.parent = null;
			for (const group of rest) {
				for (const slot of group.slots) groupOf[slot] = same[0]!;
				into!.slots.push(...group.slots);
				group.slots = [];
			}
			// In start order, as a line's times are packed: slots follow ids, given as nodes start.
			into!.slots.sort((a, b) => a - b);
		}
	}
}

/** Sends one by one every tree with a node in a small group: a tree folds whole or not at all. */
function unfoldTreesOfSmallGroups(nodes: BatchNodes, groupOf: Int32Array, small: boolean[]): void {
	const size = groupOf.length;
	/** Each folded node's root slot, to unfold a tree from any of its nodes. */
	const rootOf = new Int32Array(size).fill(-1);
	const unfold = new Uint8Array(size);
	for (let slot = 0; slot < size; slot++) {
		if (groupOf[slot]! < 0) continue;
		const parent = nodes.parentSlot[slot]!;
		rootOf[slot] = parent >= 0 && groupOf[parent]! >= 0 ? rootOf[parent]! : slot;
		if (small[groupOf[slot]!]) unfold[rootOf[slot]!] = 1;
	}
	for (let slot = 0; slot < size; slot++) if (groupOf[slot]! >= 0 && unfold[rootOf[slot]!]) groupOf[slot] = -1;
}

/** Every event of a folded node (its start, awaits, resumes, fires and end) goes into its fold line. */
function isOfFoldedNode(event: Line, nodes: BatchNodes, groupOf: Int32Array): boolean {
	switch (event.type) {
		case 'task.start':
		case 'task.await':
		case 'task.ready':
		case 'task.resume':
		case 'task.end':
		case 'op.start':
		case 'op.phase':
		case 'op.dequeued':
		case 'op.fire':
		case 'op.end': {
			const slot = nodes.slotOf(event.id);
			return slot >= 0 && groupOf[slot]! >= 0;
		}
		default:
			return false;
	}
}

/** The tasks and ops started in the batch, what each is under, and which cannot fold; null when none started. */
function indexNodes(events: Line[], keptWhole: Set<number>): BatchNodes | null {
	const range = startedIds(events);
	if (!range) return null;
	const [first, last] = range;
	const nodes = new BatchNodes(first, last - first + 1);
	let earliest = Infinity;
	let latest = -Infinity;
	for (let i = 0; i < events.length; i++) {
		const event = events[i]!;
		switch (event.type) {
			case 'task.start':
			case 'op.start': {
				earliest = Math.min(earliest, event.t);
				const slot = event.id - first;
				nodes.startAt[slot] = i;
				const parent = nodes.slotOf(event.parent);
				nodes.parentSlot[slot] = parent;
				if (foldKind(event) === null) nodes.blocked[slot] = 1;
				if (parent >= 0 && event.type === 'task.start') nodes.startedTask[parent] = 1;
				break;
			}
			case 'task.end':
			case 'op.end': {
				const slot = nodes.slotOf(event.id);
				if (slot < 0) break;
				latest = Math.max(latest, event.t);
				nodes.endAt[slot] = i;
				if (!succeeded(event)) nodes.blocked[slot] = 1;
				// Given up in a pool's queue: its start knows no host.
				const start = events[nodes.startAt[slot]!] as NodeStart;
				if (start.type === 'op.start' && start.http?.queue && nodes.dequeuedAt[slot]! < 0) nodes.blocked[slot] = 1;
				break;
			}
			case 'op.dequeued': {
				const slot = nodes.slotOf(event.id);
				if (slot >= 0) nodes.dequeuedAt[slot] = i;
				break;
			}
			case 'task.await':
				pinTargetsOutside(nodes, events, event.id, event.on);
				break;
			case 'op.phase': {
				const slot = nodes.slotOf(event.id);
				if (slot < 0) break;
				if (event.phase === 'sent') nodes.sentAt[slot] = i;
				else {
					nodes.headersAt[slot] = i;
					if (isErrorStatus(event.status)) nodes.blocked[slot] = 1;
				}
				break;
			}
			// Calls folded as they ended under a parent that started in the batch (see EventSink.foldSilent): it started
			// tasks, and folds with them as their parent (see fold), or is sent, their line naming it.
			case 'fold': {
				const parent = nodes.slotOf(event.parent);
				if (parent >= 0) nodes.startedTask[parent] = 1;
				break;
			}
			default:
				for (const id of namedTaskIds(event)) nodes.pin(id ?? null);
		}
	}
	// Only after a block of over half an hour: times too far apart for a fold line's fields.
	if (latest - earliest > FOLD_MAX_MS) return null;
	for (const id of keptWhole) {
		const slot = nodes.slotOf(id);
		if (slot < 0) continue;
		nodes.blocked[slot] = 1;
		keptWhole.delete(id);
	}
	// Children start after their parents: from the last slot back, an open or blocked node blocks its parent.
	for (let slot = nodes.startAt.length - 1; slot >= 0; slot--) {
		if (nodes.startAt[slot]! < 0) continue;
		if (nodes.endAt[slot]! < 0) nodes.blocked[slot] = 1;
		const parent = nodes.parentSlot[slot]!;
		if (nodes.blocked[slot] && parent >= 0) nodes.blocked[parent] = 1;
	}
	return nodes;
}

/**
 * A task awaiting its own child names something of its own (see fold), whether it started in the batch or long
 * before (a loop's `await work(i)`); awaiting anything else pins what it awaits.
 */
function pinTargetsOutside(nodes: BatchNodes, events: readonly Line[], awaiting: number, on: WaitTarget): void {
	const pinUnlessChild = (id: number): void => {
		const slot = nodes.slotOf(id);
		if (slot < 0) return;
		if ((events[nodes.startAt[slot]!] as NodeStart).parent !== awaiting) nodes.blocked[slot] = 1;
	};
	if (on.kind === 'task' || on.kind === 'op') pinUnlessChild(on.id);
	else if (on.kind === 'promise') {
		for (const id of on.tasks ?? []) pinUnlessChild(id);
		for (const id of on.ops ?? []) pinUnlessChild(id);
	}
}

/** Only calls of async functions, requests a server received, timers, and requests sent fold. */
function foldKind(start: NodeStart): NodeFoldKind | null {
	if (start.type === 'task.start') return (start.kind === 'task' || start.kind === 'server') && start.thread === undefined ? start.kind : null;
	if (start.kind === 'http') return start.http ? 'http' : null;
	return start.kind === 'timer' ? 'timer' : null;
}

function succeeded(end: AsyncmonEvent & {type: 'task.end' | 'op.end'}): boolean {
	if (!end.ok || end.error !== undefined) return false;
	// A request sent and answered with an error status stays whole: the host's figures count its kind of answer.
	if (end.type === 'op.end') return !isErrorStatus(end.status);
	// A request its server answered with a server error, or whose client went away, failed.
	return !end.aborted && (end.status === undefined || end.status < 500);
}

/** A client's (4xx) or a server's (5xx) error status. */
function isErrorStatus(status: number | undefined): boolean {
	return status !== undefined && status >= 400;
}

/** The site a node folds into: a function's location (or a `task(name)`'s name), a route (as the model names it; a request's `end` says the route its framework matched), a timer's place or API. */
function siteKey(start: NodeStart, end?: TaskEndEvent, url?: string): string {
	if (start.type === 'task.start' && start.http) return routeOf({method: start.http.method, url: start.http.url, route: end?.route});
	// A request sent: by method and host, as the model's sites go, by the place that sent it, and by its client library.
	if (start.type === 'op.start' && start.http) return `${start.http.method} ${hostOf(url ?? start.http.url)} ${start.loc ?? ''} ${start.http.client ?? ''}`;
	return start.loc ?? foldedName(start);
}

/** A folded group's name: a timer's is its API alone (its line holds many delays), a task's its own. */
function foldedName(start: NodeStart): string {
	return start.type === 'op.start' ? timerSite(start.name) : start.name;
}

function foldLineOf(start: NodeStart, end: TaskEndEvent | undefined, kind: FoldKind, leaf: boolean, parent: number | null): FoldEvent {
	const line: FoldEvent = {type: 'fold', t: -Infinity, kind, name: foldedName(start), loc: start.loc ?? null, parent, leaf, count: 0, totalMs: 0, busyMs: 0, waitMs: 0, tasks: ''};
	if (start.type === 'task.start' && start.http) line.request = end?.route === undefined ? {method: start.http.method, url: start.http.url} : {method: start.http.method, url: start.http.url, route: end.route};
	return line;
}

function requestsLineOf(start: OpStartEvent, url: string, parent: number | null): HttpFoldEvent {
	const line: HttpFoldEvent = {type: 'fold.http', t: -Infinity, method: start.http!.method, url, loc: start.loc ?? null, parent, count: 0, totalMs: 0, requests: ''};
	if (start.http!.client !== undefined) line.client = start.http!.client;
	return line;
}

/** A request's whole URL: a pool that queued it tells it as the request leaves the queue. */
function requestUrl(events: readonly Line[], nodes: BatchNodes, slot: number): string {
	const dequeued = nodes.dequeuedAt[slot]! >= 0 ? (events[nodes.dequeuedAt[slot]!] as DequeuedEvent) : undefined;
	return dequeued?.url ?? (events[nodes.startAt[slot]!] as OpStartEvent).http!.url;
}

/** A `fold.http` line with the requests at `slots`: each one's phases as the model measures them from its events (see reducer.ts). */
function completedRequests(events: Line[], nodes: BatchNodes, line: HttpFoldEvent, slots: number[]): HttpFoldEvent {
	const requests = slots.map((slot): FoldedRequest => {
		const start = events[nodes.startAt[slot]!] as OpStartEvent;
		const end = events[nodes.endAt[slot]!] as OpEndEvent;
		const sent = nodes.sentAt[slot]! >= 0 ? (events[nodes.sentAt[slot]!] as OpPhaseEvent) : undefined;
		const headers = nodes.headersAt[slot]! >= 0 ? (events[nodes.headersAt[slot]!] as OpPhaseEvent) : undefined;
		const dequeued = nodes.dequeuedAt[slot]! >= 0 ? (events[nodes.dequeuedAt[slot]!] as DequeuedEvent) : undefined;
		return {
			startMs: start.t,
			totalMs: end.t - start.t,
			pooledMs: dequeued && dequeued.t - start.t,
			queueMs: sent && (sent.queueMs ?? 0),
			connectMs: sent && (sent.connectMs ?? 0),
			ttfbMs: sent && headers ? headers.t - sent.t : undefined,
			downloadMs: headers && end.t - headers.t,
		};
	});
	line.t = Number.NEGATIVE_INFINITY;
	for (const request of requests) line.t = Math.max(line.t, request.startMs + request.totalMs);
	const writer = new FoldedTaskWriter(line.t);
	for (const request of requests) {
		writer.addRequest(request);
		line.count++;
		line.totalMs += request.totalMs;
	}
	line.requests = writer.text();
	return line;
}

/** A group's line with the figures of its nodes at `slots`. */
function completed(events: Line[], nodes: BatchNodes, line: FoldEvent, slots: number[]): FoldEvent {
	const times: number[] = [];
	pushTimes(events, nodes, slots, times);
	fillLine(line, times);
	return line;
}

/** Appends the times of the nodes at `slots` to `times`, as fillLine reads them. */
function pushTimes(events: Line[], nodes: BatchNodes, slots: number[], times: number[]): void {
	for (const slot of slots) {
		const start = events[nodes.startAt[slot]!] as NodeStart;
		const end = events[nodes.endAt[slot]!] as AsyncmonEvent & {type: 'task.end' | 'op.end'};
		times.push(start.t, end.t, end.type === 'task.end' ? end.busy : 0, end.type === 'task.end' ? end.wait : 0);
	}
}

/** Fills a fold line from its calls' times, `[start, end, busy, wait]` after one another: its time is their last end. */
function fillLine(line: FoldEvent, times: readonly number[]): void {
	line.t = Number.NEGATIVE_INFINITY;
	for (let i = 1; i < times.length; i += FOLDED_TIMES) line.t = Math.max(line.t, times[i]!);
	const tasks = new FoldedTaskWriter(line.t);
	for (let i = 0; i < times.length; i += FOLDED_TIMES) {
		const start = times[i]!;
		const end = times[i + 1]!;
		const busy = times[i + 2]!;
		const wait = times[i + 3]!;
		tasks.add(start, end, busy, wait);
		line.count++;
		line.totalMs += end - start;
		line.busyMs += busy;
		line.waitMs += wait;
	}
	line.tasks = tasks.text();
}
