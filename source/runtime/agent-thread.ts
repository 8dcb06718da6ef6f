import {chmodSync, unlinkSync} from 'node:fs';
import {createServer, type Server, type Socket} from 'node:net';
import {timingSafeEqual} from 'node:crypto';
import {BroadcastChannel, parentPort, workerData} from 'node:worker_threads';
import type {AgentRefusal, AgentRequest, AgentStatus} from '../protocol/agent.js';
import {writePrivateFile} from '../protocol/agent.js';
import {serializeLine} from '../protocol/encode.js';
import type {DroppedEvent, NoticeEvent} from '../protocol/events.js';
import {AGENT_CHANNEL, listening, type ChannelListens} from './agent-channel.js';
import {AgentRetention} from './agent-retention.js';
import type {AgentPlan} from './instrument.js';
import {I32_WRITTEN, type PipeWriterData} from './pipe-writer-layout.js';

/**
 * The agent's thread (`node --import asyncmon/agent app.js`): it takes the script's events from the main
 * thread (as the pipe writer would), keeps them bounded (AgentRetention) and serves them to clients on a
 * private Unix socket, and on loopback TCP with a token when asked. Nothing here runs on the script's
 * thread, and the thread is unref'd: clients never block the script, and the agent never keeps it alive.
 */
const data = workerData as PipeWriterData & {agent: AgentPlan; listens: ChannelListens};
const plan = data.agent;
const state = new Int32Array(data.buffer);
const retention = new AgentRetention();
const decoder = new TextDecoder();

/** What a client may have queued and unread before it is dropped from the stream. */
const CLIENT_BUFFER_BYTES = 8 * 1024 * 1024;
/** A dropped client that still reads nothing is disconnected after this long: its queue is memory. */
const GAP_GRACE_MS = 30_000;
/** A client must say what it wants within this long, in at most REQUEST_BYTES. */
const REQUEST_TIMEOUT_MS = 5000;
const REQUEST_BYTES = 4096;

/** A streaming client, and the events it missed since it fell behind. */
interface Client {
	socket: Socket;
	missed: number;
}

const clients = new Set<Client>();
const gaps = {clients: 0, events: 0};

function take(batch: Uint8Array): void {
	const text = decoder.decode(batch);
	let start = 0;
	let lines = 0;
	for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
		retention.take(text.slice(start, end));
		start = end + 1;
		lines++;
	}
	for (const client of clients) send(client, batch, lines);
}

function send(client: Client, batch: Uint8Array, lines: number): void {
	if (client.missed > 0) {
		client.missed += lines;
		gaps.events += lines;
		return;
	}
	if (client.socket.writableLength <= CLIENT_BUFFER_BYTES) {
		client.socket.write(batch);
		return;
	}
	// Fallen behind: no more events for it. Once it has read what it was sent, it hears how many it missed, and the stream ends.
	client.missed = lines;
	gaps.clients++;
	gaps.events += lines;
	client.socket.once('drain', () => endWithGap(client));
	setTimeout(() => client.socket.destroy(), GAP_GRACE_MS).unref();
}

function endWithGap(client: Client): void {
	const t = now();
	const dropped: DroppedEvent = {type: 'dropped', t, count: client.missed};
	const notice: NoticeEvent = {type: 'notice', t, message: `this client fell behind the service and was dropped from its stream after ${client.missed} events; connect again for a fresh snapshot`};
	client.socket.end(serializeLine(dropped) + serializeLine(notice));
	clients.delete(client);
}

const now = (): number => performance.timeOrigin + performance.now() - plan.meta.startedAt;

parentPort!.on('message', (batch: Uint8Array) => {
	try {
		take(batch);
	} catch {
		// The agent's own fault must never reach the service: the batch is lost to clients, nothing more.
	} finally {
		// The main thread waits for this count: it goes up whatever happened.
		Atomics.add(state, I32_WRITTEN, 1);
		Atomics.notify(state, I32_WRITTEN);
	}
});
const channel = new BroadcastChannel(AGENT_CHANNEL);
channel.onmessage = message => {
	try {
		take((message as {data: Uint8Array}).data);
	} catch {
		// As above: never the service's problem.
	}
};
listening(data.listens);

function serve(socket: Socket, needsToken: boolean): void {
	socket.on('error', () => socket.destroy());
	let request = '';
	const timer = setTimeout(() => socket.destroy(), REQUEST_TIMEOUT_MS);
	const onData = (chunk: Buffer): void => {
		request += chunk.toString('utf8');
		const newline = request.indexOf('\n');
		if (newline === -1) {
			if (request.length > REQUEST_BYTES) socket.destroy();
			return;
		}
		clearTimeout(timer);
		socket.off('data', onData);
		answer(socket, request.slice(0, newline), needsToken);
	};
	socket.on('data', onData);
}

function answer(socket: Socket, text: string, needsToken: boolean): void {
	let request: AgentRequest;
	try {
		request = JSON.parse(text) as AgentRequest;
	} catch {
		return refuse(socket, 'the request is not JSON');
	}
	if (needsToken && !tokenMatches(request.token)) return refuse(socket, 'wrong or missing token');
	if (request.want === 'status') {
		socket.end(`${JSON.stringify(status())}\n`);
	} else if (request.want === 'stream') {
		// Whatever the client sends from now on is not read: it only closes.
		socket.resume();
		const client: Client = {socket, missed: 0};
		socket.write(`${retention.snapshot(now()).join('\n')}\n`);
		clients.add(client);
		socket.on('close', () => clients.delete(client));
	} else {
		refuse(socket, "'want' is neither 'status' nor 'stream'");
	}
}

function refuse(socket: Socket, error: string): void {
	const refusal: AgentRefusal = {error};
	socket.end(`${JSON.stringify(refusal)}\n`);
}

function tokenMatches(token: unknown): boolean {
	const expected = Buffer.from(plan.tcp?.token ?? '');
	const given = Buffer.from(typeof token === 'string' ? token : '');
	return expected.length > 0 && given.length === expected.length && timingSafeEqual(given, expected);
}

function status(): AgentStatus {
	return {
		pid: plan.meta.pid,
		script: plan.meta.script,
		startedAt: plan.meta.startedAt,
		uptimeMs: Math.round(now()),
		running: retention.running + retention.heldTasks,
		finished: retention.finishedTasks,
		clients: clients.size,
		gaps: {...gaps},
	};
}

function listen(server: Server, ...args: unknown[]): Promise<void> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		(server.listen as (...a: unknown[]) => void)(...args, () => {
			server.off('error', reject);
			resolve();
		});
	});
}

async function start(): Promise<void> {
	const files = plan.files;
	try {
		unlinkSync(files.socket);
	} catch {
		// None left over.
	}
	const local = createServer(socket => serve(socket, false));
	await listen(local, files.socket);
	// The directory is 0700 already; the socket is the user's alone too.
	chmodSync(files.socket, 0o600);
	if (plan.tcp) {
		writePrivateFile(files.token, `${plan.tcp.token}\n`);
		const tcp = createServer(socket => serve(socket, true));
		try {
			await listen(tcp, plan.tcp.port, plan.tcp.host);
		} catch (error) {
			process.stderr.write(`asyncmon agent: cannot listen on ${plan.meta.tcp}: ${(error as Error).message}\n`);
			plan.meta.tcp = null;
		}
	}
	writePrivateFile(files.meta, `${JSON.stringify(plan.meta)}\n`);
}

start().catch((error: unknown) => process.stderr.write(`asyncmon agent: not listening: ${(error as Error).message}\n`));
