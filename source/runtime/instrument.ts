import {realpathSync} from 'node:fs';
import {constants as osConstants} from 'node:os';
import {dirname, isAbsolute, relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import {types} from 'node:util';
import Module, {createRequire, setSourceMapsSupport, syncBuiltinESMExports} from 'node:module';
import workerThreads, {getEnvironmentData, isMainThread, setEnvironmentData, threadId} from 'node:worker_threads';
import type {AgentFiles, AgentMeta} from '../protocol/agent.js';
import {laneIdBase, laneRootId, processTaskName, type ChildConfig, type LaneConfig} from '../protocol/child-config.js';
import {channelListens, ChannelWriter, type ChannelListens} from './agent-channel.js';
import {PROTOCOL_VERSION, STOP_SIGNALS, type StopSignal, type UncaughtEvent} from '../protocol/events.js';
import {codeFrame} from './code-frame.js';
import {SpanFolder} from './span-folder.js';
import {EventSink, type BatchWriter} from './event-sink.js';
import {watchExitCalls} from './exit-call.js';
import {watchExecve} from './exec-call.js';
import {isOwnThread, startsOwnThread} from './own-thread.js';
import {PipeWriter, type WriterThread} from './pipe-writer.js';
import {compileEvalCode, failedToLoad, installHooks, instrumentEvaluated, isModuleOnly, LoadAsNode, serveModule, strippedEvalCode, type HookOptions} from './hooks.js';
import {evalWorkerScript as scriptOfEvalCode, evalWorkerStub, type EvalCompiler} from './eval-worker.js';
import {sampleLoop} from './loop-sampler.js';
import {instrumentFsAndDns} from './ops/fs-dns.js';
import {instrumentChildProcesses} from './ops/child-processes.js';
import {followChildren} from './follow.js';
import {LaneWriter} from './lane-writer.js';
import {instrumentHttp} from './ops/http.js';
import {instrumentHttp2} from './ops/http2.js';
import {UndiciHttp2Streams} from './ops/undici-http2.js';
import {noticeStdinReads} from './stdin-kept.js';
import {TracePropagation} from './ops/trace-propagation.js';
import {instrumentServerRequests} from './ops/server-requests.js';
import {instrumentServerUpgrades} from './ops/server-upgrades.js';
import {instrumentSockets} from './ops/sockets.js';
import {flushBeforeAtomicsWait} from './ops/atomics-wait.js';
import {isError} from './errors.js';
import {instrumentTimers} from './ops/timers.js';
import {trackServers} from './ops/servers.js';
import {captureOutput, copyOutput} from './output-capture.js';
import {recordedArgv, recordedText, setRedaction} from './redact.js';
import {SiteTable} from './site-table.js';
import {NO_WATCH, Tracker, type Task, type TrackerOptions} from './tracker.js';
import {RUNTIME_GLOBAL} from './transform.js';
import {showUsersFunctionText} from './function-source.js';
import {nodeFormattedStacks} from './stack-format.js';
import {instrumentPromiseCombinators, instrumentSettledPromises} from './wait-targets.js';
import {instrumentEventWaits} from './event-waits.js';
import {TransformCache} from './transform-cache.js';
import {LoopWatch} from './watchdog.js';
import {startWatchdog, watchdogSettings, type RunningWatchdog} from './watchdog-start.js';
import {instrumentVitestEvaluator} from './vitest-evaluator.js';
import {drainBeforeTermination, WorkerDrains} from './worker-drain.js';

/**
 * The instrumentation every entry shares: the preload of `asyncmon app.js`'s child process (preload.ts) and
 * the agent of a service started with `node --import asyncmon/agent` (agent.ts). They differ only in where
 * events go: the monitor's pipes, or the agent's thread.
 */
export interface ThreadConfig extends ChildConfig {
	/** Epoch ms of t = 0, shared by every thread's clock. */
	startedAt: number;
	/** Set under the agent: its thread takes the events (the fds are -1, and there is no monitor). */
	agent: AgentPlan | null;
}

/** What the agent's thread needs to serve clients, made on the main thread before the script runs. */
export interface AgentPlan {
	files: AgentFiles;
	tcp: {host: string; port: number; token: string} | null;
	meta: AgentMeta;
}

const CONFIG_KEY = 'asyncmon:config';
/** The task that constructs a Worker, handed to the new thread (environment data is copied at construction). */
const STARTED_BY_KEY = 'asyncmon:started-by';
/** Where the worker's code is (`pool-worker.js:1:1`), handed to the new thread as its root's location; null for code from a string. */
const WORKER_FILE_KEY = 'asyncmon:worker-file';
/** Under the agent and in a followed process, whether the thread that takes the other threads' events listens yet (see ChannelListens). */
const LISTENS_KEY = 'asyncmon:channel-listens';
const LOAD_ERRORS = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND', 'ERR_UNSUPPORTED_DIR_IMPORT', 'ERR_UNKNOWN_FILE_EXTENSION', 'ERR_PACKAGE_PATH_NOT_EXPORTED']);
const plainSetInterval = setInterval;
const cwd = process.cwd();
/** dist/, where the entry that loaded this module sits beside the threads' code (this module may be in a chunk below it). */
let dist = new URL('.', import.meta.url);
/** asyncmon's own bundle, whose frames are never the user's. */
let runtimeDirectory = '';

/**
 * Instruments this thread: the main thread with `config`, a worker of an instrumented process with its parent's.
 * `entry` is the entry module's URL; `onExit` runs as the process exits (or dies of a signal it does not handle).
 */
export function instrumentThread(entry: string, config: ThreadConfig | null, onExit: () => void = () => {}, watchdog?: RunningWatchdog): void {
	dist = new URL('.', entry);
	runtimeDirectory = dirname(fileURLToPath(entry));
	if (isMainThread && config) {
		setEnvironmentData(CONFIG_KEY, config);
		showNodesTypeScript(config);
		if (config.lane) instrumentFollowedProcess(config, config.lane);
		else instrumentMainThread(config, onExit, watchdog);
	} else if (!isMainThread && !isOwnThread()) {
		// Workers inherit the --import; asyncmon's own threads have none, and a worker of an unmonitored process has no config.
		const inherited = getEnvironmentData(CONFIG_KEY) as ThreadConfig | undefined;
		if (!inherited) return;
		showNodesTypeScript(inherited);
		instrumentWorkerThread(inherited);
	}
}

/** The script's threads read process.features.typescript as under node, though its process strips no types (see childNodeFlags). */
function showNodesTypeScript(config: ThreadConfig): void {
	const typescript = config.typescript;
	if (process.features.typescript !== false || !typescript) return;
	Object.defineProperty(process.features, 'typescript', {get: () => typescript, enumerable: true, configurable: true});
}

function instrumentMainThread(config: ThreadConfig, onExit: () => void, watchdog?: RunningWatchdog): void {
	setRedaction(config.redact);
	const listens = config.agent ? channelOfThreads() : undefined;
	const thread: WriterThread = config.agent
		? {file: new URL('agent-thread.js', dist), data: {agent: config.agent, listens}, always: true}
		: {file: new URL('pipe-writer.js', dist)};
	const sink = new EventSink(new PipeWriter(config.eventsFd, thread), config.startedAt - performance.timeOrigin, folderOf(config));
	sink.push({
		type: 'header',
		protocol: PROTOCOL_VERSION,
		script: config.scriptName,
		argv: recordedArgv(process.argv.slice(2)),
		cwd,
		node: process.version,
		pid: process.pid,
		startedAt: config.startedAt,
		blockThresholdMs: config.blockThresholdMs,
		redacted: config.redact,
		traceId: config.traceId,
	});
	sink.flush();
	const sites = new SiteTable(config.scriptName, cwd);
	const watch = watchLoop(config, config.watchdogFd, config.monitorPid, 0, watchdog, listens);
	const tracker = startTracker(config, {
		sink,
		sites,
		runtimeDirectory,
		watch,
	});
	attributeWorkers(tracker);
	installHooks(hookOptions(config, sites, tracker, ''));
	watch.measureRequires(Module.prototype);
	// Under the agent the script's output is its own, untouched, as under node.
	if (!config.agent) captureOutput(tracker, config.blockingOutput, config.outputInPane);
	if (config.stdinKept) noticeStdinReads(message => tracker.emit({type: 'notice', t: performance.now(), message}));
	sampleLoop(tracker, watch, plainSetInterval, trackServers(cwd));

	// Node has made its report's message by now, so reading the error's stack no longer changes where it points.
	process.on('uncaughtExceptionMonitor', (error, origin) => {
		const leftTopLevel = tracker.leftTopLevel(error);
		const loadError = leftTopLevel && isLoadError(error);
		// The top level is over, failed with the error: its row ends with it, as a task's does (it read pending before).
		if (leftTopLevel) {
			tracker.f(tracker.root, error);
			tracker.rootDone();
		}
		// The script, or something it imports, could not be loaded: it never ran, and that is all there is to say.
		if (loadError) tracker.emit({type: 'fatal', t: performance.now(), kind: 'load', message: recordedText(String((error as Error).message).split('\n')[0]!)});
		tracker.emit(uncaughtEvent(tracker, error, origin, leftTopLevel));
		tracker.flushNow();
	});
	watchHandledRejections(tracker);
	const exitCall = watchExitCalls(cwd);
	watchExecve(tracker, "the script's process");
	process.on('exit', code => {
		const call = exitCall();
		tracker.emit({type: 'script.exit', t: performance.now(), code, ...(call && {exitCall: call})});
		watch.exiting();
		tracker.exit();
		onExit();
	});
	flushOnSignals(tracker, watch, onExit);
}

/** An error nothing caught, told as it reaches the process; `leftTopLevel`: it left the script's top level (see Tracker.leftTopLevel). */
function uncaughtEvent(tracker: Tracker, error: unknown, origin: NodeJS.UncaughtExceptionOrigin, leftTopLevel: boolean): UncaughtEvent {
	return {
		type: 'uncaught',
		t: performance.now(),
		// An error that left the top level is thrown, not rejected, whatever path Node took.
		origin: origin === 'unhandledRejection' && !leftTopLevel ? 'unhandledRejection' : 'uncaughtException',
		error: tracker.errorInfo(origin === 'unhandledRejection' ? rejectionReason(error, tracker.current()) : error),
		task: tracker.current().id,
		// Node calls the script's handlers after its monitors: with one, the process goes on.
		...(scriptHandlesUncaught() && {handled: true as const}),
	};
}

/**
 * What a rejection nothing handled rejected with. A value that is no Error reaches the monitor as Node's own
 * ERR_UNHANDLED_REJECTION, which names it only as `#<Object>`; when the task the rejection came from failed,
 * what it threw is the value, said in full (`{ code: 42 }`).
 */
function rejectionReason(error: unknown, task: Task): unknown {
	const nodesOwn = types.isNativeError(error) && (error as NodeJS.ErrnoException).code === 'ERR_UNHANDLED_REJECTION';
	return nodesOwn && task.failed && !isError(task.error) ? task.error : error;
}

/**
 * A rejection nothing handled that the script's own process.on('unhandledRejection') takes: Node hands it to the
 * listeners and goes on, and no monitor of Node's sees it (a listener of asyncmon's own would change what Node does:
 * with one, no rejection ends the process). Told as an `uncaught` event, handled, as one its process.on(
 * 'uncaughtException') takes is, by process.emit, which Node calls with it.
 */
function watchHandledRejections(tracker: Tracker): void {
	const emit = process.emit;
	process.emit = function (this: NodeJS.Process, event: string | symbol, ...args: unknown[]) {
		if (event === 'unhandledRejection' && process.listenerCount('unhandledRejection') > 0) {
			const task = tracker.current();
			tracker.emit({type: 'uncaught', t: performance.now(), origin: 'unhandledRejection', error: tracker.errorInfo(rejectionReason(args[0], task)), task: task.id, handled: true});
		}
		return (emit as (this: NodeJS.Process, event: string | symbol, ...args: unknown[]) => boolean).call(this, event, ...args);
	} as typeof process.emit;
}

/** Whether an error nothing caught goes to a handler of the script's (`process.on('uncaughtException')`, a domain's) rather than ending the process. */
function scriptHandlesUncaught(): boolean {
	return process.listenerCount('uncaughtException') > 0 || process.hasUncaughtExceptionCaptureCallback();
}

/**
 * A process's main thread watched for blocks, by a watchdog thread writing to `fd` (-1: on the channel a thread of
 * the process's own reads); the script's preload started it already (see startWatchdog).
 */
function watchLoop(config: ThreadConfig, fd: number, monitorPid: number, idBase: number, started?: RunningWatchdog, listens?: ChannelListens): LoopWatch {
	return new LoopWatch({
		watchdog: started ?? startWatchdog(dist, watchdogSettings(config, fd, monitorPid, idBase, listens)),
		thresholdMs: config.blockThresholdMs,
		cwd,
		ownDirectory: runtimeDirectory,
		idBase,
		setInterval: plainSetInterval,
	});
}

/**
 * A signal the script does not handle ends the process as under node, once what is buffered went out. While the
 * script is stuck in synchronous code this cannot run: the watchdog tells the monitor which signals the script
 * handles itself, and the monitor ends it for any other (see StopRule).
 */
function flushOnSignals(tracker: Tracker, watch: LoopWatch, onExit: () => void): void {
	const ours = new Set<unknown>();
	watch.watchSignalHandlers(ours);
	const nodesKill = process.kill;
	/** Takes asyncmon's handler away, what is buffered gone first, when it is the signal's only one: the signal then ends the process as under node. */
	const standAside = (signal: StopSignal, handler: () => void): boolean => {
		if (process.listenerCount(signal) !== 1 || process.listeners(signal)[0] !== handler) return false;
		tracker.flushNow();
		onExit();
		process.off(signal, handler);
		return true;
	};
	const handlers = new Map<string, () => void>();
	for (const signal of STOP_SIGNALS) {
		const flushThenDie = (): void => {
			if (standAside(signal, flushThenDie)) {
				nodesKill.call(process, process.pid, signal);
				return;
			}
			// The script's handlers run next: the monitor must not take a block of its shutdown for a signal it ignores.
			tracker.emit({type: 'signal', t: performance.now(), signal});
			tracker.flushNow();
		};
		handlers.set(signal, flushThenDie);
		ours.add(flushThenDie);
		process.on(signal, flushThenDie);
	}
	// The script signalling itself: under node a signal it does not handle ends it at once. asyncmon's handler would
	// run on a later turn of the loop, which, its signal handle unreferenced, may end first (a last callback's
	// process.kill(process.pid)): it stands aside before the signal is sent.
	process.kill = function kill(pid: number, signal?: string | number): true {
		const name = typeof signal === 'number' ? SIGNAL_NAMES.get(signal) : (signal ?? 'SIGTERM');
		const handler = name === undefined ? undefined : handlers.get(name);
		if (handler && Number(pid) === process.pid) standAside(name as StopSignal, handler);
		return nodesKill.call(process, pid, signal);
	};
}

/**
 * A worker's file as its root's location, relative to the working directory as the script's own are, so that
 * workers of different files read apart (`worker thread #2  pool-worker.js:1:1`); null for code from a string.
 */
function workerLocation(code: unknown, options: {eval?: boolean} | undefined): string | null {
	if (options?.eval) return null;
	try {
		const path = code instanceof URL || (typeof code === 'string' && code.startsWith('file:')) ? fileURLToPath(code) : typeof code === 'string' ? code : null;
		return path === null ? null : `${isAbsolute(path) ? relative(cwd, path) : path}:1:1`;
	} catch {
		// A URL Node will refuse: its error says so.
		return null;
	}
}

/** Signal numbers' names, as process.kill takes either. */
const SIGNAL_NAMES = new Map(Object.entries(osConstants.signals).map(([name, number]) => [number, name]));

/**
 * A Node process the script (or a followed process) started: a lane of its own, its root the process, under
 * the task that started it. It sends its events on the monitor's lane socket; everything else is as under
 * node: its output is its own (its parent reads it, or the terminal shows it; its lane gets a copy), no header,
 * no loop samples. Its main thread is watched for blocks as the script's is, from its main module's first line;
 * its watchdog's lines go on the channel its lane writer reads, with ids in its slot's range, and it never ends
 * the process (its parent is not the monitor, and it may outlive the script, as under node). Its exit, which only
 * its parent sees, ends the lane.
 */
function instrumentFollowedProcess(config: ThreadConfig, lane: LaneConfig): void {
	const listens = channelOfThreads();
	const writer = new LaneWriter(new URL('lane-writer.js', dist), config.lanes!.socket, config.startedAt, listens);
	const watch = watchLoop(config, -1, 0, laneIdBase(lane.slot), undefined, listens);
	const entry = processEntry(config.script);
	// Loading its modules is no block: held until its main module's code starts. A process with no main module (`node -e`) is watched at once.
	if (!entry) watch.entryStarted();
	const {tracker} = instrumentLane(
		config,
		writer,
		{
			id: 0,
			name: processTaskName(process.pid, lane.command),
			startedBy: lane.startedBy,
			lane: {firstId: laneRootId(lane.slot), process: {pid: process.pid, command: lane.command}},
		},
		watch,
		entry,
	);
	// The lane is in the stream before any block of its loop names it (its entry's start flushes again).
	tracker.flush();
	attributeWorkers(tracker);
	// A CommonJS entry's require()s run in its own top level: a block spent there was loading modules, as the script's.
	watch.measureRequires(Module.prototype);
	const endOutput = copyOutput(tracker);
	watchExecve(tracker, `process ${process.pid}`);
	// What ends it is its lane's failure, as a crash of the script's is the script's: said before Node's report of it.
	process.on('uncaughtExceptionMonitor', (error, origin) => {
		tracker.emit(uncaughtEvent(tracker, error, origin, false));
		tracker.flushNow();
	});
	process.on('exit', () => {
		endOutput();
		watch.exiting();
		tracker.exit();
	});
	flushOnSignals(tracker, watch, () => {});
}

/** `-e`, `--eval`, `-p`, `--print` and their short combinations (`-pe`): code from the command line, no main module. */
const EVAL_FLAG = /^(-[a-z]*[ep][a-z]*|--eval|--print)(=.*)?$/;

/**
 * A followed process's main module as Node finds it (`node worker` runs worker.js), its real path; '' for none:
 * Node made `argv[1]` absolute if it is one, and leaves a `node -e code arg`'s arguments as they are.
 */
function processEntry(script: string): string {
	if (!isAbsolute(script) || process.execArgv.some(flag => EVAL_FLAG.test(flag))) return '';
	try {
		return createRequire(import.meta.url).resolve(script);
	} catch {
		// Not there: Node says so when it loads it.
		return '';
	}
}

/** A module that could not be found, read or recognised: Node's words for it, or an error the loader hooks passed on. */
function isLoadError(error: unknown): boolean {
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	return (code !== undefined && LOAD_ERRORS.has(code)) || failedToLoad(error);
}

/**
 * Each Worker the script constructs hands the current task's id to its thread, which hangs its root under it.
 * A worker made from a string (`eval: true`) runs its code as Node hands it, past the loader hooks: it is handed a
 * stub that loads the preload, which instruments the code in the thread (eval-worker.ts), so it is a worker like one
 * made from a file. A worker given Node options of its own (`execArgv`, as vitest's threads pool gives them)
 * inherits none of the process's: the preload's `--require` goes first among them, and the worker's preload takes
 * it out of its `process.execArgv` again.
 */
function attributeWorkers(tracker: Tracker): void {
	const Original = workerThreads.Worker;
	const preload = preloadFile();
	const evalPreload = fileURLToPath(new URL('eval-preload.js', dist));
	const drains = new WorkerDrains();
	workerThreads.Worker = class Worker extends Original {
		constructor(...args: ConstructorParameters<typeof Original>) {
			setEnvironmentData(STARTED_BY_KEY, tracker.current().id);
			const [code, options] = args;
			setEnvironmentData(WORKER_FILE_KEY, workerLocation(code, options) ?? undefined);
			// asyncmon's threads, and those its own work starts (esbuild compiling a file starts one), run as they are.
			const own = startsOwnThread(options) || tracker.doingOwnWork;
			drains.constructing(!own);
			if (!own && options?.eval && typeof code === 'string') args[0] = evalWorkerStub(evalPreload, code);
			else if (!own && Array.isArray(options?.execArgv)) args[1] = {...options, execArgv: ['--require', preload, ...options.execArgv]};
			super(...args);
			drains.constructed(this.threadId);
			// `await once(worker, 'exit')` waits on the thread: its root task.
			if (!own) tracker.promiseTargets.tagEmitter(this, {kind: 'task', id: tracker.workerRootId(this.threadId)});
		}

		/** The worker's lane first ends and sends what it holds (see worker-drain.ts); one that could not is ended here. */
		override terminate(): Promise<number> {
			const threadId = this.threadId;
			return drains.drained(threadId).then(leftOpen =>
				super.terminate().then(code => {
					const open = leftOpen();
					if (open) tracker.workerTerminated(threadId, open.busyMs);
					return code;
				}),
			);
		}
	};
	syncBuiltinESMExports();
}

/** This worker thread's compiler, for code it runs from a string. */
let evalCompiler: EvalCompiler | null = null;

/** What the stub of a worker made from a string runs in place of `code` (see evalWorkerStub). */
export function evalWorkerScript(code: string, ranAsModule: boolean): ReturnType<typeof scriptOfEvalCode> {
	return scriptOfEvalCode(code, ranAsModule, evalCompiler!);
}

/** A worker is a lane of its own: its root task is the thread, running in parallel with the main loop. */
function instrumentWorkerThread(config: ThreadConfig): void {
	// Its loop runs already (a worker loads its modules in it): from here on, the root's.
	const loopAtStart = performance.eventLoopUtilization();
	const cpuAtStart = process.threadCpuUsage();
	// Under the agent and in a followed process, one thread of the process's own takes every thread's events.
	const listens = getEnvironmentData(LISTENS_KEY) as ChannelListens | undefined;
	const {tracker, hooks} = instrumentLane(config, listens ? new ChannelWriter(listens) : new PipeWriter(config.eventsFd, null), {
		id: threadId,
		name: `worker thread #${threadId}`,
		location: (getEnvironmentData(WORKER_FILE_KEY) as string | undefined) ?? null,
		startedBy: (getEnvironmentData(STARTED_BY_KEY) as number | undefined) ?? null,
		lane: config.lane ? {firstId: laneRootId(config.lane.slot)} : undefined,
	});
	evalCompiler = {
		compile: (code, file, format, name, typescript) => compileEvalCode(code, file, {format, name}, hooks, typescript),
		serve: serveModule,
		isModuleOnly,
		strippedTypes: strippedEvalCode,
	};
	// The lane is in the stream before the worker's code runs: a worker busy from its first line is seen busy, not at its end.
	tracker.flush();
	// A worker that dies of an error (its 'error' event in the main thread) ends failed, with that error.
	process.on('uncaughtExceptionMonitor', error => tracker.f(tracker.root, error));
	let ended = false;
	const end = (): void => {
		if (ended) return;
		ended = true;
		tracker.rootDone(performance.eventLoopUtilization(loopAtStart).active);
		tracker.flush();
	};
	process.on('exit', end);
	// Terminated, it runs no 'exit' listener.
	const publishBusy = drainBeforeTermination(end);
	// Blocked in Atomics.wait between a pool's tasks, it may be terminated there, its lane never ended by itself: its
	// thread's CPU time so far (not its loop's active time, which counts the wait) is what it computed.
	tracker.beforeBlocking = () => {
		const cpu = process.threadCpuUsage(cpuAtStart);
		publishBusy(tracker.rootOwnBusyMs((cpu.user + cpu.system) / 1000));
	};
}

/** The flag of the channel on which the process's other threads send their events, which its workers inherit. */
function channelOfThreads(): ChannelListens {
	const listens = channelListens();
	setEnvironmentData(LISTENS_KEY, listens);
	return listens;
}

function folderOf(config: ThreadConfig): SpanFolder | null {
	return config.foldQuickTasks ? new SpanFolder() : null;
}

/**
 * A lane that is not the script's main thread (a worker, a followed process): its own root and ids. A worker's
 * blocks are nobody else's (NO_WATCH); a followed process's main thread has a watch, and `processEntry`.
 */
function instrumentLane(config: ThreadConfig, writer: BatchWriter, thread: NonNullable<TrackerOptions['thread']>, watch = NO_WATCH, processEntry = ''): {tracker: Tracker; hooks: HookOptions} {
	setRedaction(config.redact);
	const sites = new SiteTable(config.scriptName, cwd);
	const tracker = startTracker(config, {sink: new EventSink(writer, config.startedAt - performance.timeOrigin, folderOf(config)), sites, runtimeDirectory, watch, thread});
	const hooks = hookOptions(config, sites, tracker, processEntry);
	installHooks(hooks);
	// Test runners run their test files here, not in the script's own main thread.
	tracker.vitestEvaluator = evaluator => instrumentVitestEvaluator(evaluator, (code, map, file) => instrumentEvaluated(code, map, file, hooks));
	return {tracker, hooks};
}

function startTracker(config: ThreadConfig, options: TrackerOptions): Tracker {
	const tracker = new Tracker(options);
	if (options.watch instanceof LoopWatch) options.watch.contextTask = () => tracker.context.getStore()?.id ?? null;
	Object.defineProperty(globalThis, RUNTIME_GLOBAL, {value: tracker, enumerable: false});
	showUsersFunctionText();
	// The script's own files, which the transform rewrote, throw with their original positions; the libraries' do as
	// under node (their maps would cost every module's load a read, and change their stack traces).
	setSourceMapsSupport(true, {nodeModules: false, generatedCode: false});
	nodeFormattedStacks(runtimeDirectory);
	instrumentTimers(tracker);
	instrumentPromiseCombinators(tracker.promiseTargets);
	instrumentSettledPromises(tracker.promiseTargets);
	tracker.itemsOf = instrumentEventWaits(tracker.promiseTargets, cwd, tracker.executorSettlers);
	const undiciHttp2 = new UndiciHttp2Streams();
	instrumentHttp(tracker, config.propagateTrace ? new TracePropagation(config.traceId) : null, undiciHttp2);
	instrumentServerRequests(tracker);
	instrumentServerUpgrades(tracker);
	instrumentFsAndDns(tracker);
	instrumentSockets(tracker);
	instrumentHttp2(tracker, undiciHttp2);
	instrumentChildProcesses(tracker, followChildren(config, config.startedAt, preloadFile()));
	flushBeforeAtomicsWait(tracker);
	tracker.startFlushTimer(plainSetInterval);
	return tracker;
}

/** The child's preload behind its gate (see preload-gate.cts), beside this module in dist/: what a worker or a followed process loads first. */
function preloadFile(): string {
	return fileURLToPath(new URL('preload-gate.cjs', dist));
}

function hookOptions(config: ThreadConfig, sites: SiteTable, tracker: Tracker, processEntry: string): HookOptions {
	const notice = (message: string): void => tracker.emit({type: 'notice', t: performance.now(), message});
	/** The script's own main thread, not a worker's or a followed process's. */
	const isScript = isMainThread && !config.lane;
	const entry = isScript ? realEntry(config.script) : '';
	return {
		sites,
		ownDirectory: runtimeDirectory,
		// Every thread opens the cache; the main thread says why it could not, once.
		cache: TransformCache.open(new URL('build-id', dist), process.env, undefined, isScript ? notice : undefined),
		// Only the main thread's entry is the script; a worker's module, or a followed process's, is just more user code.
		// As Node loads it: the real path, past a node_modules/.bin link.
		entry,
		processEntry,
		entryStarted: () => tracker.entryStarted(),
		notice,
		loading: load => tracker.ownWork(load),
		vitestModules: !isScript,
		onSyntaxError(problem) {
			// Only the script's entry ends the session with asyncmon's own report. Any other file's error is thrown where
			// the code loads it, which may catch it (an optional plugin, a config file), as under node; a followed
			// process's is its own.
			if (problem.file !== entry) throw new LoadAsNode(problem);
			tracker.emit({
				type: 'fatal',
				t: performance.now(),
				kind: 'syntax',
				message: recordedText(problem.message),
				loc: `${relative(cwd, problem.file)}:${problem.line}:${problem.column}`,
				// A line with credentials in it loses them, and its caret may stand off: a leak is worse.
				frame: codeFrame(recordedText(problem.lineText), problem.column, problem.line),
			});
			tracker.flushNow();
			process.exit(1);
		},
	};
}

function realEntry(script: string): string {
	try {
		return realpathSync(script);
	} catch {
		// Not there: Node says so when it loads it.
		return script;
	}
}
