import {describeTarget} from '../../present/holdups.js';
import type {ModelState, TaskNode} from '../state.js';
import {lineLocation} from './format.js';
import {counted} from '../../present/text.js';
import type {Insight} from './insight.js';

const NAMED_AT_MOST = 3;

/**
 * Tasks still suspended (waiting, or ready but never resumed) when the process
 * exited. A task still running at exit is the one that ended the process, not
 * one left behind.
 */
export function neverSettled(state: ModelState): Insight[] {
	if (!state.exit) return [];
	const pending = [...state.nodes.values()].filter(
		node => (node.kind === 'task' || node.kind === 'worker') && (node.state === 'waiting' || node.state === 'ready'),
	);
	if (pending.length === 0) return [];
	const named = pending.slice(0, NAMED_AT_MOST).map(task => `${task.name} ${describeWait(state, task)}`);
	if (pending.length > NAMED_AT_MOST) named.push(`${pending.length - NAMED_AT_MOST} more`);
	return [
		{
			kind: 'never-settled',
			message:
				`${counted(pending.length, 'task')} never settled before the process exited: ${named.join('; ')}. ` +
				'Make sure what they wait on resolves or rejects, or stop waiting on it',
			taskIds: pending.map(task => task.id),
		},
	];
}

function describeWait(state: ModelState, task: TaskNode): string {
	if (task.state === 'ready' || !task.wait) return 'was ready to resume but never ran';
	const site = task.wait.site ? ` at ${lineLocation(task.wait.site)}` : '';
	return `was waiting on ${describeTarget(state, task.wait.on, state.exit?.t ?? state.nowMs)}${site}`;
}
