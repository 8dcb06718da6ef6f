import {Buffer} from 'node:buffer';
import type {ChildProcess} from 'node:child_process';
import {constants} from 'node:os';
import type {Socket} from 'node:net';
import {redactText} from '../protocol/redaction.js';
import {PROCESS_GONE, PROTOCOL_VERSION, type ForcedKill, type HeaderEvent, type ProtocolLine, type StopSignal} from '../protocol/events.js';
import {decodeLine, type CorruptReason} from '../protocol/decode.js';
import {serializeLine} from '../protocol/encode.js';
import {LineSplitter} from '../protocol/line-splitter.js';
import {LaneEnds} from './lane-server.js';
import {OpenChildren} from './open-children.js';
import {PipedOutput} from './piped-output.js';
import {StuckLoop} from './stuck-loop.js';
import {epochNow, ScriptProcess, type HeldPipe, type ScriptProcessOptions} from './script-process.js';

export type {ScriptStdin} from './script-process.js';
export type ChildSessionOptions = ScriptProcessOptions;

/**
 * After the script exited, how long its stdout and stderr may be quiet before they are closed: a process it
 * started may hold them open (a daemon). What the script wrote is in the pipe already, and all of it is read.
 */
const OUTPUT_GRACE_MS = 250;
/** A process the script left behind that keeps writing is listened to no longer than this after the exit. */
const OUTPUT_GRACE_MAX_MS = 2000;

/** A followed process's connection: the root of its lane, once its first line said it. */
interface LaneStream {
	root: number | null;
}

/** Each protocol line with its serialized form, which recordings store as is. */
export type LineListener = (line: ProtocolLine, raw: string) => void;

/** How long a session whose script a signal killed waits for the processes it started to go (see LaneServer.closing). */
const LANES_CLOSING_MS = 300;

/** How the script's process ended; `stoppedFor`: asyncmon killed it for that signal (see ChildSession.endFor). */
export interface ScriptExit {
	code: number | null;
	signal: NodeJS.Signals | null;
	stoppedFor?: StopSignal;
}

/** 128 + N for a script killed by signal N, as shells report it. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
	if (code !== null) return code;
	return 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
}

/**
 * The event stream the script's process sends back, and its output: read from a ScriptProcess, which may have
 * been started (and have run) before this was made.
 */
export class ChildSession {
	readonly child: ChildProcess;
	header: HeaderEvent | null = null;
	private readonly listeners: LineListener[] = [];
	private readonly batchListeners: Array<() => void> = [];
	/** Lines that arrived before the header, which must come first. */
	private early: Array<[ProtocolLine, string]> = [];
	/** Lines that came before anyone listened. */
	private undelivered: Array<[ProtocolLine, string]> = [];
	readonly exited: Promise<ScriptExit>;
	/** Corrupt lines not yet reported in a `corrupt` event, and why the first of them is. */
	private corrupt: {count: number; reason: CorruptReason} | null = null;
	private readonly laneEnds = new LaneEnds(() => this.now());
	private readonly openChildren = new OpenChildren();
	private readonly stuck = new StuckLoop();
	/** The stop signal asyncmon ended the script for with SIGKILL (see endFor). */
	private stoppedFor: StopSignal | undefined;
	/** Why asyncmon sent the script SIGKILL after a stop signal, if it did (see forcing). */
	private forced: ForcedKill | undefined;
	/** The script's stdout and stderr, read from its pipes, let out at the times its `wrote` lines tell. */
	private readonly output = {stdout: this.pipedOutput('stdout'), stderr: this.pipedOutput('stderr')};

