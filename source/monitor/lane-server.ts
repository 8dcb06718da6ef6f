import {chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {createServer, type Server, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {LaneSocket} from '../protocol/child-config.js';
import {alive} from './alive.js';

/**
 * Where the Node processes the script starts report, followed: a Unix socket (0600) in a directory of its
 * own (0700, made afresh), which they also claim their slots in (see runtime/follow.ts). Nothing else
 * listens, and it never keeps asyncmon alive: closing it ends every connection.
 */
export class LaneServer {
	readonly where: LaneSocket;
	private readonly server: Server;
	private readonly connections = new Set<Socket>();
	/** Called once no connection is open (see closing). */
	private allClosed: (() => void) | null = null;

	constructor(onConnection: (socket: Socket) => void) {
		const parent = process.env.XDG_RUNTIME_DIR || tmpdir();
		// Once the script is started: the sweep reads the whole folder, and nothing waits for it.
		setImmediate(() => removeLeftBehind(parent));
		const directory = mkdtempSync(join(parent, `${PREFIX}${process.pid}-`));
		this.where = {directory, socket: join(directory, 'lanes.sock')};
		this.server = createServer(socket => {
			this.connections.add(socket);
			socket.once('close', () => {
				this.connections.delete(socket);
				if (this.connections.size === 0) this.allClosed?.();
			});
			socket.unref();
			onConnection(socket);
		});
		this.server.on('error', () => this.close());
	}

	/**
	 * Binds the socket. A Unix socket is bound as listen() returns: called in the tick that spawns the script, it
	 * listens long before the script's Node has booted (20 ms), let alone started a process of its own that looks
	 * for it, and the spawn does not wait for it. Should it fail after all, children find none and run unwatched.
	 */
	listen(): void {
		this.server.listen(this.where.socket);
		this.server.unref();
		try {
			chmodSync(this.where.socket, 0o600);
		} catch {
			// Not bound after all (its 'error' comes next): nothing listens.
			this.close();
		}
	}

	/**
	 * Resolves once every followed process's connection closed, or after `ms`. A script killed by a signal that
	 * reached its process group too (a Ctrl-C) dies with the processes it started: their connections close moments
	 * later. One that outlives the script, as under node, is waited for no longer. Resolved in a job: each
	 * connection's own 'close' listeners (its lane's end) have run by then.
	 */
	closing(ms: number): Promise<void> {
		if (this.connections.size === 0) return Promise.resolve();
		return new Promise(resolve => {
			const timer = setTimeout(resolve, ms);
			this.allClosed = () => {
				clearTimeout(timer);
				resolve();
			};
		});
	}

	close(): void {
		this.server.close();
		for (const socket of this.connections) socket.destroy();
		rmSync(this.where.directory, {recursive: true, force: true});
	}
}

const PREFIX = 'asyncmon-lanes-';

/**
 * The directories of monitors that are gone (killed with SIGKILL, they could not remove theirs): those of this
 * user's whose pid is no longer a process.
 */
function removeLeftBehind(parent: string): void {
	let names: string[];
	try {
		names = readdirSync(parent).filter(name => name.startsWith(PREFIX));
	} catch {
		return;
	}
	for (const name of names) {
		const pid = Number(/^(\d+)-/.exec(name.slice(PREFIX.length))?.[1]);
		const path = join(parent, name);
		try {
			if (!(pid > 0) || lstatSync(path).uid !== process.getuid?.() || alive(pid)) continue;
			rmSync(path, {recursive: true, force: true});
		} catch {
			// Gone meanwhile, or not ours to remove.
		}
	}
}

/**
 * Puts the end of a followed process after its own events. The process that started it reports the end,
 * on its own stream; the process's last events may still be on their way on its connection. The end waits
 * until that connection is closed (or, for a process whose connection never opened, until the session ends).
 */
export class LaneEnds {
	/** The lanes whose connection closed, and when (`now()`'s time). */
	private readonly closed = new Map<number, number>();
	private readonly pending = new Map<number, () => void>();
	/** The lanes whose end the process that started them told. */
	private readonly told = new Set<number>();

	constructor(private readonly now: () => number) {}

	/** The lane of root `root`: its connection closed, so all it sent is in. */
	connectionClosed(root: number): void {
		this.closed.set(root, this.now());
		this.pending.get(root)?.();
		this.pending.delete(root);
	}

	/** Delivers the end of lane `root` now, or once its connection is closed. */
	ended(root: number, deliver: () => void): void {
		this.told.add(root);
		if (this.closed.has(root)) deliver();
		else this.pending.set(root, deliver);
	}

	/**
	 * The session ends: the ends still waiting are delivered, in the order they came. Returns the lanes whose
	 * process is gone (their connection closed) with no end told, and when: the process that started them died
	 * first (a Ctrl-C reaches the whole process group), and nobody is left to say how they ended.
	 */
	flush(): Array<{root: number; t: number}> {
		for (const deliver of this.pending.values()) deliver();
		this.pending.clear();
		return [...this.closed].filter(([root]) => !this.told.has(root)).map(([root, t]) => ({root, t}));
	}
}
