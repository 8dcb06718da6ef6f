import net from 'node:net';
import type {ListeningServer} from '../../protocol/events.js';
import {userCallSite} from '../caller.js';
import {hostPort} from '../host-port.js';

/**
 * Servers the script has listening, with where its code started each: what
 * holds a process that looks hung is most often a server nobody closed.
 * `net.Server` is the base of http, https and net servers alike.
 */
export function trackServers(cwd: string): () => ListeningServer[] {
	const sites = new WeakMap<net.Server, string | null>();
	/** Connections each accepted: a server that served (HTTP/2, gRPC, a raw socket's) is a service, whose requests asyncmon may not see. */
	const accepted = new WeakMap<net.Server, number>();
	const listening = new Set<net.Server>();
	const listen = net.Server.prototype.listen;
	net.Server.prototype.listen = function listenTracked(this: net.Server, ...args: unknown[]) {
		if (!sites.has(this)) {
			sites.set(this, userCallSite(listenTracked, cwd));
			this.on('listening', () => listening.add(this));
			this.on('close', () => listening.delete(this));
			this.on('connection', () => accepted.set(this, (accepted.get(this) ?? 0) + 1));
		}
		return (listen as (...rest: unknown[]) => net.Server).apply(this, args);
	} as typeof listen;
	return () =>
		[...listening]
			.filter(server => server.listening)
			.map(server => {
				const connections = accepted.get(server);
				return {address: addressOf(server), loc: sites.get(server) ?? null, ...(connections !== undefined && {connections})};
			});
}

function addressOf(server: net.Server): string {
	const address = server.address();
	if (address === null) return 'unknown';
	if (typeof address === 'string') return address;
	return hostPort(address.address, address.port);
}
