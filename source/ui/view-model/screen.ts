import {laneSlotOf, type Ms} from '../../protocol/events.js';
import {foldedLabel, foldedState} from '../../present/folded.js';
import {foldedSite} from '../../model/retention.js';
import type {ModelState} from '../../model/state.js';
import {sessionDuration, type ReportSummary} from '../../model/summary.js';
import {detailLines} from './details.js';
import {formatDuration} from '../../present/durations.js';
import {formatCount, formatTimes} from '../../present/numbers.js';
import {headerLines, scriptStatus, type ReplayStatus} from './header.js';
import {helpLines} from './help.js';
import {footerHints, keyMode, sessionOf} from './key-bindings.js';
import {insightBadge, insightLines} from './insights.js';
import type {Insight} from '../../model/insights.js';
import {highlighted, type Line} from './line.js';
import {outputLineCount, outputWindow} from './output.js';
import {columnWants, headerLine, rowLine, rowName, tableColumns, type RowContext} from './table.js';
import {asciiOnly, counted, fit, textWidth, truncate} from '../../present/text.js';
import {glyphs as glyphsFor, stateIcon, STATE_STYLES, type Glyphs} from '../../present/states.js';
import {blockedMasks, cellSegments, nodeCells, overlayBlocked, sessionAxis, type TimeAxis} from './timeline.js';
import type {TreeRow, TreeRows} from './tree-rows.js';
import {keepInView, selectedIndex, type UiState, type Viewport} from './ui-state.js';

export const MIN_COLUMNS = 40;
export const MIN_ROWS = 10;

export interface TerminalSize {
	columns: number;
	rows: number;
}

export interface ScreenInput {
	state: ModelState;
	ui: UiState;
	rows: TreeRows;
	nowMs: Ms;
	size: TerminalSize;
	title: string;
	ascii: boolean;
	replay: ReplayStatus | undefined;
	/** Present once the script has ended. */
	summary: ReportSummary | null;
	insights: readonly Insight[];
}

export interface Screen {
	/** Never more than the terminal's rows, each cut to its columns. */
	lines: Line[];
	viewport: Viewport;
}

export function buildScreen(input: ScreenInput): Screen {
	const {size, ui} = input;
	if (size.columns < MIN_COLUMNS || size.rows < MIN_ROWS) {
		return {lines: [[{text: truncate(`terminal too small (min ${MIN_COLUMNS}x${MIN_ROWS})`, size.columns)}]], viewport: {nowMs: input.nowMs, rows: input.rows, pageSize: 1, maxScroll: 0}};
	}
	const glyphs = glyphsFor(input.ascii);
	const header = headerLines({...input, width: size.columns, glyphs, viewPaused: ui.frozenNowMs !== null, badge: insightBadge(input.insights)});
	const footer = footerLines(input, glyphs);
	const bodyHeight = size.rows - header.length - footer.length;
	const outputHeight = ui.showOutput && bodyHeight >= 8 ? Math.max(3, Math.floor(bodyHeight * 0.35)) : 0;
	const main = mainPane(input, glyphs, bodyHeight - outputHeight);
	const lines = [...header, ...main.lines];
	let {maxScroll, pageSize} = main;
	if (outputHeight > 0) {
		lines.push(...outputPane(input, outputHeight));
		// Focused, the output pane pages by the lines it shows (a page of the table's skipped lines it never showed).
		if (ui.focus === 'output') {
			maxScroll = Math.max(0, outputLineCount(input.state) - (outputHeight - 1));
			pageSize = outputHeight - 1;
		}
	}
	lines.push(...footer);
	return {lines: lines.slice(0, size.rows).map(line => clip(line, size.columns, input.ascii)), viewport: {nowMs: input.nowMs, rows: input.rows, pageSize, maxScroll}};
}

interface Pane {
	lines: Line[];
	pageSize: number;
	maxScroll: number;
}

function mainPane(input: ScreenInput, glyphs: Glyphs, height: number): Pane {
	const {ui, size} = input;
	if (ui.help) return scrolled(helpLines(sessionOf(input.replay !== undefined), input.ascii, size.columns), ui.overlayScroll, height, glyphs);
	if (ui.insights) return scrolled(insightLines(input.state, input.insights, size.columns), ui.overlayScroll, height, glyphs);
	if (ui.detailsId !== null) {
		const details = detailLines({state: input.state, id: ui.detailsId, nowMs: input.nowMs, width: size.columns, ascii: input.ascii, glyphs});
		return scrolled(details, ui.overlayScroll, height, glyphs);
	}
	return rowList(input, glyphs, height);
}

