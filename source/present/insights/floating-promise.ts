import type {FloatingPromiseInsight} from '../../model/insights.js';
import {lineLocation} from '../locations.js';

export function floatingPromiseMessage(insight: FloatingPromiseInsight): string {
	const {task, callerName} = insight;
	const inCaller = callerName === null ? '' : ` in ${callerName}`;
	const outcome = task?.failed ? ' (it failed, and nothing handled it)' : task?.cutShort ? ' (its process ended before it settled)' : '';
	return (
		`${task?.name ?? 'an async function'} was called without await at ${lineLocation(insight.site)}${inCaller}${outcome}: nothing waits for it or handles its errors. ` +
		'Await it, return it, or write `void` before the call if running it in the background is intended'
	);
}
