import childProcess, {type ChildProcess} from 'node:child_process';
import {basename} from 'node:path';
import {syncBuiltinESMExports} from 'node:module';
import {promisify} from 'node:util';
import {isPromise} from 'node:util/types';
import {PROCESS_EXIT, type ErrorInfo, type ProcessDetails, type ProcessExit, type ProcessLaunch} from '../../protocol/events.js';
import type {Tracker} from '../tracker.js';
import {recordedText} from '../redact.js';
import type {FollowChild} from '../follow.js';
import {nodeScriptOnPath} from '../../protocol/command-on-path.js';

const ASYNC = ['spawn', 'fork', 'exec', 'execFile'] as const;
const SYNC = ['spawnSync', 'execSync', 'execFileSync'] as const;
/** asyncmon's wrappers of child_process's synchronous calls, named as the calls they wrap (see watched): a block's stack may be read in one. */
export const SYNC_CHILD_CALLS: ReadonlySet<string> = new Set(SYNC);
/** Started by a command line a shell reads: `exec('node x.js')`. */
const SHELL_LINE = new Set<string>(['exec', 'execSync']);

type LaunchOptions = {env?: NodeJS.ProcessEnv; shell?: unknown; execPath?: string};

/** What a call of child_process starts, read from its arguments as Node reads them. */
interface Launch {
	/** The program, or for a shell, the command line. */
	file: string;
	argv: string[];
	/** The call's options, as given (empty when none were), and where they go in its arguments. */
	options: LaunchOptions;
	optionsAt: number;
	shell: boolean;
	fork: boolean;
}

/**
 * Child processes, seen from the process that starts them (the script, or a followed child):
 * - what the script printed before starting one is flushed first: the script's own writes reach the monitor
 *   a flush at a time, a child that inherits stdout writes at once, and under node its output comes after;
 * - a Node process is followed (`follow`, see follow.ts): it reports to the monitor on its own, as a lane under
 *   the task that started it, and its exit, which only its parent sees, ends the lane;
 * - any other is an op of kind `child`, from the call to its exit, which the task that awaits it waits on.
 */
export function instrumentChildProcesses(tracker: Tracker, follow: FollowChild | null): void {
	signalledByScript();
	const module = childProcess as unknown as Record<string, Start>;
	for (const name of [...ASYNC, ...SYNC]) {
		const original = module[name]!;
		const sync = (SYNC as readonly string[]).includes(name);
		const wrapped = watched(name, original, tracker, follow, sync ? 'sync' : (result: unknown) => result as ChildProcess);
		// What util.promisify(exec) calls: Node's own, which resolves with {stdout, stderr} and holds the child in `.child`.
		const promised = (original as Start & {[promisify.custom]?: Start})[promisify.custom];
		if (promised) Object.defineProperty(wrapped, promisify.custom, {value: watched(name, promised, tracker, follow, result => (result as {child: ChildProcess}).child), configurable: true});
		module[name] = wrapped;
	}
	syncBuiltinESMExports();
}

type Start = (...args: unknown[]) => unknown;

/** The pids the script sent a signal with process.kill(): a child among them that a signal ends was stopped by it. Let go as each exits. */
const signalled = new Set<number>();

function signalledByScript(): void {
	const kill = process.kill;
	process.kill = function (this: NodeJS.Process, pid: number, signal?: string | number) {
		const sent = kill.call(this, pid, signal);
		if (pid !== process.pid && signal !== 0) signalled.add(pid);
		return sent;
	} as typeof process.kill;
}

/** Inside a watched call: Node's exec() starts its child through the module's execFile(), which is watched too, and that child is the one call's. */
let starting = false;

/** `start` (a function of child_process), watched: `childOf` finds the child in what it returns, or it is a sync call that returns when the child is gone. */
function watched(name: string, start: Start, tracker: Tracker, follow: FollowChild | null, childOf: 'sync' | ((result: unknown) => ChildProcess)): Start {
	return {
		[name](this: unknown, ...args: unknown[]) {
			if (starting) return start.apply(this, args);
			// Inside the script's own code, as a full buffer is: waits that began a moment ago are not yet shown. But
			// everything goes: the child's lane may name any task started so far.
			tracker.flush('nothing', true);
			const launch = launchOf(name, args);
			if (!launch) return start.apply(this, args);
			const command = commandOf(launch);
			const startedBy = tracker.current().id;
			const followed = follow && isNode(launch) ? follow(launch.options.env, command, startedBy) : null;
			if (followed) withEnv(args, launch, followed.env);
			const lane = followed?.root ?? null;
			// Before the call: a sync one returns when its child is gone.
			const startedAt = performance.now();
			const processOf = (pid: number | undefined): ProcessDetails => (pid === undefined ? {command} : {pid, command});
			const opOf = (pid: number | undefined): number | null => (lane === null ? tracker.startOp('child', command, {t: startedAt, process: processOf(pid)}) : null);
			// A lane's start as seen from here: its process says it started once its preload runs, which it may never do.
			const launched = (pid: number | undefined): ProcessLaunch => ({t: startedAt, parent: startedBy, process: processOf(pid)});
			let result: unknown;
			starting = true;
			try {
				result = start.apply(this, args);
			} catch (error) {
				// A sync call whose child failed or exited non-zero throws, with what Node knows of the exit.
				if (childOf === 'sync') ended(tracker, lane, opOf((error as {pid?: number}).pid), exitOf(error), error, launched((error as {pid?: number}).pid));
				throw error;
			} finally {
				starting = false;
			}
			if (childOf === 'sync') {
				const pid = (result as {pid?: number} | null)?.pid;
				ended(tracker, lane, opOf(pid), exitOf(result), (result as {error?: unknown} | null)?.error, launched(pid));
			} else {
				const child = childOf(result);
				watch(tracker, lane, opOf(child.pid), child, launched(child.pid));
				// util.promisify(execFile)'s promise is the process's, as its child is: a followed one's lane is no op the slice started.
				const stands = tracker.promiseTargets.ofEmitter(child);
				if (stands && isPromise(result)) tracker.promiseTargets.tag(result, stands);
			}
			return result;
		},
	}[name]!;
}

