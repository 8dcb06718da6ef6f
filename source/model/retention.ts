import type {FoldedLeaves, FoldedName, FoldEvent, HttpClient, HttpFoldEvent, JoinedEvent, Location, Ms, NodeKind} from '../protocol/events.js';
import {forEachFoldedRequest, forEachFoldedTask} from '../protocol/fold.js';
import {inFlightSpan, isClientError, phaseOfTimes} from './http-phases.js';
import {hostOf} from '../protocol/hosts.js';
import {routeOf} from '../protocol/routes.js';
import {timerSite} from '../protocol/timer-names.js';
import {newLatency, recordLatency} from './latency.js';
import {taskSiteName} from '../protocol/function-name.js';
import {HTTP_PHASES, type HttpPhases, isCountedTask, isTaskKind, MAX_FAILURE_KINDS, waitOfNode, type Aggregated, type FoldedFailure, type ModelState, type SiteAggregate, type TaskNode} from './state.js';
import {pushInterval, settleIfLarge} from './intervals.js';
import {maxOverlap} from './overlap.js';
import {isActiveUnit, ownActiveTime} from './own-time.js';

/** How many slowest folded tasks are kept whole. */
const SLOWEST_KEPT = 20;
/** Sites kept apart; past them, new ones share one row per kind, so memory stays bounded whatever the names. */
export const MAX_SITES = 2000;
export const OTHER_SITES = '(other sites)';

/** Threads, processes and the script's top level are few, and the tree hangs from them: they are never folded. */
export function isFoldable(node: TaskNode): boolean {
	return node.kind !== 'script' && node.kind !== 'worker' && node.kind !== 'process';
}

/**
 * A node finished: it joins the queue of finished nodes, and once enough of
 * them lie beyond the window (a batch, so the lists are compacted rarely),
 * the oldest are folded.
 */
export function retire(state: ModelState, node: TaskNode): void {
	const aggregated = state.aggregated;
	const retention = aggregated.retention;
	if (!retention || !isFoldable(node)) return;
	const candidates = aggregated.candidates;
	candidates.ids.push(node.id);
	// Compacting the lists costs a pass over what is kept: a batch at a time makes it rare, and a bounded one keeps the age limit near.
	const batch = Math.max(256, Math.min(4096, retention.maxFinished >> 3));
	const queued = candidates.ids.length - candidates.head;
	const overCount = queued >= retention.maxFinished + batch;
	const overAge = queued > batch && endOf(state, candidates.ids[candidates.head + batch]!) < state.nowMs - retention.maxAgeMs;
	if (overCount || overAge) foldBeyondWindow(state);
}

function endOf(state: ModelState, id: number): Ms {
	return state.nodes.get(id)?.endMs ?? Infinity;
}

function foldBeyondWindow(state: ModelState): void {
	const aggregated = state.aggregated;
	const {candidates, heldByChildren} = aggregated;
	const retention = aggregated.retention!;
	const horizon = state.nowMs - retention.maxAgeMs;
	const gone = new Set<number>();
	const parents = new Set<TaskNode>();
	let roots = false;
	while (candidates.head < candidates.ids.length) {
		const id = candidates.ids[candidates.head]!;
		const node = state.nodes.get(id);
		const beyond = candidates.ids.length - candidates.head > retention.maxFinished || (node?.endMs ?? Infinity) < horizon;
		if (!beyond) break;
		candidates.head++;
		if (!node || node.endMs === null) continue;
		// A child still kept needs its parent in the tree: the parent waits for it.
		if (!node.children.every(child => gone.has(child))) {
			heldByChildren.add(id);
			continue;
		}
		fold(state, node);
		state.nodes.delete(id);
		gone.add(id);
		const parent = node.parentId === null ? undefined : state.nodes.get(node.parentId);
		if (parent) parents.add(parent);
		else roots = true;
	}
	candidates.ids = candidates.ids.slice(candidates.head);
	candidates.head = 0;
	if (gone.size === 0) return;
	const kept = (id: number): boolean => !gone.has(id);
	state.order = state.order.filter(kept);
	for (const parent of parents) {
		parent.children = parent.children.filter(kept);
		if (parent.children.length === 0 && heldByChildren.delete(parent.id)) candidates.ids.push(parent.id);
	}
	if (roots) state.rootIds = state.rootIds.filter(kept);
	settleIfLarge(state);
}

