import {chmodSync, closeSync, constants, lstatSync, mkdirSync, openSync, rmSync, writeSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

/**
 * The contract between a running service's agent (`node --import asyncmon/agent app.js`) and the clients that
 * reach it (`asyncmon ps`, `asyncmon connect`): where it listens, what a client asks, what it answers.
 * See docs/protocol.md, "Connecting to a running service".
 */

/** `127.0.0.1:PORT`: the agent also listens on loopback TCP, with a token. Unset: a Unix socket only. */
export const AGENT_LISTEN_ENV = 'ASYNCMON_AGENT_LISTEN';

/** What an agent says about itself in `<pid>.json` beside its socket (mode 0600). */
export interface AgentMeta {
	pid: number;
	/** The script as Node was given it, relative to `cwd` where it is inside it. */
	script: string;
	cwd: string;
	node: string;
	/** Epoch ms. */
	startedAt: number;
	socket: string;
	/** `host:port` when it also listens on loopback TCP. */
	tcp: string | null;
}

/** A client's first line: what it wants. Over TCP it must carry the agent's token. */
export interface AgentRequest {
	want: 'status' | 'stream';
	token?: string;
}

/** The answer to `{"want":"status"}`: one line, then the agent closes the connection. */
export interface AgentStatus {
	pid: number;
	script: string;
	startedAt: number;
	uptimeMs: number;
	running: number;
	finished: number;
	/** Clients streaming now. */
	clients: number;
	/** Clients dropped from the stream because they fell behind, and the events they missed. */
	gaps: {clients: number; events: number};
}

/** The agent refused a request (a wrong token, a request it cannot read): one line, then it closes. */
export interface AgentRefusal {
	error: string;
}

/** Where the user's agents listen: `$XDG_RUNTIME_DIR/asyncmon-<uid>`, else the temporary directory's. */
export function agentDirectory(env: NodeJS.ProcessEnv = process.env, uid: number = process.getuid?.() ?? 0): string {
	return join(env.XDG_RUNTIME_DIR || tmpdir(), `asyncmon-${uid}`);
}

export interface AgentFiles {
	socket: string;
	meta: string;
	token: string;
}

export function agentFiles(directory: string, pid: number): AgentFiles {
	return {socket: join(directory, `${pid}.sock`), meta: join(directory, `${pid}.json`), token: join(directory, `${pid}.token`)};
}

/**
 * Why `directory` is not private to this user (a symlink, not a directory, someone else's, or writable by
 * others), or null when it is. A directory of the user's that others may only read is made 0700.
 */
export function privateDirectoryProblem(directory: string): string | null {
	let stats;
	try {
		stats = lstatSync(directory);
	} catch {
		return `${directory} cannot be read`;
	}
	if (stats.isSymbolicLink()) return `${directory} is a symbolic link`;
	if (!stats.isDirectory()) return `${directory} is not a directory`;
	if (process.getuid && stats.uid !== process.getuid()) return `${directory} belongs to another user`;
	if ((stats.mode & 0o022) !== 0) return `${directory} is writable by others`;
	if ((stats.mode & 0o077) !== 0) chmodSync(directory, 0o700);
	return null;
}

/** Makes the agents' directory (0700) if need be; why it is not private, or null. */
export function makePrivateDirectory(directory: string): string | null {
	try {
		mkdirSync(directory, {mode: 0o700});
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return `${directory} cannot be made: ${(error as Error).message}`;
	}
	return privateDirectoryProblem(directory);
}

/** `host:port` on loopback, or why not. Only loopback: anything else would expose the service's internals. */
export function loopbackAddress(text: string): {host: string; port: number} | string {
	const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text.trim());
	if (!match) return `'${text}' is not host:port`;
	const host = (match[1] ?? match[2])!;
	const port = Number(match[3]);
	if (!(port > 0 && port < 65536)) return `'${text}' has no valid port`;
	if (host !== 'localhost' && host !== '::1' && !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return `${host} is not a loopback address (use 127.0.0.1)`;
	return {host, port};
}

/** Writes a file only the user can read (0600), afresh: never through a symlink, never into someone's file. */
export function writePrivateFile(path: string, text: string): void {
	rmSync(path, {force: true});
	const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
	try {
		writeSync(fd, text);
	} finally {
		closeSync(fd);
	}
}

/** Removes the agent's files: at its exit, or by `asyncmon ps` when their process is gone. */
export function removeAgentFiles(files: AgentFiles): void {
	for (const path of [files.socket, files.meta, files.token]) rmSync(path, {force: true});
}
