import type {Location, Ms} from '../protocol/events.js';
import {httpStatsByHost, servedStatsByRoute, type HostStats, type RouteStats} from './http-stats.js';
import type {Insight} from './insights/insight.js';
import {insightIdentity, insightIdentityWithoutPlace} from './insights/identity.js';
import type {LatencyStats} from './latency.js';
import {siteStatistics, type SiteFigures, type SiteStatistics} from './site-statistics.js';
import type {ModelState} from './state.js';
import {sessionDuration, summarize} from './summary.js';
import {compareText} from './text-order.js';

/** The headline figures of one session, as the report's summary computes them. */
export interface SessionFigures {
	script: string;
	exitCode: number | null;
	signal: string | null;
	durationMs: Ms;
	concurrency: number;
	longestBlockMs: Ms;
	taskCount: number;
	failedCount: number;
	maxInFlight: number;
	httpCount: number;
	failedHttp: number;
	/** Requests the script's servers received, and of them those that failed (a 5xx, or a client gone). */
	httpReceived: number;
	failedReceived: number;
}

/** A function's tasks in both sessions; one side is null for a site that is gone or new. */
export interface SiteComparison {
	/** `same`: one name and location in both; `moved`: one name, another location. */
	status: 'same' | 'moved' | 'gone' | 'new';
	name: string;
	/** Where the function is: after the change, or before it for a site that is gone. */
	site: Location | null;
	/** Where it was before, when it moved (a function of that name at one other place on each side). */
	movedFrom?: Location | null;
	before: SiteFigures | null;
	after: SiteFigures | null;
}

/** Requests to one host in one session. */
export interface HostFigures {
	requests: number;
	/** Failed requests and responses with status 400 or above. */
	failures: number;
	/** Time a request waited for a connection; null when no request says. */
	queue: LatencyStats | null;
	/** Whole requests, start to end of the body; null when none completed. */
	latency: LatencyStats | null;
}

/** A route the script's servers answered, in both sessions; one side is null for a route only in the other. */
export interface RouteComparison {
	/** `GET /users/:id`: the method and the route its framework matched, or the path. */
	route: string;
	before: RouteStats | null;
	after: RouteStats | null;
}

export interface HostComparison {
	host: string;
	/** The host before, where only its port changed (a local server on port 0 gets a new one each run). */
	movedFrom?: string;
	before: HostFigures | null;
	after: HostFigures | null;
}

/** Findings by identity (see insightIdentity): those only before, only after, and those in both (as after). */
export interface InsightChanges {
	gone: Insight[];
	new: Insight[];
	kept: Insight[];
}

/** Two sessions side by side: the data `asyncmon diff` words. */
export interface Comparison {
	before: SessionFigures;
	after: SessionFigures;
	/** The busiest first: by the larger of the two total times. */
	sites: SiteComparison[];
	/** The busiest first: by the larger of the two request counts. */
	hosts: HostComparison[];
	/** Requests received, by route, the busiest first: what a server's fix is about. */
	routes: RouteComparison[];
	insights: InsightChanges;
}

export interface ComparedSession {
	state: ModelState;
	insights: readonly Insight[];
}

export function compareSessions(before: ComparedSession, after: ComparedSession): Comparison {
	return {
		before: sessionFigures(before.state),
		after: sessionFigures(after.state),
		sites: matchSites(siteStatistics(before.state), siteStatistics(after.state)),
		hosts: matchHosts(httpStatsByHost(before.state), httpStatsByHost(after.state)),
		routes: matchRoutes(servedStatsByRoute(before.state), servedStatsByRoute(after.state)),
		insights: compareInsights(before.insights, after.insights),
	};
}

/** How a figure moved: the difference, and the ratio after over before (null when before is 0). */
export interface Change {
	delta: number;
	ratio: number | null;
}

export function change(before: number, after: number): Change {
	return {delta: after - before, ratio: before === 0 ? null : after / before};
}

const round = (ms: Ms): Ms => Math.round(ms * 1000) / 1000;

function sessionFigures(state: ModelState): SessionFigures {
	const summary = summarize(state);
	return {
		script: state.header?.script ?? '',
		exitCode: state.exit?.code ?? null,
		signal: state.exit?.signal ?? null,
		durationMs: round(sessionDuration(state)),
		concurrency: summary.concurrency,
		longestBlockMs: summary.longestBlockMs,
		taskCount: summary.taskCount,
		failedCount: summary.failedCount,
		maxInFlight: summary.maxInFlight,
		httpCount: summary.httpCount,
		failedHttp: summary.failedHttp,
		httpReceived: summary.httpReceived,
		failedReceived: summary.failedReceived,
	};
}

/**
 * Sites match by function name and location. A function that moved (lines added above it, its file renamed)
 * still matches when its name is left at exactly one unmatched site on each side; otherwise it is gone and new.
 */
