import type {ListeningServer} from '../../protocol/events.js';
import {hostOf} from '../../protocol/hosts.js';
import type {ModelState, TaskNode} from '../state.js';
import type {KeepsAliveInsight, PendingTimer} from './insight.js';

/**
 * The script looked hung: the loop sat idle while the process stayed alive.
 * Name what holds it: Node's open resources, the script's servers still
 * listening, with where it started them, and its timers still pending, with
 * the task that made each.
 */
export function keepsAlive(state: ModelState): KeepsAliveInsight[] {
	const held = state.keptAlive;
	// A task still awaiting something (a 3 s sleep, a slow reply) explains the quiet: nothing is held for no reason.
	// Work that came later (a server's next request) ended the quiet: the process was waiting for it, not hung.
	// A service (it received requests from others) stays alive for the next one, however long none comes; so does
	// one a client joined (`asyncmon connect`): its agent runs in a process meant to stay up.
	if (!held || state.joinedMs !== null || awaitingAt(state, held.t) || activeAfter(state, held.t) || isService(state, held.servers)) return [];
	const timers = pendingTimers(state, held.t);
	return [
		{
			kind: 'keeps-alive',
			idleMs: (state.exit?.t ?? state.nowMs) - held.idleSince,
			resources: held.resources,
			servers: held.servers,
			timers: timers.map(timer => ({name: timer.name, madeBy: madeBy(state, timer)})),
			taskIds: timers.map(timer => timer.id),
		},
	];
}

function awaitingAt(state: ModelState, at: number): boolean {
	for (const node of state.nodes.values()) {
		if ((node.kind === 'task' || node.kind === 'script') && node.startMs <= at && (node.endMs === null || node.endMs > at)) return true;
	}
	return false;
}

function activeAfter(state: ModelState, at: number): boolean {
	for (const node of state.nodes.values()) if (node.startMs > at) return true;
	return state.aggregated.sites.size > 0 && [...state.aggregated.sites.values()].some(site => site.lastEndMs > at);
}

/**
 * It received requests, and not from itself: a script that starts a server, asks it something and forgets to
 * close it is no service, and is told what holds it. A server whose requests asyncmon does not see as tasks (an
 * HTTP/2 or gRPC server, a raw socket's) received them if it accepted connections.
 */
function isService(state: ModelState, servers: readonly ListeningServer[]): boolean {
	const own = new Set(servers.map(server => server.address));
	let received = servers.some(server => (server.connections ?? 0) > 0);
	for (const node of state.nodes.values()) {
		if (node.http && own.has(hostOf(node.http.url))) return false;
		if (node.kind === 'server') received = true;
	}
	for (const host of state.aggregated.hosts.keys()) if (own.has(host)) return false;
	for (const site of state.aggregated.sites.values()) if (site.kind === 'server') received = true;
	return received;
}

function pendingTimers(state: ModelState, at: number): TaskNode[] {
	return [...state.nodes.values()].filter(node => node.timer && node.startMs <= at && (node.endMs === null || node.endMs > at));
}

function madeBy(state: ModelState, op: TaskNode): PendingTimer['madeBy'] {
	const owner = op.parentId === null ? undefined : state.nodes.get(op.parentId);
	if (!owner || owner.kind === 'script') return null;
	return {name: owner.name, location: owner.location};
}
