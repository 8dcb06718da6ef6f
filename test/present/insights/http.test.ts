import {describe, expect, it} from 'vitest';
import {httpMessage} from '../../../source/present/insights/http.js';

const host = '127.0.0.1:4000';

describe('http in words', () => {
	it('gives how many waited, their average and longest wait, the connections actually used, and where the client in use sets its limit', () => {
		const queueing = (client: 'undici' | 'node:http' | null) =>
			httpMessage({kind: 'http', finding: 'connection-queueing', host, averageQueueMs: 40, requests: 17, queued: 4, queuedAverageMs: 163, longestQueueMs: 215, connections: 3, client, taskIds: []});
		const waited = '4 of 17 requests to 127.0.0.1:4000 waited for a free connection, 163ms on average, up to 215ms, with at most 3 connections open at once; if the server can take more, raise the connection limit';
		expect(queueing('undici')).toBe(`${waited}: the \`connections\` option of the undici Pool or Agent (for global fetch, an Agent given to setGlobalDispatcher)`);
		expect(queueing('node:http')).toBe(`${waited}: the http.Agent \`maxSockets\` option of the agent the requests use`);
		// A recording that does not say which client: both ways.
		expect(queueing(null)).toBe(`${waited}: undici \`connections\`, or http.Agent \`maxSockets\``);
	});

	it('names the client library when the host was reached through several, each with its own connections', () => {
		const shared = (client: 'undici' | 'node:http' | null) =>
			httpMessage({kind: 'http', finding: 'connection-queueing', host, averageQueueMs: 50, requests: 4, queued: 2, queuedAverageMs: 100, longestQueueMs: 100, connections: 2, client, sharedHost: true, taskIds: []});
		expect(shared('undici')).toMatch(/^2 of 4 requests to 127\.0\.0\.1:4000 through undici \(fetch, a Pool, an Agent\) waited for a free connection, 100ms on average, up to 100ms, with at most 2 connections open at once; .*: the `connections` option of the undici Pool/);
		expect(shared('node:http')).toMatch(/^2 of 4 requests to 127\.0\.0\.1:4000 through node:http \(axios, got, http\.request\) waited .*: the http\.Agent `maxSockets` option/);
		expect(shared(null)).toMatch(/^2 of 4 requests to 127\.0\.0\.1:4000 through a client not known waited /);
	});

	it('says all of them, or the one wait, when that is what there was', () => {
		const message = (requests: number, queued: number) =>
			httpMessage({kind: 'http', finding: 'connection-queueing', host, averageQueueMs: 100, requests, queued, queuedAverageMs: 100, longestQueueMs: 100, connections: 1, client: 'undici', taskIds: []});
		expect(message(6, 6)).toMatch(/^All 6 requests to 127\.0\.0\.1:4000 waited for a free connection, 100ms on average, up to 100ms, with at most 1 connection open at once; /);
		expect(message(2, 1)).toMatch(/^1 of 2 requests to 127\.0\.0\.1:4000 waited for a free connection, 100ms, with at most 1 connection open at once; /);
	});

	it('says its figures are those of the requests kept one by one when others to the host were folded, and how many there were in all', () => {
		const message = (requests: number, queued: number) =>
			httpMessage({kind: 'http', finding: 'connection-queueing', host, averageQueueMs: 100, requests, queued, queuedAverageMs: 100, longestQueueMs: 300, connections: 64, client: 'node:http', folded: 4807, taskIds: []});
		expect(message(9193, 7616)).toMatch(/^7,616 of the 9,193 requests kept one by one \(14,000 in all\) to 127\.0\.0\.1:4000 waited for a free connection, 100ms on average/);
		expect(message(9193, 9193)).toMatch(/^All 9,193 requests kept one by one \(14,000 in all\) to 127\.0\.0\.1:4000 waited /);
	});

	it('gives error and retry rates', () => {
		expect(httpMessage({kind: 'http', finding: 'failures', host, requests: 4, failures: 2, retries: 1, taskIds: []})).toBe(
			'2 of 4 requests to 127.0.0.1:4000 failed (50%); 1 was a retry of a failed request (25%)',
		);
	});

	it('tells retries among the requests still kept one by one, when older ones were folded', () => {
		expect(httpMessage({kind: 'http', finding: 'failures', host, requests: 4799, failures: 4799, retries: 40, retriesAmong: 161, taskIds: []})).toBe(
			'4,799 of 4,799 requests to 127.0.0.1:4000 failed (100%); 40 were retries of a failed request among the latest 161 (25%)',
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
