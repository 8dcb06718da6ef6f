import {computeInsights} from '../model/insights.js';
import {foldedFiguresOf, foldedSentence, sinceJoined} from '../present/folded.js';
import {insightMessage} from '../present/insights.js';
import {fatalUncaught, unsettledTasks, type ModelState} from '../model/state.js';
import {sessionDuration, summarize} from '../model/summary.js';
import {formatDuration} from '../present/durations.js';
import {formatCount, formatTimes} from '../present/numbers.js';
import type {Segment} from '../present/paint.js';
import {glyphs} from '../present/states.js';
import {counted, sanitize, sanitizeLines} from '../present/text.js';
import {connectionClosed, endingSignal, forcedText, processOutcome, processText, stoppedForText} from '../present/processes.js';
import {isProcessGone} from '../protocol/events.js';
import {cutShortText, uncaughtSegment} from '../present/errors.js';

/**
 * The followed processes that failed, as their lanes ended: `pid 8781 (node cluster.js) killed by SIGKILL`. Not one
 * gone with its end not seen (the script's own end came first, as with the Ctrl-C that ended them all): no claim.
 */
function failedProcesses(state: ModelState): string[] {
	const failed: string[] = [];
	for (const node of state.nodes.values()) {
		if (node.kind !== 'process' || node.state !== 'failed' || isProcessGone(node.error)) continue;
		failed.push(`${processText(node.process ?? null)} ${node.process?.exit ? processOutcome(node.process.exit, node.error) : (node.error?.message ?? 'failed')}`);
	}
	return failed;
}

/** The processes the script started that had not ended when the session did (a child that took the stop signal and went on, a daemon): `pid 4242 (node worker.js)`. */
function processesStillRunning(state: ModelState): string[] {
	const running: string[] = [];
	for (const node of state.nodes.values()) {
		if (node.process && !node.process.exit && node.endMs === null) running.push(`pid ${node.process.pid ?? '?'} (${node.process.command})`);
	}
	return running;
}

/** Below this the monitor kept up, as far as anyone could tell. */
const HELD_BACK_WORTH_SAYING_MS = 1;

/**
 * `All done in 3.00s · 3 tasks · 6.00s running or waiting · concurrency 2.0× · longest block 0ms`, then what went wrong,
 * as styled lines. Errors and insights name the script's functions and files: they are sanitized.
 */
