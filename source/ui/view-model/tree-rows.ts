import type {Ms} from '../../protocol/events.js';
import {liveTimes} from '../../model/live-times.js';
import {isTaskKind, NODE_STATES, type ModelState, type SiteAggregate, type TaskNode} from '../../model/state.js';
import {latencyStats} from '../../model/latency.js';
import {waitingOn} from '../../present/holdups.js';

export type SortColumn = 'start' | 'state' | 'name' | 'location' | 'total' | 'busy' | 'wait' | 'sched' | 'waitingOn';

/** In the order `s`/`>` cycles through them; `start` is the timeline column. */
export const SORT_COLUMNS: readonly SortColumn[] = ['start', 'state', 'name', 'location', 'total', 'busy', 'wait', 'sched', 'waitingOn'];

/** Times sort largest first, as the interesting rows are the slow ones; text sorts A to Z. */
const LARGEST_FIRST: ReadonlySet<SortColumn> = new Set(['total', 'busy', 'wait', 'sched']);

export interface RowQuery {
	sort: SortColumn;
	/** Against the column's natural order. */
	inverted: boolean;
	filter: string;
	hideFinished: boolean;
}

export interface TreeRow {
	/** A node's id; negative for a row of folded tasks (a SiteAggregate's id). */
	id: number;
	depth: number;
	/** How many of its older finished ops and tasks are left out of the rows (see withoutOlderFinished). */
	hiddenDone?: number;
}

/** The latest finished ops of a node, and of a node at work its latest finished tasks, that stay rows in the start order; the older ones are counted on its row. */
export const FINISHED_SHOWN = 5;

/** Rows sorted by a time column move as the clock runs; the others only when the model changes. */
export function sortsByTime(column: SortColumn): boolean {
	return LARGEST_FIRST.has(column) || column === 'waitingOn';
}

export function isDescending(query: Pick<RowQuery, 'sort' | 'inverted'>): boolean {
	return LARGEST_FIRST.has(query.sort) !== query.inverted;
}

/**
 * The table's rows in order, as two typed arrays (ids as doubles: a followed process's ids pass 2^31). A frame rebuilds every row (a server's dashboard holds
 * 10,000 tasks and more) and keeps them until the next frame: as one object each, they outlived the young
 * generation and filled the old space with garbage, a third of all the monitor promoted under load.
 */
export class TreeRows {
	constructor(
		private readonly ids: Float64Array,
		private readonly depths: Int32Array,
		/** By node id: its finished ops left out (see TreeRow.hiddenDone). */
		private readonly hidden: ReadonlyMap<number, number> = new Map(),
	) {}

	get length(): number {
		return this.ids.length;
	}

	/** The row at `index`, or undefined past the ends. */
	at(index: number): TreeRow | undefined {
		return index >= 0 && index < this.ids.length ? this.row(index) : undefined;
	}

	/** Where the row of `id` is, or -1. */
	indexOf(id: number): number {
		return this.ids.indexOf(id);
	}

	/** Rows from `start` to `end` (not included): the few a frame draws, as objects. */
	slice(start: number, end = this.length): TreeRow[] {
		const rows: TreeRow[] = [];
		for (let index = Math.max(0, start); index < Math.min(end, this.length); index++) rows.push(this.row(index));
		return rows;
	}

	private row(index: number): TreeRow {
		const row: TreeRow = {id: this.ids[index]!, depth: this.depths[index]!};
		const hiddenDone = this.hidden.get(row.id);
		if (hiddenDone !== undefined) row.hiddenDone = hiddenDone;
		return row;
	}
}

/**
 * The table's rows: a depth-first walk of the task tree, siblings sorted by the
 * sort column. Filtering and hiding finished rows keep the ancestors of every
 * shown row, so each row still sits under its parent. In the start order, a task at work keeps its latest finished
 * tasks alone (see withoutOlderFinished) where all its rows would not fit in `fitRows`: a demo's fan-out that fits
 * stays whole, a crawler's or a server's history gives way to what is at work.
 */
export function buildTreeRows(state: ModelState, query: RowQuery, nowMs: Ms, fitRows = Number.POSITIVE_INFINITY): TreeRows {
	const hidden = {tasks: 0};
	const rows = walkRows(state, query, nowMs, hidden);
	return hidden.tasks === 0 || rows.length + hidden.tasks > fitRows ? rows : walkRows(state, query, nowMs, null);
}

