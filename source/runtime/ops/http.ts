import type {ClientRequest, IncomingMessage} from 'node:http';
import type {Socket} from 'node:net';
import type {TLSSocket} from 'node:tls';
import type {HttpClient, HttpDetails, HttpQueue, OpDequeuedEvent, OpEndEvent} from '../../protocol/events.js';
import {privateSlot} from '../private-slot.js';
import {recordedText, recordedUrl} from '../redact.js';
import type {Task, Tracker} from '../tracker.js';
import {onHttpChannel as on, type UndiciConnectParams, type UndiciRequest} from './http-channels.js';
import type {TracePropagation} from './trace-propagation.js';
import type {UndiciHttp2Streams} from './undici-http2.js';

interface Pending {
	id: number;
	/** The URL recorded at its start. */
	url: string;
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
	/** The request's op, started as a pool queued it: the request made when it leaves the queue is this op. */
	queued?: Pending;
}

/** A dispatcher's options for one request, as far as asyncmon reads them. */
interface DispatchOptions {
	method?: unknown;
	path?: unknown;
	origin?: unknown;
}

/** What an undici pool says of itself through its public `stats` (PoolStats). */
interface PoolStats {
	queued: number;
	size: number;
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
export function instrumentHttp(tracker: Tracker, propagation: TracePropagation | null = null, http2Streams?: UndiciHttp2Streams): void {
	const start = (client: HttpClient, method: string, url: string, origin?: DispatchOrigin, queue?: HttpQueue): Pending => {
		const path = safePath(url);
		const http: HttpDetails = {method, url: recordedUrl(url), client};
		if (queue) http.queue = queue;
		const owner = origin?.task ?? tracker.current();
		const id = tracker.startOp('http', `${method} ${path}`, origin ? {http, t: origin.at} : {http}, owner);
		return {id, url: http.url, owner, created: origin?.at ?? performance.now(), bytes: 0};
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
	/**
	 * `stoppedReading`: its answer came, and the script stopped reading it (a `break` out of reading its body,
	 * `body.cancel()`, `res.destroy()`, an abort of its own): no failure, though the client ends it with an error.
	 */
	const finished = (pending: Pending, error?: unknown, stoppedReading = false): void => {
		const event: OpEndEvent = {type: 'op.end', t: performance.now(), id: pending.id, ok: error === undefined || stoppedReading, bytes: pending.bytes};
		if (pending.status !== undefined) event.status = pending.status;
		if (stoppedReading) event.cancelled = true;
		else if (error !== undefined) event.error = tracker.errorInfo(error);
		tracker.emit(event);
	};

	const undiciRequests = privateSlot<Pending>();
	/** When the connections under way to each origin began, oldest first: a client connects one at a time, in order. */
	const connecting = new Map<string, number[]>();
	const connectOrigin = (params: UndiciConnectParams): string => `${params.protocol}//${params.host}`;
	const connectStarted = (params: UndiciConnectParams): number | undefined => {
		const origin = connectOrigin(params);
		const starts = connecting.get(origin);
		const start = starts?.shift();
		if (starts?.length === 0) connecting.delete(origin);
		return start;
	};
	const connections = privateSlot<Connection>();

	/**
	 * npm undici's dispatchers, through their public `dispatch(opts, handler)`: who asked for each request, and when.
	 * A Pool whose connections are all busy queues the request and dispatches the same `opts` to a client later,
	 * which is when the request is made (`undici:request:create`, inside that call): its origin is still the first
	 * call's. Agents hand `opts` down to a Pool, and a Pool to a Client, the same way.
	 */
	const origins = privateSlot<DispatchOrigin>();
	/** The dispatch call under way, if any: a request made now is its. */
	let dispatching: DispatchOrigin | undefined;
	/** Requests made so far: a dispatch call that made none handed its request to a queue, or failed. */
	let made = 0;
	/** The origin of the request made last. */
	let madeOrigin = '';
	/**
	 * The one origin each dispatcher made requests to, or null for one that made them to several (a BalancedPool):
	 * a Pool keeps its own to itself, and the request it queues names only its path.
	 */
	const dispatcherOrigins = new WeakMap<object, string | null>();
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
			const madeBefore = made;
			try {
				const free = dispatch.call(this, opts, handler);
				if (made !== madeBefore) learnOrigin(this);
				// A pool that queued the request says it needs a drain; one that failed it at once says it is free.
				else if (free === false && origin.queued === undefined) queuedIn(this, opts as DispatchOptions, handler, origin);
				return free;
			} finally {
				dispatching = outer;
			}
		};
	};

