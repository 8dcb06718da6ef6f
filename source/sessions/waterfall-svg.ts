import type {Ms} from '../protocol/events.js';
import {liveTimes} from '../model/live-times.js';
import {isTaskKind, type Block, type ModelState, type TaskNode} from '../model/state.js';
import {sessionEnd} from '../model/summary.js';
import {formatDuration} from '../present/durations.js';
import {formatCount} from '../present/numbers.js';
import {loopOwner} from '../present/processes.js';
import {counted, sanitize, truncate} from '../present/text.js';
import {escapeHtml} from './html-page.js';
import {errorText} from '../present/errors.js';
import {shownId} from '../present/ids.js';

/** Geometry of the waterfall, in SVG user units (the SVG scales to the page width). */
export const CHART = {
	width: 1200,
	labelWidth: 260,
	plotLeft: 270,
	plotRight: 1185,
	axisHeight: 28,
	rowHeight: 20,
	barHeight: 12,
} as const;

/** More rows than this make a page nobody scrolls; the tables still cover everything. */
export const MAX_WATERFALL_ROWS = 1500;

/** A session's end on its own clock: the waterfall's time scale unless a caller sets a common one. */
export function waterfallSpan(state: ModelState): Ms {
	return Math.max(sessionEnd(state), state.nowMs);
}

/** Tasks in tree order (children under their parent), with HTTP requests, which are worth a row of their own. */
function waterfallNodes(state: ModelState): Array<{node: TaskNode; depth: number}> {
	const rows: Array<{node: TaskNode; depth: number}> = [];
	const visit = (id: number, depth: number): void => {
		const node = state.nodes.get(id);
		if (!node) return;
		const shown = isTaskKind(node.kind) || node.kind === 'http';
		if (shown) rows.push({node, depth});
		for (const child of node.children) visit(child, shown ? depth + 1 : depth);
	};
	for (const id of state.rootIds) visit(id, 0);
	return rows;
}

/** The rows a block held up: every row for the script's loop, a followed process's lane (its root's row and those under it) for its own; null when that lane is not shown. */
function blockedRows(block: Block, rows: ReadonlyArray<{node: TaskNode; depth: number}>): {first: number; count: number} | null {
	if (block.processId === null) return {first: 0, count: rows.length};
	const first = rows.findIndex(row => row.node.id === block.processId);
	if (first < 0) return null;
	let end = first + 1;
	while (end < rows.length && rows[end]!.depth > rows[first]!.depth) end++;
	return {first, count: end - first};
}

/** The session's tasks and requests as bars on a time axis from 0 to `durationMs` (the session's own span by default). */
export function waterfallSvg(state: ModelState, durationMs: Ms = waterfallSpan(state)): string {
	const all = waterfallNodes(state);
	const rows = all.slice(0, MAX_WATERFALL_ROWS);
	const plotWidth = CHART.plotRight - CHART.plotLeft;
	const x = (ms: Ms): number => CHART.plotLeft + (durationMs > 0 ? (Math.min(Math.max(ms, 0), durationMs) / durationMs) * plotWidth : 0);
	const height = CHART.axisHeight + rows.length * CHART.rowHeight + 8;
	const parts: string[] = [];
	parts.push(...axis(durationMs, x, height));
	for (const block of state.blocks) {
		const span = blockedRows(block, rows);
		if (!span) continue;
		const blockedMs = block.durationMs ?? durationMs - block.startMs;
		const left = x(block.startMs);
		const where = sanitize([block.location, block.frames[0]?.fn].filter(Boolean).join(', '));
		// The script's loop across the chart; a followed process's over its lane's rows.
		const top = span.first === 0 && span.count === rows.length ? CHART.axisHeight - 6 : CHART.axisHeight + span.first * CHART.rowHeight;
		const bottom = span.first + span.count === rows.length ? height : CHART.axisHeight + (span.first + span.count) * CHART.rowHeight;
		parts.push(
			`<rect class="block-span" x="${num(left)}" y="${num(top)}" width="${num(Math.max(1, x(block.startMs + blockedMs) - left))}" height="${num(bottom - top)}">` +
				`<title>${escapeHtml(`event loop${sanitize(loopOwner(block))} blocked ${formatDuration(blockedMs)} at ${formatDuration(block.startMs)}${where ? `\n${where}` : ''}`)}</title></rect>`,
		);
	}
	rows.forEach(({node, depth}, index) => parts.push(waterfallRow(node, depth, CHART.axisHeight + index * CHART.rowHeight, x, durationMs)));
	const truncatedNote =
		all.length > rows.length ? `\n<p class="note">Showing the first ${formatCount(rows.length)} of ${formatCount(all.length)} rows; the tables below cover every task.</p>` : '';
	return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CHART.width} ${height}" width="100%" role="img" aria-label="Task waterfall">