	constructor(
		private readonly options: ChildSessionOptions,
		private readonly started = new ScriptProcess(options),
	) {
		this.child = started.child;
		if (started.lanesProblem) this.emit({type: 'notice', t: 0, message: `child processes are not followed: ${started.lanesProblem}`});
		started.acceptLanes(socket => this.readLane(socket));
		const {pipes} = started;
		this.readLines((onData, onEnd) => pipes.events.read(onData, onEnd));
		this.readLines((onData, onEnd) => pipes.watchdog.read(onData, onEnd));
		const outputs = [this.readOutput(pipes.stdout, this.output.stdout), this.readOutput(pipes.stderr, this.output.stderr)];
		let exitedAt: number | null = null;
		started.exit.hear(at => {
			exitedAt = this.at(at);
			for (const output of outputs) output.closeWhenQuiet();
		});
		this.exited = new Promise(resolveExit => {
			// Killed by a signal, the script's processes went with it (see LaneServer.closing).
			started.closed.hear(({code, signal}) => void Promise.resolve(signal === null ? undefined : started.lanes?.closing(LANES_CLOSING_MS)).then(() => {
				// A process the script started may outlive it, as under node; asyncmon stops listening to it. One whose
				// connection closed with no end told is gone: its exit is not known (docs/protocol.md, `task.end`).
				const untold = {ok: false, exit: {code: null, signal: null}, error: PROCESS_GONE} as const;
				for (const {root, t} of this.laneEnds.flush()) this.emit({type: 'task.end', t, id: root, busy: 0, wait: 0, sched: 0, awaits: 0, ...untold});
				for (const id of this.openChildren.gone()) this.emit({type: 'op.end', t: exitedAt ?? this.now(), id, ...untold});
				started.lanes?.close();
				// Every byte the script wrote is out before its exit, told or not (a SIGKILL leaves no time to tell).
				this.output.stdout.end();
				this.output.stderr.end();
				const {stoppedFor, forced} = this;
				// A kill of asyncmon's that came too late (the script had ended by itself) is none; so is a quit's SIGTERM the
				// script took and went on from.
				const byAsyncmon = forced !== undefined && (signal === 'SIGKILL' || (forced.because === 'quit' && signal === forced.after));
				this.emit({type: 'exit', t: exitedAt ?? this.now(), code, signal, ...(stoppedFor && {stoppedFor}), ...(byAsyncmon && !stoppedFor && {forced})});
				this.batchEnd();
				resolveExit({code, signal, stoppedFor});
			}));
			started.startFailure.hear(error => {
				this.emit({type: 'fatal', t: this.now(), kind: 'internal', message: `could not start node: ${error.message}`});
				this.batchEnd();
			});
		});
	}

	/** The first listener gets the lines that came before it: the child is started before the monitor has loaded all it shows them with. */
	onLine(listener: LineListener): void {
		this.listeners.push(listener);
		const undelivered = this.undelivered;
		this.undelivered = [];
		for (const [line, raw] of undelivered) listener(line, raw);
	}

	/** After the lines of one chunk read from the child (or one synthetic line) were delivered: a moment to write out. */
	onBatchEnd(listener: () => void): void {
		this.batchListeners.push(listener);
	}

	private batchEnd(): void {
		if (this.corrupt) {
			const {count, reason} = this.corrupt;
			this.corrupt = null;
			this.emit({type: 'corrupt', t: this.now(), count, reason});
		}
		for (const listener of this.batchListeners) listener();
	}

	signal(signal: NodeJS.Signals): void {
		this.started.signal(signal);
	}

	/** Stuck in synchronous code, with no handler of its own for `signal`: it can take no signal but SIGKILL. */
	isStuck(): boolean {
		return this.stuck.blocked;
	}

	stuckWithoutHandler(signal: StopSignal): boolean {
		return this.stuck.withoutHandlerFor(signal);
	}

	handledTimes(signal: StopSignal): number {
		return this.stuck.handledTimes(signal);
	}

	forcing(kill: ForcedKill): void {
		this.forced ??= kill;
	}

	/** Ends the stuck script for `signal`, as node would have: with SIGKILL, said in its exit. */
	endFor(signal: StopSignal): void {
		this.stoppedFor ??= signal;
		this.started.signal('SIGKILL');
	}

	/** For the events the monitor makes itself, at the precision a recording keeps: live and replayed states match. */
	now(): number {
		return this.at(epochNow());
	}

	/** An epoch time on the session's clock. */
	private at(epochMs: number): number {
		return Math.round((epochMs - (this.header?.startedAt ?? this.started.spawnedAt)) * 1000) / 1000;
	}

	/** Lines of text from `read`, which hands each chunk to its first callback and the end to its second. */
	private readLines(read: (onData: (chunk: string) => void, onEnd: () => void) => void, lane?: LaneStream): void {
		const splitter = new LineSplitter();
		const receive = (text: string): void => this.receive(text, lane);
		read(
			chunk => {
				splitter.push(chunk, receive);
				this.batchEnd();
			},
			() => {
				const rest = splitter.rest();
				if (rest) this.receive(rest, lane);
				this.batchEnd();
			},
		);
	}

	/** A followed process's events: its connection's first line is its lane's root, which ends once the connection closed. */
	private readLane(socket: Socket): void {
		const lane: LaneStream = {root: null};
		socket.setEncoding('utf8');
		this.readLines((onData, onEnd) => socket.on('data', onData).on('end', onEnd), lane);
		socket.on('error', () => socket.destroy());
		socket.once('close', () => {
			if (lane.root !== null) this.laneEnds.connectionClosed(lane.root);
			this.batchEnd();
		});
	}