/** The rows, each working task's older finished tasks left out and their rows counted in `hiddenTasks`; all of them when it is null. */
function walkRows(state: ModelState, query: RowQuery, nowMs: Ms, hiddenTasks: {tasks: number} | null): TreeRows {
	const shown = shownIds(state, query);
	const folded = foldedSiteIds(state, query);
	const order = siblingOrder(state, query, nowMs, folded);
	// The start order lists the folded rows in one place (see below); sorted by another column, they take their
	// place among the script's children (or the top rows, when none is the script) by the same key as the tasks:
	// a median wait of 57 ms below a wait of 97 ms, not above every task whatever its value.
	const sortsFolded = query.sort !== 'start' && folded.length > 0;
	const foldedParent = sortsFolded ? (state.rootIds.find(id => state.nodes.get(id)?.kind === 'script') ?? null) : null;
	// Numbers, not a row object each: these die with the walk (see TreeRows).
	const ids: number[] = [];
	const depths: number[] = [];
	const stackIds: number[] = [];
	const stackDepths: number[] = [];
	const hidden = new Map<number, number>();
	// In the start order alone, which lists everything: sorted by a time, the slow ones matter wherever they are.
	const collapses = query.sort === 'start' && shown === null;
	const pushChildren = (children: readonly number[], depth: number, parent: number | null): void => {
		let kept = shown ? children.filter(id => shown.has(id)) : children;
		if (collapses && parent !== null) kept = withoutOlderFinished(state, state.nodes.get(parent), kept, hiddenTasks, count => hidden.set(parent, count));
		const sorted = order(sortsFolded && parent === foldedParent ? [...kept, ...folded] : kept);
		for (let i = sorted.length - 1; i >= 0; i--) {
			stackIds.push(sorted[i]!);
			stackDepths.push(depth);
		}
	};
	pushChildren(state.rootIds, 0, null);
	while (stackIds.length > 0) {
		const id = stackIds.pop()!;
		const depth = stackDepths.pop()!;
		ids.push(id);
		depths.push(depth);
		const node = state.nodes.get(id);
		if (node && (node.children.length > 0 || id === foldedParent)) pushChildren(node.children, depth + 1, id);
	}
	// Under the script, as most of them ran in it, and where their start puts them: before the tasks kept, which are newer.
	// A client that joined a service may have no script row (an older agent's snapshot): then at the top, not under a request.
	if (sortsFolded) return new TreeRows(Float64Array.from(ids), Int32Array.from(depths), hidden);
	const underScript = ids.length > 0 && state.nodes.get(ids[0]!)?.kind === 'script';
	// Where the folded rows go in the start order: after the tasks, under the script, or first.
	const at = query.sort === 'start' && isDescending(query) ? ids.length : underScript ? 1 : 0;
	const depth = underScript ? 1 : 0;
	const rowIds = Float64Array.from(folded.length === 0 ? ids : [...ids.slice(0, at), ...folded, ...ids.slice(at)]);
	const rowDepths = Int32Array.from(folded.length === 0 ? depths : [...depths.slice(0, at), ...folded.map(() => depth), ...depths.slice(at)]);
	return new TreeRows(rowIds, rowDepths, hidden);
}

/**
 * A node's children but the older of those done, in the start order: past its latest FINISHED_SHOWN finished ops
 * (a loop of a thousand sleeps or queries), and, while the node is still at work (the script's row: while its
 * process runs), past its latest FINISHED_SHOWN finished tasks with all they started (a crawler's thousand pages,
 * a server's requests served) when `hiddenTasks` counts their rows: history would push the tasks still at work,
 * its own and its siblings', off the screen. Once the node is done, its tasks are all rows again, for the look back.
 * Those it leaves out are counted (`hide`) on the node's row. A failed one stays, and so does a task under which
 * anything failed or still runs (a promise it left floating), as does every row of a node's sorted otherwise.
 */
function withoutOlderFinished(state: ModelState, parent: TaskNode | undefined, children: readonly number[], hiddenTasks: {tasks: number} | null, hide: (count: number) => void): readonly number[] {
	// A server's script ends its top level at once and goes on serving: its row is at work while its process runs.
	const atWork = hiddenTasks !== null && parent !== undefined && (parent.endMs === null || (parent.kind === 'script' && state.exit === null));
	const leftOut = new Uint8Array(children.length);
	let opsDone = 0;
	let tasksDone = 0;
	let count = 0;
	// Children are in the order they started: the newest are kept, counted from the end.
	for (let i = children.length - 1; i >= 0; i--) {
		const node = state.nodes.get(children[i]!);
		if (node === undefined || node.state !== 'finished') continue;
		if (isTaskKind(node.kind)) {
			if (!atWork) continue;
			const rows = finishedRows(state, node);
			if (rows === 0 || tasksDone++ < FINISHED_SHOWN) continue;
			hiddenTasks.tasks += rows;
		} else if (node.children.length > 0 || opsDone++ < FINISHED_SHOWN) continue;
		leftOut[i] = 1;
		count++;
	}
	if (count === 0) return children;
	hide(count);
	return children.filter((_, i) => leftOut[i] === 0);
}

/**
 * How many rows a finished task and all it started make, when everything under it finished too: 0 when something
 * failed or is still at work there (a promise it left floating). Walked, not recursed: a recursive crawl nests deep.
 */
function finishedRows(state: ModelState, task: TaskNode): number {
	let rows = 1;
	const pending = [...task.children];
	while (pending.length > 0) {
		const node = state.nodes.get(pending.pop()!);
		if (node === undefined) continue;
		if (node.state !== 'finished') return 0;
		rows++;
		for (const child of node.children) pending.push(child);
	}
	return rows;
}

