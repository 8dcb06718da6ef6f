import type {ModelState, TaskNode} from './state.js';
import {HTTP_PHASES, type HttpPhaseName} from './state.js';
import {hostOf, isHttpError, phaseMs} from './http-phases.js';
import {latencyStats, type LatencyStats} from './latency.js';

export interface HostStats {
	host: string;
	requests: number;
	/** Failed requests and responses with status 400 or above. */
	errors: number;
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
			errors: requests.filter(isHttpError).length + (folded?.errors ?? 0),
			latency,
		});
	}
	return stats.sort((a, b) => b.requests - a.requests || a.host.localeCompare(b.host));
}
