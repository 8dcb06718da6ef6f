import {spawnSync} from 'node:child_process';
import {chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync} from 'node:fs';
import {connect as connectSocket} from 'node:net';
import {dirname, join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {AgentStatus} from '../../source/protocol/agent.js';
import {AGENT, eventually, startService, type Service} from '../helpers/agent-service.js';
import {useCountingServer} from '../helpers/counting-server.js';
import {freePort} from '../helpers/free-port.js';
import {spansOf, useOtlpReceiver} from '../helpers/otlp-receiver.js';
import {readRecording} from '../helpers/recorded.js';
import {ROOT, runCli, SCRIPTS, startCli} from '../helpers/run-cli.js';
import {tempDir, tempFile} from '../helpers/temp.js';
import {scriptStatus} from '../../source/ui/view-model/header.js';

const upstream = useCountingServer();
const receiver = useOtlpReceiver();

function cliEnv(service: Service): {env: Record<string, string>} {
	return {env: {XDG_RUNTIME_DIR: service.runtimeDir}};
}

async function psJson(service: Service): Promise<Array<{pid: number; script: string; tcp: string | null; status: AgentStatus | null}>> {
	const ps = await runCli(['ps', '--json'], cliEnv(service));
	expect(ps.code, ps.stderr).toBe(0);
	return JSON.parse(ps.stdout);
}

async function stop(service: Service): Promise<{code: number | null; signal: NodeJS.Signals | null}> {
	service.child.kill('SIGTERM');
	return service.exited;
}

describe('asyncmon ps and connect on a service started with node --import asyncmon/agent', () => {
	it('connect --otlp sends the live service\'s spans to a collector: each request received a SERVER span over its handler and its fetch', async () => {
		const service = await startService({env: {UPSTREAM_URL: upstream().url}});
		const client = startCli(['connect', String(service.pid), '--plain', '--otlp', receiver().url], cliEnv(service));
		let seen = '';
		client.child.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
		await eventually('the snapshot', () => seen.includes('joined'));
		expect((await service.get('/5?token=s3cret')).body).toBe('item-5\n');
		await eventually('the live request', () => /✔ done\s+handle/.test(seen.slice(seen.indexOf('joined'))));
		client.child.kill('SIGINT');
		const result = await client.result;
		expect(result.code, result.stderr).toBe(0);
		const spans = spansOf(receiver().traces);
		const request = spans.find(span => span.kind === 'SPAN_KIND_SERVER' && span.attributes['url.path'] === '/5');
		expect(request, JSON.stringify(spans.map(span => [span.kind, span.name]))).toBeDefined();
		expect(request!.attributes).toMatchObject({'http.request.method': 'GET', 'http.response.status_code': 200});
		expect(JSON.stringify(request!.attributes)).not.toContain('s3cret');
		const handler = spans.find(span => span.name === 'handle' && span.parentSpanId === request!.spanId);
		expect(handler).toBeDefined();
		const lookup = spans.find(span => span.name === 'lookup' && span.parentSpanId === handler!.spanId)!;
		const fetch = spans.find(span => span.kind === 'SPAN_KIND_CLIENT' && span.parentSpanId === lookup.spanId);
		expect(fetch?.attributes['url.full']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/items\/5$/);
		expect(new Set([request, handler, lookup, fetch].map(span => span!.traceId)).size).toBe(1);
		expect(await stop(service)).toEqual({code: 0, signal: null});
	});

	it('ps lists it; connect --plain --record shows its tasks live, from a snapshot; the recording says when it joined', async () => {
		const service = await startService({env: {UPSTREAM_URL: upstream().url}});
		for (const id of [1, 2, 3]) expect((await service.get(`/${id}`)).body).toBe(`item-${id}\n`);

		const table = await runCli(['ps'], cliEnv(service));
		expect(table.code, table.stderr).toBe(0);
		expect(table.stdout).toMatch(/PID\s+SCRIPT\s+UPTIME\s+TASKS\s+CLIENTS/);
		// Three requests received, each a task with its handler and lookup under it: nine, as the dashboard counts them.
		expect(table.stdout).toMatch(new RegExp(`${service.pid}\\s+agent-service\\.mjs\\s+\\S+\\s+0 running, 9 finished\\s+none`));

		// A request still waiting when the client joins: the snapshot has it running.
		const held = service.get('/7?wait=1500');
		await eventually('the held request to start', async () => (await psJson(service))[0]!.status!.running === 3);
		const recording = tempFile('connect.ndjson');
		const client = startCli(['connect', String(service.pid), '--plain', '--record', recording], cliEnv(service));
		let seen = '';
		client.child.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
		await eventually('the snapshot', () => seen.includes('joined'));
		expect((await psJson(service))[0]!.status!.clients).toBe(1);
		expect((await service.get('/8')).body).toBe('item-8\n');
		expect(await held).toEqual({status: 200, body: 'item-7\n'});
		await eventually('the live request', () => /✔ done\s+handle\(.*\n(?:.*\n)*.*✔ done\s+handle/.test(seen.slice(seen.indexOf('joined'))));
		client.child.kill('SIGINT');
		const result = await client.result;
		expect(result.code, result.stderr).toBe(0);
		// Before `joined`, the snapshot: the three earlier requests and the held one; after it, live.
		const [before, after] = result.stdout.split(/.*joined the running service.*\n/);
		expect(before!.match(/✔ done\s+handle/g)).toHaveLength(3);
		expect(after).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/items\/8 200/);
		expect(after).toMatch(/✔ done\s+handle.*\n(?:.*\n)*.*✔ done\s+handle/);

		const {state, report} = await readRecording(recording);
		expect(state.joinedMs).toBeGreaterThan(0);
		expect(report.joinedMs).toBe(Math.round(state.joinedMs! * 1000) / 1000);
		expect(report.tasks.filter(task => task.name.startsWith('handle(')).map(task => task.state)).toEqual(['finished', 'finished', 'finished', 'finished', 'finished']);
		const text = await runCli(['report', recording]);
		expect(text.stdout).toMatch(/joined the running service at \S+ \(earlier: its agent's snapshot\)/);

		// The client left; the service did not notice.
		expect((await service.get('/9')).body).toBe('item-9\n');
		expect((await psJson(service))[0]!.status!.clients).toBe(0);
		expect(await stop(service)).toEqual({code: 0, signal: null});
		expect(service.stdout()).toBe(`listening ${/\d+$/.exec(service.url)![0]}\nclosing\n`);
		expect(service.stderr()).toBe('');
		// Its socket and files are gone with it.
		expect(readdirSync(dirname(service.files.socket))).toEqual([]);
	});

	it('a service killed under its client: the session ends there, its connection closed, with no advice to close the servers a service keeps', async () => {
		// No request yet: a script idle with a server listening would be told it is kept alive; a service is not.
		const service = await startService({env: {UPSTREAM_URL: upstream().url}});
		const recording = tempFile('killed.ndjson');
		const client = startCli(['connect', String(service.pid), '--plain', '--record', recording], cliEnv(service));
		let seen = '';
		client.child.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
		await eventually('the snapshot', () => seen.includes('joined'));
		// Idle for longer than the quiet after which a script is said to be kept alive.
		await new Promise(resolve => setTimeout(resolve, 2600));
		service.child.kill('SIGKILL');
		expect(await service.exited).toEqual({code: null, signal: 'SIGKILL'});
		const result = await client.result;
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toContain('the service closed the connection without saying it exited (killed, or its agent stopped)');
		expect(result.stdout).toMatch(/\nThe connection closed after \S+ · /);
		expect(result.stdout).not.toMatch(/stayed alive|close (the )?servers/);
		const {state} = await readRecording(recording);
		expect(state.exit).toMatchObject({code: null, signal: null});
		expect(scriptStatus(state).text).toBe('connection closed');
	});

	it('counts the tasks its agent folded before the client joined by their leaves: requests served one after another read as no concurrency', async () => {
		const service = await startService({env: {UPSTREAM_URL: upstream().url}});
		// Far more finished tasks than the agent keeps one by one: most fold before the client joins.
		const requests = 800;
		for (let id = 0; id < requests; id++) await service.get(`/${id}`);
		const recording = tempFile('joined-late.ndjson');
		const client = startCli(['connect', String(service.pid), '--plain', '--record', recording], cliEnv(service));
		let seen = '';
		client.child.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
		await eventually('the snapshot', () => seen.includes('joined'));
		client.child.kill('SIGINT');
		expect((await client.result).code).toBe(0);
		const {report} = await readRecording(recording);
		expect(report.folded!.beforeJoin).toBeGreaterThan(requests / 2);
		// Each request, its handler and its lookup: one stretch of time, not three.
		expect(report.summary.taskCount).toBe(3 * requests);
		expect(report.summary.concurrency).toBeLessThanOrEqual(1.05);
		expect(await stop(service)).toEqual({code: 0, signal: null});
	}, 60_000);

	it("keeps the service's output and exit code those of node, for a service stopped with SIGTERM and one that ends on its own", async () => {
		const outcomes = [];
		for (const agent of [false, true]) {
			const service = await startService({agent});
			await service.get('/1');
			const exit = await stop(service);
			outcomes.push({exit, stdout: service.stdout().replace(/\d+/, 'PORT'), stderr: service.stderr()});
		}
		expect(outcomes[1]).toEqual(outcomes[0]);
		expect(outcomes[0]!.stdout).toBe('listening PORT\nclosing\n');

		const runtimeDir = tempDir();
		const run = (args: string[]) => spawnSync(process.execPath, [...args, 'agent-finishes.mjs'], {cwd: SCRIPTS, env: {...process.env, XDG_RUNTIME_DIR: runtimeDir}, encoding: 'utf8'});
		const underNode = run([]);
		const underAgent = run(['--import', AGENT]);
		const viaNodeOptions = spawnSync(process.execPath, ['agent-finishes.mjs'], {cwd: SCRIPTS, env: {...process.env, XDG_RUNTIME_DIR: runtimeDir, NODE_OPTIONS: `--import=${AGENT}`}, encoding: 'utf8'});
		expect(underNode.stdout).toBe('squares 1 4 9\n');
		for (const other of [underAgent, viaNodeOptions]) {
			expect({status: other.status, signal: other.signal, stdout: other.stdout, stderr: other.stderr}).toEqual({status: 3, signal: null, stdout: underNode.stdout, stderr: 'to stderr\n'});
		}
		expect(readdirSync(`${runtimeDir}/asyncmon-${process.getuid!()}`)).toEqual([]);

		// By the package's name, as users write it: `asyncmon/agent` is in its exports.
		const app = tempDir();
		mkdirSync(join(app, 'node_modules'));
		symlinkSync(ROOT, join(app, 'node_modules/asyncmon'));
		copyFileSync(join(SCRIPTS, 'agent-finishes.mjs'), join(app, 'agent-finishes.mjs'));
		const byName = spawnSync(process.execPath, ['--import', 'asyncmon/agent', 'agent-finishes.mjs'], {cwd: app, env: {...process.env, XDG_RUNTIME_DIR: runtimeDir}, encoding: 'utf8'});
		expect({status: byName.status, stdout: byName.stdout, stderr: byName.stderr}).toEqual({status: 3, stdout: underNode.stdout, stderr: 'to stderr\n'});
	});

	it('a service with no handler of its own dies of SIGTERM as under node, and its agent files go with it', async () => {
		const outcomes = [];
		for (const agent of [false, true]) {
			const service = await startService({agent, script: 'agent-idle.mjs'});
			outcomes.push({exit: await stop(service), stdout: service.stdout(), stderr: service.stderr()});
			expect(readdirSync(service.runtimeDir)).toEqual(agent ? [`asyncmon-${process.getuid!()}`] : []);
			if (agent) expect(readdirSync(dirname(service.files.socket))).toEqual([]);
		}
		expect(outcomes[1]).toEqual(outcomes[0]);
		expect(outcomes[0]!.exit).toEqual({code: null, signal: 'SIGTERM'});
	});

	it('says the service ended, with its exit code, when it exits while a client is connected', async () => {
		const service = await startService();
		const recording = tempFile('ended.ndjson');
		const client = startCli(['connect', String(service.pid), '--plain', '--record', recording], cliEnv(service));
		let seen = '';
		client.child.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
		await eventually('the snapshot', () => seen.includes('joined'));
		await stop(service);
		const result = await client.result;
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toMatch(/\nAll done in /);
		const {report} = await readRecording(recording);
		expect({exitCode: report.exitCode, signal: report.signal}).toEqual({exitCode: 0, signal: null});
	});
});

describe('several clients at once', () => {
	it('each gets the snapshot and the live events; ps counts them', async () => {
		const service = await startService();
		const clients = [0, 1, 2].map(() => {
			const client = startCli(['connect', String(service.pid), '--plain'], cliEnv(service));
			const seen = {text: ''};
			client.child.stdout!.on('data', (chunk: Buffer) => (seen.text += chunk.toString()));
			return {client, seen};
		});
		await eventually('every snapshot', () => clients.every(({seen}) => seen.text.includes('joined')));
		expect((await psJson(service))[0]!.status!.clients).toBe(3);
		expect((await service.get('/42')).body).toBe('item-42\n');
		await eventually('the live request in every client', () => clients.every(({seen}) => seen.text.includes('lookup("42", 5) in')));
		for (const {client} of clients) client.child.kill('SIGINT');
		for (const {client} of clients) expect((await client.result).code).toBe(0);
		await stop(service);
	});
});

describe('where the agent listens', () => {
	it('a private directory (0700) and socket (0600); TCP only on loopback, with a token file (0600)', async () => {
		const port = await freePort();
		const service = await startService({env: {ASYNCMON_AGENT_LISTEN: `127.0.0.1:${port}`}});
		const directory = dirname(service.files.socket);
		expect(statSync(directory).mode & 0o777).toBe(0o700);
		expect(statSync(service.files.socket).isSocket()).toBe(true);
		expect(statSync(service.files.socket).mode & 0o777).toBe(0o600);
		expect(statSync(service.files.meta).mode & 0o777).toBe(0o600);
		expect(statSync(service.files.token).mode & 0o777).toBe(0o600);
		const token = readFileSync(service.files.token, 'utf8').trim();
		expect(token).toMatch(/^[0-9a-f]{64}$/);
		expect((await psJson(service))[0]!.tcp).toBe(`127.0.0.1:${port}`);

		// The wrong token is refused; the token from the agent's file (or --token) is let in.
		const wrong = await runCli(['connect', `127.0.0.1:${port}`, '--plain', '--token', 'f'.repeat(64)], cliEnv(service));
		expect(wrong.code).toBe(1);
		expect(wrong.stderr).toBe(`asyncmon: 127.0.0.1:${port} refused: wrong or missing token\n`);
		for (const args of [[], ['--token', token]]) {
			const client = startCli(['connect', `127.0.0.1:${port}`, '--plain', ...args], cliEnv(service));
			let seen = '';
			client.child.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
			await eventually('the snapshot over TCP', () => seen.includes('joined'));
			client.child.kill('SIGINT');
			expect((await client.result).code).toBe(0);
		}
		await stop(service);
	});

	it('refuses a TCP address that is not loopback, and does not listen on it', async () => {
		const port = await freePort();
		const service = await startService({env: {ASYNCMON_AGENT_LISTEN: `0.0.0.0:${port}`}});
		expect(service.stderr()).toBe('asyncmon agent: ASYNCMON_AGENT_LISTEN: 0.0.0.0 is not a loopback address (use 127.0.0.1); not listening on TCP\n');
		expect((await psJson(service))[0]!.tcp).toBeNull();
		const refused = await new Promise<string>(resolve => {
			const socket = connectSocket(port, '127.0.0.1');
			socket.once('connect', () => resolve('connected'));
			socket.once('error', error => resolve((error as NodeJS.ErrnoException).code ?? 'error'));
		});
		expect(refused).toBe('ECONNREFUSED');
		// The Unix socket still serves.
		expect((await psJson(service))[0]!.status!.pid).toBe(service.pid);
		await stop(service);
	});

	it('ps skips and cleans up the files of a service that was killed (SIGKILL leaves them behind)', async () => {
		const service = await startService();
		service.child.kill('SIGKILL');
		await service.exited;
		expect(readdirSync(dirname(service.files.socket)).sort()).toEqual([`${service.pid}.json`, `${service.pid}.sock`]);
		const ps = await runCli(['ps'], cliEnv(service));
		expect(ps.stdout).toBe('No running services with an agent (start one with: node --import asyncmon/agent app.js)\n');
		expect(readdirSync(dirname(service.files.socket))).toEqual([]);
	});

	it('connect says which process has no agent, in one line', async () => {
		const runtimeDir = tempDir();
		const result = await runCli(['connect', '999999999', '--plain'], {env: {XDG_RUNTIME_DIR: runtimeDir}});
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/^asyncmon: no agent of process 999999999 in .*asyncmon-\d+ \(start the service with node --import asyncmon\/agent; see asyncmon ps\)\n$/);
	});
});

describe('clients never affect the service', () => {
	it('a client killed mid-stream, and one that never reads: the service answers every request, and the stalled client is cut off with a counted gap', async () => {
		const service = await startService();
		const killed = startCli(['connect', String(service.pid), '--plain'], cliEnv(service));
		let seen = '';
		killed.child.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
		await eventually('the snapshot', () => seen.includes('joined'));
		const bursting = service.get('/burst?n=20000');
		killed.child.kill('SIGKILL');
		expect((await bursting).status).toBe(200);

		// A raw client that asks for the stream and never reads a byte of it.
		const stalled = connectSocket(service.files.socket);
		stalled.pause();
		stalled.write('{"want":"stream"}\n');
		await eventually('the stalled client to be streaming', async () => (await psJson(service))[0]!.status!.clients === 1);
		const answers = [];
		for (let round = 0; round < 6; round++) {
			answers.push(await service.get('/burst?n=20000'));
			for (let i = 0; i < 5; i++) answers.push(await service.get(`/${i}`));
		}
		expect(answers.map(answer => answer.status)).toEqual(Array(36).fill(200));
		const status = (await psJson(service))[0]!.status!;
		expect(status.gaps.clients).toBe(1);
		expect(status.gaps.events).toBeGreaterThan(0);
		stalled.destroy();
		expect(await stop(service)).toEqual({code: 0, signal: null});
	});

	it('a client that fell behind and reads again hears how many events it missed, then its stream ends', async () => {
		const service = await startService();
		const slow = connectSocket(service.files.socket);
		slow.pause();
		slow.write('{"want":"stream"}\n');
		await eventually('the slow client to be streaming', async () => (await psJson(service))[0]!.status!.clients === 1);
		for (let round = 0; round < 6; round++) expect((await service.get('/burst?n=20000')).status).toBe(200);
		const missed = (await psJson(service))[0]!.status!.gaps.events;
		expect(missed).toBeGreaterThan(0);
		let text = '';
		slow.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
		slow.resume();
		await new Promise(resolve => slow.once('end', resolve));
		const [dropped, notice] = text.trimEnd().split('\n').slice(-2).map(line => JSON.parse(line));
		// It went on missing events (loop samples, say) until it read again; the agent counted every one.
		expect(dropped.type).toBe('dropped');
		expect(dropped.count).toBeGreaterThanOrEqual(missed);
		expect((await psJson(service))[0]!.status!.gaps.events).toBe(dropped.count);
		expect(notice.message).toBe(`this client fell behind the service and was dropped from its stream after ${dropped.count} events; connect again for a fresh snapshot`);
		expect((await service.get('/1')).body).toBe('item-1\n');
		await stop(service);
	});
});

describe("the agent's directory", () => {
	it('is refused when others may write to it, or when it is a symbolic link: the service runs untouched, and says so', async () => {
		for (const prepare of [
			(directory: string) => {
				mkdirSync(directory, {mode: 0o700});
				chmodSync(directory, 0o777);
				return `asyncmon agent: not listening: ${directory} is writable by others\n`;
			},
			(directory: string) => {
				const elsewhere = tempDir();
				symlinkSync(elsewhere, directory);
				return `asyncmon agent: not listening: ${directory} is a symbolic link\n`;
			},
		]) {
			const runtimeDir = tempDir();
			const said = prepare(`${runtimeDir}/asyncmon-${process.getuid!()}`);
			const run = spawnSync(process.execPath, ['--import', AGENT, 'agent-finishes.mjs'], {cwd: SCRIPTS, env: {...process.env, XDG_RUNTIME_DIR: runtimeDir}, encoding: 'utf8'});
			expect({status: run.status, stdout: run.stdout, stderr: run.stderr}).toEqual({status: 3, stdout: 'squares 1 4 9\n', stderr: `${said}to stderr\n`});
			const ps = await runCli(['ps'], {env: {XDG_RUNTIME_DIR: runtimeDir}});
			expect(ps.code).toBe(1);
			expect(ps.stderr).toBe(`asyncmon: refusing the agents' directory: ${said.replace('asyncmon agent: not listening: ', '')}`);
		}
	});
});
