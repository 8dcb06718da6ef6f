import {createServer, type Http2Server} from 'node:http2';
import type {AddressInfo} from 'node:net';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {computeInsights} from '../../source/model/insights.js';
import type {SessionReport} from '../../source/model/summary.js';
import {waitingOn} from '../../source/present/holdups.js';
import {insightMessage} from '../../source/present/insights.js';
import type {OpStartEvent} from '../../source/protocol/events.js';
import {reduce} from '../helpers/events.js';
import {recordedLines, sentRequest} from '../helpers/recorded.js';
import {useCountingServer} from '../helpers/counting-server.js';
import {runNode, underAsyncmon} from '../helpers/node-parity.js';

const CLIENTS = fileURLToPath(new URL('../fixtures/realworld/http-clients', import.meta.url));

/** Each HTTP op of the report as `task → request status`, so a request is checked against the task that made it. */
function requestsByTask(report: SessionReport): string[] {
	const byId = new Map(report.tasks.map(task => [task.id, task]));
	return report.tasks
		.filter(task => task.kind === 'http')
		.map(op => `${byId.get(op.parentId!)?.name} → ${op.name} ${op.http?.status}`)
		.sort();
}

describe('HTTP clients against a local server: the same output as under node, one HTTP op per request served', () => {
	const server = useCountingServer();

	/** The script under node, then under asyncmon, with the requests the server answered during the asyncmon run. */
	async function run(script: string) {
		const node = await runNode(script, [server().url], CLIENTS);
		const before = server().requests;
		const monitored = await underAsyncmon(script, [server().url], CLIENTS);
		return {node, ...monitored, served: server().requests - before};
	}

	const threeItemsEchoAndMissing = (greeting: string) => ({
		code: 0,
		stdout: `item-1 item-2 item-3\necho {"hello":"${greeting}"}\nmissing 404\n`,
		stderr: '',
	});
	const EACH_REQUEST_UNDER_ITS_TASK = [
		'getItem(1) → GET /items/1?… 200',
		'getItem(2) → GET /items/2?… 200',
		'getItem(3) → GET /items/3?… 200',
		'getMissing() → GET /missing 404',
		'postEcho({…}) → POST /echo 200',
	];

	it.each([
		['got.mjs', 'got'],
		// CommonJS: on Node 22.19 axios reaches a package's module-sync ES module through get-intrinsic (README, "Limits").
		['axios.cjs', 'axios'],
		['node-fetch.mjs', 'node-fetch'],
		['ky.mjs', 'ky'],
		['fetch.mjs', 'fetch'],
		['undici-request.mjs', 'undici'],
		['undici-agent.mjs', 'agent'],
	])('%s', async (script, greeting) => {
		const {node, asyncmon, report, served} = await run(script);
		expect(node).toEqual(threeItemsEchoAndMissing(greeting));
		expect(asyncmon).toEqual(node);
		expect(served).toBe(5);
		expect(report.summary.httpCount).toBe(served);
		expect(requestsByTask(report)).toEqual(EACH_REQUEST_UNDER_ITS_TASK);
		expect(report.tasks.filter(task => task.state !== 'finished')).toEqual([]);
	});

	it("a node:http request goes where it connects, not to the Host header it carries (a gateway forwarding its client's)", async () => {
		const {node, asyncmon, file, served} = await run('host-header.mjs');
		expect(node).toEqual({code: 0, stdout: '200 ECONNREFUSED\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		expect(served).toBe(1);
		const urls = recordedLines(file).flatMap(line => (line.type === 'op.start' && line.http ? [line.http.url] : []));
		const {host} = new URL(server().url);
		// Node 22 keeps no port on the request: there the Host header is all there is (README, "Limits").
		const exact = Number(process.versions.node.split('.')[0]) >= 24;
		expect(urls).toEqual(exact ? [`http://${host}/items/1`, 'http://127.0.0.1:1/down'] : ['http://shop.example.com/items/1', 'http://shop.example.com/down']);
	});

	it('an undici Pool of two connections: five requests queue for them, and the report shows the queueing', async () => {
		const {node, asyncmon, report, state, served, file} = await run('undici-pool.mjs');
		expect(node).toEqual({code: 0, stdout: 'item-1 item-2 item-3 item-4 item-5\necho {"hello":"pool"}\nmissing 404\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		expect(served).toBe(7);
		expect(report.summary.httpCount).toBe(served);
		expect(requestsByTask(report)).toEqual([
			...[1, 2, 3, 4, 5].map(id => `getItem(${id}) → GET /items/${id}?… 200`),
			'getMissing() → GET /missing 404',
			'postEcho({…}) → POST /echo 200',
		]);
		// Each item takes 30 ms on the server; with two connections, three of the five wait at least one turn.
		const queued = report.tasks.filter(task => task.name.startsWith('GET /items/') && sentRequest(task).phases.queueMs >= 25);
		expect(queued.length).toBeGreaterThanOrEqual(3);
		// The advice names where undici sets its limit, not node:http's.
		const advice = computeInsights(state).find(insight => insight.kind === 'http' && insight.finding === 'connection-queueing');
		expect(advice && insightMessage(state, advice)).toContain('the `connections` option of the undici Pool or Agent');
		expectQueuedFromTheStart(file, report);
	});

	/**
	 * The three items the two connections could not take at once are ops from the moment they were asked for, in
	 * the queue, with the whole URL though a Pool keeps its origin to itself; their tasks wait on them, and a screen
	 * drawn then says so. Each leaves the queue once, before it is sent.
	 */
	function expectQueuedFromTheStart(file: string, report: SessionReport): void {
		const lines = recordedLines(file);
		const items = lines.filter((line): line is OpStartEvent => line.type === 'op.start' && line.name.startsWith('GET /items/'));
		const queued = items.filter(op => op.http?.queue);
		expect(queued.map(op => [op.name, op.http!.url, op.http!.queue])).toEqual(
			[3, 4, 5].map((id, ahead) => [`GET /items/${id}?…`, `${server().url}/items/${id}?delay=30`, {ahead, inFlight: 2}]),
		);
		const firstEnd = lines.findIndex(line => line.type === 'op.end' && items.some(op => op.id === line.id));
		for (const op of queued) {
			expect(lines.indexOf(op)).toBeLessThan(firstEnd);
			const own = lines.filter(line => 'id' in line && line.id === op.id && line.type !== 'op.start');
			expect(own.map(line => line.type)).toEqual(['op.dequeued', 'op.phase', 'op.phase', 'op.end']);
			const task = report.tasks.find(task => task.id === op.parent)!;
			expect(task.awaitSites[0]!.on).toEqual([{kind: 'op', id: op.id}]);
		}
		// The screen as it was just before the first request left the queue.
		const dequeuedAt = lines.findIndex(line => line.type === 'op.dequeued');
		const then = reduce(lines.slice(0, dequeuedAt));
		const last = queued.at(-1)!;
		const nowMs = (lines[dequeuedAt] as {t: number}).t;
		expect(waitingOn(then, then.nodes.get(last.parent!)!, nowMs)).toMatch(/^GET \/items\/5\?delay=30 · queued \d+(\.\d)?ms \(2 in flight\)$/);
	}

	it('a request queued in a Pool that gives up before a connection takes it: its op ends failed, and the server never sees it', async () => {
		const {node, asyncmon, report, served, file} = await run('undici-pool-abort.mjs');
		expect(node).toEqual({code: 0, stdout: 'item-1, gave up: TimeoutError\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		expect(served).toBe(1);
		const impatient = report.tasks.find(task => task.name === 'GET /items/2')!;
		expect(impatient.http).toMatchObject({url: `${server().url}/items/2`});
		expect(impatient.state).toBe('failed');
		expect(impatient.error?.name).toBe('TimeoutError');
		expect(recordedLines(file).filter(line => 'id' in line && line.id === impatient.id).map(line => line.type)).toEqual(['op.start', 'op.end']);
		expect(report.tasks.filter(task => task.state !== 'finished' && task !== impatient)).toEqual([]);
	});

	// Global fetch first (as importing axios, got or ky does), then npm undici: two copies of undici publish on the
	// same channels, and the Pool's queued requests keep their tasks and their time in the queue all the same.
	it('the same Pool after global fetch was used: its queued requests keep their tasks and their queue time', async () => {
		const {node, asyncmon, report, served, file} = await run('undici-pool-after-fetch.mjs');
		expect(node).toEqual({code: 0, stdout: 'fetch first 404\nitem-1 item-2 item-3 item-4 item-5\necho {"hello":"pool"}\nmissing 404\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		expect(served).toBe(8);
		expect(requestsByTask(report).filter(line => line.startsWith('getItem('))).toEqual([1, 2, 3, 4, 5].map(id => `getItem(${id}) → GET /items/${id}?… 200`));
		const queued = report.tasks.filter(task => task.name.startsWith('GET /items/') && sentRequest(task).phases.queueMs >= 25);
		expect(queued.length).toBeGreaterThanOrEqual(3);
		expectQueuedFromTheStart(file, report);
	});
});

// Reading the first events of a stream and stopping read as a failed request, a network error: '1 of 1 request
// to 127.0.0.1 failed (100%)'. undici ends such a request with an AbortError; a timeout's is a TimeoutError.
it("a response the script stopped reading (a break out of its body, body.cancel(), a node:http res.destroy()) is answered, not failed; a timeout or a lost connection while reading is a failure", async () => {
	const node = await runNode('stop-reading.mjs', [], CLIENTS);
	const {asyncmon, report, monitored} = await underAsyncmon('stop-reading.mjs', [], CLIENTS);
	expect(node.stdout).toBe('events 3\nstatus 200\ndestroyed 200\nslow TimeoutError\nreset ECONNRESET\nlate TimeoutError\n');
	expect(asyncmon).toEqual(node);
	const requests = report.tasks.filter(task => task.kind === 'http');
	expect(requests.map(request => [request.name, request.state, request.http?.status])).toEqual([
		['GET /events', 'finished', 200],
		['GET /head', 'finished', 200],
		['GET /destroyed', 'finished', 200],
		['GET /slow', 'failed', 200],
		['GET /reset', 'failed', 200],
		['GET /late', 'failed', null],
	]);
	expect(report.summary.failedHttp).toBe(3);
	// The script's own server saw the same: a reader that left once its stream began is no failure (it read 'aborted
	// by the client', failed); one that gave up before the response began is.
	const served = (path: string) => report.tasks.find(task => task.kind === 'server' && task.name === `GET ${path}`)!;
	expect(served('/events')).toMatchObject({state: 'finished', request: {status: 200, aborted: true}});
	expect(served('/head')).toMatchObject({state: 'finished', request: {status: 200, aborted: true}});
	expect(served('/late')).toMatchObject({state: 'failed', request: {status: null, aborted: true}});
	expect(served('/destroyed')).toMatchObject({state: 'finished', request: {status: 200, aborted: true}});
	expect(served('/slow')).toMatchObject({request: {aborted: true}});
	expect(monitored.code).toBe(0);
});

describe('node:http2 against a local h2c server', () => {
	let server: Http2Server;
	let url = '';
	beforeAll(async () => {
		server = createServer();
		server.on('stream', (stream, headers) => {
			const item = /^\/items\/(\d+)$/.exec(String(headers[':path']));
			// A short wait, so each request is seen waiting for its response.
			setTimeout(() => {
				stream.respond({':status': item ? 200 : 404, 'content-type': 'application/json'});
				stream.end(JSON.stringify(item ? {name: `item-${item[1]}`} : {error: 'not found'}));
			}, 20);
		});
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(() => new Promise<void>(resolve => server.close(() => resolve())));

	it('same output as under node; each request an HTTP op of the task that made it, with its status, and what that task awaited', async () => {
		const node = await runNode('http2.mjs', [url], CLIENTS);
		expect(node).toEqual({code: 0, stdout: 'item-1 item-2\nmissing 404\n', stderr: ''});
		const {asyncmon, report} = await underAsyncmon('http2.mjs', [url], CLIENTS);
		expect(asyncmon).toEqual(node);
		expect(requestsByTask(report)).toEqual(['getItem(1) → GET /items/1 200', 'getItem(2) → GET /items/2 200', 'getMissing() → GET /missing 404']);
		const requests = report.tasks.filter(task => task.kind === 'http');
		for (const request of requests) {
			expect(request).toMatchObject({state: 'finished', http: {method: 'GET', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/(items\/\d|missing)/)}});
			expect(sentRequest(request).phases.ttfbMs).toBeGreaterThanOrEqual(15);
			// Each task awaited its own request (the promise the helper made around it).
			const task = report.tasks.find(candidate => candidate.id === request.parentId)!;
			expect(task.awaitSites.flatMap(site => site.on)).toEqual([{kind: 'op', id: request.id}]);
		}
		expect(report.summary.httpCount).toBe(3);
	});

	it('undici over HTTP/2 is one request each, as undici tells it, not a second as the node:http2 stream it runs on', async () => {
		const node = await runNode('undici-h2c.mjs', [url], CLIENTS);
		expect(node).toEqual({code: 0, stdout: 'item-1 item-2\nmissing 404\n', stderr: ''});
		const {asyncmon, report} = await underAsyncmon('undici-h2c.mjs', [url], CLIENTS);
		expect(asyncmon).toEqual(node);
		expect(requestsByTask(report)).toEqual(['getItem(1) → GET /items/1 200', 'getItem(2) → GET /items/2 200', 'getMissing() → GET /missing 404']);
		expect(report.tasks.filter(task => task.kind === 'http')).toHaveLength(3);
		expect(report.summary.httpCount).toBe(3);
	});

	it('a request the script gives up on before its body ended (an AbortSignal, a close with NGHTTP2_CANCEL) failed, as an aborted node:http request does', async () => {
		const node = await runNode('http2-abort.mjs', [], CLIENTS);
		expect(node).toEqual({code: 0, stdout: 'aborted AbortError\ncancelled 8\n', stderr: ''});
		const {asyncmon, report} = await underAsyncmon('http2-abort.mjs', [], CLIENTS);
		expect(asyncmon).toEqual(node);
		const requests = report.tasks.filter(task => task.kind === 'http');
		expect(requests.map(request => [request.name, request.state, request.http?.status])).toEqual([
			['GET /signal', 'failed', 200],
			['GET /close', 'failed', 200],
		]);
		expect(report.summary.failedHttp).toBe(2);
	});

	it("a request ends as its body ends, not as its stream closes later: it ends before the task that read the body does", async () => {
		const {asyncmon, report} = await underAsyncmon('http2-body-end.mjs', [url], CLIENTS);
		expect(asyncmon).toMatchObject({code: 0, stdout: 'item-1\nitem-2\nitem-3\n'});
		const requests = report.tasks.filter(task => task.kind === 'http');
		expect(requests).toHaveLength(3);
		for (const request of requests) {
			const task = report.tasks.find(candidate => candidate.id === request.parentId)!;
			expect(task.name).toMatch(/^getItem\(\d\)$/);
			expect(request.endMs!).toBeLessThanOrEqual(task.endMs!);
		}
	});
});

describe('gRPC (@grpc/grpc-js, on node:http2)', () => {
	it('a call answered with a gRPC error is a failed request, its status and message its error, though its HTTP status is 200', async () => {
		const node = await runNode('grpc.mjs', [], CLIENTS);
		expect(node).toEqual({code: 0, stdout: 'found apple\nmissing 5 no item zzz\nlookups -,apple,-,apple\nwatch 1\n', stderr: ''});
		const {asyncmon, report, state} = await underAsyncmon('grpc.mjs', [], CLIENTS);
		expect(asyncmon).toEqual(node);
		const calls = report.tasks.filter(task => task.kind === 'http');
		const lookup = (found: boolean, id: string): unknown[] => ['POST /shop.Items/GetItem', found ? 'finished' : 'failed', 200, found ? undefined : `5 NOT_FOUND: no item ${id}`];
		expect(calls.map(call => [call.name, call.state, call.http?.status, call.error?.message])).toEqual([
			['POST /shop.Items/GetItem', 'finished', 200, undefined],
			['POST /shop.Items/GetItem', 'failed', 200, '5 NOT_FOUND: no item zzz'],
			lookup(false, 'zzz'),
			lookup(true, 'a'),
			lookup(false, 'yyy'),
			lookup(true, 'a'),
			// Cancelled by the client, it never had a status of its own: CANCELLED, as grpc-js tells the script.
			['POST /shop.Items/Watch', 'failed', 200, '1 CANCELLED: the call was cancelled before it ended'],
		]);
		expect(report.summary.failedHttp).toBe(4);
		// Each call of the lookups ended as the script heard how it went, before it made the next: one at a time.
		expect(report.summary.maxInFlightHttp).toBe(1);
		// A call after a NOT_FOUND asks another question: no retry.
		const failures = computeInsights(state).flatMap(insight => (insight.kind === 'http' && insight.finding === 'failures' ? [insight.retries] : []));
		expect(failures).toEqual([0]);
	});
});

it("Node's global WebSocket: its handshake is a request that ends with its 101, not one left in flight", async () => {
	const node = await runNode('websocket.mjs', [], CLIENTS);
	expect(node).toEqual({code: 0, stdout: 'closed 1000\n', stderr: ''});
	const {asyncmon, report, state} = await underAsyncmon('websocket.mjs', [], CLIENTS);
	expect(asyncmon).toEqual(node);
	const [handshake, ...more] = report.tasks.filter(task => task.kind === 'http');
	expect(more).toEqual([]);
	expect(handshake).toMatchObject({state: 'finished', http: {method: 'GET', status: 101}});
	// As the script wrote it: ws://, not the http:// undici sends it as.
	expect(handshake!.http!.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/live\?token=REDACTED$/);
	expect(state.httpInFlight).toBe(0);
});
