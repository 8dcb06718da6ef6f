import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {connect, type Socket} from 'node:net';
import {join} from 'node:path';
import {agentDirectory, agentFiles, privateDirectoryProblem, removeAgentFiles, type AgentMeta, type AgentRequest, type AgentStatus} from '../protocol/agent.js';
import {decodeLine, type CorruptReason} from '../protocol/decode.js';
import type {ProtocolLine} from '../protocol/events.js';
import {serializeLine} from '../protocol/encode.js';
import {LineSplitter} from '../protocol/line-splitter.js';
import {alive} from './alive.js';

/** Where a running service's agent listens: its Unix socket, or loopback TCP with its token. */
export type AgentAddress = {socket: string} | {host: string; port: number; token: string};

/** How long `ps` waits for an agent to answer. */
const STATUS_TIMEOUT_MS = 2000;

/** The reason a client could not reach or talk to an agent, in one line. */
export class AgentUnreachable extends Error {
	override name = 'AgentUnreachable';
}

/**
 * What `asyncmon connect <target>` names: a pid (its agent's socket in the user's directory), a socket's path,
 * or `host:port`, whose token comes from `token` or from the agent's file beside its socket.
 */
export function agentAddress(target: string, token?: string): AgentAddress {
	if (/^\d+$/.test(target)) {
		const {socket} = agentFiles(privateAgentDirectory(), Number(target));
		if (!existsSync(socket)) throw new AgentUnreachable(`no agent of process ${target} in ${agentDirectory()} (start the service with node --import asyncmon/agent; see asyncmon ps)`);
		return {socket};
	}
	const tcp = /^(?:\[([^\]]+)\]|([^/:]+)):(\d+)$/.exec(target);
	if (!tcp) return {socket: target};
	const host = (tcp[1] ?? tcp[2])!;
	const port = Number(tcp[3]);
	const found = token ?? tokenFor(target);
	if (!found) throw new AgentUnreachable(`no token for ${target}: pass --token (it is in the agent's <pid>.token file, mode 0600)`);
	return {host, port, token: found};
}

/** The user's agents' directory, if it is private to the user. */
function privateAgentDirectory(): string {
	const directory = agentDirectory();
	const problem = existsSync(directory) ? privateDirectoryProblem(directory) : null;
	if (problem) throw new AgentUnreachable(`refusing the agents' directory: ${problem}`);
	return directory;
}

/** The token of the agent of the user's that listens on `hostPort`, from its file. */
function tokenFor(hostPort: string): string | undefined {
	const agent = listAgentFiles().find(meta => meta.tcp === hostPort);
	if (!agent) return undefined;
	try {
		return readFileSync(agentFiles(agentDirectory(), agent.pid).token, 'utf8').trim();
	} catch {
		return undefined;
	}
}

/** The agents' metadata files in the user's directory; those whose process is gone are removed. */
export function listAgentFiles(): AgentMeta[] {
	const directory = agentDirectory();
	if (!existsSync(directory)) return [];
	privateAgentDirectory();
	const agents: AgentMeta[] = [];
	for (const name of readdirSync(directory)) {
		if (!/^\d+\.json$/.test(name)) continue;
		const pid = Number.parseInt(name, 10);
		if (!alive(pid)) {
			removeAgentFiles(agentFiles(directory, pid));
			continue;
		}
		try {
			agents.push(JSON.parse(readFileSync(join(directory, name), 'utf8')) as AgentMeta);
		} catch {
			// Being written or removed right now.
		}
	}
	return agents.sort((a, b) => a.pid - b.pid);
}

function open(address: AgentAddress, request: AgentRequest): Socket {
	const socket = 'socket' in address ? connect(address.socket) : connect(address.port, address.host);
	const sent: AgentRequest = 'token' in address ? {...request, token: address.token} : request;
	socket.write(`${JSON.stringify(sent)}\n`);
	return socket;
}

