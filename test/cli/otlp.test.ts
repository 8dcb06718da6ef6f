import {readFileSync, statSync} from 'node:fs';
import {createServer as createHttpServer, type IncomingHttpHeaders} from 'node:http';
import {createServer as createTcpServer, type Socket} from 'node:net';
import type {AddressInfo} from 'node:net';
import {describe, expect, it} from 'vitest';
import {freePort} from '../helpers/free-port.js';
import {normalized, resourcesOf, spansOf, useOtlpReceiver, type ReceivedSpan, type ReceivedTrace} from '../helpers/otlp-receiver.js';
import {runCli, startCli} from '../helpers/run-cli.js';
import {tempFile} from '../helpers/temp.js';
import {useStarted} from '../helpers/use-started.js';

/** The server otlp-fanout.ts calls: `/items/N` answers 200, anything else 404; it keeps each request's path and headers. */
interface TargetServer {
	readonly url: string;
	readonly port: number;
	readonly requests: Array<{path: string; headers: IncomingHttpHeaders}>;
	close(): Promise<void>;
}

async function startTargetServer(): Promise<TargetServer> {
	const requests: TargetServer['requests'] = [];
	const server = createHttpServer((request, response) => {
		requests.push({path: request.url ?? '', headers: request.headers});
		const found = request.url?.startsWith('/items/') ?? false;
		response.writeHead(found ? 200 : 404, {'content-type': 'application/json'}).end(found ? '{"id":1}' : '{"error":"not found"}');
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		requests,
		async close() {
			server.closeAllConnections();
			await new Promise(resolve => server.close(resolve));
		},
	};
}

/** A collector that takes connections and never answers: a slow one, as slow as can be. */
async function startSilentCollector(): Promise<{url: string; close(): Promise<void>}> {
	const sockets = new Set<Socket>();
	const server = createTcpServer(socket => {
		sockets.add(socket);
		socket.on('error', () => {});
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise(resolve => server.close(resolve));
		},
	};
}

const receiver = useOtlpReceiver();
const target = useStarted(startTargetServer);

const TIMEOUT = 60_000;
const SECRET = 'otlp-secret-1';

function runFanout(args: string[], env: Record<string, string> = {}) {
	return runCli(['run', '--plain', ...args, 'otlp-fanout.ts'], {env: {TARGET_URL: target().url, ...env}});
}

const byName = (spans: readonly ReceivedSpan[], name: string): ReceivedSpan[] => spans.filter(span => span.name === name);
const one = (spans: readonly ReceivedSpan[], name: string): ReceivedSpan => {
	const found = byName(spans, name);
	expect(found, `one span named ${name}`).toHaveLength(1);
	return found[0]!;
};

/** What asyncmon makes of otlp-fanout.ts, however the spans travelled. */
function expectFanoutTrace(traces: readonly ReceivedTrace[]): ReceivedSpan[] {
	const spans = spansOf(traces);
	// The script, main, three fetchItem, legacyItem and missing; five requests.
	expect(spans.filter(span => span.kind === 'SPAN_KIND_INTERNAL')).toHaveLength(7);
	const clients = spans.filter(span => span.kind === 'SPAN_KIND_CLIENT');
	expect(clients).toHaveLength(5);
	expect(new Set(spans.map(span => span.traceId)).size).toBe(1);
	expect(new Set(spans.map(span => span.spanId)).size).toBe(spans.length);

	// The task tree is the span tree.
	const root = one(spans, 'otlp-fanout.ts');
	expect(root.parentSpanId).toBeUndefined();
	const main = one(spans, 'main');
	expect(main.parentSpanId).toBe(root.spanId);
	const fetches = byName(spans, 'fetchItem');
	expect(fetches).toHaveLength(3);
	for (const task of [...fetches, one(spans, 'legacyItem'), one(spans, 'missing')]) expect(task.parentSpanId).toBe(main.spanId);
	expect(fetches.map(task => task.attributes['asyncmon.task.call']).sort()).toEqual(['fetchItem(1)', 'fetchItem(2)', 'fetchItem(3)']);
	for (const task of fetches) {
		const [request] = clients.filter(client => client.parentSpanId === task.spanId);
		expect(request, `the request of ${String(task.attributes['asyncmon.task.call'])}`).toBeDefined();
		expect(task.events.map(event => event.name)).toContain('await');
	}

	// Promise.all over the three fetchItem tasks: links from main to each.
	expect(main.links.map(link => link.spanId).sort()).toEqual(fetches.map(task => task.spanId).sort());

	// HTTP client spans: stable semantic conventions, the phases as events, the token redacted.
	const first = clients.find(client => String(client.attributes['url.full']).includes('/items/1?'))!;
	expect(first.name).toBe('GET');
	expect(first.attributes).toMatchObject({
		'http.request.method': 'GET',
		'url.full': `${target().url}/items/1?token=REDACTED&page=2`,
		'server.address': '127.0.0.1',
		'server.port': target().port,
		'http.response.status_code': 200,
	});
	expect(first.events.map(event => event.name)).toEqual(['http.request.sent', 'http.response.headers']);
	expect(first.status.code).toBe('STATUS_CODE_UNSET');
	const legacy = clients.find(client => client.parentSpanId === one(spans, 'legacyItem').spanId)!;
	expect(legacy.attributes).toMatchObject({'url.full': `${target().url}/items/9`, 'asyncmon.http.client': 'node:http', 'http.response.status_code': 200});

	// The failure: the task's span is an error with its exception; its request's 404 is one too.
	const missing = one(spans, 'missing');
	expect(missing.status).toMatchObject({code: 'STATUS_CODE_ERROR', message: 'Error: missing answered 404'});
	const exception = missing.events.find(event => event.name === 'exception');
	expect(exception?.attributes).toMatchObject({'exception.type': 'Error', 'exception.message': 'missing answered 404'});
	expect(String(exception?.attributes['exception.stacktrace'])).toContain('otlp-fanout.ts');
	const notFound = clients.find(client => client.parentSpanId === missing.spanId)!;
	expect(notFound.status.code).toBe('STATUS_CODE_ERROR');
	expect(notFound.attributes).toMatchObject({'http.response.status_code': 404, 'error.type': '404'});

	expect(JSON.stringify(traces)).not.toContain(SECRET);
	for (const resource of resourcesOf(traces)) {
		expect(resource).toMatchObject({'service.name': 'otlp-fanout', 'process.runtime.name': 'nodejs', 'process.runtime.version': process.versions.node});
		expect(resource['process.pid']).toEqual(expect.any(Number));
	}
	return spans;
}

const idsOf = (spans: readonly ReceivedSpan[]) => spans.map(span => `${span.traceId}/${span.spanId}/${span.parentSpanId ?? '-'}/${span.name}`).sort();

describe('asyncmon --otlp: spans to an OpenTelemetry collector', () => {
	it(
		'sends a run live, and a report of its recording sends the same spans again',
		async () => {
			receiver().clear();
			const file = tempFile('fanout.ndjson');
			const result = await runFanout(['--record', file, '--otlp', receiver().url]);
			expect(result.stderr).not.toContain('OTLP');
			expect(result.code).toBe(0);
			expect(result.stdout).toContain('3 items, legacy 200');
			const live = expectFanoutTrace(receiver().traces);

			receiver().clear();
			const report = await runCli(['report', file, '--otlp', `${receiver().url}/`]);
			expect(report.code).toBe(0);
			expect(report.stdout).toBe('');
			expect(report.stderr).toBe(`asyncmon: sent 12 spans to ${receiver().url}/v1/traces\n`);
			const sent = expectFanoutTrace(receiver().traces);
			// Ids are a function of the session: the recording's spans are the live run's.
			expect(idsOf(sent)).toEqual(idsOf(live));
		},
		TIMEOUT,
	);

	it(
		'writes a recording as OTLP JSON, mode 0600, with the same spans',
		async () => {
			const file = tempFile('fanout.ndjson');
			expect((await runFanout(['--record', file])).code).toBe(0);
			const out = tempFile('spans.json');
			const report = await runCli(['report', file, '--format', 'otlp-json', '-o', out], {env: {OTEL_SERVICE_NAME: 'fanout-service'}});
			expect(report.code).toBe(0);
			expect(statSync(out).mode & 0o777).toBe(0o600);
			const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
			expect(lines).toHaveLength(1);
			const request = JSON.parse(lines[0]!) as {resourceSpans: unknown[]};
			expect(request.resourceSpans).toHaveLength(1);
			const traces = [normalized(request)];
			expect(resourcesOf(traces)[0]!['service.name']).toBe('fanout-service');
			// The same structure, its service renamed.
			expectFanoutTrace(traces.map(trace => ({...trace, resourceSpans: trace.resourceSpans.map(r => ({...r, resource: {attributes: {...r.resource.attributes, 'service.name': 'otlp-fanout'}}}))})));
			const stdout = await runCli(['report', file, '--format', 'otlp-json']);
			expect(spansOf([normalized(JSON.parse(stdout.stdout))])).toHaveLength(12);
		},
		TIMEOUT,
	);

	it(
		'keeps the script and its exit code when the collector is not listening, and says so once; a report to it fails',
		async () => {
			const nobody = `http://127.0.0.1:${await freePort()}`;
			const file = tempFile('fanout.ndjson');
			const result = await runFanout(['--record', file, '--otlp', nobody]);
			expect(result.code).toBe(0);
			expect(result.stdout).toContain('3 items, legacy 200');
			expect(result.stderr.match(/OTLP export to .* failed/g)).toEqual([`OTLP export to ${nobody}/v1/traces failed`]);
			expect(result.stderr).toContain(`asyncmon: OTLP export: 12 of 12 spans were not delivered to ${nobody}/v1/traces\n`);

			const exiting = await runCli(['run', '--plain', '--otlp', nobody, 'exit-code.ts']);
			expect(exiting.code).toBe(7);
			expect(exiting.stdout).toContain('leaving early');

			// Sending a recording is all `report --otlp` does: a collector that does not take it is an error.
			const report = await runCli(['report', file, '--otlp', nobody]);
			expect(report.code).toBe(1);
			expect(report.stderr).toMatch(new RegExp(`^asyncmon: could not send the spans to ${nobody}/v1/traces: connect ECONNREFUSED [^\\n]*\\n$`));
		},
		TIMEOUT,
	);

	it(
		'ends when a collector takes the connection and never answers',
		async () => {
			const silent = await startSilentCollector();
			try {
				const result = await runFanout(['--otlp', silent.url]);
				expect(result.code).toBe(0);
				expect(result.stdout).toContain('3 items, legacy 200');
				expect(result.stderr).toContain('12 of 12 spans were not delivered');
			} finally {
				await silent.close();
			}
		},
		TIMEOUT,
	);

	it(
		"with --otlp-propagate, each request carries a traceparent naming its exported CLIENT span; without, none",
		async () => {
			receiver().clear();
			target().requests.splice(0);
			expect((await runFanout(['--otlp', receiver().url, '--otlp-propagate'])).code).toBe(0);
			const spans = expectFanoutTrace(receiver().traces);
			const clients = spans.filter(span => span.kind === 'SPAN_KIND_CLIENT');
			expect(target().requests).toHaveLength(5);
			for (const request of target().requests) {
				const match = /^00-([\da-f]{32})-([\da-f]{16})-01$/.exec(String(request.headers.traceparent));
				expect(match, `traceparent of ${request.path}`).not.toBeNull();
				const client = clients.find(span => span.spanId === match![2]);
				expect(client, `the CLIENT span ${request.path} names`).toBeDefined();
				expect(client!.traceId).toBe(match![1]);
				expect(String(client!.attributes['url.full']).replace('token=REDACTED', `token=${SECRET}`)).toBe(`${target().url}${request.path}`);
			}

			target().requests.splice(0);
			expect((await runFanout(['--otlp', receiver().url])).code).toBe(0);
			expect(target().requests).toHaveLength(5);
			for (const request of target().requests) expect(request.headers.traceparent).toBeUndefined();
		},
		TIMEOUT,
	);

	it(
		"a request received with a caller's traceparent is a SERVER span in the caller's trace; with --otlp-propagate, what it sends carries that trace on",
		async () => {
			receiver().clear();
			target().requests.splice(0);
			const caller = {traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7'};
			const service = startCli(['run', '--plain', '--otlp', receiver().url, '--otlp-propagate', 'otlp-server.ts'], {env: {TARGET_URL: target().url}});
			let seen = '';
			service.child.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
			const port = await new Promise<number>(resolve => {
				const check = (): void => {
					const match = /listening (\d+)/.exec(seen);
					if (match) resolve(Number(match[1]));
					else setTimeout(check, 20);
				};
				check();
			});
			const response = await fetch(`http://127.0.0.1:${port}/orders/7`, {headers: {traceparent: `00-${caller.traceId}-${caller.spanId}-01`}});
			expect(await response.text()).toBe('{"id":1}');
			expect((await service.result).code).toBe(0);
			const spans = spansOf(receiver().traces);
			const server = spans.find(span => span.kind === 'SPAN_KIND_SERVER')!;
			expect(server).toMatchObject({traceId: caller.traceId, parentSpanId: caller.spanId, name: 'GET'});
			expect(server.attributes).toMatchObject({'http.request.method': 'GET', 'url.path': '/orders/7', 'http.response.status_code': 200});
			const client = spans.find(span => span.kind === 'SPAN_KIND_CLIENT')!;
			// Its whole subtree joined the caller's trace: the fetch the handler made is in it.
			expect(client.traceId).toBe(caller.traceId);
			const [sent] = target().requests;
			expect(sent!.headers.traceparent).toBe(`00-${caller.traceId}-${client.spanId}-01`);
		},
		TIMEOUT,
	);

	it(
		'leaves a traceparent the script set itself as it is, one its own channel subscriber added too',
		async () => {
			target().requests.splice(0);
			const result = await runCli(['run', '--plain', '--otlp-propagate', 'own-traceparent.ts'], {env: {TARGET_URL: target().url}});
			expect(result.code).toBe(0);
			expect(target().requests.map(request => [request.path, request.headers.traceparent])).toEqual([
				['/items/1', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
				['/items/2', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
				// Added by the script's own subscriber, after asyncmon's: its value alone, not two joined by a comma.
				['/items/3', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
			]);
		},
		TIMEOUT,
	);

	it('refuses a collector URL that is not http(s), in one line', async () => {
		const run = await runCli(['run', '--plain', '--otlp', 'localhost:4318', 'exit-code.ts']);
		expect(run.code).toBe(1);
		expect(run.stderr).toBe("asyncmon: --otlp needs the collector's http(s) base URL, e.g. http://127.0.0.1:4318; got 'localhost:4318'\n");
	});

	it(
		'sends a demo live',
		async () => {
			receiver().clear();
			const result = await runCli(['demo', 'http-fanout', '--slow', '0.2', '--plain', '--otlp', receiver().url]);
			expect(result.code).toBe(0);
			const spans = spansOf(receiver().traces);
			expect(spans.filter(span => span.kind === 'SPAN_KIND_CLIENT').length).toBeGreaterThan(0);
			expect(resourcesOf(receiver().traces)[0]!['service.name']).toBe('09-http-fanout');
		},
		TIMEOUT,
	);
});