${parts.join('\n')}
</svg>${truncatedNote}`;
}

function axis(durationMs: Ms, x: (ms: Ms) => number, height: number): string[] {
	const step = tickStep(durationMs);
	const parts: string[] = [];
	for (let t = 0; step > 0 && t <= durationMs + step * 1e-9; t += step) {
		parts.push(
			`<line class="grid" x1="${num(x(t))}" x2="${num(x(t))}" y1="${CHART.axisHeight - 6}" y2="${height}"/>`,
			`<text class="tick" x="${num(x(t))}" y="${CHART.axisHeight - 10}">${escapeHtml(formatDuration(t))}</text>`,
		);
	}
	return parts;
}

/** 1, 2 or 5 times a power of ten, giving about eight ticks. */
function tickStep(durationMs: Ms): Ms {
	if (!(durationMs > 0)) return 0;
	const rough = durationMs / 8;
	const power = 10 ** Math.floor(Math.log10(rough));
	return [1, 2, 5, 10].map(m => m * power).find(step => step >= rough)!;
}

function waterfallRow(node: TaskNode, depth: number, top: number, x: (ms: Ms) => number, durationMs: Ms): string {
	const endMs = node.endMs ?? durationMs;
	const barY = top + (CHART.rowHeight - CHART.barHeight) / 2;
	const left = x(node.startMs);
	const width = Math.max(0, x(endMs) - left);
	const state = node.endMs === null ? 'pending' : node.state;
	const isTask = isTaskKind(node.kind);
	const label = `<text class="label" x="${8 + depth * 12}" y="${num(top + CHART.rowHeight / 2 + 4)}">${escapeHtml(truncate(labelOf(node), 40 - depth * 2))}</text>`;
	const bar = `<rect class="${isTask ? 'task-bar' : 'op-bar'}" data-${isTask ? 'task' : 'op'}-id="${escapeHtml(String(node.id))}" data-state="${escapeHtml(state)}" x="${num(left)}" y="${num(barY)}" width="${num(width)}" height="${CHART.barHeight}" rx="2"/>`;
	const segments = (isTask ? stateSegments(node, durationMs) : httpSegments(node)).map(([kind, from, to]) => {
		const segLeft = x(from);
		const segWidth = x(to) - segLeft;
		// Thinner than a tenth of a unit draws nothing but still costs bytes.
		return segWidth < 0.1 ? '' : `<rect class="seg seg-${kind}" x="${num(segLeft)}" y="${num(barY)}" width="${num(segWidth)}" height="${CHART.barHeight}"/>`;
	});
	return `<g class="row row-${escapeHtml(state)}"><title>${escapeHtml(tooltip(node, durationMs))}</title>${label}${bar}${segments.join('')}</g>`;
}

function labelOf(node: TaskNode): string {
	return node.http ? `${node.http.method} ${node.http.url}` : node.name;
}

function stateSegments(node: TaskNode, durationMs: Ms): Array<[string, Ms, Ms]> {
	return node.spans.map(span => [span.state, span.startMs, span.endMs ?? durationMs]);
}

function httpSegments(node: TaskNode): Array<[string, Ms, Ms]> {
	const http = node.http;
	// An op of kind 'http' without its details is well-formed (they are optional): it has no phases to draw.
	if (!http) return [];
	const segments: Array<[string, Ms, Ms]> = [];
	if (http.sentAt !== undefined) segments.push(['connect', node.startMs, http.sentAt]);
	if (http.sentAt !== undefined && http.headersAt !== undefined) segments.push(['ttfb', http.sentAt, http.headersAt]);
	if (http.headersAt !== undefined && node.endMs !== null) segments.push(['download', http.headersAt, node.endMs]);
	return segments;
}

function tooltip(node: TaskNode, durationMs: Ms): string {
	const times = liveTimes(node, durationMs);
	const state = node.endMs === null ? 'still pending at the end' : node.state;
	const lines = [labelOf(node), `${node.kind} ${shownId(node.id)}, ${state}`];
	lines.push(`${formatDuration(node.startMs)} → ${formatDuration(node.endMs ?? durationMs)} (${formatDuration(times.totalMs)})`);
	if (isTaskKind(node.kind)) {
		lines.push(`busy ${formatDuration(times.busyMs)}, waiting ${formatDuration(times.waitMs)}, sched delay ${formatDuration(times.schedDelayMs)}, ${counted(node.awaitCount, 'await')}`);
	}
	if (node.http) {
		const p = node.http.phases;
		const phase = (name: string, ms: Ms | undefined): string => `${name} ${ms === undefined ? '–' : formatDuration(ms)}`;
		lines.push(`status ${node.http.status ?? '–'}: ${[phase('queue', p.queueMs), phase('connect', p.connectMs), phase('ttfb', p.ttfbMs), phase('download', p.downloadMs)].join(', ')}`);
	}
	if (node.location) lines.push(node.location);
	if (node.error) lines.push(errorText(node.error));
	// Names, URLs and errors come from the script: a page printed to a terminal must not drive it.
	return lines.map(sanitize).join('\n');
}

const num = (value: number): string => String(Math.round(value * 100) / 100);

export const LEGEND = `<p class="legend">
<span class="key key-running"></span>running <span class="key key-ready"></span>ready, waiting for the loop <span class="key key-waiting"></span>awaiting
<span class="key key-connect"></span>HTTP queue + connect <span class="key key-ttfb"></span>time to first byte <span class="key key-download"></span>download
<span class="key key-block"></span>event loop blocked
</p>`;