	/** A dispatcher made a request: the origin it goes to, if it is the one it always went to. */
	const learnOrigin = (dispatcher: unknown): void => {
		if (!dispatcher || typeof dispatcher !== 'object') return;
		const known = dispatcherOrigins.get(dispatcher);
		if (known === undefined) dispatcherOrigins.set(dispatcher, madeOrigin);
		else if (known !== null && known !== madeOrigin) dispatcherOrigins.set(dispatcher, null);
	};
	/**
	 * A request a pool took and made none for waits in its queue for a connection: its op starts now, so that its
	 * task is seen waiting on it and the queue is seen filling. Its URL is the pool's origin and its path (or the
	 * path alone, where the pool's origin is not known: op.dequeued completes it). A request that leaves the queue
	 * unmade (aborted, or the pool destroyed) ends its op as it fails its handler.
	 */
	const queuedIn = (dispatcher: unknown, opts: DispatchOptions, handler: unknown, origin: DispatchOrigin): void => {
		const stats = poolCounts(dispatcher);
		if (!stats || stats.queued === 0) return;
		// A pool queues only while its connections are busy with requests it made: it has made one, and so has an origin.
		const url = requestUrl(opts, dispatcherOrigins.get(dispatcher as object) ?? null);
		const pending = start('undici', typeof opts.method === 'string' ? opts.method : 'GET', url, origin, {
			ahead: stats.queued - 1,
			inFlight: Math.max(0, stats.size - stats.queued),
		});
		origin.queued = pending;
		onHandlerError(handler, error => {
			if (origin.queued !== pending) return;
			origin.queued = undefined;
			finished(pending, error);
		});
	};

	/**
	 * WebSocket handshakes under way, by the URL they were made for: Node's bundled undici (7) tells of none's answer
	 * on the request's channels, only that the socket opened; undici 8 tells both.
	 */
	const handshakes = new Map<string, Array<{request: UndiciRequest; pending: Pending}>>();
	/** A handshake that ended by its request's own channels (refused, failed, or told by undici 8) is no longer awaited. */
	const handshakeEnded = (request: UndiciRequest): void => {
		if (request.upgrade !== 'websocket') return;
		const url = `${String(request.origin)}${request.path}`;
		const left = handshakes.get(url)?.filter(made => made.request !== request) ?? [];
		if (left.length > 0) handshakes.set(url, left);
		else handshakes.delete(url);
	};
	on('undici:request:create', ({request}) => {
		made++;
		madeOrigin = String(request.origin);
		const url = `${madeOrigin}${request.path}`;
		// A WebSocket's handshake is told by the URL the script gave it: ws:// or wss://, which undici sends as http(s).
		const shown = request.upgrade === 'websocket' ? url.replace(/^http/, 'ws') : url;
		const queued = dispatching?.queued;
		let pending: Pending;
		if (queued) {
			dispatching!.queued = undefined;
			pending = queued;
			const event: OpDequeuedEvent = {type: 'op.dequeued', t: performance.now(), id: pending.id};
			const recorded = recordedUrl(shown);
			if (recorded !== pending.url) event.url = recorded;
			tracker.emit(event);
		} else pending = start('undici', String(request.method), shown, dispatching);
		undiciRequests.set(request, pending);
		if (request.upgrade === 'websocket') handshakes.set(url, [...(handshakes.get(url) ?? []), {request, pending}]);
		propagate(pending, value => {
			if (hasUndiciHeader(request, TRACEPARENT)) return;
			request.addHeader(TRACEPARENT, value);
			giveWayToLaterTraceparent(request, value);
		});
	});
	on('undici:websocket:open', ({websocket, handshakeResponse}) => {
		// Node 22's undici (6) tells no URL, only the socket's own address: the oldest handshake under way is the one.
		const url = typeof websocket?.url === 'string' ? websocket.url.replace(/^ws/, 'http') : (handshakes.keys().next().value ?? '');
		const made = handshakes.get(url);
		handshakes.delete(url);
		// The first still open: one that undici ended itself (its headers and trailers told) is no longer in undiciRequests.
		const open = made?.find(({request, pending}) => undiciRequests.get(request) === pending);
		if (!open) return;
		undiciRequests.delete(open.request);
		headers(open.pending, typeof handshakeResponse?.status === 'number' ? handshakeResponse.status : 101);
		finished(open.pending);
	});
	on('undici:client:beforeConnect', ({connectParams}) => {
		const origin = connectOrigin(connectParams);
		const starts = connecting.get(origin);
		if (starts) starts.push(performance.now());
		else connecting.set(origin, [performance.now()]);
	});
	on('undici:client:connectError', ({connectParams}) => connectStarted(connectParams));
	on('undici:client:connected', ({socket, connectParams}) => {
		connections.set(socket, {start: connectStarted(connectParams) ?? performance.now(), end: performance.now(), charged: false});
	});
	on('undici:client:sendHeaders', ({request, socket}) => {
		if ((socket as Partial<TLSSocket>).alpnProtocol === 'h2') http2Streams?.announced();
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
		handshakeEnded(request);
		const pending = undiciRequests.get(request);
		if (!pending) return;
		undiciRequests.delete(request);
		finished(pending);
	});
	on('undici:request:error', ({request, error}) => {
		handshakeEnded(request);
		const pending = undiciRequests.get(request);
		if (!pending) return;
		undiciRequests.delete(request);
		// undici ends a body the script stopped reading with an AbortError (a timeout's is a TimeoutError).
		finished(pending, error, pending.status !== undefined && (error as {name?: unknown} | null)?.name === 'AbortError');
	});

