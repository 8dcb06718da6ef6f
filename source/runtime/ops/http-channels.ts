import diagnostics from 'node:diagnostics_channel';
import type {ClientRequest, IncomingMessage, ServerResponse} from 'node:http';
import type {Socket} from 'node:net';

/**
 * The messages of the diagnostics channels asyncmon subscribes to for HTTP,
 * with the fields it reads. undici (npm undici, and Node's global fetch,
 * which bundles it) and node:http publish them; nothing checks them at run
 * time, so these types are asyncmon's reading of those libraries' contracts.
 */
export interface HttpChannelMessages {
	'undici:request:create': {request: UndiciRequest};
	'undici:client:beforeConnect': {connectParams: UndiciConnectParams};
	'undici:client:connected': {socket: Socket; connectParams: UndiciConnectParams};
	'undici:client:connectError': {connectParams: UndiciConnectParams};
	'undici:client:sendHeaders': {request: UndiciRequest; socket: Socket};
	'undici:request:headers': {request: UndiciRequest; response: {statusCode: number}};
	'undici:request:bodyChunkReceived': {request: UndiciRequest; chunk: Uint8Array};
	'undici:request:trailers': {request: UndiciRequest};
	'undici:request:error': {request: UndiciRequest; error: unknown};
	/** A WebSocket's handshake done (undici's, the global WebSocket's): its URL and the answer (undici 7 and later; Node 22's undici 6 tells neither). */
	'undici:websocket:open': {websocket?: {url?: unknown}; handshakeResponse?: {status?: unknown}};
	'http.client.request.created': {request: ClientRequest};
	'http.client.response.finish': {request: ClientRequest; response: IncomingMessage};
	'http.client.request.error': {request: ClientRequest; error: unknown};
	/** Published as a server parsed a request's headers, before it calls the request listener. */
	'http.server.request.start': {request: IncomingMessage; response: ServerResponse};
	'http.server.response.finish': {response: ServerResponse};
	/** Fastify (4.x and 5), as it calls a route's handler: the route it matched. */
	'tracing:fastify.request.handler:start': {reply?: {raw?: ServerResponse}; route?: {url?: unknown}};
}

/** undici's request as its channels publish it: a dispatcher's internal object, of which asyncmon reads these public fields. */
export interface UndiciRequest {
	/** `https://host:port`; undici's own types allow a URL. */
	origin?: string | URL;
	method?: string;
	/** Path and query, as sent. */
	path: string;
	/** `[name, value, …]`; a `name: value\r\n…` string before undici 7. */
	headers?: unknown;
	/** Adds a request header; the request is not sent yet when `undici:request:create` fires. */
	addHeader(name: string, value: string): unknown;
	/** `websocket` for a WebSocket's handshake. */
	upgrade?: unknown;
}

/**
 * What a client connects to; asyncmon only pairs `beforeConnect` with `connected` (or `connectError`) by it. Each
 * channel may publish a copy (Node's bundled undici 7 does): the pair goes by its fields, not by the object.
 */
export interface UndiciConnectParams {
	host: string;
	protocol: string;
}

/** Subscribes to one of the HTTP channels, with its message's type. */
export function onHttpChannel<C extends keyof HttpChannelMessages>(channel: C, handler: (message: HttpChannelMessages[C]) => void): void {
	diagnostics.subscribe(channel, handler as (message: unknown) => void);
}
