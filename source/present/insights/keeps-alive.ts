import type {KeepsAliveInsight, PendingTimer} from '../../model/insights.js';
import type {ListeningServer} from '../../protocol/events.js';
import {formatDuration} from '../durations.js';
import {lineLocation} from '../locations.js';
import {counted} from '../text.js';

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
	TTYWrap: ['read of the terminal', 'reads of the terminal'],
};

/** A process held only by reading its terminal waits for someone to type: a prompt, or a readline left open. */
const TERMINAL_ADVICE = 'If it asked a question, it waits for the answer; if not, close the readline interface or pause stdin when done';

/** How many servers, and how many timers, the sentence names; the resource counts cover the rest. */
const NAMED_AT_MOST = 3;

export function keepsAliveMessage(insight: KeepsAliveInsight): string {
	const resources = Object.entries(insight.resources).map(([type, count]) => {
		const [singular, plural] = RESOURCE_NAMES[type] ?? [type, type];
		return counted(count, singular, plural);
	});
	const made = [...insight.servers.slice(0, NAMED_AT_MOST).map(serverWords), ...insight.timers.slice(0, NAMED_AT_MOST).map(timerWords)];
	return (
		`Nothing ran for ${formatDuration(insight.idleMs)}, yet the process stayed alive, held by ${resources.join(', ')}` +
		(made.length > 0 ? ` (${made.join('; ')})` : '') +
		`. ${onlyTheTerminal(insight) ? TERMINAL_ADVICE : 'Clear intervals, close servers and sockets when done, or unref() what should not keep it alive'}`
	);
}

const onlyTheTerminal = (insight: KeepsAliveInsight): boolean => Object.keys(insight.resources).every(type => type === 'TTYWrap');

function serverWords(server: ListeningServer): string {
	return `a server listening on ${server.address}${server.loc ? ` from ${lineLocation(server.loc)}` : ''}`;
}

function timerWords(timer: PendingTimer): string {
	const {madeBy} = timer;
	if (!madeBy) return `${timer.name} made by the top level of the script`;
	return `${timer.name} made by ${madeBy.name}${madeBy.location ? ` at ${lineLocation(madeBy.location)}` : ''}`;
}
