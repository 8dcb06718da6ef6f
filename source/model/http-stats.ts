import type {ModelState, SiteAggregate, TaskNode} from './state.js';
import {HTTP_PHASES, type HttpPhaseName} from './state.js';
import {isClientError, phaseMs} from './http-phases.js';
import {hostOf} from '../protocol/hosts.js';
import {routeOf} from '../protocol/routes.js';
import {latencyStats, type LatencyStats} from './latency.js';
import {compareText} from './text-order.js';

export interface HostStats {
	host: string;
	requests: number;
	/** Failed: a network error, or a 5xx status, as the summary's failed requests count them. */
	failed: number;
	/** Answered with a 4xx status: the server's answer, not a failure. */
	clientErrors: number;
	/** Only phases that some request completed appear. */
	latency: Partial<Record<HttpPhaseName, LatencyStats>>;
}

/** Per-host request counts and latency percentiles, busiest host first; folded requests count as they would one by one. */
export function httpStatsByHost(state: ModelState): HostStats[] {
	const byHost = new Map<string, TaskNode[]>();
	for (const id of state.order) {
		const node = state.nodes.get(id)!;
		if (!node.http) continue;
		const host = hostOf(node.http.url);
		let requests = byHost.get(host);
		if (!requests) byHost.set(host, (requests = []));
		requests.push(node);
	}
	for (const host of state.aggregated.hosts.keys()) if (!byHost.has(host)) byHost.set(host, []);
	const stats: HostStats[] = [];
	for (const [host, requests] of byHost) {
		const folded = state.aggregated.hosts.get(host);
		const latency: HostStats['latency'] = {};
		for (const phase of HTTP_PHASES) {
			const samples = requests.map(node => phaseMs(node, phase)).filter((ms): ms is number => ms !== undefined);
			const foldedPhase = folded?.phases[phase] ?? null;
			if (samples.length > 0 || foldedPhase) latency[phase] = latencyStats(foldedPhase, samples);
		}
		stats.push({
			host,
			requests: requests.length + (folded?.requests ?? 0),
			failed: requests.filter(node => node.state === 'failed').length + (folded?.failed ?? 0),
			clientErrors: requests.filter(isClientError).length + (folded?.clientErrors ?? 0),
			latency,
		});
	}
	return stats.sort((a, b) => b.requests - a.requests || compareText(a.host, b.host));
}

export interface RouteStats {
	/** `GET /users/7`: the method and the path, without the query. */
	route: string;
	requests: number;
	/** Answered with a 5xx status, or left by their client before the response finished. */
	failures: number;
	/** Arrival to the response's end, of those that ended. */
	latency?: LatencyStats;
}

/** Requests the script's servers received, per route, busiest first; folded ones count as they would one by one. */
export function servedStatsByRoute(state: ModelState): RouteStats[] {
	const byRoute = new Map<string, TaskNode[]>();
	for (const id of state.order) {
		const node = state.nodes.get(id)!;
		if (!node.request) continue;
		const route = routeOf(node.request);
		let requests = byRoute.get(route);
		if (!requests) byRoute.set(route, (requests = []));
		requests.push(node);
	}
	const folded = new Map<string, SiteAggregate>();
	for (const site of state.aggregated.sites.values()) {
		if (site.kind !== 'server') continue;
		folded.set(site.name, site);
		if (!byRoute.has(site.name)) byRoute.set(site.name, []);
	}
	const stats: RouteStats[] = [];
	for (const [route, requests] of byRoute) {
		const site = folded.get(route);
		const samples = requests.flatMap(node => (node.endMs === null ? [] : [node.endMs - node.startMs]));
		const routeStats: RouteStats = {
			route,
			requests: requests.length + (site?.count ?? 0),
			failures: requests.filter(node => node.state === 'failed').length + (site?.failed ?? 0),
		};
		if (samples.length > 0 || site) routeStats.latency = latencyStats(site?.total ?? null, samples);
		stats.push(routeStats);
	}
	return stats.sort((a, b) => b.requests - a.requests || compareText(a.route, b.route));
}
