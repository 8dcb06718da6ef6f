import type {ModelState} from '../state.js';
import {lineLocation} from './format.js';
import type {Insight} from './insight.js';

/**
 * A statement called one of the script's async functions and dropped the
 * promise: nothing waits for the work, and a failure in it goes unhandled.
 * `void task()` is the explicit way to say that is meant, and is not reported.
 */
export function floatingPromise(state: ModelState): Insight[] {
	return state.floating.map(dropped => {
		const task = dropped.taskId === null ? undefined : state.nodes.get(dropped.taskId);
		const caller = state.nodes.get(dropped.callerId);
		const what = task?.name ?? 'an async function';
		const inCaller = caller && caller.kind !== 'script' ? ` in ${caller.name}` : '';
		const outcome = task?.state === 'failed' ? ' (it failed, and nothing handled it)' : '';
		return {
			kind: 'floating-promise',
			message:
				`${what} was called without await at ${lineLocation(dropped.site)}${inCaller}${outcome}: nothing waits for it or handles its errors. ` +
				'Await it, return it, or write `void` before the call if running it in the background is intended',
			taskIds: task ? [task.id] : [],
		};
	});
}
