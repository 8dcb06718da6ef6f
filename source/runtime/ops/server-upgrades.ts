import type {IncomingMessage} from 'node:http';
import net, {type Socket} from 'node:net';
import type {Tracker} from '../tracker.js';
import {privateSlot} from '../private-slot.js';
import {safePath} from './http.js';
import {ENDED_BY_SERVER, requestDetails} from './server-requests.js';

type Listener = (this: unknown, ...args: unknown[]) => unknown;
type Adding = (this: net.Server, event: string | symbol, listener: Listener) => net.Server;

/** The first line of an HTTP response the listener wrote on the socket: `HTTP/1.1 101 Switching Protocols`. */
const STATUS_LINE = /^HTTP\/\d(?:\.\d)? (\d{3})/;

/**
 * A WebSocket's handshake (ws, socket.io) is a request the server receives too, but Node hands it to the server's
 * 'upgrade' listeners, not its request listener, and publishes no channel for it: it was no task, and not in "HTTP
 * received". Each upgrade request is now a `server` task from its first 'upgrade' listener to the response the
 * listener writes on the socket (`101 Switching Protocols`, or a refusal: its status), or the socket's close
 * before any. Only 'upgrade' listeners are wrapped, as they are added: the servers' other events cost nothing.
 */
export function instrumentServerUpgrades(tracker: Tracker): void {
	const handled = privateSlot<true>();
	const upgradeListener = (listener: Listener): Listener => {
		const wrapped = function (this: unknown, request: unknown, socket: unknown, head: unknown): unknown {
			if (!handled.get(request as object)) serveUpgrade(request as IncomingMessage, socket as Socket);
			return listener.call(this, request, socket, head);
		};
		// As EventEmitter's own wrappers do: removeListener() of the listener finds it, listeners() gives it back.
		return Object.assign(wrapped, {listener});
	};
	const serveUpgrade = (request: IncomingMessage, socket: Socket): void => {
		handled.set(request, true);
		const method = request.method ?? 'GET';
		const url = request.url ?? '/';
		const task = tracker.serve(`${method} ${safePath(url)}`, requestDetails(request, method, url));
		const write = socket.write;
		let answered = false;
		socket.write = function (this: Socket, chunk: unknown, ...rest: unknown[]): boolean {
			if (!answered) {
				answered = true;
				socket.write = write;
				const status = STATUS_LINE.exec(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.subarray(0, 16).toString('latin1') : '')?.[1];
				tracker.served(task, status === undefined ? {} : {status: Number(status)});
			}
			return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
		} as Socket['write'];
		socket.once('close', () => {
			if (answered) return;
			answered = true;
			tracker.failedToServe(task, new Error(ENDED_BY_SERVER), {});
		});
	};
	const prototype = net.Server.prototype as unknown as Record<string, Adding>;
	for (const name of ['on', 'addListener', 'prependListener'] as const) {
		const adding = prototype[name]!;
		Object.defineProperty(prototype, name, {
			value: function (this: net.Server, event: string | symbol, listener: Listener): net.Server {
				return adding.call(this, event, event === 'upgrade' && typeof listener === 'function' ? upgradeListener(listener) : listener);
			},
			writable: true,
			configurable: true,
		});
	}
}