export function summaryLines(state: ModelState, ascii: boolean): Segment[][] {
	const {separator, pointer} = glyphs(ascii);
	const lines: Segment[][] = [];
	const say = (text: string, style: Omit<Segment, 'text'> = {}): void => {
		lines.push([{text, ...style}]);
	};
	if (state.fatal) {
		const what = state.fatal.kind === 'syntax' ? 'syntax error' : 'error';
		say(`asyncmon: ${what} in ${sanitize(state.fatal.loc ?? state.header?.script ?? 'script')}: ${sanitize(state.fatal.message)}`, {color: 'red'});
		// The code frame lines its caret up under the column: it keeps its lines and spaces.
		if (state.fatal.frame) say(sanitizeLines(state.fatal.frame));
		return lines;
	}
	const summary = summarize(state);
	const exit = state.exit;
	const killedBy = exit && endingSignal(exit);
	// A client of a running service that left ends its session, not the service's.
	const stopped = state.joinedMs !== null ? 'Left the running service after' : 'Stopped after';
	const outcome = killedBy
		? `Killed by ${sanitize(killedBy)} after`
		: exit && connectionClosed(exit)
			? 'The connection closed after'
			: exit && exit.code !== 0
				? `Exited with code ${exit.code} after`
				: exit
					? 'All done in'
					: stopped;
	const figures = [
		`${outcome} ${formatDuration(sessionDuration(state))}`,
		counted(summary.taskCount, 'task'),
		// What concurrency divides: the tasks' own time running or waiting (their time ready, and their waits on each other, are not in it).
		`${formatDuration(summary.activeTimeMs)} running or waiting`,
		`concurrency ${formatTimes(summary.concurrency, ascii)}`,
		`longest block ${formatDuration(summary.longestBlockMs)}`,
	];
	say(figures.join(` ${separator} `), {bold: true});
	if (summary.httpCount > 0) {
		const failed = summary.failedHttp > 0 ? `, ${formatCount(summary.failedHttp)} failed (a network error, a 5xx status or a gRPC error)` : '';
		say(`HTTP sent: ${counted(summary.httpCount, 'request')}${sinceJoined(state)}, at most ${formatCount(summary.maxInFlightHttp)} in flight${failed}`, summary.failedHttp > 0 ? {color: 'red'} : {});
	}
	if (summary.httpReceived > 0) {
		const failed = summary.failedReceived > 0 ? `, ${formatCount(summary.failedReceived)} failed (a 5xx status, the client gone first, or the server's own end)` : '';
		say(`HTTP received: ${counted(summary.httpReceived, 'request')}${failed}`, summary.failedReceived > 0 ? {color: 'red'} : {});
	}
	if (summary.failedCount > 0) say(`${counted(summary.failedCount, 'task')} failed`, {color: 'red'});
	const processes = failedProcesses(state);
	if (processes.length > 0) {
		const more = processes.length > 3 ? `, and ${processes.length - 3} more` : '';
		say(sanitize(`${counted(processes.length, 'followed process', 'followed processes')} failed: ${processes.slice(0, 3).join(', ')}${more}`), {color: 'red'});
	}
	const stuck = exit && stoppedForText(exit);
	// asyncmon's name is written in lower case, at the start of a sentence too.
	const why = stuck ? `${stuck[0]!.toUpperCase()}${stuck.slice(1)}` : exit && forcedText(exit);
	if (why) say(sanitize(why), {color: 'yellow'});
	const cutShort = cutShortText(killedBy, fatalUncaught(state));
	const interrupted = unsettledTasks(state);
	if (cutShort && interrupted > 0) say(sanitize(`${counted(interrupted, 'task')} ${cutShort} before settling`), {color: 'yellow'});
	const outlived = exit && state.joinedMs === null ? processesStillRunning(state) : [];
	if (outlived.length > 0) {
		const which = outlived.length === 1 ? 'A process the script started was still running when it ended, and goes' : `${outlived.length} processes the script started were still running when it ended, and go`;
		say(sanitize(`${which} on as under node: ${outlived.join(', ')}`), {color: 'yellow'});
	}
	for (const uncaught of state.uncaught) {
		const {text, color} = uncaughtSegment(uncaught, ascii);
		say(text, {color});
	}
	if (state.uncaughtUnlisted > 0) say(`and ${counted(state.uncaughtUnlisted, 'more uncaught exception or unhandled rejection', 'more uncaught exceptions or unhandled rejections')}, not listed`, {color: 'yellow'});
	const folded = foldedSentence(foldedFiguresOf(state.aggregated));
	if (folded) say(folded, {color: 'yellow'});
	if (state.droppedEvents > 0) say(`asyncmon dropped ${counted(state.droppedEvents, 'event')} it could not keep up with`, {color: 'yellow'});
	if (state.corruptLines > 0) say(`asyncmon skipped ${counted(state.corruptLines, 'corrupt line')} in the script's event stream; figures may be incomplete`, {color: 'yellow'});
	if (state.heldBackMs >= HELD_BACK_WORTH_SAYING_MS) {
		say(`asyncmon held the script back ${formatDuration(state.heldBackMs)} in all while the monitor caught up with its events and output; no event was lost, and no task's busy time includes it`, {
			color: 'yellow',
		});
	}
	for (const insight of computeInsights(state)) lines.push([{text: pointer, color: 'yellow'}, {text: ` ${sanitize(insightMessage(state, insight, ascii))}`}]);
	return lines;
}
