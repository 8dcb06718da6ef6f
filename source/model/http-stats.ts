import type {Ms} from '../protocol/events.js';
import {durationStats, type DurationStats} from './percentiles.js';
import type {ModelState, TaskNode} from './state.js';

export const HTTP_PHASES = ['queue', 'connect', 'ttfb', 'download', 'total'] as const;
export type HttpPhaseName = (typeof HTTP_PHASES)[number];

export interface HostStats {
	host: string;
	requests: number;
	/** Failed requests and responses with status 400 or above. */
	errors: number;
	/** Only phases that some request completed appear. */
	latency: Partial<Record<HttpPhaseName, DurationStats>>;
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
			if (samples.length > 0) latency[phase] = durationStats(samples);
		}
		stats.push({host, requests: requests.length, errors: requests.filter(isHttpError).length, latency});
	}
	return stats.sort((a, b) => b.requests - a.requests || a.host.localeCompare(b.host));
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