/** Lines taller than the pane: a window on them, its last line saying how many are below and above. */
function scrolled(lines: Line[], scroll: number, height: number, glyphs: Glyphs): Pane {
	if (lines.length <= height) return {lines: padTo(lines, height), pageSize: height, maxScroll: 0};
	const shown = Math.max(1, height - 1);
	const maxScroll = lines.length - shown;
	const top = Math.min(scroll, maxScroll);
	const below = lines.length - top - shown;
	const position = [below > 0 ? `${glyphs.down} ${below} more below` : '', top > 0 ? `${glyphs.up} ${top} above` : ''].filter(Boolean).join('  ');
	return {lines: [...padTo(lines.slice(top, top + shown), shown), [{text: position, dim: true}]], pageSize: shown, maxScroll};
}

/** The table or the timeline: a title row, then only the rows that fit, with counts of those above and below. */
function rowList(input: ScreenInput, glyphs: Glyphs, height: number): Pane {
	const {rows, ui} = input;
	const available = Math.max(1, height - 1);
	const overflow = rows.length > available;
	const pageSize = overflow ? Math.max(1, available - 2) : available;
	const cursor = selectedIndex(ui, rows);
	const top = keepInView(ui.scrollTop, Math.max(0, cursor), pageSize, rows.length);
	const visible = rows.slice(top, top + pageSize);
	const draw = ui.view === 'table' ? tableDrawer(input, glyphs, visible) : timelineDrawer(input, glyphs);
	const lines: Line[] = [[{text: ' '}, ...draw.title]];
	if (overflow) lines.push(moreLine(`${glyphs.up} ${top} more`, top));
	visible.forEach((row, index) => {
		// The gutter marks the cursor even where inverse video is not shown.
		const selected = top + index === cursor && ui.focus === 'main';
		const line: Line = [{text: selected ? glyphs.cursor : ' ', bold: true}, ...draw.row(row)];
		lines.push(selected ? highlighted(line) : line);
	});
	if (rows.length === 0) lines.push([{text: emptyMessage(input), dim: true}]);
	if (overflow) {
		lines.push(...padTo([], pageSize - visible.length));
		const below = rows.length - top - visible.length;
		lines.push(moreLine(`${glyphs.down} ${below} more`, below));
	}
	return {lines: padTo(lines, height), pageSize, maxScroll: 0};
}

function moreLine(text: string, count: number): Line {
	return count > 0 ? [{text, dim: true}] : [];
}

function emptyMessage({state, ui}: ScreenInput): string {
	if (state.nodes.size === 0) return 'no tasks yet';
	// Finished rows hidden, what matches may be among them: said, or the filter reads as matching nothing at all.
	if (ui.query.filter !== '') return `nothing matches "${ui.query.filter}"${ui.query.hideFinished ? ' among the tasks not finished (c shows the finished too)' : ''}`;
	return 'every task has finished (c shows them)';
}

interface RowDrawer {
	title: Line;
	row(row: TreeRow): Line;
}

/** Row drawers get the width left of the one-cell cursor gutter. */
const GUTTER = 1;

/** The columns' widths suit the rows shown: spare width goes where their text is cut. */
function tableDrawer(input: ScreenInput, glyphs: Glyphs, shown: readonly TreeRow[]): RowDrawer {
	const columns = tableColumns(input.size.columns - GUTTER, columnWants(shown, input));
	const timeline = columns.find(column => column.id === 'timeline');
	const context: RowContext = {state: input.state, nowMs: input.nowMs, ascii: input.ascii, glyphs, axis: sessionAxis(input.nowMs, timeline?.width ?? 0)};
	return {title: headerLine(columns, input.ui.query, glyphs), row: row => rowLine(row, columns, context)};
}

/** Waterfall: one row per task across the whole session, the script's blocked spans marked on the ruler, each process's on its rows. */
function timelineDrawer(input: ScreenInput, glyphs: Glyphs): RowDrawer {
	const {state, nowMs} = input;
	const width = input.size.columns - GUTTER;
	const nameWidth = Math.min(32, Math.floor(width * 0.3));
	const axis: TimeAxis = sessionAxis(nowMs, width - nameWidth - 3);
	const masks = blockedMasks(state.blocks, axis, nowMs);
	const mask = masks.get(0) ?? [];
	const end = formatDuration(axis.endMs);
	const ruler = axis.width > end.length + 3 ? `0${glyphs.rule.repeat(axis.width - end.length - 1)}${end}` : ' '.repeat(axis.width);
	const title: Line = [{text: fit('task', nameWidth + 3), bold: true}];
	for (let cell = 0; cell < axis.width; cell++) {
		const mark = ruler[cell]!;
		title.push(mask[cell] && mark === glyphs.rule ? {text: glyphs.blocked, color: 'red', bold: true} : {text: mark, dim: true});
	}
	return {
		title,
		row: row => {
			// Folded tasks have no spans left to draw: their row says what they were.
			const site = row.id < 0 ? foldedSite(state, row.id) : undefined;
			if (site) {
				const ended = foldedState(site);
				return [
					{text: fit(stateIcon(ended, input.ascii), 2), color: STATE_STYLES[ended].color},
					{text: fit('  '.repeat(Math.min(row.depth, 8)) + foldedLabel(site, input.ascii), width - 2), dim: true},
				];
			}
			const node = state.nodes.get(row.id)!;
			const indent = '  '.repeat(Math.min(row.depth, 8));
			const name = indent + rowName(node, nameWidth - indent.length, input.ascii);
			return [
				{text: fit(stateIcon(node.state, input.ascii), 2), color: STATE_STYLES[node.state].color},
				{text: fit(name, nameWidth) + ' '},
				...cellSegments(overlayBlocked(nodeCells(node, axis, nowMs), masks.get(laneSlotOf(node.id))), glyphs),
			];
		},
	};
}

