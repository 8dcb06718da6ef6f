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
	/** A gRPC call's (its response's content-type says so). */
	grpcCall?: true;
	/** A gRPC call's outcome, from its `grpc-status` (in the trailers, or the headers of a response that has none). */
	grpc?: {code: number; message: string};
	/** When its `grpc-status` came (trailers, or headers with none to follow): the script is told then; its stream closes later. */
	grpcAt?: number;
}

/** gRPC's status codes by number (grpc/doc/statuscodes.md), as grpc-js names them in its errors: `5 NOT_FOUND: …`. */
const GRPC_STATUS = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

/** NGHTTP2_NO_ERROR and NGHTTP2_CANCEL: a stream closed as it should be, or given up (by the script, or its session's close). */
const CLEAN_CLOSE = new Set([0, 8]);
const NGHTTP2_CANCEL = 8;

/** The `grpc-status` and `grpc-message` of a response's headers or trailers, if it has them. */
function grpcOutcome(headers: IncomingHttpHeaders): Http2Request['grpc'] {
	const code = Number(headers['grpc-status']);
	if (headers['grpc-status'] === undefined || !Number.isInteger(code)) return undefined;
	const raw = String(headers['grpc-message'] ?? '');
	let message = raw;
	try {
		message = decodeURIComponent(raw);
	} catch {}
	return {code, message};
}

/** A failed call as grpc-js words it: `5 NOT_FOUND: no item zzz`. */
function grpcError({code, message}: NonNullable<Http2Request['grpc']>): Error {
	const error = new Error(`${code} ${GRPC_STATUS[code] ?? 'UNKNOWN'}${message ? `: ${message}` : ''}`);
	error.name = 'GrpcError';
	return error;
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
		// `new Promise(resolve => stream.on('close', …))` waits on the request, as `once(stream, 'close')` does.
		tracker.promiseTargets.tagEmitter(stream, {kind: 'op', id});
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
		// A gRPC call answers 200 and says how it went in its trailers (or, with no body, in these headers).
		if (String(headers['content-type'] ?? '').startsWith('application/grpc')) {
			request.grpcCall = true;
			request.grpc = grpcOutcome(headers);
			if (request.grpc) request.grpcAt = performance.now();
			stream.once('trailers', (trailers: IncomingHttpHeaders) => {
				request.grpc = grpcOutcome(trailers) ?? request.grpc;
				request.grpcAt = performance.now();
			});
		}
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
		const error = request.failed ?? closeError(request, stream.rstCode);
		// Done as its body ended, or a gRPC call as its status said how it went: the script may have made its next call
		// by the time the stream closes, and the two read as in flight together.
		const settledAt = error === undefined ? request.endedAt : request.grpc?.code ? request.grpcAt : undefined;
		const event: OpEndEvent = {type: 'op.end', t: settledAt ?? performance.now(), id: request.id, ok: error === undefined};
		if (request.status !== undefined) event.status = request.status;
		if (error !== undefined) event.error = tracker.errorInfo(error);
		tracker.emit(event);
	});
}

/**
 * How a request whose stream closed failed, if it did: closed before a response, as a reset one is; reset with an
 * error code after its response began (the script may have had an 'end', and a cut body); or a gRPC call that
 * answered with a status other than OK.
 */
function closeError(request: Http2Request, rstCode: number): Error | undefined {
	if (request.status === undefined) return new Error(`the HTTP/2 stream closed before a response (code ${rstCode})`);
	if (!CLEAN_CLOSE.has(rstCode)) return new Error(`the HTTP/2 stream was reset during the response (code ${rstCode})`);
	// Given up before its body ended (an AbortSignal, `close(NGHTTP2_CANCEL)`, a gRPC call's cancel()): cut off, as an
	// aborted node:http request is, however its headers read.
	if (rstCode === NGHTTP2_CANCEL && request.endedAt === undefined) {
		return request.grpcCall ? grpcError({code: 1, message: 'the call was cancelled before it ended'}) : new Error('the HTTP/2 stream was cancelled before its response ended');
	}
	if (request.grpc && request.grpc.code !== 0) return grpcError(request.grpc);
	return undefined;
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