function fold(state: ModelState, node: TaskNode): void {
	const aggregated = state.aggregated;
	const end = node.endMs!;
	const totalMs = end - node.startMs;
	const failed = node.state === 'failed';
	aggregated.nodes++;
	if (isCountedTask(node.kind)) {
		aggregated.tasks++;
		if (failed) aggregated.failed++;
		keepIfSlowest(aggregated.slowest, node);
		// A leaf as leafTasks() counts it: the summary's task time and peak in flight keep it.
		if (node.childTaskCount === 0) {
			aggregated.taskTimeMs += totalMs;
			pushInterval(aggregated.leafIntervals, node.startMs, end);
		}
		// Concurrency keeps its own time (see activeTime).
		if (isActiveUnit(node)) aggregated.activeMs += ownActiveTime(state, node, end);
	}
	if (node.http) foldRequest(aggregated, node);
	const site = siteOf(aggregated, node);
	site.count++;
	if (failed) {
		site.failed++;
		noteFailure(site, node);
	}
	const waitMs = waitOfNode(node.kind, totalMs, node.waitMs);
	site.totalMs += totalMs;
	site.busyMs += node.busyMs;
	site.waitMs += waitMs;
	recordTimes(site, totalMs, node.busyMs, waitMs);
	site.lastEndMs = Math.max(site.lastEndMs, end);
}

/** Keeps how a folded task or op failed, counted with the failures of its kind (see FoldedFailure). */
function noteFailure(site: SiteAggregate, node: TaskNode): void {
	const error = node.error ?? null;
	const status = node.request?.status ?? node.http?.status;
	const aborted = node.request?.aborted === true;
	const same = site.failures.find(failure =>
		error && failure.error
			? failure.error.name === error.name && failure.error.message === error.message && failure.error.location === error.location
			: !error && !failure.error && failure.status === status && (failure.aborted === true) === aborted,
	);
	if (same) same.count++;
	else if (site.failures.length < MAX_FAILURE_KINDS) site.failures.push({error, ...(status !== undefined && !error && {status}), ...(aborted && !error && {aborted: true as const}), count: 1} satisfies FoldedFailure);
}

function recordTimes(site: SiteAggregate, totalMs: Ms, busyMs: Ms, waitMs: Ms): void {
	recordLatency(site.total, totalMs);
	recordLatency(site.busy, busyMs);
	recordLatency(site.wait, waitMs);
}

/**
 * Work the child folded (a `fold` line): counted as if each had been kept, then folded here. They all
 * succeeded; leaves add to the task time, the active time and the overlap. The earliest of their starts and,
 * for leaves, the most of them in flight at once; or null, and nothing counted, if the line's packed times do
 * not match its count.
 */
export function foldSent(aggregated: Aggregated, fold: FoldEvent): {firstStart: Ms; peak: number} | null {
	const site = siteFor(aggregated, fold.kind, siteName(fold), fold.loc);
	const intervals = fold.leaf ? aggregated.leafIntervals : null;
	const spans = fold.leaf ? new Float64Array(2 * fold.count) : null;
	let spanCount = 0;
	let firstStart = fold.t;
	const valid = forEachFoldedTask(fold, task => {
		recordTimes(site, task.totalMs, task.busyMs, waitOfNode(fold.kind, task.totalMs, task.waitMs));
		if (intervals) pushInterval(intervals, task.startMs, task.startMs + task.totalMs);
		if (spans && spanCount < fold.count) {
			spans[2 * spanCount] = task.startMs;
			spans[2 * spanCount++ + 1] = task.startMs + task.totalMs;
		}
		if (task.startMs < firstStart) firstStart = task.startMs;
	});
	if (!valid) return null;
	aggregated.nodes += fold.count;
	aggregated.nodesAtSource += fold.count;
	if (isCountedTask(fold.kind)) {
		aggregated.tasks += fold.count;
		aggregated.atSource += fold.count;
	}
	if (fold.leaf) aggregated.taskTimeMs += fold.totalMs;
	// The line sums its calls' waits without saying on what: a call that started tasks and ended within one flush
	// waited on them, most likely, so only its busy time is its own (see ownActiveTime).
	if (fold.leaf || fold.kind === 'task') aggregated.activeMs += fold.busyMs + (fold.leaf ? fold.waitMs : 0);
	site.count += fold.count;
	site.totalMs += fold.totalMs;
	site.busyMs += fold.busyMs;
	site.waitMs += waitOfNode(fold.kind, fold.totalMs, fold.waitMs);
	site.lastEndMs = Math.max(site.lastEndMs, fold.t);
	return {firstStart, peak: spans ? maxOverlap([], {data: spans, count: spanCount}) : 0};
}

