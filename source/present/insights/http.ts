import type {ConnectionQueueingInsight, HttpFailuresInsight, HttpInsight, SlowestHostInsight} from '../../model/insights.js';
import {formatDuration} from '../durations.js';
import {formatPercent} from '../numbers.js';
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

function connectionQueueingMessage(insight: ConnectionQueueingInsight): string {
	const limit = insight.client ? CONNECTION_LIMIT[insight.client] : 'undici `connections`, or http.Agent `maxSockets`';
	return (
		`Requests to ${insight.host} waited ${formatDuration(insight.averageQueueMs)} on average for one of ${counted(insight.connections, 'connection')}; ` +
		`if the server can take more, raise the connection limit: ${limit}`
	);
}

function failuresMessage(insight: HttpFailuresInsight): string {
	const {requests, failures, retries} = insight;
	const retryPart = retries > 0 ? `; ${counted(retries, 'was a retry', 'were retries')} of a failed request (${formatPercent(retries, requests)})` : '';
	return `${failures} of ${counted(requests, 'request')} to ${insight.host} failed (${formatPercent(failures, requests)})${retryPart}`;
}

function slowestHostMessage(insight: SlowestHostInsight): string {
	const {next} = insight;
	return `${insight.host} is the slowest host: ${formatDuration(insight.averageMs)} per request on average, against ${formatDuration(next.averageMs)} for ${next.host}`;
}
