import type {Location, Ms} from '../protocol/events.js';
import {liveTimes} from './live-times.js';
import {latencyStats} from './latency.js';
import {functionName} from '../protocol/function-name.js';
import type {ModelState, SiteAggregate, TaskNode} from './state.js';
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

const round = (ms: Ms): Ms => Math.round(ms * 1000) / 1000;

interface SiteTasks {
	name: string;
	location: Location | null;
	tasks: TaskNode[];
	folded: SiteAggregate | null;
}

/**
 * Every site's tasks (the script's async function calls and worker threads; not the script's top level), in
 * first-start order, folded ones (see model/retention.ts) included. The one place per-site figures are computed
 * from the model.
 */
export function siteStatistics(state: ModelState): SiteStatistics[] {
	const endMs = sessionEnd(state);
	const bySite = new Map<string, SiteTasks>();
	const siteOf = (name: string, location: Location | null): SiteTasks => {
		const key = `${name}\u0000${location ?? ''}`;
		let site = bySite.get(key);
		if (!site) bySite.set(key, (site = {name, location, tasks: [], folded: null}));
		return site;
	};
	// Folded tasks are older than any kept at their site.
	for (const folded of state.aggregated.sites.values()) {
		if (folded.kind === 'task' || folded.kind === 'worker') siteOf(functionName(folded.name), folded.location).folded = folded;
	}
	for (const id of state.order) {
		const node = state.nodes.get(id);
		if (!node || (node.kind !== 'task' && node.kind !== 'worker')) continue;
		siteOf(functionName(node.name), node.location).tasks.push(node);
	}
	return [...bySite.values()].map(({name, location, tasks, folded}) => ({name, location, figures: siteFigures(tasks, folded, endMs)}));
}

function siteFigures(tasks: readonly TaskNode[], folded: SiteAggregate | null, endMs: Ms): SiteFigures {
	let failed = folded?.failed ?? 0;
	let pending = 0;
	let busyMs = folded?.busyMs ?? 0;
	let waitMs = folded?.waitMs ?? 0;
	const durations: Ms[] = [];
	for (const task of tasks) {
		const times = liveTimes(task, endMs);
		if (task.state === 'failed') failed++;
		else if (task.endMs === null) pending++;
		busyMs += times.busyMs;
		waitMs += times.waitMs;
		durations.push(times.totalMs);
	}
	const spread = latencyStats(folded?.total ?? null, durations);
	return {
		count: tasks.length + (folded?.count ?? 0),
		failed,
		pending,
		totalMs: round(durations.reduce((sum, ms) => sum + ms, folded?.totalMs ?? 0)),
		busyMs: round(busyMs),
		waitMs: round(waitMs),
		p50Ms: spread.p50Ms,
		p99Ms: spread.p99Ms,
		maxMs: spread.maxMs,
	};
}
