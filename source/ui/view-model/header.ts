import type {Ms} from '../../protocol/events.js';
import {foldedShort} from '../../present/folded.js';
import {NODE_STATES, type ModelState, type SeriesPoint} from '../../model/state.js';
import {blockCulprit} from '../../present/holdups.js';
import {concurrencyAt} from '../../model/summary.js';
import {formatClock, formatDuration} from '../../present/durations.js';
import {formatTimes} from '../../present/numbers.js';
import type {Line} from './line.js';
import type {Segment} from '../../present/paint.js';
import {counted, sanitize, textWidth, truncate, truncateStart} from '../../present/text.js';
import {STATE_STYLES, stateIcon, type Glyphs} from '../../present/states.js';

/** The replay numbers the header shows; ReplayControls satisfies it. */
export interface ReplayStatus {
	readonly positionMs: number;
	readonly durationMs: number;
	readonly speed: number;
	readonly paused: boolean;
}

export interface HeaderInput {
	state: ModelState;
	title: string;
	nowMs: Ms;
	width: number;
	ascii: boolean;
	glyphs: Glyphs;
	viewPaused: boolean;
	replay: ReplayStatus | undefined;
	/** Shown after the script's state: the insights badge. */
	badge: Line;
}

export function headerLines(input: HeaderInput): Line[] {
	const lines = [titleLine(input), countsLine(input), loopLine(input)];
	if (input.state.notices.length > 0) lines.push(noticeLine(input.state.notices));
	if (input.replay) lines.push(replayLine(input.replay, input.width, input.glyphs));
	return lines;
}

export function scriptStatus(state: ModelState): Segment {
	if (state.fatal) return {text: `could not start: ${state.fatal.message}`, color: 'red', bold: true};
	const exit = state.exit;
	if (!exit) return {text: 'running', color: 'green', bold: true};
	if (exit.signal) return {text: `killed by ${exit.signal}`, color: 'red', bold: true};
	return {text: `exited with code ${exit.code ?? '?'}`, color: exit.code === 0 ? 'green' : 'red', bold: true};
}

function titleLine({state, title, nowMs, viewPaused, width, badge}: HeaderInput): Line {
	const line: Line = [
		{text: 'asyncmon ', bold: true, color: 'cyan'},
		{text: truncateStart(title, Math.max(8, width - 50)), bold: true},
		{text: `  ${formatClock(nowMs)}  `},
		scriptStatus(state),
		...badge,
	];
	// A client of a running service (`asyncmon connect`): what came before this is the agent's snapshot.
	if (state.joinedMs !== null) line.splice(3, 0, {text: `joined at ${formatClock(state.joinedMs)}  `, dim: true});
	if (viewPaused) line.push({text: '  VIEW PAUSED (space)', color: 'yellow', bold: true});
	return line;
}

/** The runtime's latest notice, with how many came before: they are few, and each matters once. */
function noticeLine(notices: readonly string[]): Line {
	const earlier = notices.length > 1 ? ` (+${notices.length - 1} more)` : '';
	return [{text: `asyncmon: ${sanitize(notices.at(-1)!)}${earlier}`, color: 'yellow'}];
}

function countsLine({state, nowMs, ascii}: HeaderInput): Line {
	const line: Line = [];
	for (const nodeState of NODE_STATES) {
		const style = STATE_STYLES[nodeState];
		line.push({text: `${stateIcon(nodeState, ascii)} ${state.taskCounts[nodeState]} ${style.label}`, color: style.color}, {text: '  '});
	}
	line.push({text: `concurrency ${formatTimes(concurrencyAt(state, nowMs), ascii)}  `}, {text: `http ${state.httpInFlight} in flight`});
	if (state.httpFailed > 0) line.push({text: `, ${state.httpFailed} failed`, color: 'red'});
	// Rows of old finished tasks were dropped to bound memory: say so, since the table no longer lists them.
	const folded = foldedShort(state.aggregated);
	if (folded) line.push({text: `  ${folded}`, color: 'yellow'});
	if (state.corruptLines > 0) line.push({text: `  ${counted(state.corruptLines, 'corrupt line')} skipped`, color: 'red'});
	return line;
}

function loopLine({state, nowMs, width, glyphs}: HeaderInput): Line {
	const status = loopStatus(state, nowMs);
	const labelsWidth = 25;
	const sparkWidth = Math.min(30, Math.floor((width - textWidth(status.text) - labelsWidth) / 2));
	const line: Line = [status];
	if (sparkWidth >= 4) {
		line.push(
			{text: '  in flight ', dim: true},
			{text: sparkline(state.inFlightSeries, sparkWidth, glyphs), color: 'cyan'},
			{text: '  loop delay ', dim: true},
			{text: sparkline(state.loopDelaySeries, sparkWidth, glyphs), color: 'yellow'},
		);
	}
	return line;
}

/** `loop OK`, or the live banner naming who blocks the loop and where. */
function loopStatus(state: ModelState, nowMs: Ms): Segment {
	const block = state.activeBlockId === null ? undefined : state.blocks.find(b => b.id === state.activeBlockId);
	if (!block) {
		const history = state.blocks.length > 0 ? ` (${counted(state.blocks.length, 'block')} so far)` : '';
		return {text: `loop OK${history}`, color: 'green'};
	}
	const culprit = ` by ${blockCulprit(state, block)}`;
	const where = block.location ? ` ${block.location}` : '';
	return {text: `BLOCKED ${formatDuration(nowMs - block.startMs)}${culprit}${where}`, color: 'red', bold: true, inverse: true};
}

/** The latest `width` points, scaled to the largest of them. */
function sparkline(series: readonly SeriesPoint[], width: number, glyphs: Glyphs): string {
	const points = series.slice(-width);
	const max = points.reduce((m, p) => Math.max(m, p.value), 0);
	const top = glyphs.sparks.length - 1;
	const chars = points.map(p => glyphs.sparks[max <= 0 ? 0 : Math.round((p.value / max) * top)]!);
	return chars.join('').padEnd(width, ' ');
}

function replayLine(replay: ReplayStatus, width: number, glyphs: Glyphs): Line {
	const label = `${replay.paused ? 'paused' : 'playing'} ${replay.speed}x  ${formatDuration(replay.positionMs)} / ${formatDuration(replay.durationMs)}`;
	const barWidth = Math.max(0, width - label.length - 10);
	const done = replay.durationMs > 0 ? Math.round((Math.min(replay.positionMs, replay.durationMs) / replay.durationMs) * barWidth) : 0;
	return [
		{text: 'replay ', bold: true, color: 'cyan'},
		{text: glyphs.barFull.repeat(done), color: 'cyan'},
		{text: glyphs.barEmpty.repeat(barWidth - done), dim: true},
		{text: ` ${truncate(label, width)}`, color: replay.paused ? 'yellow' : undefined},
	];
}