function outputPane({state, ui, size}: ScreenInput, height: number): Line[] {
	const window = outputWindow(state, height - 1, size.columns, ui.outputScroll);
	const focused = ui.focus === 'output';
	const dropped = state.outputDropped > 0 ? `, ${state.outputDropped} older dropped` : '';
	const position = window.below > 0 ? ` · ${window.below} newer below` : '';
	const title: Line = [{text: fit(`output (${state.output.length} lines${dropped})${position}`, size.columns), bold: true, inverse: focused}];
	return [title, ...padTo(window.lines, height - 1)];
}

function footerLines(input: ScreenInput, glyphs: Glyphs): Line[] {
	const lines: Line[] = [];
	if (input.summary) lines.push(summaryLine(input));
	lines.push(hintLine(input, glyphs));
	return lines;
}

/**
 * `exited with code 0 after 13.9s · 80,157 tasks, 36 failed · concurrency 1.1× · longest block 641ms · q to exit`.
 * Too wide for the terminal, it leaves out whole figures, the concurrency first, then the longest block, then the
 * tasks: "q to exit", what the line asks, always stays.
 */
function summaryLine({state, summary, ascii, size}: ScreenInput): Line {
	const s = summary!;
	const failed = s.failedCount > 0 ? `, ${formatCount(s.failedCount)} failed` : '';
	const {separator} = glyphsFor(ascii);
	const status = scriptStatus(state);
	const exit = {text: 'q to exit', bold: true, inverse: true};
	// In the line's order, each with the rank it goes in: the highest first.
	const figures = [
		{text: `after ${formatDuration(sessionDuration(state))}`, goes: 0},
		{text: `${counted(s.taskCount, 'task')}${failed}`, goes: 1},
		{text: `concurrency ${formatTimes(s.concurrency, ascii)}`, goes: 3},
		{text: `longest block ${formatDuration(s.longestBlockMs)}`, goes: 2},
	];
	const text = (kept: typeof figures): string => ` ${[...kept.map(figure => figure.text), ''].join(` ${separator} `)}`;
	let kept = figures;
	for (let rank = 3; rank > 0 && textWidth(status.text + text(kept) + exit.text) > size.columns; rank--) kept = kept.filter(figure => figure.goes < rank);
	return [status, {text: text(kept)}, exit];
}

function hintLine({ui, replay, state, size}: ScreenInput, glyphs: Glyphs): Line {
	const mode = keyMode(ui, replay !== undefined);
	const hints = footerHints(mode, ui, glyphs);
	if (mode.screen === 'filter') return [{text: `/${ui.query.filter}${glyphs.barFull}`, bold: true}, {text: `  ${hints.join(` ${glyphs.separator} `)}`, dim: true}];
	const line: Line = [];
	if (ui.interruptSent && !state.exit) line.push({text: 'interrupt sent; q again to quit', color: 'yellow', bold: true}, {text: '  '});
	if (ui.query.filter !== '') line.push({text: `filter "${ui.query.filter}"`, color: 'cyan'}, {text: '  '});
	const used = line.reduce((width, segment) => width + textWidth(segment.text), 0);
	line.push({text: wholeHints(hints, size.columns - used).join('  '), dim: true});
	return line;
}

/** The hints that fit in `width`, each whole, in their order: `? help` (second) says the rest. */
function wholeHints(hints: readonly string[], width: number): string[] {
	const shown: string[] = [];
	let used = 0;
	for (const hint of hints) {
		const needed = (shown.length > 0 ? 2 : 0) + textWidth(hint);
		if (used + needed > width) break;
		shown.push(hint);
		used += needed;
	}
	return shown;
}

function padTo(lines: Line[], height: number): Line[] {
	const padded = [...lines];
	while (padded.length < height) padded.push([]);
	return padded;
}

/**
 * Cuts a line's segments so their total stays within the width: nothing a frame holds may wrap. Under --ascii,
 * the last word on what reaches the terminal: the script's names, URLs and output are in ASCII too.
 */
function clip(line: Line, width: number, ascii: boolean): Line {
	const clipped: Line = [];
	let room = width;
	for (const segment of line) {
		if (room <= 0) break;
		const cut = truncate(segment.text, room);
		const text = ascii ? asciiOnly(cut) : cut;
		// Copied only when cut: every frame's segments live until the next, and copies would outlive the young generation.
		clipped.push(text === segment.text ? segment : {...segment, text});
		room -= textWidth(text);
	}
	return clipped;
}
