import type {Ms} from '../../protocol/events.js';
import {liveTimes} from '../../model/live-times.js';
import {isTaskKind, type ModelState, type SiteAggregate, type TaskNode} from '../../model/state.js';
import {foldedSite} from '../../model/retention.js';
import {latencyStats} from '../../model/latency.js';
import {foldedLabel, foldedState, sitePercentiles} from '../../present/folded.js';
import {formatDuration} from '../../present/durations.js';
import {shortCount} from '../../present/numbers.js';
import type {Line} from './line.js';
import type {Segment} from '../../present/paint.js';
import {fit, sanitize, textWidth, truncateApart, truncateLocation, truncateMiddle, truncateUrl} from '../../present/text.js';
import {STATE_STYLES, stateIcon, type Glyphs} from '../../present/states.js';
import {cellSegments, nodeCells, type TimeAxis} from './timeline.js';
import {isDescending, type RowQuery, type SortColumn, type TreeRow} from './tree-rows.js';
import {waitingOnLive} from '../../present/holdups.js';
import {httpStatusColor, httpStatusText, requestOf, taskLabel} from '../../present/http.js';
import {exitStatusText, processLabel} from '../../present/processes.js';

export type ColumnId = 'state' | 'name' | 'status' | 'location' | 'total' | 'busy' | 'wait' | 'sched' | 'waitingOn' | 'timeline';

export interface Column {
	id: ColumnId;
	width: number;
}

interface ColumnSpec {
	title: string;
	sort: SortColumn;
	align: 'left' | 'right';
	width: number;
	/** How far spare width may grow it. */
	maxWidth: number;
}

const SPECS: Readonly<Record<ColumnId, ColumnSpec>> = {
	state: {title: '', sort: 'state', align: 'left', width: 2, maxWidth: 2},
	name: {title: 'name', sort: 'name', align: 'left', width: 14, maxWidth: 40},
	status: {title: 'status', sort: 'state', align: 'right', width: 6, maxWidth: 6},
	location: {title: 'location', sort: 'location', align: 'left', width: 16, maxWidth: 40},
	total: {title: 'total', sort: 'total', align: 'right', width: 7, maxWidth: 7},
	busy: {title: 'busy', sort: 'busy', align: 'right', width: 7, maxWidth: 7},
	wait: {title: 'wait', sort: 'wait', align: 'right', width: 7, maxWidth: 7},
	sched: {title: 'sched', sort: 'sched', align: 'right', width: 7, maxWidth: 7},
	waitingOn: {title: 'waiting on', sort: 'waitingOn', align: 'left', width: 20, maxWidth: 44},
	timeline: {title: 'timeline', sort: 'start', align: 'left', width: 10, maxWidth: 48},
};

const ALL_COLUMNS: readonly ColumnId[] = ['state', 'name', 'status', 'location', 'total', 'busy', 'wait', 'sched', 'waitingOn', 'timeline'];
/** Narrow terminals lose the least telling columns first. */
const DROP_ORDER: readonly ColumnId[] = ['status', 'timeline', 'location', 'waitingOn', 'sched', 'wait', 'busy'];
const GROW_ORDER: readonly ColumnId[] = ['name', 'waitingOn', 'location', 'timeline'];
/** Columns that only add to a row: dropped, in this order, before the names shown are cut below NAME_BEFORE_EXTRAS. */
const EXTRAS: readonly ColumnId[] = ['status', 'timeline', 'location'];
const NAME_BEFORE_EXTRAS = 26;

/** How wide each column's text is on the rows shown, uncut: spare width goes first where it is cut. */
export type ColumnWants = Partial<Record<ColumnId, number>>;

/**
 * Columns and widths for a terminal width; one space separates columns. Spare width goes first to the columns
 * whose text on the rows shown (`wants`) is wider than they are, then to the timeline, then to the name. Without
 * `wants`, each column grows to its largest in turn.
 */
