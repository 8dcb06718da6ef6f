import type {ClientRequest} from 'node:http';
import type {Socket} from 'node:net';
import type {HttpClient, OpEndEvent} from '../../protocol/events.js';
import {recordedText, recordedUrl} from '../redact.js';
import type {Task, Tracker} from '../tracker.js';
import {onHttpChannel as on, type UndiciConnectParams, type UndiciRequest} from './http-channels.js';
import type {TracePropagation} from './trace-propagation.js';

interface Pending {
	id: number;
	/** The task that made the request. */
	owner: Task;
	created: number;
	bytes: number;
	status?: number;
}

/** Which task handed a request to an undici dispatcher, and when: where its queueing began. */
interface DispatchOrigin {
	task: Task;
	at: number;
}

interface Connection {
	start: number;
	end: number;
	/** The first request on a new socket paid for the connection. */
	charged: boolean;
}

/**
 * HTTP requests become ops through diagnostics channels: undici's (npm
 * undici and Node's global fetch publish the same names) and node:http's
 * (axios, got). Subscribers run synchronously inside the client, so the
 * task current at creation is the one that made the request.
 * Headers are never read: Authorization, Cookie and Proxy-Authorization, and
 * the response's Set-Cookie, never reach a recording. The URL is recorded
 * redacted (see redact.ts); the op's name never holds the query.
 * With `propagation` (`--otlp-propagate`), each request gets a `traceparent` header, unless it has one already.
 */
