import * as hdr from 'hdr-histogram-js';
import type {Ms} from '../protocol/events.js';
import type {ModelState, TaskNode} from '../model/state.js';

export const HTTP_PHASES = ['queue', 'connect', 'ttfb', 'download', 'total'] as const;
export type HttpPhaseName = (typeof HTTP_PHASES)[number];

export interface LatencyStats {
	samples: number;
	p50Ms: Ms;
	p90Ms: Ms;
	p99Ms: Ms;
	maxMs: Ms;
}

export interface HostStats {
	host: string;
	requests: number;
	/** Failed requests and responses with status 400 or above. */
	errors: number;
	/** Only phases that some request completed appear. */
	latency: Partial<Record<HttpPhaseName, LatencyStats>>;
}

/** Per-host request counts and latency percentiles, busiest host first. */
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
	const stats: HostStats[] = [];
	for (const [host, requests] of byHost) {
		const latency: HostStats['latency'] = {};
		for (const phase of HTTP_PHASES) {
			const samples = requests.map(node => phaseMs(node, phase)).filter((ms): ms is Ms => ms !== undefined);
			if (samples.length > 0) latency[phase] = latencyStats(samples);
		}
		stats.push({host, requests: requests.length, errors: requests.filter(isHttpError).length, latency});
	}
	return stats.sort((a, b) => b.requests - a.requests || a.host.localeCompare(b.host));
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

/** Requests the script's servers received, per route, busiest first. */
export function servedStatsByRoute(state: ModelState): RouteStats[] {
	const byRoute = new Map<string, TaskNode[]>();
	for (const id of state.order) {
		const node = state.nodes.get(id)!;
		if (!node.request) continue;
		const route = `${node.request.method} ${node.request.url.split('?')[0]}`;
		let requests = byRoute.get(route);
		if (!requests) byRoute.set(route, (requests = []));
		requests.push(node);
	}
	const stats: RouteStats[] = [];
	for (const [route, requests] of byRoute) {
		const samples = requests.flatMap(node => (node.endMs === null ? [] : [node.endMs - node.startMs]));
		const routeStats: RouteStats = {route, requests: requests.length, failures: requests.filter(node => node.state === 'failed').length};
		if (samples.length > 0) routeStats.latency = latencyStats(samples);
		stats.push(routeStats);
	}
	return stats.sort((a, b) => b.requests - a.requests || a.route.localeCompare(b.route));
}

function hostOf(url: string): string {
	try {
		return new URL(url).host || url;
	} catch {
		return url;
	}
}

function isHttpError(node: TaskNode): boolean {
	return node.state === 'failed' || (node.http?.status ?? 0) >= 400;
}

/** A phase counts only once it is over, so a request cut off mid-download adds no download time. */
function phaseMs(node: TaskNode, phase: HttpPhaseName): Ms | undefined {
	const phases = node.http!.phases;
	switch (phase) {
		case 'queue':
			return phases.queueMs;
		case 'connect':
			return phases.connectMs;
		case 'ttfb':
			return phases.ttfbMs;
		case 'download':
			return phases.downloadMs;
		case 'total':
			return node.endMs === null ? undefined : node.endMs - node.startMs;
	}
}

/** Histogram in whole microseconds, 3 significant digits. */
function latencyStats(samplesMs: Ms[]): LatencyStats {
	const histogram = hdr.build({numberOfSignificantValueDigits: 3});
	for (const ms of samplesMs) histogram.recordValue(Math.max(0, Math.round(ms * 1000)));
	const maxUs = histogram.maxValue;
	// A percentile is the top of its bucket, which can lie above the largest sample.
	const at = (percentile: number): Ms => Math.min(histogram.getValueAtPercentile(percentile), maxUs) / 1000;
	const stats = {samples: samplesMs.length, p50Ms: at(50), p90Ms: at(90), p99Ms: at(99), maxMs: maxUs / 1000};
	histogram.destroy();
	return stats;
}
