import type {ModelState, TaskNode} from '../state.js';
import {formatDuration, lineLocation} from './format.js';
import {counted} from '../../present/text.js';
import type {Insight} from './insight.js';

/** Node's resource type names, in words. */
const RESOURCE_NAMES: Readonly<Record<string, [singular: string, plural: string]>> = {
	Timeout: ['timer', 'timers'],
	Immediate: ['setImmediate', 'setImmediates'],
	TCPServerWrap: ['TCP server', 'TCP servers'],
	TCPSocketWrap: ['TCP socket', 'TCP sockets'],
	PipeServerWrap: ['pipe server', 'pipe servers'],
	PipeWrap: ['pipe', 'pipes'],
	UDPWrap: ['UDP socket', 'UDP sockets'],
	FSReqCallback: ['file operation', 'file operations'],
	FSEventWrap: ['file watcher', 'file watchers'],
	StatWatcher: ['file watcher', 'file watchers'],
	ProcessWrap: ['child process', 'child processes'],
	MessagePort: ['message port', 'message ports'],
	Worker: ['worker thread', 'worker threads'],
};

/**
 * The script looked hung: the loop sat idle while the process stayed alive.
 * Name what holds it: Node's open resources, the script's servers still
 * listening, with where it started them, and its timers still pending, with
 * the task that made each.
 */
export function keepsAlive(state: ModelState): Insight[] {
	const held = state.keptAlive;
	if (!held) return [];
	const resources = Object.entries(held.resources).map(([type, count]) => {
		const [singular, plural] = RESOURCE_NAMES[type] ?? [type, type];
		return counted(count, singular, plural);
	});
	const timers = pendingTimers(state, held.t);
	const made = [
		...held.servers.slice(0, 3).map(server => `a server listening on ${server.address}${server.loc ? ` from ${lineLocation(server.loc)}` : ''}`),
		...timers.slice(0, 3).map(timer => `${timer.name} made by ${madeBy(state, timer)}`),
	];
	const idleFor = (state.exit?.t ?? state.nowMs) - held.idleSince;
	return [
		{
			kind: 'keeps-alive',
			message:
				`Nothing ran for ${formatDuration(idleFor)}, yet the process stayed alive, held by ${resources.join(', ')}` +
				(made.length > 0 ? ` (${made.join('; ')})` : '') +
				'. Clear intervals, close servers and sockets when done, or unref() what should not keep it alive',
			taskIds: timers.map(timer => timer.id),
		},
	];
}

function pendingTimers(state: ModelState, at: number): TaskNode[] {
	return [...state.nodes.values()].filter(node => node.timer && node.startMs <= at && (node.endMs === null || node.endMs > at));
}

function madeBy(state: ModelState, op: TaskNode): string {
	const owner = op.parentId === null ? undefined : state.nodes.get(op.parentId);
	if (!owner || owner.kind === 'script') return 'the top level of the script';
	return owner.location ? `${owner.name} at ${lineLocation(owner.location)}` : owner.name;
}
