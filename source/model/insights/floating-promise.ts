import type {ModelState} from '../state.js';
import {PROCESS_EXIT} from '../../protocol/events.js';
import type {FloatingPromiseInsight} from './insight.js';

/**
 * A statement called one of the script's async functions and dropped the
 * promise: nothing waits for the work, and a failure in it goes unhandled.
 * `void task()` is the explicit way to say that is meant, and is not reported.
 */
export function floatingPromise(state: ModelState): FloatingPromiseInsight[] {
	return state.floating.map(dropped => {
		const task = dropped.taskId === null ? undefined : state.nodes.get(dropped.taskId);
		const caller = state.nodes.get(dropped.callerId);
		// A task of a followed process still waiting when that process ended fails as cut short: it did not fail itself.
		const cutShort = task?.state === 'failed' && task.error?.name === PROCESS_EXIT;
		return {
			kind: 'floating-promise',
			task: task ? {name: task.name, failed: task.state === 'failed' && !cutShort, ...(cutShort && {cutShort})} : null,
			callerName: caller && caller.kind !== 'script' ? caller.name : null,
			site: dropped.site,
			taskIds: task ? [task.id] : [],
		};
	});
}