export function tableColumns(terminalColumns: number, wants?: ColumnWants): Column[] {
	let ids = [...ALL_COLUMNS];
	const used = (list: readonly ColumnId[]): number => list.reduce((sum, id) => sum + SPECS[id].width, 0) + list.length - 1;
	for (const drop of DROP_ORDER) {
		if (used(ids) <= terminalColumns) break;
		ids = ids.filter(id => id !== drop);
	}
	// Names come before the extras: at 100 columns the location and timeline left `Rep…(1)` and `‹ano…>(1)` where
	// 80 columns, without them, showed `Repo.load(1)`. An extra goes while the names shown would be cut short.
	const nameWanted = Math.min(NAME_BEFORE_EXTRAS, wants?.name ?? 0) - SPECS.name.width;
	for (const extra of EXTRAS) {
		if (used(ids) + Math.max(0, nameWanted) <= terminalColumns) break;
		ids = ids.filter(id => id !== extra);
	}
	const columns = ids.map(id => ({id, width: SPECS[id].width}));
	let spare = terminalColumns - used(ids);
	const grow = (id: ColumnId, to: number): void => {
		const column = columns.find(c => c.id === id);
		if (!column || spare <= 0) return;
		const extra = Math.max(0, Math.min(spare, to - column.width));
		column.width += extra;
		spare -= extra;
	};
	if (wants) {
		for (const id of GROW_ORDER) grow(id, Math.min(SPECS[id].maxWidth, wants[id] ?? 0));
		grow('timeline', SPECS.timeline.maxWidth);
	} else {
		for (const id of GROW_ORDER) grow(id, SPECS[id].maxWidth);
	}
	const name = columns.find(c => c.id === 'name')!;
	name.width += Math.max(0, spare);
	return columns;
}

/** The uncut width of the text of each column that may grow, over `rows`. */
export function columnWants(rows: readonly TreeRow[], context: Pick<RowContext, 'state' | 'nowMs' | 'ascii'>): ColumnWants {
	const wants = {name: 0, location: 0, waitingOn: 0};
	const widest = (id: keyof typeof wants, text: string): void => {
		wants[id] = Math.max(wants[id], textWidth(text));
	};
	for (const row of rows) {
		const indent = '  '.repeat(Math.min(row.depth, MAX_INDENT_DEPTH));
		const site = row.id < 0 ? foldedSite(context.state, row.id) : undefined;
		if (site) {
			widest('name', indent + foldedLabel(site, context.ascii));
			widest('location', site.location ?? '');
			widest('waitingOn', sitePercentiles(site));
			continue;
		}
		const node = context.state.nodes.get(row.id);
		if (!node) continue;
		widest('name', indent + nameWant(node, context.ascii));
		widest('location', node.location ?? '');
		widest('waitingOn', waitingOnLive(context.state, node, context.nowMs, context.ascii));
	}
	return wants;
}

export function headerLine(columns: readonly Column[], query: RowQuery, glyphs: Glyphs): Line {
	const arrow = isDescending(query) ? glyphs.descending : glyphs.ascending;
	// One column takes the arrow, the first sorted by the key: the state's icons, not also the status beside them
	// (which read `statu…`, cut to its width by the arrow).
	const sortedColumn = columns.find(column => SPECS[column.id].sort === query.sort);
	return joinCells(
		columns.map(column => {
			const spec = SPECS[column.id];
			const sorted = column === sortedColumn;
			const title = sorted ? `${spec.title}${arrow}` : spec.title;
			const segment: Segment = {text: fit(title, column.width, spec.align), bold: true};
			if (sorted) segment.color = 'cyan';
			return [segment];
		}),
	);
}

export interface RowContext {
	state: ModelState;
	nowMs: Ms;
	ascii: boolean;
	glyphs: Glyphs;
	axis: TimeAxis;
}

const MAX_INDENT_DEPTH = 12;

export function rowLine(row: TreeRow, columns: readonly Column[], context: RowContext): Line {
	const site = row.id < 0 ? foldedSite(context.state, row.id) : undefined;
	if (site) return joinCells(columns.map(column => foldedCell(column, site, row.depth, context)));
	const node = context.state.nodes.get(row.id)!;
	const times = liveTimes(node, context.nowMs);
	return joinCells(columns.map(column => cell(column, node, row, times, context)));
}