	/** A corrupt line is skipped, and reported once the chunk it came in is delivered: recorded, counted, shown. */
	private receive(text: string, lane?: LaneStream): void {
		const lines = decodeLine(text);
		if (typeof lines === 'string') {
			if (this.corrupt) this.corrupt.count++;
			else this.corrupt = {count: 1, reason: lines};
			return;
		}
		const first = lines[0]!;
		// Its bytes came down the script's own pipe: this says when they were written.
		if (first.type === 'wrote') {
			if (!lane) this.output[first.stream].claim(first.t, first.bytes, first.head === undefined ? undefined : Buffer.from(first.head, 'base64'));
			return;
		}
		if (lane && lane.root === null && first.type === 'task.start' && first.kind === 'process') lane.root = first.id;
		// The end of a followed process, reported by its parent, comes after the process's own events.
		if (first.type === 'task.end' && first.exit) return this.laneEnds.ended(first.id, () => this.emit(first, `${text}\n`));
		if (!lane) this.stuck.see(first);
		for (const line of lines) this.openChildren.see(line);
		// A span line is two events: the line is recorded once, with the first.
		for (let i = 0; i < lines.length; i++) this.emit(lines[i]!, i === 0 ? `${text}\n` : '');
	}

	private pipedOutput(stream: 'stdout' | 'stderr'): PipedOutput {
		return new PipedOutput(
			(t, chunk) => this.emit({type: 'output', t, stream, ...chunk}),
			() => this.now(),
			() => this.batchEnd(),
		);
	}

	/** What the script writes to fd 1 or 2, through process.stdout and process.stderr or not (a child process sharing them, Node's own crash report), byte for byte. */
	private readOutput(pipe: HeldPipe<Buffer>, output: PipedOutput): {closeWhenQuiet(): void} {
		let quiet: NodeJS.Timeout | null = null;
		let closing: NodeJS.Immediate | null = null;
		/** Past OUTPUT_GRACE_MAX_MS: data no longer keeps the pipe open. */
		let overdue = false;
		// After one more poll of the loop: what the pipe holds by then is read before it closes.
		const closeSoon = (): void => {
			closing ??= setImmediate(() => pipe.stream.destroy());
		};
		pipe.read(bytes => {
			output.read(bytes);
			this.batchEnd();
			if (!quiet || overdue) return;
			// The quiet time counts from the last data.
			if (closing) clearImmediate(closing);
			closing = null;
			quiet.refresh();
		});
		// Closed by closeOutput: a write that was under way may fail as the pipe goes.
		pipe.stream.on('error', () => {});
		return {
			closeWhenQuiet() {
				quiet = setTimeout(closeSoon, OUTPUT_GRACE_MS).unref();
				setTimeout(() => {
					overdue = true;
					closeSoon();
				}, OUTPUT_GRACE_MAX_MS).unref();
			},
		};
	}

	private emit(line: ProtocolLine, raw?: string): void {
		if (line.type === 'header') {
			this.header = line;
			this.deliver(line, raw ?? serializeLine(line));
			const early = this.early;
			this.early = [];
			for (const [earlyLine, earlyRaw] of early) this.deliver(earlyLine, earlyRaw);
			return;
		}
		if (!this.header && line.type !== 'exit') {
			this.early.push([line, raw ?? serializeLine(line)]);
			return;
		}
		if (!this.header) this.emit(this.syntheticHeader());
		this.deliver(line, raw ?? serializeLine(line));
	}

	private deliver(line: ProtocolLine, raw: string): void {
		if (this.listeners.length === 0) this.undelivered.push([line, raw]);
		for (const listener of this.listeners) listener(line, raw);
	}

	/** The child died before saying hello: the session still gets a valid header. */
	private syntheticHeader(): HeaderEvent {
		return {
			type: 'header',
			protocol: PROTOCOL_VERSION,
			script: this.options.scriptName,
			// Redacted as the runtime would have: the recording keeps no secret the script was given as an argument.
			argv: this.options.redact ? this.options.args.map(redactText) : this.options.args,
			cwd: process.cwd(),
			node: process.version,
			pid: this.child.pid ?? 0,
			startedAt: this.started.spawnedAt,
			blockThresholdMs: this.options.blockThresholdMs,
			redacted: this.options.redact,
			traceId: this.started.traceId,
		};
	}
}

