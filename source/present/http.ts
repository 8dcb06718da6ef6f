import type {ServerRequestInfo, TaskNode} from '../model/state.js';
import type {ErrorInfo} from '../protocol/events.js';
import {errorText} from './errors.js';
import type {Color} from './paint.js';
import {glyphs} from './states.js';

/** What a status cell reads of a request, sent (HttpInfo) or received (ServerRequestInfo). */
interface StatusOf {
	status?: number;
	/** A received request whose client went away. */
	aborted?: boolean;
}

/** A request's status as a table shows it: the code, `ERR` for a network error (`GONE` for a client that left), blank while it runs. */
export function httpStatusText(http: StatusOf, failed: boolean): string {
	if (http.status !== undefined) return String(http.status);
	if (http.aborted) return 'GONE';
	return failed ? 'ERR' : '';
}

/** Server errors and network errors read red, like any failure; a 4xx is the server's answer, in yellow. */
export function httpStatusColor(http: StatusOf, failed: boolean): Color | undefined {
	if (failed) return 'red';
	return http.status !== undefined && http.status >= 400 ? 'yellow' : undefined;
}

/** The request a row is about, sent (an `http` op) or received (a `server` task). */
export function requestOf(node: TaskNode): StatusOf | undefined {
	return node.http ?? node.request;
}

/** A task's name, marked as a request one of the script's servers received where it is one: `⇠ GET /users/7`. */
export function taskLabel(node: TaskNode, ascii: boolean): string {
	return node.request ? `${glyphs(ascii).received} ${node.name}` : node.name;
}

/**
 * How a received request ended, in words, `took` after it arrived: `200 in 43ms`, that its client went away first,
 * or that it left once the response began (`200, the client left after 2.10s`: a stream's reader that had enough).
 */
export function servedOutcome(request: ServerRequestInfo, took: string, error?: ErrorInfo): string {
	// The server's own code gave up on its response (a `pipeline` whose source failed): its error says why.
	if (error) return `${request.status === undefined ? 'failed' : `${request.status}, the response failed`} after ${took}: ${errorText(error)}`;
	if (!request.aborted) return `${request.status ?? ''} in ${took}`;
	return request.status === undefined ? `aborted by the client after ${took}` : `${request.status}, the client left after ${took}`;
}