export function matchSites(before: readonly SiteStatistics[], after: readonly SiteStatistics[]): SiteComparison[] {
	const key = (site: SiteStatistics): string => `${site.name}\u0000${site.location ?? ''}`;
	const afterByKey = new Map(after.map(site => [key(site), site]));
	const matched = new Set<SiteStatistics>();
	const sites: SiteComparison[] = [];
	const unmatchedBefore: SiteStatistics[] = [];
	for (const old of before) {
		const now = afterByKey.get(key(old));
		if (!now) {
			unmatchedBefore.push(old);
			continue;
		}
		matched.add(now);
		sites.push({status: 'same', name: old.name, site: old.location, before: old.figures, after: now.figures});
	}
	const unmatchedAfter = after.filter(site => !matched.has(site));
	const named = (list: readonly SiteStatistics[], name: string): SiteStatistics[] => list.filter(site => site.name === name);
	for (const old of unmatchedBefore) {
		const olds = named(unmatchedBefore, old.name);
		const nows = named(unmatchedAfter, old.name);
		if (olds.length === 1 && nows.length === 1) {
			const now = nows[0]!;
			matched.add(now);
			sites.push({status: 'moved', name: old.name, site: now.location, movedFrom: old.location, before: old.figures, after: now.figures});
		} else {
			sites.push({status: 'gone', name: old.name, site: old.location, before: old.figures, after: null});
		}
	}
	for (const now of unmatchedAfter) if (!matched.has(now)) sites.push({status: 'new', name: now.name, site: now.location, before: null, after: now.figures});
	const weight = (site: SiteComparison): number => Math.max(site.before?.totalMs ?? 0, site.after?.totalMs ?? 0);
	return sites.sort((a, b) => weight(b) - weight(a) || compareText(a.name, b.name) || compareText(a.site ?? '', b.site ?? ''));
}

function hostFigures(stats: HostStats): HostFigures {
	return {requests: stats.requests, failures: stats.failed, queue: stats.latency.queue ?? null, latency: stats.latency.total ?? null};
}

/** `127.0.0.1:46123` → `127.0.0.1`; `[::1]:80` → `[::1]`; a host without a port as it is. */
function hostName(host: string): string {
	return host.replace(/:\d+$/, '');
}

function matchRoutes(before: readonly RouteStats[], after: readonly RouteStats[]): RouteComparison[] {
	const routes = new Map<string, RouteComparison>();
	for (const stats of before) routes.set(stats.route, {route: stats.route, before: stats, after: null});
	for (const stats of after) {
		const route = routes.get(stats.route);
		if (route) route.after = stats;
		else routes.set(stats.route, {route: stats.route, before: null, after: stats});
	}
	const busiest = (route: RouteComparison): number => Math.max(route.before?.requests ?? 0, route.after?.requests ?? 0);
	return [...routes.values()].sort((a, b) => busiest(b) - busiest(a) || compareText(a.route, b.route));
}

function matchHosts(before: readonly HostStats[], after: readonly HostStats[]): HostComparison[] {
	const hosts = new Map<string, HostComparison>();
	for (const stats of before) hosts.set(stats.host, {host: stats.host, before: hostFigures(stats), after: null});
	const unmatched: HostStats[] = [];
	for (const stats of after) {
		const host = hosts.get(stats.host);
		if (host) host.after = hostFigures(stats);
		else unmatched.push(stats);
	}
	// A host only after whose name is that of one host only before, the only one of that name on either side: the
	// same server on a new port (one listening on port 0 gets a new one each run).
	const onlyBefore = [...hosts.values()].filter(host => host.after === null);
	for (const stats of unmatched) {
		const name = hostName(stats.host);
		const olds = onlyBefore.filter(host => hostName(host.host) === name);
		const nows = unmatched.filter(other => hostName(other.host) === name);
		if (olds.length === 1 && nows.length === 1 && name !== stats.host) {
			const old = olds[0]!;
			hosts.delete(old.host);
			hosts.set(stats.host, {host: stats.host, movedFrom: old.host, before: old.before, after: hostFigures(stats)});
		} else {
			hosts.set(stats.host, {host: stats.host, before: null, after: hostFigures(stats)});
		}
	}
	const weight = (host: HostComparison): number => Math.max(host.before?.requests ?? 0, host.after?.requests ?? 0);
	return [...hosts.values()].sort((a, b) => weight(b) - weight(a) || compareText(a.host, b.host));
}

/**
 * By identity, counted: two blocks at one place before and one after leave one gone. Then, as sites do (see
 * matchSites), a finding that moved with its code (its file renamed, lines added above it) is the same one when
 * what it is about, but for its place, is left exactly once on each side.
 */
export function compareInsights(before: readonly Insight[], after: readonly Insight[]): InsightChanges {
	const unclaimed = new Map<string, Insight[]>();
	for (const insight of before) {
		const id = insightIdentity(insight);
		unclaimed.set(id, [...(unclaimed.get(id) ?? []), insight]);
	}
	const changes: InsightChanges = {gone: [], new: [], kept: []};
	for (const insight of after) {
		const same = unclaimed.get(insightIdentity(insight));
		if (same && same.length > 0) {
			same.shift();
			changes.kept.push(insight);
		} else {
			changes.new.push(insight);
		}
	}
	// In the order the rules gave them: the most urgent first.
	const gone = before.filter(insight => unclaimed.get(insightIdentity(insight))!.includes(insight));
	const moved = movedInsights(gone, changes.new);
	changes.gone = gone.filter(insight => !moved.has(insight));
	changes.new = changes.new.filter(insight => !moved.has(insight));
	// Kept as after tells them, in its order.
	changes.kept = after.filter(insight => changes.kept.includes(insight) || moved.has(insight));
	return changes;
}

/** The findings of both sides (before's and after's alike) that are one finding moved: each alone on its side under its identity without place. */
function movedInsights(gone: readonly Insight[], added: readonly Insight[]): Set<Insight> {
	const byKey = (list: readonly Insight[]): Map<string, Insight[]> => {
		const map = new Map<string, Insight[]>();
		for (const insight of list) {
			const key = insightIdentityWithoutPlace(insight);
			if (key !== null) map.set(key, [...(map.get(key) ?? []), insight]);
		}
		return map;
	};
	const before = byKey(gone);
	const after = byKey(added);
	const moved = new Set<Insight>();
	for (const [key, olds] of before) {
		const nows = after.get(key);
		if (olds.length !== 1 || nows?.length !== 1) continue;
		moved.add(olds[0]!);
		moved.add(nows[0]!);
	}
	return moved;
}
