import type {Ms} from '../protocol/events.js';
import type {HttpPhaseName, TaskNode} from './state.js';

export function hostOf(url: string): string {
	try {
		return new URL(url).host || url;
	} catch {
		return url;
	}
}

/**
 * When a request was in flight: from the moment it left its pool's queue, or from its start if it never queued,
 * to its end (or `endMs` while it lasts). A request that never left the queue was never in flight: an empty span.
 */
export function inFlightSpan(node: TaskNode, endMs: Ms): [Ms, Ms] {
	const end = node.endMs ?? endMs;
	// An op of kind http without its details (a crafted recording) was never seen queued.
	const http = node.http;
	const from = http?.queue ? (http.dequeuedAt ?? end) : node.startMs;
	return [Math.min(from, end), end];
}

/** Failed requests and responses with status 400 or above. */
export function isHttpError(node: TaskNode): boolean {
	return node.state === 'failed' || (node.http?.status ?? 0) >= 400;
}

/** A phase counts only once it is over, so a request cut off mid-download adds no download time. */
export function phaseMs(node: TaskNode, phase: HttpPhaseName): Ms | undefined {
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

/** A path segment that is an id, not a place: a number, a UUID, a long hex or base64-ish token. */
const ID_SEGMENT = /^(?:\d+|[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}|[\da-f]{16,}|[\w-]{24,})$/i;

/**
 * `GET /users/:id`: a received request's method and route, which groups its figures and folds its tasks.
 * The framework's template where it said one; else the path without its query, its id-like segments as
 * `:id`, so that a server's routes stay a few however many users it serves.
 */
export function routeOf(request: {method: string; url: string; route?: string}): string {
	if (request.route !== undefined) return `${request.method} ${request.route}`;
	const path = request.url.split('?')[0]!;
	return `${request.method} ${path
		.split('/')
		.map(segment => (ID_SEGMENT.test(segment) ? ':id' : segment))
		.join('/')}`;
}
