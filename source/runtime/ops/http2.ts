import {subscribe} from 'node:diagnostics_channel';
import type {ClientHttp2Session, ClientHttp2Stream, Http2Session, IncomingHttpHeaders, OutgoingHttpHeaders} from 'node:http2';
import {syncBuiltinESMExports} from 'node:module';
import type {OpEndEvent} from '../../protocol/events.js';
import {recordedUrl} from '../redact.js';
import type {Tracker} from '../tracker.js';
import {safePath} from './http.js';
import type {UndiciHttp2Streams} from './undici-http2.js';

interface Http2Request {
	id: number;
	created: number;
	/** Its session was still connecting when it was made: the wait until it started was the connection's. */
	connecting: boolean;
	status?: number;
	failed?: unknown;
	/** When the response's body ended ('end'): the request is done then, though its stream closes a little later. */
	endedAt?: number;
}

/**
 * HTTP/2 client requests (node:http2 `session.request()`) become HTTP ops
 * through the channels Node publishes for them (22.16 and 24): created in
 * the caller's code, so attributed to the task that made them; started
 * when the headers go out; answered when the response headers arrive;
 * ended when the response's body ends, or else when the stream closes. A request that waited for its session to
 * connect spent that time connecting; one that waited for a free stream
 * (the peer's concurrency limit), queued.
 */
export function instrumentHttp2(tracker: Tracker, undiciStreams?: UndiciHttp2Streams): void {
	// Node 24 says where a request goes in its message; Node 22 does not, and node:http2 (10 ms to load) is read then.
	const origins = Number(process.versions.node.split('.')[0]) < 24 ? rememberOrigins() : null;
	const requests = new WeakMap<ClientHttp2Stream, Http2Request>();
	const sent = (request: Http2Request, now: number): void => {
		const waited = now - request.created;
		tracker.emit({type: 'op.phase', t: now, id: request.id, phase: 'sent', queueMs: request.connecting ? 0 : waited, connectMs: request.connecting ? waited : 0});
	};
	/** On a connected session a stream starts before Node says it was created. */
	const startedFirst = new WeakSet<ClientHttp2Stream>();
	subscribe('http2.client.stream.created', message => {
		const {stream, headers} = message as {stream: ClientHttp2Stream; headers: OutgoingHttpHeaders};
		if (undiciStreams?.claims()) return;
		const method = String(headers[':method'] ?? 'GET');
		// Node 24 adds the pseudo-headers it fills in to the message; Node 22, only the session knows where it goes.
		const authority = headers[':authority'];
		const origin = authority === undefined ? (origins?.get(stream.session!) ?? '') : `${String(headers[':scheme'] ?? 'https')}://${String(authority)}`;
		const url = `${origin}${String(headers[':path'] ?? '/')}`;
		const id = tracker.startOp('http', `${method} ${safePath(url)}`, {http: {method, url: recordedUrl(url), client: 'node:http2'}});
		const request: Http2Request = {id, created: performance.now(), connecting: stream.session?.connecting === true};
		requests.set(stream, request);
		if (startedFirst.delete(stream)) sent(request, request.created);
	});
	subscribe('http2.client.stream.start', message => {
		const {stream} = message as {stream: ClientHttp2Stream};
		const request = requests.get(stream);
		if (request) sent(request, performance.now());
		else startedFirst.add(stream);
	});
	subscribe('http2.client.stream.finish', message => {
		const {stream, headers} = message as {stream: ClientHttp2Stream; headers: IncomingHttpHeaders};
		const request = requests.get(stream);
		if (!request) return;
		const status = Number(headers[':status']);
		// A 1xx is not the response yet.
		if (!Number.isInteger(status) || status < 200) return;
		request.status = status;
		tracker.emit({type: 'op.phase', t: performance.now(), id: request.id, phase: 'headers', status});
		// A body read to its end ends the request: the stream's close comes after both sides are done, later
		// (4 ms after the caller had the body, in a new user's run), and made the download look that much longer.
		stream.once('end', () => (request.endedAt = performance.now()));
	});
	subscribe('http2.client.stream.error', message => {
		const {stream, error} = message as {stream: ClientHttp2Stream; error: unknown};
		const request = requests.get(stream);
		if (request) request.failed = error;
	});
	subscribe('http2.client.stream.close', message => {
		const {stream} = message as {stream: ClientHttp2Stream};
		const request = requests.get(stream);
		if (!request) return;
		requests.delete(stream);
		// A stream closed with an error code before its response is a failed request, as a reset one is.
		const error = request.failed ?? (request.status === undefined ? new Error(`the HTTP/2 stream closed before a response (code ${stream.rstCode})`) : undefined);
		const event: OpEndEvent = {type: 'op.end', t: (error === undefined ? request.endedAt : undefined) ?? performance.now(), id: request.id, ok: error === undefined};
		if (request.status !== undefined) event.status = request.status;
		if (error !== undefined) event.error = tracker.errorInfo(error);
		tracker.emit(event);
	});
}

/** Where each session goes (`http://127.0.0.1:8443`), from the authority `http2.connect` was given: its public API. */
function rememberOrigins(): WeakMap<Http2Session, string> {
	const origins = new WeakMap<Http2Session, string>();
	const http2 = process.getBuiltinModule('node:http2');
	const connect = http2.connect;
	http2.connect = function (this: unknown, authority: string | URL, ...rest: unknown[]) {
		const session = (connect as (...args: unknown[]) => ClientHttp2Session).call(this, authority, ...rest);
		try {
			origins.set(session, new URL(String(authority)).origin);
		} catch {}
		return session;
	} as typeof http2.connect;
	syncBuiltinESMExports();
	return origins;
}