/** A lane's root, or an op: ended once the child is gone. */
function watch(tracker: Tracker, lane: number | null, op: number | null, child: ChildProcess, launched: ProcessLaunch): void {
	// `await once(child, 'exit')` waits on the process: its op, or the followed process's lane.
	const stands = lane !== null ? {kind: 'task' as const, id: lane} : op !== null ? {kind: 'op' as const, id: op} : null;
	if (stands) tracker.promiseTargets.tagEmitter(child, stands);
	let done = false;
	const end = (exit: ProcessExit, error?: unknown): void => {
		if (done) return;
		done = true;
		ended(tracker, lane, op, exit, error, launched);
	};
	// A signal after the script's own kill() (`child.killed`), or its process.kill() of the child's pid, is the end it asked for.
	child.once('exit', (code, signal) => {
		const byScript = signal !== null && (child.killed || (child.pid !== undefined && signalled.delete(child.pid)));
		end({code, signal, ...(byScript && {byScript: true as const})});
	});
	// Not started at all (no such program): Node says so, and no exit follows.
	child.once('error', error => {
		if (child.pid === undefined) end({code: null, signal: null}, error);
	});
}

function ended(tracker: Tracker, lane: number | null, op: number | null, exit: ProcessExit, error: unknown, launched: ProcessLaunch): void {
	const t = performance.now();
	const ok = (exit.code === 0 || exit.byScript === true) && error === undefined;
	// Not started (no such program), or failed: Node's error; otherwise how it ended, in the error's place.
	const failure = ok ? undefined : error !== undefined && exit.code === null && exit.signal === null ? tracker.errorInfo(error) : exitError(exit);
	if (lane !== null) tracker.emit({type: 'task.end', t, id: lane, ok, busy: 0, wait: 0, sched: 0, awaits: 0, exit, ...(failure && {error: failure}), launched});
	else if (op !== null) tracker.emit({type: 'op.end', t, id: op, ok, exit, ...(failure && {error: failure})});
}

function exitError(exit: ProcessExit): ErrorInfo {
	return {name: PROCESS_EXIT, message: exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`};
}

/** What spawnSync returns, or what execSync and execFileSync throw, says how the child ended; their output (or null) means it exited 0. */
function exitOf(result: unknown): ProcessExit {
	if (typeof result !== 'object' || result === null || !('status' in result)) return {code: 0, signal: null};
	const {status, signal} = result as {status: number | null; signal?: string | null};
	return {code: status, signal: signal ?? null};
}

function launchOf(name: string, args: unknown[]): Launch | null {
	const first = args[0];
	if (typeof first !== 'string' && !(first instanceof URL)) return null;
	const file = String(first instanceof URL ? first.pathname : first);
	if (SHELL_LINE.has(name)) return {file, argv: [], options: optionsIn(args[1]), optionsAt: 1, shell: true, fork: false};
	const listed = Array.isArray(args[1]);
	const argv = listed ? (args[1] as unknown[]).map(String) : [];
	const optionsAt = listed ? 2 : 1;
	const options = optionsIn(args[optionsAt]);
	if (name === 'fork') return {file: options.execPath ?? process.execPath, argv: [file, ...argv], options, optionsAt, shell: false, fork: true};
	return {file, argv, options, optionsAt, shell: Boolean(options.shell), fork: false};
}

function optionsIn(value: unknown): LaunchOptions {
	return isOptions(value) ? (value as LaunchOptions) : {};
}

const isOptions = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The call gets the child's environment in an options object of its own: the caller's stays as it was, since it
 * may start another child with it. In place of absent options, or before a callback where there were none.
 */
function withEnv(args: unknown[], launch: Launch, env: NodeJS.ProcessEnv): void {
	const value = args[launch.optionsAt];
	if (isOptions(value) || value === undefined || value === null) args[launch.optionsAt] = {...launch.options, env};
	else args.splice(launch.optionsAt, 0, {env});
}

/**
 * A Node process: forked, or started as `process.execPath`, `node` or a Node script on the PATH (a package's bin,
 * `eslint`), directly or as a shell line's first word: a line given to a shell option (`exec('node x.js')`) or to a
 * shell itself (`spawn('sh', ['-c', 'eslint src'])`, how npm runs a package's scripts and npx its bins).
 */
function isNode(launch: Launch): boolean {
	if (launch.fork) return true;
	const line = launch.shell ? launch.file : SHELLS.has(basename(launch.file)) && launch.argv[0] === '-c' ? launch.argv[1] : undefined;
	const program = line === undefined ? launch.file : (/^\s*("[^"]*"|'[^']*'|\S+)/.exec(line)?.[1] ?? '').replace(/^["']|["']$/g, '');
	if (program === process.execPath || basename(program) === 'node') return true;
	// Looked up on the PATH the child gets: npm puts the package's node_modules/.bin first on it.
	return nodeScriptOnPath(program, (launch.options.env ?? process.env).PATH) !== null;
}

/** The shells that run a line given with `-c`. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ash']);

/** The command line as a shell would show it, `node` for Node's own path, redacted. */
function commandOf(launch: Launch): string {
	const program = launch.file === process.execPath ? 'node' : launch.file;
	return recordedText([program, ...launch.argv].join(' '));
}
