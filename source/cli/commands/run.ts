import {loadDashboard} from '../../ui/load-dashboard.js';
import {formatDuration} from '../../present/durations.js';
import {existsSync, statSync} from 'node:fs';
import {createState, type ModelState, type Retention} from '../../model/state.js';
import {retentionOf} from '../retention-arguments.js';
import {blockCulprit} from '../../present/holdups.js';
import {noticeText, PlainPrinter} from '../../plain/printer.js';
import {Recorder} from '../../sessions/recorder.js';
import {ChildSession, exitCodeOf, type ScriptStdin} from '../../monitor/child-session.js';
import {StopRule} from '../../monitor/stop-rule.js';
import {LiveSource} from '../live-source.js';
import type {RunArgs} from '../run-arguments.js';
import {deriveReadinessWhileBlocked, SessionPipeline} from '../session-pipeline.js';
import {terminalColor, wantsPlain} from '../terminal.js';
import {requireFileName, UsageError} from '../usage-error.js';
import {liveSpanExport, otlpEndpointOf, undeliveredText} from '../live-spans.js';

/** Exit code when the script succeeded but a block lasted longer than --fail-on-block. */
const EXIT_BLOCK_BUDGET = 3;
/** Exit code when the script succeeded but its recording could not be written whole (a full disk, an I/O error). */
const EXIT_RECORDING_FAILED = 4;
/** Exit code when the script succeeded but events were lost on their way (a `dropped` event): the session is incomplete. */
const EXIT_EVENTS_LOST = 5;
/** How long the dashboard waits for a script that fails at once, so its error lands on the normal screen. */
const DASHBOARD_GRACE_MS = 300;

/** The script to run and how to start it, besides the options of the command line. */
export interface ScriptLaunch {
	script: string;
	/** How to show the script, when not as `script` (a bundled demo's long path). */
	scriptName?: string;
	args: string[];
	/** Extra environment for the script (the demo server's URL, say). */
	env?: Record<string, string>;
	/** The child's preload, dist/preload.js. */
	preload: URL;
}

interface RunOptions extends ScriptLaunch {
	retention: Retention | null;
	plain: boolean;
	record?: string;
	redact: boolean;
	follow: boolean;
	blockThresholdMs: number;
	failOnBlockMs?: number;
	exitOnEnd: boolean;
	ascii: boolean;
	/** `--otlp`: the collector's traces URL. */
	otlpEndpoint?: string;
	otlpPropagate: boolean;
	color: boolean;
	stdout: NodeJS.WriteStream;
	stderr: NodeJS.WriteStream;
}

/** `asyncmon [run] [options] script`: the script's exit code, or EXIT_BLOCK_BUDGET, EXIT_RECORDING_FAILED or EXIT_EVENTS_LOST. */
export function runCommand(args: RunArgs, launch: ScriptLaunch): Promise<number> {
	if (!(args.blockThreshold > 0)) throw new UsageError('--block-threshold must be a positive number of milliseconds');
	if (args.failOnBlock !== undefined && !(args.failOnBlock >= 0)) throw new UsageError('--fail-on-block must be a number of milliseconds, 0 or more');
	requireFileName(args.record, '--record');
	const otlpEndpoint = otlpEndpointOf(args.otlp);
	return runScript({
		...launch,
		retention: retentionOf(args),
		plain: wantsPlain(args.plain),
		record: args.record,
		redact: args.redact,
		follow: args.follow,
		blockThresholdMs: args.blockThreshold,
		failOnBlockMs: args.failOnBlock,
		exitOnEnd: args.exitOnEnd,
		ascii: args.ascii,
		otlpEndpoint,
		otlpPropagate: args.otlpPropagate,
		color: terminalColor(),
		stdout: process.stdout,
		stderr: process.stderr,
	});
}

