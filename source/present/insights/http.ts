import type {ConnectionQueueingInsight, HttpFailuresInsight, HttpInsight, SlowestHostInsight} from '../../model/insights.js';
import {formatDuration} from '../durations.js';
import {formatCount, formatPercent} from '../numbers.js';
import type {HttpClient} from '../../protocol/events.js';
import {counted} from '../text.js';

export function httpMessage(insight: HttpInsight): string {
	switch (insight.finding) {
		case 'connection-queueing':
			return connectionQueueingMessage(insight);
		case 'failures':
			return failuresMessage(insight);
		case 'slowest-host':
			return slowestHostMessage(insight);
	}
}

/** Where each client sets how many connections it opens to one host. */
const CONNECTION_LIMIT: Readonly<Record<HttpClient, string>> = {
	undici: 'the `connections` option of the undici Pool or Agent (for global fetch, an Agent given to setGlobalDispatcher)',
	'node:http': 'the http.Agent `maxSockets` option of the agent the requests use',
	'node:http2': 'the number of HTTP/2 sessions, or the peer\'s concurrent-stream limit',
};

/** Each client library as the user knows it. */
const CLIENT_NAMES: Readonly<Record<HttpClient, string>> = {
	undici: 'undici (fetch, a Pool, an Agent)',
	'node:http': 'node:http (axios, got, http.request)',
	'node:http2': 'node:http2',
};

/**
 * Those that waited, with their own average and longest wait (an average over every request would dilute it), and the
 * most connections open at once through that client.
 */
function connectionQueueingMessage(insight: ConnectionQueueingInsight): string {
	const limit = insight.client ? CONNECTION_LIMIT[insight.client] : 'undici `connections`, or http.Agent `maxSockets`';
	const {queued, requests, folded} = insight;
	// Folded requests' waits are not known one by one: the figures are those of the requests kept, and say so.
	const kept = folded === undefined ? '' : ` kept one by one (${formatCount(requests + folded)} in all)`;
	const which = queued === requests ? `All ${counted(requests, 'request')}${kept}` : `${formatCount(queued)} of ${folded === undefined ? '' : 'the '}${counted(requests, 'request')}${kept}`;
	const waits = queued === 1 ? formatDuration(insight.longestQueueMs) : `${formatDuration(insight.queuedAverageMs)} on average, up to ${formatDuration(insight.longestQueueMs)}`;
	// A host reached through several clients: whose requests these are.
	const through = insight.sharedHost ? ` through ${insight.client ? CLIENT_NAMES[insight.client] : 'a client not known'}` : '';
	return (
		`${which} to ${insight.host}${through} waited for a free connection, ${waits}, with at most ${counted(insight.connections, 'connection')} open at once; ` +
		`if the server can take more, raise the connection limit: ${limit}`
	);
}

function failuresMessage(insight: HttpFailuresInsight): string {
	const {requests, failures, retries, retriesAmong} = insight;
	// Past the retention window only the latest requests are kept one by one: retries are told among them.
	const among = retriesAmong === undefined ? '' : ` among the latest ${retriesAmong}`;
	const retryPart = retries > 0 ? `; ${counted(retries, 'was a retry', 'were retries')} of a failed request${among} (${formatPercent(retries, retriesAmong ?? requests)})` : '';
	return `${formatCount(failures)} of ${counted(requests, 'request')} to ${insight.host} failed (${formatPercent(failures, requests)})${retryPart}`;
}

function slowestHostMessage(insight: SlowestHostInsight): string {
	const {next} = insight;
	return `${insight.host} is the slowest host: ${formatDuration(insight.averageMs)} per request on average, against ${formatDuration(next.averageMs)} for ${next.host}`;
}