export function instrumentHttp(tracker: Tracker, propagation: TracePropagation | null = null): void {
	const start = (client: HttpClient, method: string, url: string, origin?: DispatchOrigin): Pending => {
		const path = safePath(url);
		const http = {method, url: recordedUrl(url), client};
		const owner = origin?.task ?? tracker.current();
		const id = tracker.startOp('http', `${method} ${path}`, origin ? {http, t: origin.at} : {http}, owner);
		return {id, owner, created: origin?.at ?? performance.now(), bytes: 0};
	};
	// A subscriber that throws would surface as an uncaught exception of the script's: a header it cannot add is left out.
	const propagate = (pending: Pending, add: (value: string) => void): void => {
		if (!propagation) return;
		try {
			add(propagation.traceparent(pending.owner, pending.id));
		} catch {}
	};
	const sent = (pending: Pending, connection: Connection | undefined): void => {
		const now = performance.now();
		let connectMs = 0;
		if (connection && !connection.charged) {
			connection.charged = true;
			connectMs = Math.max(0, connection.end - Math.max(connection.start, pending.created));
		}
		tracker.emit({type: 'op.phase', t: now, id: pending.id, phase: 'sent', queueMs: Math.max(0, now - pending.created - connectMs), connectMs});
	};
	const headers = (pending: Pending, status: number): void => {
		pending.status = status;
		tracker.emit({type: 'op.phase', t: performance.now(), id: pending.id, phase: 'headers', status});
	};
	const finished = (pending: Pending, error?: unknown): void => {
		const event: OpEndEvent = {type: 'op.end', t: performance.now(), id: pending.id, ok: error === undefined, bytes: pending.bytes};
		if (pending.status !== undefined) event.status = pending.status;
		if (error !== undefined) event.error = tracker.errorInfo(error);
		tracker.emit(event);
	};

	const undiciRequests = new WeakMap<UndiciRequest, Pending>();
	const connecting = new WeakMap<UndiciConnectParams, number>();
	const connections = new WeakMap<Socket, Connection>();

	/**
	 * npm undici's dispatchers, through their public `dispatch(opts, handler)`: who asked for each request, and when.
	 * A Pool whose connections are all busy queues the request and dispatches the same `opts` to a client later,
	 * which is when the request is made (`undici:request:create`, inside that call): its origin is still the first
	 * call's. Agents hand `opts` down to a Pool, and a Pool to a Client, the same way.
	 */
	const origins = new WeakMap<object, DispatchOrigin>();
	/** The dispatch call under way, if any: a request made now is its. */
	let dispatching: DispatchOrigin | undefined;
	tracker.patchDispatcher = (dispatcherBase: {prototype: {dispatch: (opts: unknown, handler: unknown) => boolean}}) => {
		const dispatch = dispatcherBase.prototype.dispatch;
		dispatcherBase.prototype.dispatch = function (this: unknown, opts: unknown, handler: unknown) {
			if (!opts || typeof opts !== 'object') return dispatch.call(this, opts, handler);
			let origin = origins.get(opts);
			if (!origin) {
				// An interceptor may hand on a copy of the options: still the request of the call under way.
				origin = dispatching ?? {task: tracker.current(), at: performance.now()};
				origins.set(opts, origin);
			}
			const outer = dispatching;
			dispatching = origin;
			try {
				return dispatch.call(this, opts, handler);
			} finally {
				dispatching = outer;
			}
		};
	};

	on('undici:request:create', ({request}) => {
		const pending = start('undici', String(request.method), `${request.origin}${request.path}`, dispatching);
		undiciRequests.set(request, pending);
		propagate(pending, value => {
			if (!hasUndiciHeader(request, TRACEPARENT)) request.addHeader(TRACEPARENT, value);
		});
	});
	on('undici:client:beforeConnect', ({connectParams}) => connecting.set(connectParams, performance.now()));
	on('undici:client:connected', ({socket, connectParams}) => {
		connections.set(socket, {start: connecting.get(connectParams) ?? performance.now(), end: performance.now(), charged: false});
	});
	on('undici:client:sendHeaders', ({request, socket}) => {
		const pending = undiciRequests.get(request);
		if (pending) sent(pending, connections.get(socket));
	});
	on('undici:request:headers', ({request, response}) => {
		const pending = undiciRequests.get(request);
		if (pending) headers(pending, response.statusCode);
	});
	on('undici:request:bodyChunkReceived', ({request, chunk}) => {
		const pending = undiciRequests.get(request);
		if (pending) pending.bytes += chunk.length;
	});
	on('undici:request:trailers', ({request}) => {
		const pending = undiciRequests.get(request);
		if (!pending) return;
		undiciRequests.delete(request);
		finished(pending);
	});
	on('undici:request:error', ({request, error}) => {
		const pending = undiciRequests.get(request);
		if (!pending) return;
		undiciRequests.delete(request);
		finished(pending, error);
	});

	const nodeRequests = new WeakMap<ClientRequest, Pending>();
	on('http.client.request.created', ({request}) => {
		const pending = start('node:http', request.method, `${request.protocol}//${request.getHeader('host') ?? request.host}${request.path}`);
		nodeRequests.set(request, pending);
		propagate(pending, value => {
			if (!request.headersSent && !request.hasHeader(TRACEPARENT)) request.setHeader(TRACEPARENT, value);
		});
		request.once('socket', (socket: Socket) => {
			const assigned = performance.now();
			const connection: Connection = {start: assigned, end: assigned, charged: !socket.connecting};
			if (socket.connecting) socket.once('connect', () => (connection.end = performance.now()));
			request.once('finish', () => sent(pending, connection));
		});
	});
	on('http.client.response.finish', ({request, response}) => {
		const pending = nodeRequests.get(request);
		if (!pending) return;
		headers(pending, response.statusCode ?? 0);
		const socket = response.socket;
		const readBefore = socket?.bytesRead ?? 0;
		const done = (error?: unknown): void => {
			if (!nodeRequests.delete(request)) return;
			const length = Number(response.headers['content-length']);
			pending.bytes = Number.isFinite(length) ? length : Math.max(0, (socket?.bytesRead ?? readBefore) - readBefore);
			finished(pending, error);
		};
		// No 'error' listener: one would stop an unhandled response error from crashing, as it does under node.
		response.once('end', () => done());
		response.once('close', () => done(response.complete ? undefined : new Error('response closed before it was complete')));
	});
	on('http.client.request.error', ({request, error}) => {
		const pending = nodeRequests.get(request);
		if (!pending || !nodeRequests.delete(request)) return;
		finished(pending, error);
	});
}

const TRACEPARENT = 'traceparent';

/** undici keeps a request's headers as `[name, value, …]` (as `name: value\r\n…` before undici 7). */
function hasUndiciHeader(request: UndiciRequest, name: string): boolean {
	const headers = request.headers;
	if (typeof headers === 'string') return headers.toLowerCase().split('\r\n').some(line => line.startsWith(`${name}:`));
	if (!Array.isArray(headers)) return false;
	for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return true;
	return false;
}

/** Scheme, host and path only: the path is the rest, as the client sent it. */
const PLAIN_URL = /^[a-z][a-z\d+.-]*:\/\/[^/?#@]*(\/[^?#]*)?$/i;

/** The request's path with its query hidden: `GET /items?…`. `url` is absolute, or the path and query a server received. */
export function safePath(url: string): string {
	if (url.startsWith('/')) {
		const query = url.indexOf('?');
		return recordedText(query === -1 ? url : `${url.slice(0, query)}?…`);
	}
	const plain = PLAIN_URL.exec(url);
	if (plain) return plain[1] || '/';
	try {
		const parsed = new URL(url);
		return parsed.pathname + (parsed.search ? '?…' : '');
	} catch {
		return recordedText(url);
	}
}