function cell(column: Column, node: TaskNode, {depth, hiddenDone}: TreeRow, times: ReturnType<typeof liveTimes>, context: RowContext): Segment[] {
	const {width} = column;
	switch (column.id) {
		case 'state':
			return [{text: fit(stateIcon(node.state, context.ascii), width), color: STATE_STYLES[node.state].color}];
		case 'name':
			return [nameSegment(node, depth, width, context)];
		case 'status': {
			const request = requestOf(node);
			const exit = node.process?.exit;
			if (exit) return [{text: fit(exitStatusText(exit), width, 'right'), ...(node.state === 'failed' && {color: 'red' as const})}];
			// Its older finished ops and tasks, left out of the rows: how many (see withoutOlderFinished).
			if (!request) return [{text: fit(hiddenDone ? `+${shortCount(hiddenDone)}` : '', width, 'right'), dim: true}];
			const failed = node.state === 'failed';
			const segment: Segment = {text: fit(httpStatusText(request, failed), width, 'right')};
			const color = httpStatusColor(request, failed);
			if (color) segment.color = color;
			return [segment];
		}
		case 'location':
			return [{text: fit(truncateLocation(node.location ?? '', width), width), dim: true}];
		case 'total':
			return [timeSegment(times.totalMs, width)];
		case 'busy':
			return [timeSegment(times.busyMs, width)];
		case 'wait':
			return [timeSegment(times.waitMs, width)];
		case 'sched':
			return [timeSegment(times.schedDelayMs, width, times.schedDelayMs >= 10 ? 'red' : undefined)];
		case 'waitingOn': {
			const segment: Segment = {text: fit(waitingOnLive(context.state, node, context.nowMs, context.ascii), width)};
			if (node.state === 'ready') segment.color = 'red';
			return [segment];
		}
		case 'timeline':
			return cellSegments(nodeCells(node, context.axis, context.nowMs), context.glyphs);
	}
}

/** `✔ ×55,210 getUser()  …  p50 1.2ms  p99 9ms`: the total, busy and wait columns hold the medians. */
function foldedCell(column: Column, site: SiteAggregate, depth: number, {state, ascii}: RowContext): Segment[] {
	const {width} = column;
	const ended = foldedState(site);
	switch (column.id) {
		case 'state':
			return [{text: fit(stateIcon(ended, ascii), width), color: STATE_STYLES[ended].color}];
		case 'name':
			return [{text: fit(`${'  '.repeat(Math.min(depth, MAX_INDENT_DEPTH))}${foldedLabel(site, ascii)}`, width), dim: true}];
		case 'location':
			return [{text: fit(truncateLocation(site.location ?? '', width), width), dim: true}];
		case 'total':
			return [timeSegment(latencyStats(site.total).p50Ms, width)];
		case 'busy':
			return [timeSegment(latencyStats(site.busy).p50Ms, width)];
		case 'wait':
			return [timeSegment(latencyStats(site.wait).p50Ms, width)];
		case 'waitingOn': {
			const segment: Segment = {text: fit(sitePercentiles(site), width)};
			if (site.failed > 0) segment.color = 'red';
			return [segment];
		}
		case 'status':
		case 'sched':
		case 'timeline':
			return [{text: fit('', width)}];
	}
}

function nameSegment(node: TaskNode, depth: number, width: number, {state, ascii}: Pick<RowContext, 'state' | 'ascii'>): Segment {
	const indent = '  '.repeat(Math.min(depth, MAX_INDENT_DEPTH));
	const segment: Segment = {text: fit(indent + rowName(node, width - textWidth(indent), ascii, siblingCall(state, node, ascii)), width)};
	const request = requestOf(node);
	const httpColor = request ? httpStatusColor(request, node.state === 'failed') : undefined;
	if (node.state === 'failed') segment.color = 'red';
	else if (httpColor) segment.color = httpColor;
	else if (!isTaskKind(node.kind)) segment.color = 'cyan';
	if (node.endMs !== null) segment.dim = true;
	return segment;
}