	const nodeRequests = privateSlot<Pending>();
	on('http.client.request.created', ({request}) => {
		const queue = agentQueue(request);
		const pending = start('node:http', request.method, `${request.protocol}//${authorityOf(request)}${request.path}`, undefined, queue);
		nodeRequests.set(request, pending);
		// `await once(request, 'response')` waits on the request.
		tracker.promiseTargets.tagEmitter(request, {kind: 'op', id: pending.id});
		// Its agent's sockets for its host were all busy: it waits in the agent's queue until one is free, told as a pool's is.
		if (queue) request.once('socket', () => tracker.emit({type: 'op.dequeued', t: performance.now(), id: pending.id}));
		propagate(pending, value => {
			if (!request.headersSent && !request.hasHeader(TRACEPARENT)) request.setHeader(TRACEPARENT, value);
		});
		request.once('socket', (socket: Socket) => {
			const assigned = performance.now();
			const connection: Connection = {start: assigned, end: assigned, charged: !socket.connecting};
			// Sent as its socket is ready, when the script wrote to it before (its headers went with the first write): a body
			// it goes on streaming is no wait for a connection, but the server's to read, as undici's sendHeaders tells it.
			// Else as it is finished: `end()` writes the headers and the body at once.
			const ready = (): void => {
				if (request.headersSent) sent(pending, connection);
				else request.once('finish', () => sent(pending, connection));
			};
			if (!socket.connecting) ready();
			else
				socket.once('connect', () => {
					connection.end = performance.now();
					ready();
				});
		});
		// An upgrade (a WebSocket's handshake) ends at the response's head: Node hands the socket to the request's
		// 'upgrade' listeners, publishes no response.finish, and closes the request. Not an 'upgrade' listener of
		// asyncmon's: with none of the script's, Node destroys the socket, and one would keep it open.
		request.once('close', () => {
			// Node's own fields: the response it parsed, set before the upgrade is handed over, and whether it upgraded.
			const response = (request as typeof request & {res?: (IncomingMessage & {upgrade?: boolean}) | null}).res;
			if (!response?.upgrade || !nodeRequests.delete(request)) return;
			headers(pending, response.statusCode ?? 0);
			finished(pending);
		});
	});
	on('http.client.response.finish', ({request, response}) => {
		const pending = nodeRequests.get(request);
		if (!pending) return;
		headers(pending, response.statusCode ?? 0);
		const socket = response.socket;
		const readBefore = socket?.bytesRead ?? 0;
		const done = (error?: unknown, stoppedReading = false): void => {
			if (!nodeRequests.delete(request)) return;
			const length = Number(response.headers['content-length']);
			pending.bytes = Number.isFinite(length) ? length : Math.max(0, (socket?.bytesRead ?? readBefore) - readBefore);
			finished(pending, error, stoppedReading);
		};
		// No 'error' listener: one would stop an unhandled response error from crashing, as it does under node.
		response.once('end', () => done());
		// Closed early: the connection was lost (the response errored), or the script destroyed it.
		response.once('close', () => done(response.complete ? undefined : new Error('response closed before it was complete'), !response.complete && !response.errored));
	});
	on('http.client.request.error', ({request, error}) => {
		const pending = nodeRequests.get(request);
		if (!pending || !nodeRequests.delete(request)) return;
		finished(pending, error);
	});
}

