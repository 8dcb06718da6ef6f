import type {IncomingMessage, ServerResponse} from 'node:http';
import type {ServerRequestDetails} from '../../protocol/events.js';
import {recordedRequestTarget, recordedText} from '../redact.js';
import type {Task, Tracker} from '../tracker.js';
import {onHttpChannel} from './http-channels.js';
import {privateSlot} from '../private-slot.js';
import {safePath} from './http.js';
import {continueRemoteTrace} from './trace-propagation.js';
import {parseTraceparent} from '../../protocol/trace-context.js';

/** Version 00's length, which later versions begin with: what is kept of a well-formed header. */
const TRACEPARENT_LENGTH = 55;

/**
 * Each request an http or https server of the script's receives (plain
 * node:http, Express, Fastify: all parse requests in node:http) becomes a
 * task of kind `server`, from its arrival to its response's end. Node
 * publishes `http.server.request.start` synchronously just before it calls
 * the request listener, so the listener, and all it starts, runs in the task.
 * Only the Host and traceparent headers are read; the query is recorded
 * redacted and never named.
 */
export function instrumentServerRequests(tracker: Tracker): void {
	const requests = privateSlot<Task>();
	/** Routes that a framework said it matched through a channel of its own, by the response: Fastify's. */
	const announcedRoutes = new WeakMap<ServerResponse, string>();
	onHttpChannel('tracing:fastify.request.handler:start', ({reply, route}) => {
		const response = reply?.raw;
		if (response && typeof route?.url === 'string') announcedRoutes.set(response, route.url);
	});
	onHttpChannel('http.server.request.start', ({request, response}) => {
		const method = request.method ?? 'GET';
		const url = request.url ?? '/';
		const details = requestDetails(request, method, url);
		const task = tracker.serve(`${method} ${safePath(url)}`, details, response);
		// With --otlp-propagate, what the request's subtree sends carries the caller's trace.
		if (details.traceparent) continueRemoteTrace(task, details.traceparent);
		requests.set(response, task);
		response.on('close', closed);
	});
	/**
	 * Node's own 'close' comes after 'finish', or alone when the client went away first, or when the server's own
	 * code destroyed the response with an error (a `pipeline` from a source that failed). One listener for every
	 * response, not a closure and `once`'s wrapper each: a response closes once.
	 */
	function closed(this: ServerResponse): void {
		const task = requests.get(this);
		if (!task) return;
		requests.delete(this);
		const route = matchedRoute(this, announcedRoutes.get(this));
		// The server gave up on its response: its failure, not the client's leaving.
		if (this.errored) return tracker.failedToServe(task, this.errored, this.headersSent ? {status: this.statusCode, ...route} : {...route});
		const socket = this.req?.socket;
		// Node's requestTimeout: the request took too long to arrive, and Node answered 408 itself, on the socket.
		if (isNodeError(socket?.errored, 'ERR_HTTP_REQUEST_TIMEOUT')) return tracker.failedToServe(task, socket!.errored!, {status: 408, ...route});
		// Our side closed the connection, the client neither ended nor reset it: the server's code destroyed the request,
		// its response or its socket (a body over its limit, say), or closed its connections.
		if (socket && !socket.readableEnded && !socket.errored) return tracker.failedToServe(task, new Error(ENDED_BY_SERVER), this.headersSent ? {status: this.statusCode, ...route} : {...route});
		// Left after the response began (its headers sent: a stream's reader that had what it wanted), or before it.
		tracker.served(task, this.headersSent ? {status: this.statusCode, aborted: true, ...route} : {aborted: true, ...route});
	}
	onHttpChannel('http.server.response.finish', ({response}) => {
		const task = requests.get(response);
		if (!task) return;
		requests.delete(response);
		tracker.served(task, {status: response.statusCode, ...matchedRoute(response, announcedRoutes.get(response))});
	});
}

/** A request that closed on the server's side before it was answered, with no error of its own. */
export const ENDED_BY_SERVER = 'the server closed the connection before it finished its response (the request, its response or its socket destroyed)';

function isNodeError(error: Error | null | undefined, code: string): boolean {
	return (error as (Error & {code?: unknown}) | null | undefined)?.code === code;
}

export function requestDetails(request: IncomingMessage, method: string, url: string): ServerRequestDetails {
	const details: ServerRequestDetails = {method, url: recordedRequestTarget(url)};
	const host = request.headers.host;
	if (host) details.host = recordedText(host);
	const traceparent = request.headers.traceparent;
	if (typeof traceparent === 'string' && parseTraceparent(traceparent)) details.traceparent = traceparent.trim().slice(0, TRACEPARENT_LENGTH);
	return details;
}

/** What Express leaves on the request it routed: the mount path and the matched route's path. */
interface RoutedRequest {
	baseUrl?: unknown;
	route?: {path?: unknown};
}

/**
 * The route template the framework matched, read (never written) from the request once it is answered:
 * Express sets `req.route` and `req.baseUrl`; Fastify says it (`announced`) on its handler's channel. Other
 * frameworks leave the path, which is grouped by its shape (see routeOf in protocol/routes.ts, the one that
 * names routes, here as in the model).
 */
function matchedRoute(response: ServerResponse, announced: string | undefined): {route?: string} {
	if (announced !== undefined) return {route: announced};
	const request = response.req as (IncomingMessage & RoutedRequest) | undefined;
	const path = request?.route?.path;
	if (typeof path !== 'string') return {};
	const base = typeof request?.baseUrl === 'string' ? request.baseUrl : '';
	return {route: base + path};
}