/**
 * A row's name in `width` cells, cut so that rows stay told apart: a call
 * keeps what tells it from `sibling` (the same function called with other
 * arguments), or else the end of its arguments; a request, the path of its URL.
 */
export function rowName(node: TaskNode, width: number, ascii: boolean, sibling: string | null = null): string {
	if (node.http) {
		const lead = `${node.kind} ${node.http.method} `;
		return lead + truncateUrl(node.http.url, width - textWidth(lead));
	}
	if (!isTaskKind(node.kind)) {
		// An op's name says what it is (`sleep 1000ms`, `GET /x`): its kind goes before the name is cut.
		const named = `${node.kind} ${processLabel(node)}`;
		return truncateMiddle(textWidth(named) <= width ? named : processLabel(node), width);
	}
	// A call of the script's async function; a received request, a worker or a process is named otherwise.
	const call = node.kind === 'task' && !node.request;
	const label = call ? withoutReceiver(taskLabel(node, ascii), width) : taskLabel(node, ascii);
	return sibling === null ? truncateMiddle(label, width) : truncateApart(label, call ? withoutReceiver(sibling, width) : sibling, width);
}

/**
 * A method's call too wide for its cell goes without its receiver first (`…findAllActiveUsers("org-1")`, not
 * `UserRepository…"org-1")`): the method says what runs; the class is in the details. A callback's name has no
 * receiver (`<app.get '/users/:id' callback>({Request…})`: the dot is its registration's): what it was
 * registered with says what runs, its arguments least, and they go first.
 */
function withoutReceiver(label: string, width: number): string {
	if (textWidth(label) <= width) return label;
	if (label.startsWith('<')) {
		const named = label.indexOf('>(');
		return named === -1 ? label : `${label.slice(0, named + 1)}(…)`;
	}
	const call = label.indexOf('(');
	const dot = call === -1 ? -1 : label.lastIndexOf('.', call);
	return dot > 0 ? `…${label.slice(dot + 1)}` : label;
}

/** How many of a parent's children siblingCall looks at: enough to find a call of the same function in a fan-out. */
const SIBLINGS_LOOKED_AT = 16;

/** The label of another call of the same function under the same parent, with other arguments, if one is near. */
function siblingCall(state: RowContext['state'], node: TaskNode, ascii: boolean): string | null {
	if (!isTaskKind(node.kind) || node.parentId === null) return null;
	const siblings = state.nodes.get(node.parentId)?.children ?? [];
	const label = taskLabel(node, ascii);
	const open = label.indexOf('(');
	if (open === -1) return null;
	const callee = label.slice(0, open + 1);
	for (let i = 0; i < siblings.length && i < SIBLINGS_LOOKED_AT; i++) {
		const sibling = state.nodes.get(siblings[i]!);
		if (!sibling || sibling === node || !isTaskKind(sibling.kind)) continue;
		const other = taskLabel(sibling, ascii);
		if (other !== label && other.startsWith(callee)) return other;
	}
	return null;
}

/** The name as far as it tells rows apart: a request's URL needs no more than its path (rowName cuts the rest first). */
function nameWant(node: TaskNode, ascii: boolean): string {
	const full = rowName(node, Infinity, ascii);
	if (!node.http) return full;
	const lead = `${node.kind} ${node.http.method} `;
	const path = /^[a-z][a-z\d+.-]*:\/\/[^/]*(\/.*)$/i.exec(sanitize(node.http.url))?.[1];
	return path === undefined ? full : `${lead}…${path}`;
}

function timeSegment(ms: Ms, width: number, color?: Segment['color']): Segment {
	const segment: Segment = {text: fit(formatDuration(ms), width, 'right')};
	if (color) segment.color = color;
	return segment;
}

function joinCells(cells: readonly Segment[][]): Line {
	const line: Line = [];
	cells.forEach((segments, index) => {
		if (index > 0) line.push({text: ' '});
		line.push(...segments);
	});
	return line;
}
