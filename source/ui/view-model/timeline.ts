import {laneSlotOf, type Ms} from '../../protocol/events.js';
import type {Block, StateSpan, TaskNode} from '../../model/state.js';
import {queueSpan} from '../../model/http-phases.js';
import type {Glyphs} from '../../present/states.js';
import type {Color, Segment} from '../../present/paint.js';

/**
 * `queued`: an HTTP request waiting for a connection; `blocked`: the loop was blocked and the row had nothing
 * running; `stalled`: it was waiting through a block.
 */
export type CellKind = 'none' | 'running' | 'waiting' | 'ready' | 'queued' | 'blocked' | 'stalled';

/** The session's time range drawn over `width` cells. */
export interface TimeAxis {
	startMs: Ms;
	endMs: Ms;
	width: number;
}

/** Zoomed to fit: the whole session so far, so the view follows a live run. */
export function sessionAxis(nowMs: Ms, width: number): TimeAxis {
	return {startMs: 0, endMs: Math.max(nowMs, 1), width};
}

const SLOTS = ['running', 'waiting', 'ready', 'queued'] as const satisfies ReadonlyArray<StateSpan['state'] | 'queued'>;
const WAITING = SLOTS.indexOf('waiting');
const QUEUED = SLOTS.indexOf('queued');

/** Each cell shows the state the node spent most of that cell's time in; a request's wait for a connection is its own. */
export function nodeCells(node: TaskNode, axis: TimeAxis, nowMs: Ms): CellKind[] {
	const coverage = new Float64Array(axis.width * SLOTS.length);
	for (const span of node.spans) {
		const slot = SLOTS.indexOf(span.state);
		forEachCellOverlap(axis, span.startMs, span.endMs ?? node.endMs ?? nowMs, (cell, overlap) => {
			coverage[cell * SLOTS.length + slot]! += overlap;
		});
	}
	const queue = queueSpan(node, node.endMs ?? nowMs);
	if (queue) {
		// An op waits all along: its time in the queue moves from waiting to queued.
		forEachCellOverlap(axis, queue[0], queue[1], (cell, overlap) => {
			const moved = Math.min(overlap, coverage[cell * SLOTS.length + WAITING]!);
			coverage[cell * SLOTS.length + WAITING]! -= moved;
			coverage[cell * SLOTS.length + QUEUED]! += moved;
		});
	}
	const cells: CellKind[] = [];
	for (let cell = 0; cell < axis.width; cell++) {
		let best: CellKind = 'none';
		let bestCoverage = 0;
		for (let slot = 0; slot < SLOTS.length; slot++) {
			const value = coverage[cell * SLOTS.length + slot]!;
			if (value > bestCoverage) {
				bestCoverage = value;
				best = SLOTS[slot]!;
			}
		}
		cells.push(best);
	}
	return cells;
}

/** Cells during which the event loop was blocked; an open block runs to now. */
export function blockedMask(blocks: readonly Block[], axis: TimeAxis, nowMs: Ms): boolean[] {
	const mask = new Array<boolean>(axis.width).fill(false);
	for (const block of blocks) {
		forEachCellOverlap(axis, block.startMs, block.startMs + (block.durationMs ?? nowMs - block.startMs), cell => {
			mask[cell] = true;
		});
	}
	return mask;
}

/**
 * blockedMask for each process's loop, by its lane's slot (see laneSlotOf: 0 for the script's): a followed
 * process's blocks hold up its own lane's rows, not the script's.
 */
export function blockedMasks(blocks: readonly Block[], axis: TimeAxis, nowMs: Ms): Map<number, boolean[]> {
	const bySlot = new Map<number, Block[]>();
	for (const block of blocks) {
		const slot = laneSlotOf(block.id);
		const held = bySlot.get(slot);
		if (held) held.push(block);
		else bySlot.set(slot, [block]);
	}
	return new Map([...bySlot].map(([slot, held]) => [slot, blockedMask(held, axis, nowMs)]));
}

/** A blocked loop shows on every row of its process, without hiding what the row itself was doing; no mask, no block. */
export function overlayBlocked(cells: CellKind[], mask: readonly boolean[] | undefined): CellKind[] {
	if (!mask) return cells;
	return cells.map((kind, cell) => {
		if (!mask[cell]) return kind;
		if (kind === 'none') return 'blocked';
		return kind === 'waiting' ? 'stalled' : kind;
	});
}

const CELL_COLORS: Readonly<Record<CellKind, Color | undefined>> = {
	none: undefined,
	running: 'green',
	waiting: 'yellow',
	ready: 'red',
	queued: 'blue',
	blocked: 'red',
	stalled: 'red',
};

function cellGlyph(kind: CellKind, glyphs: Glyphs): string {
	if (kind === 'none') return ' ';
	return kind === 'stalled' ? glyphs.waiting : glyphs[kind];
}

/** Runs of equal cells become one segment each, to keep the frame's node count low. */
export function cellSegments(cells: readonly CellKind[], glyphs: Glyphs): Segment[] {
	const segments: Segment[] = [];
	let start = 0;
	for (let i = 1; i <= cells.length; i++) {
		if (i < cells.length && cells[i] === cells[start]) continue;
		const kind = cells[start]!;
		const segment: Segment = {text: cellGlyph(kind, glyphs).repeat(i - start)};
		const color = CELL_COLORS[kind];
		if (color) segment.color = color;
		segments.push(segment);
		start = i;
	}
	return segments;
}

function forEachCellOverlap(axis: TimeAxis, fromMs: Ms, toMs: Ms, visit: (cell: number, overlapMs: Ms) => void): void {
	const range = axis.endMs - axis.startMs;
	if (range <= 0 || axis.width <= 0) return;
	const cellMs = range / axis.width;
	const from = Math.max(fromMs, axis.startMs);
	const to = Math.min(Math.max(toMs, fromMs), axis.endMs);
	if (to < from) return;
	const first = Math.min(axis.width - 1, Math.floor((from - axis.startMs) / cellMs));
	const last = Math.min(axis.width - 1, Math.floor((to - axis.startMs) / cellMs));
	for (let cell = first; cell <= last; cell++) {
		const cellStart = axis.startMs + cell * cellMs;
		// Instant spans still count, so a short task leaves a mark.
		visit(cell, Math.max(Math.min(to, cellStart + cellMs) - Math.max(from, cellStart), 1e-6));
	}
}
