import type {NeverSettledInsight, PendingTask} from '../../model/insights.js';
import {waitedOnClause} from '../holdups.js';
import type {ModelState} from '../../model/state.js';
import type {Ms} from '../../protocol/events.js';
import {lineLocation} from '../locations.js';
import {counted} from '../text.js';

/** More would drown the advice; the rest are counted. */
const NAMED_AT_MOST = 3;

export function neverSettledMessage(state: ModelState, insight: NeverSettledInsight): string {
	const {pending, exitCall} = insight;
	const named = pending.slice(0, NAMED_AT_MOST).map(task => `${task.name} ${describeWait(state, task, insight.exitMs)}`);
	if (pending.length > NAMED_AT_MOST) named.push(`${pending.length - NAMED_AT_MOST} more`);
	if (exitCall) {
		// They did not hang: the script ended them. What they wait on is no cause, and whether their work mattered is the user's call.
		const site = exitCall.site ? ` at ${lineLocation(exitCall.site)}` : '';
		return (
			`process.exit()${site} cut off ${counted(pending.length, 'task')} still waiting: ${named.join('; ')}. ` +
			'If their work matters, let them settle (or cancel them) before exiting'
		);
	}
	return (
		`${counted(pending.length, 'task')} never settled before the process exited: ${named.join('; ')}. ` +
		'Make sure what they wait on resolves or rejects, or stop waiting on it'
	);
}

function describeWait(state: ModelState, task: PendingTask, exitMs: Ms): string {
	if (!task.wait) return 'was ready to resume but never ran';
	const site = task.wait.site ? ` at ${lineLocation(task.wait.site)}` : '';
	return `${waitedOnClause(state, task.wait.on, exitMs)}${site}`;
}
