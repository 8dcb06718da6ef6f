import type {FloatingPromiseInsight} from '../../model/insights.js';
import {lineLocation} from '../locations.js';

/**
 * At the script's top level there is nothing to return it to, and CommonJS cannot await there (the usual
 * `main()` as a file's last line): a `.catch()` is what handles its errors.
 */
export function floatingPromiseMessage(insight: FloatingPromiseInsight): string {
	const {task, callerName} = insight;
	const inCaller = callerName === null ? '' : ` in ${callerName}`;
	const outcome = task?.failed ? ' (it failed, and nothing handled it)' : task?.cutShort ? ' (its process or thread ended before it settled)' : '';
	const handle = callerName === null ? 'Add .catch() to handle them (or await it, in an ES module)' : 'Await it, return it';
	return (
		`${task?.name ?? 'an async function'} was called without await at ${lineLocation(insight.site)}${inCaller}${outcome}: nothing waits for it or handles its errors. ` +
		`${handle}, or write \`void\` before the call if running it in the background is intended`
	);
}
