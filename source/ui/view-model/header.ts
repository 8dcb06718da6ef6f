import type {Ms} from '../../protocol/events.js';
import {foldedShort} from '../../present/folded.js';
import {loopDelayMs} from '../../present/loop-delay.js';
import {activeBlocks, fatalUncaught, NODE_STATES, unsettledTasks, type ModelState, type NodeState} from '../../model/state.js';
import {cutShortText, uncaughtSegment, uncaughtTotal} from '../../present/errors.js';
import {knownBlockCulprit, loadingWords} from '../../present/holdups.js';
import {connectionClosed, endingSignal, processText} from '../../present/processes.js';
import {roundedConcurrency} from '../../model/summary.js';
import {formatClock, formatDuration} from '../../present/durations.js';
import {formatCount, formatTimes} from '../../present/numbers.js';
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
	readonly indexing: number | null;
	readonly readProblem: string | null;
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
	if (input.state.uncaught.length > 0) lines.push(uncaughtLine(input.state, input.ascii));
	if (input.state.notices.length > 0) lines.push(noticeLine(input.state.notices));
	if (input.replay) lines.push(replayLine(input.replay, input.width, input.glyphs));
	// Playback covers what was read before it: the recording stops there, and the command fails once closed.
	if (input.replay?.readProblem) lines.push([{text: `asyncmon: read only this far: ${sanitize(input.replay.readProblem)}`, color: 'red'}]);
	return lines;
}