/**
 * Requests the child folded (a `fold.http` line): counted as if each had been kept, then folded here (see
 * foldRequest). False, and nothing counted, if the line's packed times do not match its count.
 */
export function foldSentRequests(aggregated: Aggregated, fold: HttpFoldEvent): boolean {
	const host = hostOf(fold.url);
	const site = siteFor(aggregated, 'http', requestSite(fold.method, host), fold.loc);
	const valid = forEachFoldedRequest(fold, request => {
		const end = request.startMs + request.totalMs;
		recordTimes(site, request.totalMs, 0, request.totalMs);
		// In flight once it had its connection, as inFlightSpan reads it: from leaving its pool's queue, or past its queue phase.
		countRequest(aggregated, host, fold.client, [Math.min(request.startMs + (request.pooledMs ?? request.queueMs ?? 0), end), end], 'ok', request, request.totalMs);
	});
	if (!valid) return false;
	aggregated.nodes += fold.count;
	aggregated.nodesAtSource += fold.count;
	site.count += fold.count;
	site.totalMs += fold.totalMs;
	site.waitMs += waitOfNode('http', fold.totalMs, 0);
	site.lastEndMs = Math.max(site.lastEndMs, fold.t);
	return true;
}

/**
 * Finished tasks a running service's agent folded before a client joined (its `joined` event): counts and
 * sums by name, without their durations one by one or their intervals. Their site's percentiles take each
 * at the mean, which is all that is known. The session's task time is their leaves' (`folded.leaves`); an
 * agent that does not tell them apart has every task's count in it.
 */
export function foldJoined(aggregated: Aggregated, folded: JoinedEvent['folded']): void {
	for (const [key, figures] of Object.entries(folded.byName)) foldTotals(aggregated, key, figures);
	const leaves = folded.leaves ?? everyTaskALeaf(folded.byName);
	aggregated.leavesBeforeJoin += leaves.count;
	aggregated.taskTimeMs += leaves.totalMs;
	// An agent before `activeMs` told the leaves' alone: the others' own time before the join is not known then.
	aggregated.activeMs += folded.activeMs ?? leaves.activeMs;
}

function everyTaskALeaf(byName: Record<string, FoldedName>): FoldedLeaves {
	const leaves: FoldedLeaves = {count: 0, totalMs: 0, activeMs: 0};
	for (const figures of Object.values(byName)) {
		leaves.count += figures.count;
		leaves.totalMs += figures.totalMs;
		leaves.activeMs += figures.busyMs + figures.waitMs;
	}
	return leaves;
}

/** `key`: the site's name, from agents that keyed their totals by name alone (see FoldedName). */
function foldTotals(aggregated: Aggregated, key: string, figures: FoldedName): void {
	aggregated.nodes += figures.count;
	aggregated.beforeJoin += figures.count;
	aggregated.tasks += figures.count;
	aggregated.failed += figures.failed;
	const site = siteFor(aggregated, figures.kind ?? 'task', figures.name ?? key, figures.loc ?? null);
	site.count += figures.count;
	site.failed += figures.failed;
	site.totalMs += figures.totalMs;
	site.busyMs += figures.busyMs;
	site.waitMs += figures.waitMs;
	if (figures.count === 0) return;
	recordLatency(site.total, figures.totalMs / figures.count, figures.count);
	recordLatency(site.busy, figures.busyMs / figures.count, figures.count);
	recordLatency(site.wait, figures.waitMs / figures.count, figures.count);
}

