import {fatalUncaught, isCountedTask, type ModelState} from '../state.js';
import type {NeverSettledInsight} from './insight.js';

/**
 * Tasks still suspended (waiting, or ready but never resumed) when the process
 * exited by itself: it ran out of work, or the script's process.exit() cut them
 * off. A task still running at exit is the one that ended the process, not one
 * left behind; tasks a signal cut short (Ctrl-C, quitting the dashboard) were
 * interrupted, not forgotten: the summary says so instead; and so were those an
 * error nothing handled cut short, as it killed the process (an `uncaught`
 * event, then a failing exit): that error is the finding.
 */
export function neverSettled(state: ModelState): NeverSettledInsight[] {
	if (!state.exit || state.exit.signal !== null) return [];
	if (fatalUncaught(state)) return [];
	const pending = [...state.nodes.values()].filter(
		node => (isCountedTask(node.kind) || node.kind === 'worker') && (node.state === 'waiting' || node.state === 'ready'),
	);
	if (pending.length === 0) return [];
	return [
		{
			kind: 'never-settled',
			exitMs: state.exit.t,
			pending: pending.map(task => ({name: task.name, wait: task.state === 'ready' ? null : task.wait})),
			taskIds: pending.map(task => task.id),
			...(state.exitCall && {exitCall: state.exitCall}),
		},
	];
}