const TRACEPARENT = 'traceparent';

/** Node 24's own field for where a request goes (`127.0.0.1:8080`, its default port left out); undefined before it is looked for, null where Node has none. */
let authorityKey: symbol | null | undefined;

/**
 * Where a node:http request goes, `host:port`: where it connects, not the Host header the script may have set (a
 * proxy forwarding its client's, `shop.example.com` for a request to 127.0.0.1:43979). Node 22 keeps no port on
 * the request: there the Host header, which is that authority unless the script set its own.
 */
function authorityOf(request: ClientRequest): string {
	authorityKey ??= Object.getOwnPropertySymbols(request).find(symbol => symbol.description === 'kAuthority') ?? null;
	const authority = authorityKey === null ? undefined : (request as unknown as Record<symbol, unknown>)[authorityKey];
	if (typeof authority === 'string') return authority;
	const header = request.getHeader('host');
	return typeof header === 'string' ? header : request.host;
}

/**
 * A node:http request its agent queued: every socket it may open for the request's host was busy (`maxSockets`),
 * or the agent's total (`maxTotalSockets`). Node publishes the request's creation once the agent took it, and a
 * queued one is then the last of its host's list in `agent.requests`; the sockets in `agent.sockets` are its
 * requests in flight. Undefined for one that got a socket at once, or an agent that keeps no such lists.
 */
function agentQueue(request: object): HttpQueue | undefined {
	const agent = (request as {agent?: {requests?: unknown; sockets?: unknown}}).agent;
	const requests = agent?.requests;
	if (!requests || typeof requests !== 'object') return undefined;
	for (const [name, waiting] of Object.entries(requests as Record<string, unknown>)) {
		if (!Array.isArray(waiting) || waiting.at(-1) !== request) continue;
		const sockets = (agent.sockets as Record<string, unknown> | undefined)?.[name];
		return {ahead: waiting.length - 1, inFlight: Array.isArray(sockets) ? sockets.length : 0};
	}
	return undefined;
}

/**
 * A pool's counts, as its public `stats` gives them: `queued` waiting for a connection, `size` in all (queued,
 * pending and running); null for other dispatchers. Read through undici's own keys for the two where the pool
 * has them: `stats` makes a PoolStats, which walks every client of the pool five times for counts asyncmon does
 * not read (64 connections: 6 µs a queued request, a twentieth of what asyncmon adds to one).
 */
export function poolCounts(dispatcher: unknown): PoolStats | null {
	if (!dispatcher || typeof dispatcher !== 'object') return null;
	const keys = countKeysOf(dispatcher);
	if (keys) {
		try {
			const pool = dispatcher as Record<symbol, unknown>;
			const queued = pool[keys.queued];
			const size = pool[keys.size];
			if (typeof queued === 'number' && typeof size === 'number') return {queued, size};
		} catch {}
	}
	return publicStats(dispatcher);
}

function publicStats(dispatcher: object): PoolStats | null {
	try {
		const stats = (dispatcher as {stats?: unknown}).stats as Partial<PoolStats> | undefined;
		return stats && typeof stats.queued === 'number' && typeof stats.size === 'number' ? {queued: stats.queued, size: stats.size} : null;
	} catch {
		return null;
	}
}

interface CountKeys {
	queued: symbol;
	size: symbol;
}

/** undici's keys of a pool's counts by class (its prototype); null where they are not found. */
const COUNT_KEYS = new WeakMap<object, CountKeys | null>();

/**
 * `Symbol('queued')` (a field of each pool) and `Symbol('size')` (a getter of its class), looked for once per
 * class on the pool and its prototypes: npm undici and Node's bundled copy each have their own symbols.
 */
