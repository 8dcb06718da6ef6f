import type {Ms} from '../protocol/events.js';
import type {HttpPhaseName, TaskNode} from './state.js';

export function hostOf(url: string): string {
	try {
		return new URL(url).host || url;
	} catch {
		return url;
	}
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

/** `GET /users/7`: a received request's method and path, without its query. */
export function routeOf(request: {method: string; url: string}): string {
	return `${request.method} ${request.url.split('?')[0]}`;
}
