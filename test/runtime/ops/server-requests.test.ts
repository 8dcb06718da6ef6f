import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import type {ReportTask, SessionReport} from '../../../source/model/summary.js';
import {decodeLine} from '../../../source/protocol/decode.js';
import type {ProtocolLine} from '../../../source/protocol/events.js';
import {freePort} from '../../helpers/free-port.js';
import {readRecording} from '../../helpers/recorded.js';
import {underNodeAndAsyncmon} from '../../helpers/node-parity.js';
import {runCli, SCRIPTS, startCli} from '../../helpers/run-cli.js';
import {tempFile} from '../../helpers/temp.js';

const SECRET = 's3cr3t-t0ken';

/** Starts the server script under `asyncmon --plain --record`, waits for it to listen, runs `load` against it. */
async function serve(load: (base: string) => Promise<void>) {
	const port = await freePort();
	const file = tempFile('served.ndjson');
	const run = startCli(['--plain', '--record', file, 'served-requests.mjs', String(port), '7']);
	await new Promise<void>((resolve, reject) => {
		run.child.stdout!.on('data', (text: Buffer) => text.toString().includes('listening') && resolve());
		run.child.once('close', () => reject(new Error('the server exited before listening')));
	});
	await load(`http://127.0.0.1:${port}`);
	const result = await run.result;
	return {result, file, ...(await readRecording(file))};
}

function servedAs(report: SessionReport, name: string): ReportTask[] {
	return report.tasks.filter(task => task.kind === 'server' && task.name === name);
}

function ancestors(report: SessionReport, task: ReportTask): ReportTask[] {
	const byId = new Map(report.tasks.map(t => [t.id, t]));
	const chain: ReportTask[] = [];
	for (let parent = byId.get(task.parentId ?? -1); parent; parent = byId.get(parent.parentId ?? -1)) chain.push(parent);
	return chain;
}

describe('requests a server of the script receives are tasks of kind server', () => {
	it('one task per request, with the handler\'s work under it, its status, the aborted one, and no secret', async () => {
		const {result, file, report} = await serve(async base => {
			const slow = await fetch(`${base}/slow?token=${SECRET}&page=2`);
			expect(await slow.text()).toBe('upstream');
			expect((await fetch(`${base}/fail`)).status).toBe(500);
			// Three on one keep-alive connection: three tasks.
			for (let i = 0; i < 3; i++) expect(await (await fetch(`${base}/plain`)).text()).toBe('ok');
			// The server gives up on this one mid-body: the client reads a cut connection.
			expect(await (await fetch(`${base}/export`)).text().catch((error: Error) => error.message)).toBe('terminated');
			const leaving = new AbortController();
			const aborted = fetch(`${base}/abort`, {signal: leaving.signal}).catch((error: Error) => error.name);
			setTimeout(() => leaving.abort(), 150);
			expect(await aborted).toBe('AbortError');
		});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('listening');

		const [slow] = servedAs(report, 'GET /slow?…');
		expect(slow).toMatchObject({state: 'finished', request: {method: 'GET', url: `/slow?token=REDACTED&page=2`, status: 200, aborted: false}});
		expect(slow!.request!.host).toMatch(/^127\.0\.0\.1:\d+$/);
		// The handler's timer and its fetch to the other server belong to the request.
		const timer = report.tasks.find(task => task.kind === 'timer' && task.timer?.delayMs === 20)!;
		const upstream = report.tasks.find(task => task.kind === 'http' && task.http!.url.endsWith('/data'))!;
		for (const op of [timer, upstream]) expect(ancestors(report, op).map(task => task.id)).toContain(slow!.id);
		expect(ancestors(report, timer)[0]!.name).toBe('lookUp()');
		// The upstream server received that fetch: a request of its own, under the script, not under the slow one.
		expect(servedAs(report, 'GET /data')).toMatchObject([{state: 'finished', request: {status: 200}}]);
		expect(slow!.endMs!).toBeGreaterThan(upstream.endMs!);

		expect(servedAs(report, 'GET /fail')).toMatchObject([{state: 'failed', request: {status: 500, aborted: false}}]);
		const plain = servedAs(report, 'GET /plain');
		expect(plain).toHaveLength(3);
		expect(plain.every(task => task.state === 'finished' && task.request!.status === 200)).toBe(true);
		const [abort] = servedAs(report, 'GET /abort');
		expect(abort).toMatchObject({state: 'failed', request: {status: null, aborted: true}});
		// No throw failed it: it has no error (which would read `undefined: undefined`), and the report says what happened.
		expect(abort!.error).toBeUndefined();
		const failures = await runCli(['report', file, '--format', 'md']);
		expect(failures.stdout).toMatch(/GET \/abort \| the client went away before the response finished/);
		expect(failures.stdout).not.toContain('undefined: undefined');
		// The server's own code gave up on /export mid-body: its failure, with its error, not the client's leaving.
		expect(servedAs(report, 'GET /export')).toMatchObject([{state: 'failed', request: {status: 200, aborted: false}, error: {message: 'the export source failed'}}]);

		// Served requests are tasks: the summary counts them; the failed ones are the 500, the export and the aborted one.
		const served = report.tasks.filter(task => task.kind === 'server');
		expect(served).toHaveLength(8);
		expect(served.every(task => report.tasks.find(t => t.id === task.parentId)?.kind === 'script')).toBe(true);
		expect(report.summary.taskCount).toBe(report.tasks.filter(task => task.kind === 'task' || task.kind === 'server').length);
		expect(readFileSync(file, 'utf8')).not.toContain(SECRET);
	});

	it('says so in plain mode: the mark of a received request, its status, and the client that left', async () => {
		const {result} = await serve(async base => {
			await (await fetch(`${base}/slow?token=${SECRET}`)).text();
			await (await fetch(`${base}/fail`)).text();
			for (let i = 0; i < 3; i++) await (await fetch(`${base}/plain`)).text();
			await (await fetch(`${base}/export`)).text().catch(() => undefined);
			const leaving = new AbortController();
			setTimeout(() => leaving.abort(), 150);
			await fetch(`${base}/abort`, {signal: leaving.signal}).catch(() => undefined);
		});
		expect(result.stdout).toMatch(/✖ failed ⇠ GET \/export 200, the response failed after \S+: Error: the export source failed /);
		expect(result.stdout).toMatch(/✔ done {3}⇠ GET \/slow\?… 200 in /);
		expect(result.stdout).toMatch(/✖ failed ⇠ GET \/fail 500 in /);
		expect(result.stdout).toMatch(/✖ failed ⇠ GET \/abort aborted by the client after /);
		expect(result.stdout).not.toContain(SECRET);
	});
});