async function runScript(options: RunOptions): Promise<number> {
	if (!existsSync(options.script) || !statSync(options.script).isFile()) {
		throw new UsageError(`cannot find script '${options.script}'`);
	}
	// A long run keeps the latest finished tasks in full; older ones fold into per-site totals (state.aggregated).
	const state = createState({retention: options.retention});
	// In plain mode the warning goes out at once; the dashboard's screen would swallow it, so it comes after.
	const recorder = options.record ? new Recorder(options.record, message => options.plain && options.stderr.write(`asyncmon: ${message}\n`)) : null;
	const live = new LiveSource(state);
	const printer = options.plain ? new PlainPrinter({out: options.stdout, err: options.stderr, color: options.color, ascii: options.ascii, buffered: true, scriptOutput: 'as-is'}) : null;
	const spans = options.otlpEndpoint ? await liveSpanExport(options.otlpEndpoint, message => pipeline.derive([{type: 'notice', t: session.now(), message}])) : null;
	const pipeline = new SessionPipeline(state, {recorder, printer, spans, onFlush: () => live.changed()});
	const scriptStdin: ScriptStdin = !options.plain ? 'none' : process.stdin.isTTY ? 'terminal' : 'inherit';
	const session = new ChildSession({
		script: options.script,
		scriptName: options.scriptName ?? options.script,
		args: options.args,
		blockThresholdMs: options.blockThresholdMs,
		redact: options.redact,
		env: options.env,
		stdin: scriptStdin,
		preload: options.preload,
		propagateTrace: options.otlpPropagate,
		foldQuickTasks: options.retention !== null,
		follow: options.follow,
	});
	session.onLine((line, raw) => pipeline.take(line, raw));
	// Once per chunk read from the child, not per line.
	session.onBatchEnd(() => pipeline.flush());
	const stopDeriving = deriveReadinessWhileBlocked(pipeline, () => session.now());
	// Signals to asyncmon go to the script by the stop rule; SIGTERM and SIGHUP also close the dashboard, restoring the terminal.
	const stopRule = new StopRule(session, scriptStdin === 'terminal');
	const closeDashboard = new AbortController();
	const forward = (signal: NodeJS.Signals) => () => {
		stopRule.deliver(signal);
		if (signal !== 'SIGINT') closeDashboard.abort();
	};
	const forwarders = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map(signal => [signal, forward(signal)] as const);
	for (const [signal, handler] of forwarders) process.on(signal, handler);
	try {
		if (!printer) await runDashboardUntilQuit(options, session, stopRule, live, closeDashboard.signal);
		const {code, signal} = await session.exited;
		stopRule.dispose();
		stopDeriving();
		// Before the recording closes: a failure it says at the end is recorded with the rest.
		const exported = await spans?.close();
		recorder?.close();
		const summaryPrinter = printer ?? new PlainPrinter({out: options.stdout, err: options.stderr, color: options.color, ascii: options.ascii});
		summaryPrinter.finish(state);
		if (!options.plain) {
			// Said in the dashboard while it ran; its screen is gone now.
			for (const notice of state.notices) options.stderr.write(noticeText(notice));
			if (recorder?.failure) options.stderr.write(`asyncmon: ${recorder.failure}\n`);
		}
		const undelivered = undeliveredText(exported, options.otlpEndpoint);
		if (undelivered) options.stderr.write(undelivered);
		if (code !== 0) return exitCodeOf(code, signal);
		// The script succeeded: asyncmon's own verdicts, most telling first.
		if (blockBudgetExceeded(state, options)) return EXIT_BLOCK_BUDGET;
		if (recorder?.failure) return EXIT_RECORDING_FAILED;
		return state.droppedEvents > 0 ? EXIT_EVENTS_LOST : 0;
	} finally {
		for (const [signal, handler] of forwarders) process.off(signal, handler);
	}
}

async function runDashboardUntilQuit(options: RunOptions, session: ChildSession, stopRule: StopRule, live: LiveSource, signal: AbortSignal): Promise<void> {
	const grace = new Promise(resolve => setTimeout(resolve, DASHBOARD_GRACE_MS));
	await Promise.race([session.exited, grace]);
	if (live.state.fatal || signal.aborted) return;
	const {runDashboard} = await loadDashboard();
	await runDashboard({
		source: live,
		title: options.scriptName ?? options.script,
		ascii: options.ascii,
		color: options.color,
		exitOnEnd: options.exitOnEnd,
		onInterrupt: () => stopRule.deliver('SIGINT'),
		signal,
	});
	// Quitting while the script still runs ends it, and its recording is completed.
	stopRule.deliver('SIGTERM');
	await session.exited;
}


/** Whether a block lasted longer than --fail-on-block; if so, says which on stderr. */
function blockBudgetExceeded(state: ModelState, options: RunOptions): boolean {
	if (options.failOnBlockMs === undefined) return false;
	const worst = state.blocks.reduce<(typeof state.blocks)[number] | null>((max, block) => ((block.durationMs ?? 0) > (max?.durationMs ?? -1) ? block : max), null);
	if (!worst || (worst.durationMs ?? 0) <= options.failOnBlockMs) return false;
	options.stderr.write(
		`asyncmon: --fail-on-block ${options.failOnBlockMs}: the loop was blocked for ${formatDuration(worst.durationMs ?? 0)} by ${blockCulprit(state, worst)}${worst.location ? ` at ${worst.location}` : ''}\n`,
	);
	return true;
}
