import {subscribe} from 'node:diagnostics_channel';
import type {Socket} from 'node:net';
import {hostPort} from '../host-port.js';
import type {Tracker} from '../tracker.js';

/**
 * Client sockets (`net.client.socket`, published by `net.connect` and
 * `Socket#connect` alike) tell the tracker when the script writes to them:
 * a task that wrote a query to PostgreSQL or a command to Redis and then
 * awaits the client's promise waits for that peer's reply. Only the
 * socket's own `write` is wrapped, so other sockets pay nothing.
 */
export function instrumentSockets(tracker: Tracker): void {
	subscribe('net.client.socket', message => {
		const {socket} = message as {socket: Socket};
		// Installed once connected: `connect` resets a socket's own `write` (after the channel said so), and the peer is known then.
		socket.once('connect', () => {
			const peer = peerOf(socket);
			if (peer === null) return;
			const write = socket.write;
			Object.defineProperty(socket, 'write', {
				// `arguments`, not a rest array: every write of the socket comes through here.
				value: function (this: Socket) {
					// A request of node:http's (its socket holds it): its op, not the peer, is what a task waits on.
					if (!(this as Socket & {_httpMessage?: unknown})._httpMessage) tracker.wroteTo(peer);
					// eslint-disable-next-line prefer-rest-params
					return write.apply(this, arguments as unknown as Parameters<Socket['write']>);
				},
				writable: true,
				configurable: true,
				enumerable: false,
			});
		});
	});
}

/** `127.0.0.1:5432`, `[::1]:6379`; null for a socket that has none (a Unix socket's). */
function peerOf(socket: Socket): string | null {
	const {remoteAddress: address, remotePort: port} = socket;
	if (address === undefined || port === undefined) return null;
	return hostPort(address, port);
}
