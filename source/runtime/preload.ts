import {realpathSync} from 'node:fs';
import {dirname, relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import {syncBuiltinESMExports} from 'node:module';
import workerThreads, {getEnvironmentData, isMainThread, setEnvironmentData, threadId} from 'node:worker_threads';
import {CHILD_CONFIG_ENV, type ChildConfig} from '../protocol/child-config.js';
import {PROTOCOL_VERSION} from '../protocol/events.js';
import {codeFrame} from './code-frame.js';
import {EventSink} from './event-sink.js';
import {failedToLoad, installHooks, type HookOptions} from './hooks.js';
import {sampleLoop} from './loop-sampler.js';
import {instrumentFsAndDns} from './ops/fs-dns.js';
import {flushBeforeChildProcesses} from './ops/child-processes.js';
import {instrumentHttp} from './ops/http.js';
import {TracePropagation} from './ops/trace-propagation.js';
import {instrumentServerRequests} from './ops/server-requests.js';
import {instrumentTimers} from './ops/timers.js';
import {trackServers} from './ops/servers.js';
import {captureOutput} from './output-capture.js';
import {recordedText, setRedaction} from './redact.js';
import {SiteTable} from './site-table.js';
import {NO_WATCH, Tracker, type TrackerOptions} from './tracker.js';
import {RUNTIME_GLOBAL} from './transform.js';
import {TransformCache} from './transform-cache.js';
import {LoopWatch} from './watchdog.js';

/**
 * Runs first in the child process (`node --import preload script`) and in
 * each worker thread the script starts: it installs the instrumentation, then
 * Node runs the script (or the worker's code) exactly as `node` would.
 */
interface ThreadConfig extends ChildConfig {
	/** Epoch ms of t = 0, shared by every thread's clock. */
	startedAt: number;
}

const CONFIG_KEY = 'asyncmon:config';
/** The task that constructs a Worker, handed to the new thread (environment data is copied at construction). */
const STARTED_BY_KEY = 'asyncmon:started-by';
const LOAD_ERRORS = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND', 'ERR_UNSUPPORTED_DIR_IMPORT', 'ERR_UNKNOWN_FILE_EXTENSION', 'ERR_PACKAGE_PATH_NOT_EXPORTED']);
const plainSetInterval = setInterval;
const runtimeDirectory = dirname(fileURLToPath(import.meta.url));
const cwd = process.cwd();

if (isMainThread) {
	const child = JSON.parse(process.env[CHILD_CONFIG_ENV]!) as ChildConfig;
	// The script sees the environment and the Node options it was given, not asyncmon's plumbing.
	delete process.env[CHILD_CONFIG_ENV];
	withoutOwnFlags(process.execArgv);
	const config: ThreadConfig = {...child, startedAt: performance.timeOrigin + performance.now()};
	setEnvironmentData(CONFIG_KEY, config);
	instrumentMainThread(config);
} else {
	// Workers inherit the preload; asyncmon's own watchdog has none, and a worker of an unmonitored process has no config.
	const config = getEnvironmentData(CONFIG_KEY) as ThreadConfig | undefined;
	if (config) instrumentWorkerThread(config);
}

function instrumentMainThread(config: ThreadConfig): void {
	setRedaction(config.redact);
	const sink = new EventSink(config.eventsFd, config.startedAt - performance.timeOrigin, new URL('./pipe-writer.js', import.meta.url));
	sink.push({
		type: 'header',
		protocol: PROTOCOL_VERSION,
		script: config.scriptName,
		argv: process.argv.slice(2).map(recordedText),
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
	const watch = new LoopWatch({
		fd: config.watchdogFd,
		thresholdMs: config.blockThresholdMs,
		startedAt: config.startedAt,
		cwd,
		monitorPid: config.monitorPid,
		watchdogFile: new URL('./watchdog.js', import.meta.url),
		setInterval: plainSetInterval,
	});
	const tracker = startTracker(config, {
		sink,
		sites,
		runtimeDirectory,
		watch,
	});
	watch.holdUntilEntry();
	attributeWorkers(() => tracker.current().id);
	installHooks(hookOptions(config, sites, tracker));
	const endOutput = captureOutput(tracker);
	sampleLoop(tracker, plainSetInterval, trackServers(cwd));

	// Node has made its report's message by now, so reading the error's stack no longer changes where it points.
	process.on('uncaughtExceptionMonitor', (error, origin) => {
		const leftTopLevel = tracker.leftTopLevel(error);
		const loadError = leftTopLevel && isLoadError(error);
		// The script, or something it imports, could not be loaded: it never ran, and that is all there is to say.
		if (loadError) tracker.emit({type: 'fatal', t: performance.now(), kind: 'load', message: recordedText(String((error as Error).message).split('\n')[0]!)});
		tracker.emit({
			type: 'uncaught',
			t: performance.now(),
			// An error that left the top level is thrown, not rejected, whatever path Node took.
			origin: origin === 'unhandledRejection' && !leftTopLevel ? 'unhandledRejection' : 'uncaughtException',
			error: tracker.errorInfo(error),
			task: tracker.current().id,
		});
		tracker.flushNow();
	});
	process.on('exit', code => {
		tracker.emit({type: 'script.exit', t: performance.now(), code});
		endOutput();
		watch.exiting();
		tracker.exit();
	});
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		const flushThenDie = (): void => {
			tracker.flushNow();
			// With no handler of the script's own, the signal ends the process as it would under node.
			if (process.listenerCount(signal) === 1) {
				process.off(signal, flushThenDie);
				process.kill(process.pid, signal);
			}
		};
		process.on(signal, flushThenDie);
	}
}

/** A module that could not be found, read or recognised: Node's words for it, or an error the loader hooks passed on. */
function isLoadError(error: unknown): boolean {
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	return (code !== undefined && LOAD_ERRORS.has(code)) || failedToLoad(error);
}

/**
 * Takes asyncmon's own flags out of `execArgv` (the `--import`s of files beside this one, and the
 * AsyncContextFrame switch the monitor adds on Node 22): the script reads `[]` as under node, and a process it
 * forks with the default execArgv starts as node would start it instead of loading a preload with no config.
 * Worker threads still get the preload: they inherit the options Node parsed, not this array.
 */
function withoutOwnFlags(execArgv: string[]): void {
	for (let i = execArgv.length - 1; i >= 0; i--) {
		const flag = execArgv[i]!;
		if (flag === '--import' && dirname(execArgv[i + 1] ?? '') === runtimeDirectory) execArgv.splice(i, 2);
		else if (flag === '--experimental-async-context-frame' && Number(process.versions.node.split('.')[0]) < 24) execArgv.splice(i, 1);
	}
}

/** Each Worker the script constructs hands the current task's id to its thread, which hangs its root under it. */
function attributeWorkers(currentTaskId: () => number): void {
	const Original = workerThreads.Worker;
	workerThreads.Worker = class Worker extends Original {
		constructor(...args: ConstructorParameters<typeof Original>) {
			setEnvironmentData(STARTED_BY_KEY, currentTaskId());
			super(...args);
		}
	};
	syncBuiltinESMExports();
}

/** A worker is a lane of its own: its root task is the thread, running in parallel with the main loop. */
function instrumentWorkerThread(config: ThreadConfig): void {
	setRedaction(config.redact);
	const sink = new EventSink(config.eventsFd, config.startedAt - performance.timeOrigin);
	const sites = new SiteTable(config.scriptName, cwd);
	const tracker = startTracker(config, {
		sink,
		sites,
		runtimeDirectory,
		watch: NO_WATCH,
		thread: {id: threadId, name: `worker thread #${threadId}`, startedBy: (getEnvironmentData(STARTED_BY_KEY) as number | undefined) ?? null},
	});
	installHooks(hookOptions(config, sites, tracker));
	process.on('exit', () => {
		tracker.rootDone();
		tracker.flush();
	});
}

function startTracker(config: ThreadConfig, options: TrackerOptions): Tracker {
	const tracker = new Tracker(options);
	Object.defineProperty(globalThis, RUNTIME_GLOBAL, {value: tracker, enumerable: false});
	process.setSourceMapsEnabled(true);
	instrumentTimers(tracker);
	instrumentHttp(tracker, config.propagateTrace ? new TracePropagation(config.traceId) : null);
	instrumentServerRequests(tracker);
	instrumentFsAndDns(tracker);
	flushBeforeChildProcesses(tracker);
	tracker.startFlushTimer(plainSetInterval);
	return tracker;
}

function hookOptions(config: ThreadConfig, sites: SiteTable, tracker: Tracker): HookOptions {
	const notice = (message: string): void => tracker.emit({type: 'notice', t: performance.now(), message});
	return {
		sites,
		// Every thread opens the cache; the main thread says why it could not, once.
		cache: TransformCache.open(new URL('./build-id', import.meta.url), process.env, undefined, isMainThread ? notice : undefined),
		// Only the main thread's entry is the script; a worker's module is just more user code.
		// As Node loads it: the real path, past a node_modules/.bin link.
		entry: isMainThread ? realEntry(config.script) : '',
		entryStarted: () => tracker.entryStarted(),
		notice,
		loading: load => tracker.ownWork(load),
		onSyntaxError(problem) {
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
