import {PROTOCOL_VERSION} from '../protocol/events.js';
import {CHILD_CONFIG_ENV, type ChildConfig} from '../protocol/child-config.js';
import {EventSink, FLUSH_INTERVAL_MS} from './event-sink.js';
import {codeFrame} from './code-frame.js';
import {installHooks} from './hooks.js';
import {sampleLoop} from './loop-sampler.js';
import {instrumentFsAndDns} from './ops/fs-dns.js';
import {instrumentHttp} from './ops/http.js';
import {instrumentTimers} from './ops/timers.js';
import {captureOutput} from './output-capture.js';
import {SiteTable} from './site-table.js';
import {Tracker} from './tracker.js';
import {RUNTIME_GLOBAL} from './transform.js';
import {LoopWatch} from './watchdog.js';
import {dirname, relative} from 'node:path';
import {fileURLToPath} from 'node:url';

/**
 * Runs first in the child process (`node --import preload script`): it
 * installs the instrumentation, then Node runs the script as its main module,
 * exactly as `node script` would.
 */
const config = JSON.parse(process.env[CHILD_CONFIG_ENV]!) as ChildConfig;
// The script sees the environment it was given, not asyncmon's plumbing.
delete process.env[CHILD_CONFIG_ENV];

const origin = performance.now();
const startedAt = performance.timeOrigin + origin;
const cwd = process.cwd();
const plainSetInterval = setInterval;

const sink = new EventSink(config.eventsFd, origin);
sink.push({
	type: 'header',
	protocol: PROTOCOL_VERSION,
	script: config.scriptName,
	argv: process.argv.slice(2),
	cwd,
	node: process.version,
	pid: process.pid,
	startedAt,
	blockThresholdMs: config.blockThresholdMs,
	redacted: config.redact,
});
sink.flush();

const sites = new SiteTable(config.scriptName, cwd);
const watch = new LoopWatch({
	sink,
	fd: config.watchdogFd,
	thresholdMs: config.blockThresholdMs,
	startedAt,
	cwd,
	watchdogFile: new URL('./watchdog.js', import.meta.url),
	setInterval: plainSetInterval,
});
const tracker = new Tracker({
	sink,
	sites,
	runtimeDirectory: dirname(fileURLToPath(import.meta.url)),
	onRunning: (task, sliceStart) => watch.running(task, sliceStart),
	onSliceEnd: (task, start, end) => watch.sliceEnded(task, start, end),
	onEntryStarted: () => watch.entryStarted(),
});
Object.defineProperty(globalThis, RUNTIME_GLOBAL, {value: tracker, enumerable: false});
watch.holdUntilEntry();

process.setSourceMapsEnabled(true);
installHooks({
	sites,
	entry: config.script,
	loading(load) {
		const start = performance.now();
		try {
			return watch.excluded(load);
		} finally {
			tracker.excludeFromSlice(performance.now() - start);
		}
	},
	onSyntaxError(problem) {
		sink.push({
			type: 'fatal',
			t: performance.now(),
			kind: 'syntax',
			message: problem.message,
			loc: `${relative(cwd, problem.file)}:${problem.line}:${problem.column}`,
			frame: codeFrame(problem.lineText, problem.column, problem.line),
		});
		sink.flush();
		process.exit(1);
	},
});
instrumentTimers(tracker, sink);
instrumentHttp(tracker, sink, config.redact);
instrumentFsAndDns(tracker, sink);
captureOutput(sink);
sampleLoop(sink, plainSetInterval);
plainSetInterval(() => sink.flush(), FLUSH_INTERVAL_MS).unref();

process.on('uncaughtExceptionMonitor', (error, origin) => {
	const task = tracker.current();
	sink.push({
		type: 'uncaught',
		t: performance.now(),
		origin: origin === 'unhandledRejection' ? 'unhandledRejection' : 'uncaughtException',
		error: tracker.errorInfo(error),
		task: task.id,
	});
	sink.flush();
});
process.on('exit', () => sink.flush());
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
	const flushThenDie = (): void => {
		sink.flush();
		// With no handler of the script's own, the signal ends the process as it would under node.
		if (process.listenerCount(signal) === 1) {
			process.off(signal, flushThenDie);
			process.kill(process.pid, signal);
		}
	};
	process.on(signal, flushThenDie);
}