/**
 * Folded tasks, a row per site; finished by definition, they go with `hideFinished`. Sorted by the column their
 * rows show it for (a name, a place, the median total, busy or wait time), else the most numerous first.
 */
function foldedSiteIds(state: ModelState, query: RowQuery): number[] {
	if (query.hideFinished || state.aggregated.sites.size === 0) return [];
	const needle = query.filter.trim().toLowerCase();
	const sites = [...state.aggregated.sites.values()].filter(
		site => needle === '' || site.name.toLowerCase().includes(needle) || (site.location?.toLowerCase().includes(needle) ?? false),
	);
	const keyOf = query.sort === 'start' ? () => 0 : siteSortKey(query.sort);
	const direction = isDescending(query) ? -1 : 1;
	// Each site's key read once, not at every comparison: a median is worked out from a histogram, every frame.
	const keyed = sites.map(site => ({site, key: keyOf(site)}));
	keyed.sort((a, b) => (a.key !== b.key ? (a.key < b.key ? -1 : 1) * direction : b.site.count - a.site.count || a.site.id - b.site.id));
	return keyed.map(({site}) => site.id);
}

/** A folded row's key, comparable with a task's (sortKeyReader): its tasks are finished, and wait on nothing. */
function siteSortKey(column: Exclude<SortColumn, 'start'>): (site: SiteAggregate) => SortKey {
	switch (column) {
		case 'state':
			return () => NODE_STATES.indexOf('finished');
		case 'name':
			return site => site.name.toLowerCase();
		case 'location':
			return site => site.location ?? '';
		case 'total':
			return site => latencyStats(site.total).p50Ms;
		case 'busy':
			return site => latencyStats(site.busy).p50Ms;
		case 'wait':
			return site => latencyStats(site.wait).p50Ms;
		case 'sched':
			return () => 0;
		case 'waitingOn':
			return () => '';
	}
}

function matchesFilter(node: TaskNode, needle: string): boolean {
	return (
		node.name.toLowerCase().includes(needle) ||
		(node.location?.toLowerCase().includes(needle) ?? false) ||
		(node.http?.url.toLowerCase().includes(needle) ?? false)
	);
}

/** Null when every row is shown. Children start after their parents, so one reverse pass settles each subtree. */
function shownIds(state: ModelState, query: RowQuery): Set<number> | null {
	const needle = query.filter.trim().toLowerCase();
	if (needle === '' && !query.hideFinished) return null;
	const shown = new Set<number>();
	for (let i = state.order.length - 1; i >= 0; i--) {
		const id = state.order[i]!;
		const node = state.nodes.get(id)!;
		const selfShown = (!query.hideFinished || node.endMs === null) && (needle === '' || matchesFilter(node, needle));
		if (selfShown || shown.has(id)) {
			shown.add(id);
			if (node.parentId !== null) shown.add(node.parentId);
		}
	}
	return shown;
}

type SortKey = number | string;

/** Siblings in the query's order; `folded`, the folded rows' ids, may be among them (their keys are their sites'). */
function siblingOrder(state: ModelState, query: RowQuery, nowMs: Ms, folded: readonly number[]): (ids: readonly number[]) => readonly number[] {
	const descending = isDescending(query);
	if (query.sort === 'start') return ids => (descending ? [...ids].reverse() : ids);
	const keyOf = sortKeyReader(state, query.sort, nowMs);
	const siteKeyOf = siteSortKey(query.sort);
	const sites = folded.length === 0 ? null : new Map([...state.aggregated.sites.values()].map(site => [site.id, site]));
	const keys = new Map<number, SortKey>();
	const key = (id: number): SortKey => {
		let value = keys.get(id);
		if (value === undefined) {
			const site = id < 0 ? sites?.get(id) : undefined;
			value = site ? siteKeyOf(site) : keyOf(state.nodes.get(id)!);
			keys.set(id, value);
		}
		return value;
	};
	const direction = descending ? -1 : 1;
	return ids =>
		[...ids].sort((a, b) => {
			const ka = key(a);
			const kb = key(b);
			if (ka < kb) return -direction;
			if (ka > kb) return direction;
			return a - b;
		});
}

function sortKeyReader(state: ModelState, column: Exclude<SortColumn, 'start'>, nowMs: Ms): (node: TaskNode) => SortKey {
	switch (column) {
		case 'state':
			return node => NODE_STATES.indexOf(node.state);
		case 'name':
			return node => node.name.toLowerCase();
		case 'location':
			return node => node.location ?? '';
		case 'total':
			return node => liveTimes(node, nowMs).totalMs;
		case 'busy':
			return node => liveTimes(node, nowMs).busyMs;
		case 'wait':
			return node => liveTimes(node, nowMs).waitMs;
		case 'sched':
			return node => liveTimes(node, nowMs).schedDelayMs;
		case 'waitingOn':
			return node => waitingOn(state, node, nowMs);
	}
}
