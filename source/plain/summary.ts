import {counted} from '../present/text.js';
import {computeInsights} from '../model/insights.js';
import type {ModelState} from '../model/state.js';
import {sessionDuration, summarize} from '../model/summary.js';
import {paint} from './printer.js';
import {formatDuration} from '../present/durations.js';

/** Below this the monitor kept up, as far as anyone could tell. */
const HELD_BACK_WORTH_SAYING_MS = 1;

/** `All done in 3.00s · 3 tasks · 6.00s of task time · concurrency 2.0× · longest block 0 ms`, then what went wrong. */
export function summaryLines(state: ModelState, color: boolean): string[] {
	const lines: string[] = [];
	if (state.fatal) {
		lines.push(paint(color, 'red', `asyncmon: ${state.fatal.kind === 'syntax' ? 'syntax error' : 'error'} in ${state.fatal.loc ?? state.header?.script ?? 'script'}: ${state.fatal.message}`));
		if (state.fatal.frame) lines.push(state.fatal.frame);
		return lines;
	}
	const summary = summarize(state);
	const duration = sessionDuration(state);
	const exit = state.exit;
	const outcome =
		exit?.signal ? `Killed by ${exit.signal} after` : exit && exit.code !== 0 ? `Exited with code ${exit.code} after` : exit ? 'All done in' : 'Stopped after';
	lines.push(
		paint(
			color,
			'bold',
			`${outcome} ${(duration / 1000).toFixed(2)}s · ${counted(summary.taskCount, 'task')} · ${(summary.taskTimeMs / 1000).toFixed(2)}s of task time · concurrency ${summary.concurrency.toFixed(1)}× · longest block ${Math.round(summary.longestBlockMs)} ms`,
		),
	);
	if (summary.httpCount > 0) lines.push(`HTTP: ${counted(summary.httpCount, 'request')}, at most ${summary.maxInFlightHttp} in flight`);
	if (summary.failedCount > 0) lines.push(paint(color, 'red', `${counted(summary.failedCount, 'task')} failed`));
	for (const uncaught of state.uncaught) {
		lines.push(paint(color, 'red', `✖ ${uncaught.origin === 'unhandledRejection' ? 'Unhandled rejection' : 'Uncaught exception'}: ${uncaught.error.name}: ${uncaught.error.message}${uncaught.error.location ? ` at ${uncaught.error.location}` : ''}`));
	}
	const aggregated = state.aggregated;
	if (aggregated.tasks > 0) {
		lines.push(
			paint(color, 'yellow', `${aggregated.tasks} finished tasks were folded into per-name totals to bound memory (details kept for the latest ${aggregated.limit}); the figures above include them, and a recording (--record) keeps every task`),
		);
	}
	if (state.droppedEvents > 0) lines.push(paint(color, 'yellow', `asyncmon dropped ${state.droppedEvents} events it could not keep up with`));
	if (state.corruptLines > 0) lines.push(paint(color, 'yellow', `asyncmon skipped ${counted(state.corruptLines, 'corrupt line')} in the script's event stream; figures may be incomplete`));
	if (state.heldBackMs >= HELD_BACK_WORTH_SAYING_MS) {
		lines.push(
			paint(color, 'yellow', `asyncmon held the script back ${formatDuration(state.heldBackMs)} in all while the monitor caught up with its events; no event was lost, and no task's busy time includes it`),
		);
	}
	for (const insight of computeInsights(state)) lines.push(`${paint(color, 'yellow', '→')} ${insight.message}`);
	return lines;
}
