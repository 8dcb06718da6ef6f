import type {Ms} from '../protocol/events.js';
import type {HttpPhaseName, HttpPhases, TaskNode} from './state.js';

/**
 * When a request waited for a connection: in a pool's queue until it left it, or (any client) the queue time its
 * `sent` phase measured; until `untilMs` while it is still queued. Null when it waited for none, or when its
 * details are not known (an op of kind http without them: a crafted recording).
 */
export function queueSpan(node: TaskNode, untilMs: Ms): [Ms, Ms] | null {
	const http = node.http;
	if (http?.queue) return [node.startMs, http.dequeuedAt ?? untilMs];
	if (http?.phases.queueMs) return [node.startMs, node.startMs + http.phases.queueMs];
	return null;
}

/**
 * When a request was in flight: from the end of its wait for a connection (see queueSpan), or from its start if it
 * waited for none, to its end (or `endMs` while it lasts). A request that never left the queue was never in
 * flight: an empty span.
 */
export function inFlightSpan(node: TaskNode, endMs: Ms): [Ms, Ms] {
	const end = node.endMs ?? endMs;
	const from = queueSpan(node, end)?.[1] ?? node.startMs;
	return [Math.min(from, end), end];
}

/** Answered with a 4xx status and not failed (a 5xx, or a network error, fails the request: see httpFailed). */
export function isClientError(node: TaskNode): boolean {
	const status = node.http?.status ?? 0;
	return node.state !== 'failed' && status >= 400 && status < 500;
}

/** A phase counts only once it is over, so a request cut off mid-download adds no download time. */
export function phaseMs(node: TaskNode, phase: HttpPhaseName): Ms | undefined {
	return phaseOfTimes(node.http!.phases, node.endMs === null ? undefined : node.endMs - node.startMs, phase);
}

/** A phase's time from what a request measured, a request kept (see phaseMs) or one folded at the source alike: `totalMs` once it ended. */
export function phaseOfTimes(phases: HttpPhases, totalMs: Ms | undefined, phase: HttpPhaseName): Ms | undefined {
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
			return totalMs;
	}
}

