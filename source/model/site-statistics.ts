import type {Location, Ms} from '../protocol/events.js';
import {liveTimes} from './live-times.js';
import {durationStats} from './percentiles.js';
import type {ModelState, TaskNode} from './state.js';
import {sessionEnd} from './summary.js';

/** One site's tasks, added up: how often the function ran, how long, and how the durations spread. */
export interface SiteFigures {
	count: number;
	failed: number;
	/** Tasks still unsettled when the session ended; their time runs to its end. */
	pending: number;
	/** Sum of the tasks' durations (end - start). */
	totalMs: Ms;
	busyMs: Ms;
	waitMs: Ms;
	p50Ms: Ms;
	p99Ms: Ms;
	maxMs: Ms;
}

/** The tasks of one function: its name without arguments, and where it is defined. */
export interface SiteStatistics {
	name: string;
	location: Location | null;
	figures: SiteFigures;
}

/** `simulateRequest("request-A", 1000)` and `simulateRequest("request-B", 3000)` are one function: `simulateRequest`. */
export function functionName(taskName: string): string {
	return taskName.replace(/\(.*$/s, '') || taskName;
}

const round = (ms: Ms): Ms => Math.round(ms * 1000) / 1000;

/**
 * Every site's tasks (the script's async function calls and worker threads; not the script's top level), in
 * first-start order. The one place per-site figures are computed from the model.
 */
export function siteStatistics(state: ModelState): SiteStatistics[] {
	const endMs = sessionEnd(state);
	const bySite = new Map<string, {name: string; location: Location | null; tasks: TaskNode[]}>();
	for (const id of state.order) {
		const node = state.nodes.get(id);
		if (!node || (node.kind !== 'task' && node.kind !== 'worker')) continue;
		const name = functionName(node.name);
		const key = `${name}\u0000${node.location ?? ''}`;
		let site = bySite.get(key);
		if (!site) bySite.set(key, (site = {name, location: node.location, tasks: []}));
		site.tasks.push(node);
	}
	return [...bySite.values()].map(({name, location, tasks}) => ({name, location, figures: siteFigures(tasks, endMs)}));
}

function siteFigures(tasks: readonly TaskNode[], endMs: Ms): SiteFigures {
	let failed = 0;
	let pending = 0;
	let busyMs = 0;
	let waitMs = 0;
	const durations: Ms[] = [];
	for (const task of tasks) {
		const times = liveTimes(task, endMs);
		if (task.state === 'failed') failed++;
		else if (task.endMs === null) pending++;
		busyMs += times.busyMs;
		waitMs += times.waitMs;
		durations.push(times.totalMs);
	}
	const spread = durationStats(durations);
	return {
		count: tasks.length,
		failed,
		pending,
		totalMs: round(durations.reduce((sum, ms) => sum + ms, 0)),
		busyMs: round(busyMs),
		waitMs: round(waitMs),
		p50Ms: spread.p50Ms,
		p99Ms: spread.p99Ms,
		maxMs: spread.maxMs,
	};
}