function describe(address: AgentAddress): string {
	return 'socket' in address ? address.socket : `${address.host}:${address.port}`;
}

/** A refusal line (`{"error": …}`) is the agent's last word. */
function refusalOf(text: string): string | null {
	try {
		const value = JSON.parse(text) as {error?: unknown; type?: unknown};
		return typeof value.error === 'string' && value.type === undefined ? value.error : null;
	} catch {
		return null;
	}
}

/** The agent's answer to a status request. */
export function agentStatus(address: AgentAddress): Promise<AgentStatus> {
	return new Promise((resolve, reject) => {
		const socket = open(address, {want: 'status'});
		let text = '';
		const fail = (message: string): void => {
			socket.destroy();
			reject(new AgentUnreachable(`${describe(address)}: ${message}`));
		};
		socket.setTimeout(STATUS_TIMEOUT_MS, () => fail('no answer'));
		socket.on('error', error => fail(error.message));
		socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
		socket.on('end', () => {
			const refusal = refusalOf(text);
			if (refusal) return fail(refusal);
			try {
				resolve(JSON.parse(text) as AgentStatus);
			} catch {
				fail('not an asyncmon agent');
			}
		});
	});
}

export type StreamListener = (line: ProtocolLine, raw: string) => void;

/**
 * A running service's stream, from its agent: the snapshot (up to a `joined` event), then its events live.
 * Lines that do not decode are counted and reported as `corrupt` events, as a child's are.
 */
export class AgentStream {
	private readonly socket: Socket;
	private readonly splitter = new LineSplitter();
	private listener: StreamListener = () => {};
	private batchListener: () => void = () => {};
	private corrupt: {count: number; reason: CorruptReason} | null = null;
	private first = true;
	/** The latest time read, for the `corrupt` events made here. */
	private lastT = 0;
	private refusal: string | null = null;
	/** Resolves when the stream ends: the service exited, the agent dropped this client, or close() was called. */
	readonly ended: Promise<void>;

	constructor(address: AgentAddress) {
		this.socket = open(address, {want: 'stream'});
		this.ended = new Promise((resolve, reject) => {
			let connected = false;
			this.socket.once('connect', () => (connected = true));
			this.socket.on('error', error => {
				if (!connected) reject(new AgentUnreachable(`cannot connect to ${describe(address)}: ${error.message}`));
			});
			this.socket.on('close', () => {
				if (this.refusal) reject(new AgentUnreachable(`${describe(address)} refused: ${this.refusal}`));
				else resolve();
			});
		});
		this.socket.setEncoding('utf8').on('data', (chunk: string) => {
			this.splitter.push(chunk, text => this.line(text));
			this.reportCorrupt();
			this.batchListener();
		});
	}

	onLine(listener: StreamListener): void {
		this.listener = listener;
	}

	/** Once per chunk read, not per line. */
	onBatchEnd(listener: () => void): void {
		this.batchListener = listener;
	}

	/** Leaves the stream; the service goes on. */
	close(): void {
		this.socket.destroy();
	}

	private line(text: string): void {
		if (this.first) {
			this.first = false;
			this.refusal = refusalOf(text);
			if (this.refusal) return;
		}
		const lines = decodeLine(text);
		if (typeof lines === 'string') {
			this.corrupt ??= {count: 0, reason: lines};
			this.corrupt.count++;
			return;
		}
		// A span line is two events: the line is recorded once, with the first.
		for (let i = 0; i < lines.length; i++) {
			const line = lines[i]!;
			if (line.type !== 'header') this.lastT = line.t;
			this.listener(line, i === 0 ? `${text}\n` : '');
		}
	}

	private reportCorrupt(): void {
		if (!this.corrupt) return;
		const {count, reason} = this.corrupt;
		this.corrupt = null;
		const event: ProtocolLine = {type: 'corrupt', t: this.lastT, count, reason};
		this.listener(event, serializeLine(event));
	}
}