function countKeysOf(pool: object): CountKeys | null {
	const prototype = Object.getPrototypeOf(pool) as object | null;
	// A class's instances share their fields; plain objects share nothing.
	if (prototype === null || prototype === Object.prototype) return null;
	let keys = COUNT_KEYS.get(prototype);
	if (keys === undefined) {
		let queued: symbol | undefined;
		let size: symbol | undefined;
		for (let object: object | null = pool; object !== null && object !== Object.prototype; object = Object.getPrototypeOf(object) as object | null) {
			for (const key of Object.getOwnPropertySymbols(object)) {
				if (key.description === 'queued') queued ??= key;
				else if (key.description === 'size') size ??= key;
			}
		}
		keys = queued && size ? {queued, size} : null;
		COUNT_KEYS.set(prototype, keys);
	}
	return keys;
}

/**
 * The request's URL from its options: its path, after its origin where they name one (an Agent's do, a Pool's do
 * not), or else after the one its dispatcher made its requests to, if any.
 */
function requestUrl(opts: DispatchOptions, dispatcherOrigin: string | null): string {
	const path = typeof opts.path === 'string' ? opts.path : '/';
	const origin = opts.origin === undefined || opts.origin === null ? dispatcherOrigin : String(opts.origin);
	if (origin === null) return path;
	const parsed = parsedOrigin(origin);
	return parsed === null ? path : `${parsed}${path}`;
}

/** The origins requests went to, as the URL parser writes them (null: not a URL): parsed once each, not at every queued request (3 µs). */
const PARSED_ORIGINS = new Map<string, string | null>();
/** A script that makes requests to endless origins keeps this many at a time. */
const MAX_PARSED_ORIGINS = 256;

function parsedOrigin(origin: string): string | null {
	let parsed = PARSED_ORIGINS.get(origin);
	if (parsed === undefined) {
		try {
			parsed = new URL(origin).origin;
		} catch {
			parsed = null;
		}
		if (PARSED_ORIGINS.size >= MAX_PARSED_ORIGINS) PARSED_ORIGINS.clear();
		PARSED_ORIGINS.set(origin, parsed);
	}
	return parsed;
}

/**
 * Calls `then` with the error a dispatcher fails the handler with, before the handler hears of it: through
 * `onResponseError` (undici 7 on) or `onError` (before). The handler is asyncmon's to watch only while its request
 * waits in a queue; the request once made fails through `undici:request:error`.
 */
function onHandlerError(handler: unknown, then: (error: unknown) => void): void {
	if (!handler || typeof handler !== 'object') return;
	const target = handler as Record<'onResponseError' | 'onError', unknown>;
	for (const name of ['onResponseError', 'onError'] as const) {
		const original = target[name];
		if (typeof original !== 'function') continue;
		try {
			target[name] = function (this: unknown, ...args: unknown[]) {
				// onResponseError(controller, error); onError(error).
				then(name === 'onResponseError' ? args[1] : args[0]);
				return original.apply(this, args);
			};
		} catch {}
	}
}

/**
 * asyncmon's subscriber to `undici:request:create` runs first (its preload comes before the script's modules): a
 * later one, the script's own OpenTelemetry instrumentation, adds its `traceparent` after asyncmon's, and the request
 * went out with two, joined by a comma, which receivers drop (the script's own traces broken in two). Its
 * `addHeader` of a `traceparent` takes asyncmon's out first: one value, the script's.
 */
function giveWayToLaterTraceparent(request: UndiciRequest, ours: string): void {
	const addHeader = request.addHeader;
	if (typeof addHeader !== 'function') return;
	Object.defineProperty(request, 'addHeader', {
		configurable: true,
		writable: true,
		value(this: UndiciRequest, name: string, value: string) {
			if (String(name).toLowerCase() === TRACEPARENT) withoutUndiciHeader(this, TRACEPARENT, ours);
			return addHeader.call(this, name, value);
		},
	});
}

/** Takes the header `name: value` out of a request undici has not sent yet. */
function withoutUndiciHeader(request: UndiciRequest, name: string, value: string): void {
	const headers = request.headers;
	if (typeof headers === 'string') {
		request.headers = headers
			.split('\r\n')
			.filter(line => line.toLowerCase() !== `${name}: ${value}`)
			.join('\r\n');
		return;
	}
	if (!Array.isArray(headers)) return;
	for (let i = 0; i < headers.length; i += 2) {
		if (String(headers[i]).toLowerCase() === name && headers[i + 1] === value) {
			headers.splice(i, 2);
			return;
		}
	}
}

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
