import {describe, expect, it} from 'vitest';
import {httpMessage} from '../../../source/present/insights/http.js';

const host = '127.0.0.1:4000';

describe('http in words', () => {
	it('gives the average queueing and the connections actually used, and where the client in use sets its limit', () => {
		const queueing = (client: 'undici' | 'node:http' | null) =>
			httpMessage({kind: 'http', finding: 'connection-queueing', host, averageQueueMs: 250, connections: 4, client, taskIds: []});
		const waited = 'Requests to 127.0.0.1:4000 waited 250ms on average for one of 4 connections; if the server can take more, raise the connection limit';
		expect(queueing('undici')).toBe(`${waited}: the \`connections\` option of the undici Pool or Agent (for global fetch, an Agent given to setGlobalDispatcher)`);
		expect(queueing('node:http')).toBe(`${waited}: the http.Agent \`maxSockets\` option of the agent the requests use`);
		// A recording that does not say which client: both ways.
		expect(queueing(null)).toBe(`${waited}: undici \`connections\`, or http.Agent \`maxSockets\``);
	});

	it('gives error and retry rates', () => {
		expect(httpMessage({kind: 'http', finding: 'failures', host, requests: 4, failures: 2, retries: 1, taskIds: []})).toBe(
			'2 of 4 requests to 127.0.0.1:4000 failed (50%); 1 was a retry of a failed request (25%)',
		);
	});

	it('leaves out retries when there were none', () => {
		expect(httpMessage({kind: 'http', finding: 'failures', host, requests: 2, failures: 1, retries: 0, taskIds: []})).toBe('1 of 2 requests to 127.0.0.1:4000 failed (50%)');
	});

	it('names the slowest host against the next', () => {
		expect(httpMessage({kind: 'http', finding: 'slowest-host', host: 'slow.test', averageMs: 800, next: {host: 'fast.test', averageMs: 100}, taskIds: []})).toBe(
			'slow.test is the slowest host: 800ms per request on average, against 100ms for fast.test',
		);
	});
});
