import {spawn, type ChildProcess} from 'node:child_process';
import {fstatSync} from 'node:fs';
import type {Socket} from 'node:net';
import {resolve} from 'node:path';
import type {Readable} from 'node:stream';
import {fileURLToPath} from 'node:url';
import {CHILD_CONFIG_ENV, CHILD_START_ENV, childNodeFlags, type ChildConfig} from '../protocol/child-config.js';
import {newTraceId} from '../protocol/trace-context.js';
import {LaneServer} from './lane-server.js';

export const EVENTS_FD = 3;
export const WATCHDOG_FD = 4;

export interface ScriptProcessOptions {
	script: string;
	scriptName: string;
	args: string[];
	blockThresholdMs: number;
	redact: boolean;
	/** Extra environment for the script (the demo server's URL, say). */
	env?: Record<string, string>;
	/** Its working directory, when not asyncmon's (see ScriptLaunch.cwd). */
	cwd?: string;
	stdin: ScriptStdin;
	preload: URL;
	/** Node's own options for the script's process (`--env-file=.env`), before the script as `node` takes them. */
	nodeOptions?: readonly string[];
	/** `--otlp-propagate`: the script's outgoing HTTP requests carry a `traceparent` (see trace-context.ts). */
	propagateTrace?: boolean;
	/** False keeps every task one by one in the stream (`--retain all`): see ChildConfig. */
	foldQuickTasks?: boolean;
	/** The Node processes the script starts are followed (on by default; `--no-follow`). */
	follow?: boolean;
	/** The dashboard shows the script's output in its pane (see ChildConfig.outputInPane). */
	outputInPane?: boolean;
}

/**
 * What the script reads: nothing while the dashboard keeps the terminal for its keys; asyncmon's own stdin
 * in plain mode. When that is a terminal, the script joins the terminal's foreground process group, as
 * under node, since a process outside it is stopped (SIGTTIN) when it reads: the terminal's Ctrl-C then
 * reaches the script itself.
 */
export type ScriptStdin = 'none' | 'inherit' | 'terminal';

/**
 * The script's process, started before asyncmon loads what reads and shows its session (ChildSession): this
 * module loads little, so the script starts that much sooner. What happens meanwhile is kept for the reader:
 * the exit, a failure to start, the connections of the processes the script starts; its pipes hold their data
 * until read. Unless it reads the terminal, the child gets its own process group, so a Ctrl-C reaches it once,
 * forwarded by the monitor, not twice.
 */
export class ScriptProcess {
	readonly child: ChildProcess;
	/** The monotonic clock's reading at the spawn, put on the epoch when first asked (see spawnedAt). */
	private readonly spawnedAtClock = process.hrtime.bigint();
	private spawnedAtEpoch: number | null = null;
	/** The session's trace, which the child writes in its header and names in the `traceparent`s it adds. */
	readonly traceId = newTraceId();
	readonly lanes: LaneServer | null = null;
	/** Why the processes the script starts are not followed, when no private place for their reports could be made. */
	readonly lanesProblem: string | null = null;
	/** When the process exited (epoch ms), once it has. */
	readonly exit = new Once<number>();
	/** Its exit code or signal, once its pipes are closed too (all it wrote has been read). */
	readonly closed = new Once<{code: number | null; signal: NodeJS.Signals | null}>();
	readonly startFailure = new Once<Error>();
	/** The child's pipes, held from the start: its event streams (as text) and its output (as bytes). */
	readonly pipes: {events: HeldPipe<string>; watchdog: HeldPipe<string>; stdout: HeldPipe<Buffer>; stderr: HeldPipe<Buffer>};
	private laneConnections: Socket[] | ((socket: Socket) => void) = [];

	constructor(readonly options: ScriptProcessOptions) {
		const env: NodeJS.ProcessEnv = {...process.env, ...options.env};
		const addedEnv = Object.keys(CHILD_START_ENV).filter(name => env[name] === undefined);
		for (const name of addedEnv) env[name] = CHILD_START_ENV[name];
		if (options.follow !== false) {
			try {
				this.lanes = new LaneServer(socket => this.laneConnected(socket));
			} catch (error) {
				this.lanesProblem = (error as Error).message;
			}
		}
		const config: ChildConfig = {
			script: resolve(options.script),
			scriptName: options.scriptName,
			eventsFd: EVENTS_FD,
			watchdogFd: WATCHDOG_FD,
			blockThresholdMs: options.blockThresholdMs,
			redact: options.redact,
			monitorPid: process.pid,
			traceId: this.traceId,
			propagateTrace: options.propagateTrace ?? false,
			foldQuickTasks: options.foldQuickTasks ?? true,
			addedEnv,
			lanes: this.lanes?.where ?? null,
			typescript: process.features.typescript,
			blockingOutput: {stdout: writtenSynchronously(1), stderr: writtenSynchronously(2)},
			outputInPane: options.outputInPane ?? false,
			stdinKept: options.stdin === 'none',
		};
		const nodeFlags = childNodeFlags(Number(process.versions.node.split('.')[0]), env.NODE_OPTIONS);
		this.child = spawn(process.execPath, [...nodeFlags, '--require', fileURLToPath(options.preload), ...(options.nodeOptions ?? []), config.script, ...options.args], {
			stdio: [options.stdin === 'none' ? 'ignore' : 'inherit', 'pipe', 'pipe', 'pipe', 'pipe'],
			...(options.cwd !== undefined && {cwd: options.cwd}),
			env: {...env, [CHILD_CONFIG_ENV]: JSON.stringify(config)},
			detached: options.stdin !== 'terminal',
			// As typed to start asyncmon (`node` from its `#!/usr/bin/env node`): the script's process.argv0 and title, as under node.
			argv0: process.argv0,
		});
		this.pipes = {
			events: new HeldPipe(this.child.stdio[EVENTS_FD] as Readable, 'utf8'),
			watchdog: new HeldPipe(this.child.stdio[WATCHDOG_FD] as Readable, 'utf8'),
			stdout: new HeldPipe(this.child.stdout!),
			stderr: new HeldPipe(this.child.stderr!),
		};
		this.lanes?.listen();
		this.child.once('exit', () => this.exit.happened(epochNow()));
		this.child.once('close', (code: number | null, signal: NodeJS.Signals | null) => this.closed.happened({code, signal}));
		this.child.once('error', error => this.startFailure.happened(error));
	}

