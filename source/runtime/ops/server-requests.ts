import type {IncomingMessage, ServerResponse} from 'node:http';
import type {ServerRequestDetails} from '../../protocol/events.js';
import {recordedRequestTarget, recordedText} from '../redact.js';
import type {Task, Tracker} from '../tracker.js';
import {onHttpChannel} from './http-channels.js';
import {safePath} from './http.js';

/** W3C Trace Context: version, trace id and parent id (neither all zeros), flags; a later version may add more. */
const TRACEPARENT = /^([\da-f]{2})-(?!0{32})[\da-f]{32}-(?!0{16})[\da-f]{16}-[\da-f]{2}(-|$)/;
/** Version 00's length, which later versions begin with. */
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
	const requests = new WeakMap<ServerResponse, Task>();
	onHttpChannel('http.server.request.start', ({request, response}) => {
		const method = request.method ?? 'GET';
		const url = request.url ?? '/';
		const task = tracker.serve(`${method} ${safePath(url)}`, requestDetails(request, method, url));
		requests.set(response, task);
		// Node's own 'close' comes after 'finish', or alone when the client went away first.
		response.once('close', () => {
			if (requests.delete(response)) tracker.served(task, {aborted: true});
		});
	});
	onHttpChannel('http.server.response.finish', ({response}) => {
		const task = requests.get(response);
		if (!task) return;
		requests.delete(response);
		tracker.served(task, {status: response.statusCode});
	});
}

function requestDetails(request: IncomingMessage, method: string, url: string): ServerRequestDetails {
	const details: ServerRequestDetails = {method, url: recordedRequestTarget(url)};
	const host = request.headers.host;
	if (host) details.host = recordedText(host);
	const traceparent = request.headers.traceparent;
	if (typeof traceparent === 'string' && wellFormed(traceparent)) details.traceparent = traceparent.slice(0, TRACEPARENT_LENGTH);
	return details;
}

/** As the spec reads it: `ff` is no version, and version 00 has nothing after its flags. */
function wellFormed(traceparent: string): boolean {
	const version = TRACEPARENT.exec(traceparent)?.[1];
	if (version === undefined || version === 'ff') return false;
	return version !== '00' || traceparent.length === TRACEPARENT_LENGTH;
}