export function scriptStatus(state: ModelState): Segment {
	if (state.fatal) return {text: `could not start: ${state.fatal.message}`, color: 'red', bold: true};
	const exit = state.exit;
	if (!exit) return {text: 'running', color: 'green', bold: true};
	const killedBy = endingSignal(exit);
	if (killedBy) return {text: `killed by ${sanitize(killedBy)}${exit.stoppedFor ? ' (stuck: SIGKILL)' : exit.forced ? (exit.signal === 'SIGKILL' ? ` (by asyncmon after ${exit.forced.after})` : ' (sent by asyncmon: the dashboard was quit)') : ''}`, color: 'red', bold: true};
	if (connectionClosed(exit)) return {text: 'connection closed', color: 'red', bold: true};
	return {text: `exited with code ${exit.code}`, color: exit.code === 0 ? 'green' : 'red', bold: true};
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

/**
 * What ended the script, or what its own handler took: an exception no code caught is no task's failure (thrown in
 * a timer's callback, say), so no row shows it. The first one that ended the process, else the latest, with how
 * many more there were (a server's handler may log them by the hundred; the summary lists them all).
 */
function uncaughtLine(state: ModelState, ascii: boolean): Line {
	const shown = state.uncaught.find(one => !one.handled) ?? state.uncaught.at(-1)!;
	const others = uncaughtTotal(state) - (shown.count ?? 1);
	const more = others > 0 ? ` (+${formatCount(others)} more)` : '';
	const {text, color} = uncaughtSegment(shown, ascii);
	return [{text: `${text}${more}`, color}];
}

/** The runtime's latest notice, with how many came before: they are few, and each matters once. */
function noticeLine(notices: readonly string[]): Line {
	const earlier = notices.length > 1 ? ` (+${notices.length - 1} more)` : '';
	return [{text: `asyncmon: ${sanitize(notices.at(-1)!)}${earlier}`, color: 'yellow'}];
}

/**
 * The counts per state, concurrency and HTTP, and the notes after them (folded rows, lanes, corrupt lines),
 * shortened until they fit (as the sparklines' labels are): the state words and the folded rows' go first, then
 * the spaces between and "concurrency" becomes "conc", and last, for 80 columns, the states none is in and the
 * concurrency go. What still does not fit is cut where the terminal ends: the notes, the newest news (the fold
 * count grows as the script runs), only then.
 */
function countsLine(input: HeaderInput): Line {
	// Once a frame: it goes through every leaf task.
	// To two decimals first, as the summary's figure is: both then show the same tenth (1.549 and 1.55 would not).
	const concurrency = formatTimes(roundedConcurrency(input.state, input.nowMs), input.ascii);
	let line: Line = [];
	for (const brevity of [0, 1, 2, 3] as const) {
		line = [...countsAt(input, concurrency, brevity), ...countNotes(input.state, brevity)];
		if (textWidth(line.map(segment => segment.text).join('')) <= input.width) break;
	}
	return line;
}

function countsAt({state, ascii}: HeaderInput, concurrency: string, brevity: Brevity): Line {
	const line: Line = [];
	const gap = brevity >= 2 ? ' ' : '  ';
	// Once the script has ended nothing runs, waits or is ready: the tasks that did not settle are one count, in
	// the summary's words (its rows still say what each was doing then).
	const ended = state.exit !== null;
	for (const nodeState of NODE_STATES) {
		if ((ended && !SETTLED.has(nodeState)) || (brevity === 3 && state.taskCounts[nodeState] === 0)) continue;
		const style = STATE_STYLES[nodeState];
		const label = brevity === 0 ? ` ${style.label}` : '';
		line.push({text: `${stateIcon(nodeState, ascii)} ${formatCount(state.taskCounts[nodeState])}${label}`, color: style.color}, {text: gap});
	}
	const unsettled = unsettledTasks(state);
	if (state.exit && unsettled > 0) {
		const killedBy = endingSignal(state.exit);
		// The script's own process.exit() ended them (a graceful shutdown's): cut off, not left hanging.
		const how = state.exitCall && !killedBy ? 'cut off by process.exit()' : (cutShortText(killedBy, fatalUncaught(state)) ?? 'never settled');
		// Shortened, still in words: a bare count there reads as tasks still waiting, and an end it does not say.
		const label = ` ${sanitize(brevity === 0 ? how : how.split(' by ')[0]!)}`;
		line.push({text: `${stateIcon('waiting', ascii)} ${formatCount(unsettled)}${label}`, color: STATE_STYLES.waiting.color}, {text: gap});
	}
	if (brevity > 0) line.push({text: ' '});
	// Tasks the script's process holds back count as in flight, as the HTTP requests among them do: a server under load holds most.
	// Shortened, still a word: a bare `+ 32` after the failed count read as part of it.
	if (state.held.tasks > 0) line.push({text: `+ ${formatCount(state.held.tasks)}${brevity === 0 ? ' just started' : ' new'}`, color: STATE_STYLES.running.color}, {text: gap});
	// Without the concurrency, the requests' counts still stand apart from the tasks'.
	line.push({text: brevity < 3 ? `${brevity === 2 ? 'conc' : 'concurrency'} ${concurrency}  ` : ' '});
	line.push({text: `http ${state.httpInFlight - state.httpQueued + state.held.http} in flight`});
	// Requests the script's servers are answering (sent ones are the script's own requests, above).
	if (state.servingNow > 0 && !state.exit) line.push({text: `${gap}serving ${formatCount(state.servingNow)}`});
	if (state.httpQueued > 0) line.push({text: `, ${state.httpQueued} queued`, color: 'blue'});
	if (state.httpFailed > 0) line.push({text: `, ${state.httpFailed} failed`, color: 'red'});
	return line;
}

const SETTLED: ReadonlySet<NodeState> = new Set(['finished', 'failed']);

/** How far the counts line is shortened: 0, in full words; 3, the least (see countsLine). */
type Brevity = 0 | 1 | 2 | 3;

function countNotes(state: ModelState, brevity: Brevity): Line {
	const notes: Line = [];
	// Rows of old finished tasks were dropped to bound memory: say so, since the table no longer lists them; before the
	// lanes, whose words a narrow width cuts first.
	const folded = foldedShort(state.aggregated, brevity > 0);
	if (folded) notes.push({text: `  ${folded}`, color: 'yellow'});
	// The counts are the script's tasks, as the summary's; its other threads and processes run beside them.
	const {workers, processes} = state.lanesRunning;
	const lanes = [workers > 0 ? counted(workers, 'worker thread') : '', processes > 0 ? counted(processes, 'process', 'processes') : ''].filter(Boolean);
	// Once the script has ended none runs, whatever the last it said of them (a worker killed with it says nothing).
	if (lanes.length > 0 && !state.exit) notes.push({text: `  + ${lanes.join(' and ')} running`, color: STATE_STYLES.running.color});
	if (state.corruptLines > 0) notes.push({text: `  ${counted(state.corruptLines, 'corrupt line')} skipped`, color: 'red'});
	return notes;
}

/** A sparkline of the header's: what it plots, in whose words, and how its values read. */
interface Chart {
	label: string;
	/** For a narrow terminal. */
	shortLabel: string;
	/** Each bucket's largest value, which its bar shows. */
	values: readonly number[];
	/** The series' latest value: the last bucket's largest may be an earlier one. */
	latest: number;
	format: (value: number) => string;
	color: Segment['color'];
}

/** The loop's status, then each sparkline with its label, its last value and its scale: `tasks in flight ▂▅█▃ 3 (max 12)`. */
function loopLine({state, nowMs, width, glyphs}: HeaderInput): Line {
	const status = loopStatus(state, nowMs);
	// A blocked loop sends no sample until it turns again: while the script's own is blocked, its delay so far is the latest.
	const open = activeBlocks(state).find(block => block.processId === null);
	const blockedMs = open ? [Math.max(0, nowMs - open.startMs)] : [];
	const charts: Chart[] = [
		{
			label: 'tasks in flight',
			shortLabel: 'tasks',
			values: state.inFlightSeries.map(point => point.value),
			latest: state.inFlightSeries.at(-1)?.latest ?? 0,
			format: formatCount,
			color: 'cyan',
		},
		{
			label: 'loop delay',
			shortLabel: 'delay',
			values: [...state.loopDelaySeries.map(point => loopDelayMs(point.value)), ...blockedMs],
			latest: blockedMs[0] ?? loopDelayMs(state.loopDelaySeries.at(-1)?.latest ?? 0),
			format: formatDuration,
			color: 'yellow',
		},
	];
	const line: Line = [status];
	// Room for the labels and legends first (the short labels if need be); the sparklines share the rest.
	const sparkWidthWith = (label: (chart: Chart) => string): number => {
		const words = charts.reduce((sum, chart) => sum + textWidth(`  ${label(chart)}  ${legend(chart, chart.values)}`), 0) + 4;
		return Math.min(30, Math.floor((width - textWidth(status.text) - words) / charts.length));
	};
	const long = sparkWidthWith(chart => chart.label) >= MIN_SPARK_WIDTH;
	const sparkWidth = sparkWidthWith(chart => (long ? chart.label : chart.shortLabel));
	if (sparkWidth < MIN_SPARK_WIDTH) return line;
	for (const chart of charts) {
		const shown = chart.values.slice(-sparkWidth);
		line.push(
			{text: `  ${long ? chart.label : chart.shortLabel} `, dim: true},
			{text: sparkline(shown, sparkWidth, glyphs), color: chart.color},
			{text: ` ${legend(chart, shown)}`, dim: true},
		);
	}
	return line;
}

const MIN_SPARK_WIDTH = 4;

/** The latest value, and the largest shown, which the sparkline's top stands for. */
function legend(chart: Chart, values: readonly number[]): string {
	const max = values.reduce((m, value) => Math.max(m, value), 0);
	return `${chart.format(chart.latest)} (max ${chart.format(max)})`;
}

/**
 * `loop OK`, or the live banner naming who blocks the loop and where: the script's loop first, else a followed
 * process's, named (`BLOCKED 520ms in pid 4242 (node worker.js) by crunch() worker.js:7:3`).
 */
function loopStatus(state: ModelState, nowMs: Ms): Segment {
	const block = activeBlocks(state)[0];
	if (!block) {
		const history = state.blocks.length > 0 ? ` (${counted(state.blocks.length, 'block')} so far)` : '';
		return {text: `loop OK${history}`, color: 'green'};
	}
	const owner = block.processId === null ? '' : ` in ${processText(block.process)}`;
	// Its task not heard of yet: said once its start or its stack comes, in a moment.
	const known = knownBlockCulprit(state, block);
	const culprit = known ? ` by ${known}` : '';
	const where = block.location ? ` ${block.location}` : '';
	const loading = known ? loadingWords(state, block) : null;
	return {text: `BLOCKED ${formatDuration(nowMs - block.startMs)}${owner}${culprit}${where}${loading ? ` (${loading})` : ''}`, color: 'red', bold: true, inverse: true};
}

/** The values, scaled to the largest of them, padded to `width`. */
function sparkline(values: readonly number[], width: number, glyphs: Glyphs): string {
	const max = values.reduce((m, value) => Math.max(m, value), 0);
	const top = glyphs.sparks.length - 1;
	const chars = values.map(value => glyphs.sparks[max <= 0 ? 0 : Math.round((value / max) * top)]!);
	return chars.join('').padEnd(width, ' ');
}

function replayLine(replay: ReplayStatus, width: number, glyphs: Glyphs): Line {
	// While the recording is still being read, the duration is that of the part read so far.
	const reading = replay.indexing === null ? '' : `reading ${Math.floor(replay.indexing * 100)}%  `;
	const label = `${replay.paused ? 'paused' : 'playing'} ${replay.speed}x  ${reading}${formatDuration(replay.positionMs)} / ${formatDuration(replay.durationMs)}`;
	const barWidth = Math.max(0, width - label.length - 10);
	const done = replay.durationMs > 0 ? Math.round((Math.min(replay.positionMs, replay.durationMs) / replay.durationMs) * barWidth) : 0;
	return [
		{text: 'replay ', bold: true, color: 'cyan'},
		{text: glyphs.barFull.repeat(done), color: 'cyan'},
		{text: glyphs.barEmpty.repeat(barWidth - done), dim: true},
		{text: ` ${truncate(label, width)}`, color: replay.paused ? 'yellow' : undefined},
	];
}