function foldRequest(aggregated: Aggregated, node: TaskNode): void {
	const outcome = node.state === 'failed' ? 'failed' : isClientError(node) ? 'client error' : 'ok';
	countRequest(aggregated, hostOf(node.http!.url), node.http!.client, inFlightSpan(node, node.endMs!), outcome, node.http!.phases, node.endMs! - node.startMs);
}

/** A request no longer kept one by one: its host's counts and phases, and its time in flight. */
function countRequest(aggregated: Aggregated, host: string, client: HttpClient | undefined, inFlight: [Ms, Ms], outcome: 'ok' | 'failed' | 'client error', phases: HttpPhases, totalMs: Ms): void {
	pushInterval(aggregated.httpIntervals, ...inFlight);
	let figures = aggregated.hosts.get(host);
	if (!figures) aggregated.hosts.set(host, (figures = {requests: 0, failed: 0, clientErrors: 0, phases: {}, byClient: {}}));
	figures.requests++;
	if (client !== undefined) figures.byClient[client] = (figures.byClient[client] ?? 0) + 1;
	if (outcome === 'failed') figures.failed++;
	else if (outcome === 'client error') figures.clientErrors++;
	for (const phase of HTTP_PHASES) {
		const ms = phaseOfTimes(phases, totalMs, phase);
		if (ms !== undefined) recordLatency((figures.phases[phase] ??= newLatency()), ms);
	}
}

/** `work(41)` and `work(42)` are one function, `work()`; requests sent are one site per method and host, received ones per route; timers per API (see timerSite). */
function siteName(node: Pick<TaskNode, 'kind' | 'name' | 'http'> & {request?: Parameters<typeof routeOf>[0]}): string {
	if (node.http) return requestSite(node.http.method, hostOf(node.http.url));
	if (node.request) return routeOf(node.request);
	if (node.kind === 'timer') return timerSite(node.name);
	return isTaskKind(node.kind) ? taskSiteName(node.name) : node.name;
}

function requestSite(method: string, host: string): string {
	return `${method} ${host}`;
}

function siteOf(aggregated: Aggregated, node: TaskNode): SiteAggregate {
	return siteFor(aggregated, node.kind, siteName(node), node.location);
}

function siteFor(aggregated: Aggregated, kind: NodeKind, name: string, location: Location | null): SiteAggregate {
	let key = `${kind}\u0000${name}\u0000${location ?? ''}`;
	let site = aggregated.sites.get(key);
	if (!site && aggregated.sites.size >= MAX_SITES) {
		[key, name, location] = [`${kind}\u0000${OTHER_SITES}`, OTHER_SITES, null];
		site = aggregated.sites.get(key);
	}
	if (!site) {
		site = {
			id: -(aggregated.sites.size + 1),
			kind,
			name,
			location,
			count: 0,
			failed: 0,
			totalMs: 0,
			busyMs: 0,
			waitMs: 0,
			total: newLatency(),
			busy: newLatency(),
			wait: newLatency(),
			lastEndMs: 0,
			failures: [],
		};
		aggregated.sites.set(key, site);
	}
	return site;
}

function keepIfSlowest(slowest: TaskNode[], node: TaskNode): void {
	const totalOf = (n: TaskNode): Ms => n.endMs! - n.startMs;
	if (slowest.length === SLOWEST_KEPT && totalOf(slowest[SLOWEST_KEPT - 1]!) >= totalOf(node)) return;
	// Kept whole but for what no view of a folded task reads.
	const kept: TaskNode = {...node, spans: [], awaits: [], children: []};
	const at = slowest.findIndex(other => totalOf(other) < totalOf(node));
	slowest.splice(at === -1 ? slowest.length : at, 0, kept);
	if (slowest.length > SLOWEST_KEPT) slowest.pop();
}


/** The folded site a view's row stands for (rows of folded sites have the site's negative id). */
export function foldedSite(state: ModelState, id: number): SiteAggregate | undefined {
	for (const site of state.aggregated.sites.values()) if (site.id === id) return site;
	return undefined;
}