	/**
	 * When the script was spawned, in epoch ms. Not read from `performance` before the spawn: its first use loads
	 * perf_hooks, 1-2 ms by which the script would start later. `performance.now()` and hrtime read the same clock.
	 */
	get spawnedAt(): number {
		this.spawnedAtEpoch ??= epochNow() - Number(process.hrtime.bigint() - this.spawnedAtClock) / 1e6;
		return this.spawnedAtEpoch;
	}

	/** The connections of followed processes, those that came already first. */
	acceptLanes(onConnection: (socket: Socket) => void): void {
		const waiting = this.laneConnections;
		this.laneConnections = onConnection;
		if (Array.isArray(waiting)) for (const socket of waiting) onConnection(socket);
	}

	/**
	 * Whoever read the script's stdout or stderr through asyncmon went away (`| head`): its pipe is closed, so its
	 * next write there fails with EPIPE, as it would under node.
	 */
	closeOutput(stream: 'stdout' | 'stderr'): void {
		this.child[stream]?.destroy();
	}

	/**
	 * `group`: to the processes the script started too, as a terminal sends its Ctrl-C to node and everything in its
	 * process group. A script that reads the terminal is in the terminal's group already: the signal goes to it alone.
	 */
	signal(signal: NodeJS.Signals, group = false): void {
		if (group && this.options.stdin !== 'terminal' && this.child.pid !== undefined) {
			try {
				// Its own process group (see detached), where what it started stays unless moved: the script ended, they may not have.
				process.kill(-this.child.pid, signal);
			} catch {
				// The group is gone.
			}
			return;
		}
		if (this.child.exitCode !== null || this.child.signalCode !== null) return;
		try {
			this.child.kill(signal);
		} catch {
			// Already gone.
		}
	}

	private laneConnected(socket: Socket): void {
		if (Array.isArray(this.laneConnections)) this.laneConnections.push(socket);
		else this.laneConnections(socket);
	}
}

/**
 * One of the child's pipes, read from the moment it is spawned, what comes before its reader listens held for
 * it: at the child's exit Node lets a pipe nobody reads flow, to nobody.
 */
export class HeldPipe<T extends string | Buffer> {
	private held: T[] = [];
	private ended = false;
	private onData: ((chunk: T) => void) | null = null;
	private onEnd: () => void = () => {};

	constructor(
		readonly stream: Readable,
		encoding?: BufferEncoding,
	) {
		if (encoding) stream.setEncoding(encoding);
		stream.on('data', (chunk: T) => {
			if (this.onData) this.onData(chunk);
			else this.held.push(chunk);
		});
		stream.on('end', () => {
			this.ended = true;
			if (this.onData) this.onEnd();
		});
	}

	/** From now on the pipe's chunks go to `onData`, those held first, and its end to `onEnd`. */
	read(onData: (chunk: T) => void, onEnd: () => void = () => {}): void {
		this.onData = onData;
		this.onEnd = onEnd;
		const held = this.held;
		this.held = [];
		for (const chunk of held) onData(chunk);
		if (this.ended) onEnd();
	}
}

/** Something that happens once, heard by a listener that may come after it did. */
export class Once<T> {
	private value: {of: T} | null = null;
	private readonly listeners: Array<(value: T) => void> = [];

	happened(value: T): void {
		if (this.value) return;
		this.value = {of: value};
		for (const listener of this.listeners) listener(value);
	}

	hear(listener: (value: T) => void): void {
		if (this.value) listener(this.value.of);
		else this.listeners.push(listener);
	}
}

/**
 * Whether node would write to file descriptor `fd` of asyncmon's synchronously: a terminal or a file, yes; a pipe or
 * a socket, no (on POSIX; see "A note on process I/O" in Node's documentation). The dashboard's terminal is one.
 */
function writtenSynchronously(fd: number): boolean {
	try {
		const stat = fstatSync(fd);
		return !stat.isFIFO() && !stat.isSocket();
	} catch {
		// Closed: nothing the script writes there is read anyway.
		return false;
	}
}

export const epochNow = (): number => performance.timeOrigin + performance.now();