it("a request the server ended unanswered is the server's failure, not the client's leaving: Node's request timeout (its 408), a handler's destroy()", async () => {
	const {node, asyncmon, report} = await underNodeAndAsyncmon('server-ended-requests.mjs', [], SCRIPTS);
	expect(node).toEqual({code: 0, stdout: '/slow: HTTP/1.1 408 Request Timeout\n/limit: no answer\n/gone: HTTP/1.1 400 Bad Request\n', stderr: ''});
	expect(asyncmon).toEqual(node);
	const [slow] = servedAs(report, 'POST /slow');
	expect(slow).toMatchObject({state: 'failed', request: {status: 408, aborted: false}, error: {message: 'Request timeout'}});
	const [limit] = servedAs(report, 'POST /limit');
	expect(limit).toMatchObject({state: 'failed', request: {status: null, aborted: false}});
	expect(limit!.error!.message).toMatch(/^the server closed the connection before it finished its response/);
	// The client ended its side mid-body: it left (Node's 400 went to a connection it had closed).
	expect(servedAs(report, 'POST /gone')).toMatchObject([{state: 'failed', request: {aborted: true}}]);
});

it("a request whose listener returned having started nothing waits on its response's writing once begun, else on the rest of its body, not on a promise", async () => {
	const file = tempFile('streamed.ndjson');
	const result = await runCli(['--plain', '--record', file, 'streamed-responses.mjs']);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('events 6\n');
	expect(result.stdout).toContain(`bytes ${4 * 1024 * 1024}\n`);
	expect(result.stdout).toContain('got 12\n');
	const lines = readFileSync(file, 'utf8').trim().split('\n').flatMap(text => decodeLine(text) as ProtocolLine[]);
	const served = new Map(lines.flatMap(line => (line.type === 'task.start' && line.kind === 'server' ? [[line.name, line.id] as const] : [])));
	const waitsOf = (name: string) => lines.flatMap(line => (line.type === 'task.await' && line.id === served.get(name) ? [line.on] : []));
	// Server-sent events written from an interval, a file piped: the headers went out as the listener ran.
	expect(waitsOf('GET /events')).toEqual([{kind: 'response'}]);
	expect(waitsOf('GET /file')).toEqual([{kind: 'response'}]);
	expect(result.stdout).toMatch(/⏸ await {2}GET \/events on its response, the handler done\n/);
	expect(result.stdout).toMatch(/⏸ await {2}GET \/file on its response, the handler done\n/);
	// Nothing written yet, the body coming in two parts: the rest of its body, which the listener's listeners wait for.
	expect(waitsOf('POST /upload')).toEqual([{kind: 'event', event: 'end', source: 'IncomingMessage'}]);
	expect(result.stdout).toMatch(/⏸ await {2}POST \/upload on event 'end' of IncomingMessage\n/);
});
