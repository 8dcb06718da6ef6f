import {existsSync, statSync} from 'node:fs';
import {createRequire} from 'node:module';
import {join, relative, resolve} from 'node:path';
import {isatty} from 'node:tty';
import type {RunOptions, ScriptLaunch} from './run-options.js';
import {retentionOf} from '../retention-arguments.js';
import {ScriptProcess, type ScriptStdin} from '../../monitor/script-process.js';
import {StopRule} from '../../monitor/stop-rule.js';
import {STOP_SIGNALS, type StopSignal} from '../../protocol/events.js';
import type {RunArgs} from '../run-arguments.js';
import {ownLinesStream, terminalColor, wantsPlain} from '../terminal.js';
import {requireFileName, UsageError} from '../usage-error.js';
import {otlpEndpointOf} from '../live-spans.js';
import {nodeCommand} from '../node-command.js';
import {nodeScriptOnPath} from '../../protocol/command-on-path.js';
import {requireOutputApart, requireReplaceable} from './recording-file.js';

import {Recorder} from '../../sessions/recorder.js';

/** `asyncmon [run] [options] script`: the script's exit code, or EXIT_BLOCK_BUDGET, EXIT_RECORDING_FAILED or EXIT_EVENTS_LOST. */
export function runCommand(args: RunArgs, named: ScriptLaunch): Promise<number> {
	const node = nodeCommand(named.script, named.args);
	const launch: ScriptLaunch = onPath(node ? {...named, ...node} : named);
	if (args.failOnBlock !== undefined && !(args.failOnBlock >= 0)) throw new UsageError('--fail-on-block must be a number of milliseconds, 0 or more');
	const blockThresholdMs = blockThresholdOf(args);
	requireFileName(args.record, '--record');
	requireOutputApart(args.record, '--record', [launch.script]);
	requireReplaceable(args.record, '--record');
	const otlpEndpoint = otlpEndpointOf(args.otlp);
	const ownLines = ownLinesStream();
	return runScript({
		...launch,
		retention: retentionOf(args),
		plain: wantsPlain(args.plain),
		record: args.record,
		redact: args.redact,
		follow: args.follow,
		blockThresholdMs,
		failOnBlockMs: args.failOnBlock,
		exitOnEnd: args.exitOnEnd,
		ascii: args.ascii,
		otlpEndpoint,
		otlpPropagate: args.otlpPropagate,
		color: terminalColor(process[ownLines]),
		ownLines,
		stdout: process.stdout,
		stderr: process.stderr,
	});
}

/** A script named as a command on the PATH (`asyncmon npm run start`) that is no file here: the Node script it runs, shown by its name. */
function onPath(launch: ScriptLaunch): ScriptLaunch {
	if (existsSync(launch.script)) return launch;
	const file = nodeScriptOnPath(launch.script);
	return file ? {...launch, script: file, scriptName: launch.scriptName ?? launch.script} : launch;
}

/** A slice this long is a block unless the user says otherwise. */
const DEFAULT_BLOCK_THRESHOLD_MS = 50;

/**
 * The block threshold: --block-threshold, or the default, lowered to a --fail-on-block budget below it, which
 * would otherwise never see the blocks it asks about (none shorter than the threshold is measured). A threshold
 * set above the budget is refused for the same reason.
 */
function blockThresholdOf(args: RunArgs): number {
	const budget = args.failOnBlock !== undefined && args.failOnBlock > 0 ? args.failOnBlock : undefined;
	if (args.blockThreshold === undefined) return Math.min(DEFAULT_BLOCK_THRESHOLD_MS, budget ?? DEFAULT_BLOCK_THRESHOLD_MS);
	if (!(args.blockThreshold > 0)) throw new UsageError('--block-threshold must be a positive number of milliseconds');
	if (budget !== undefined && args.blockThreshold > budget) {
		throw new UsageError(`--fail-on-block ${budget} is below --block-threshold ${args.blockThreshold}: no block shorter than the threshold is measured; lower --block-threshold, or leave it out`);
	}
	return args.blockThreshold;
}

/** Why `script` cannot be run, naming the file node would have run for it (a directory's index.js, `app` for app.js). */
function notAScript(script: string): string {
	let meant: string | null = null;
	try {
		meant = relative(process.cwd(), createRequire(join(process.cwd(), 'noop.js')).resolve(resolve(script)));
	} catch {
		// Nothing node would run either.
	}
	const what = existsSync(script) ? `'${script}' is a directory` : `cannot find script '${script}'`;
	return meant ? `${what}: name the file to run (node would run ${meant})` : what;
}

/**
 * Starts the script at once, then loads what shows its session (the model, plain mode or the dashboard, the
 * recorder) while it starts: the child's lines wait for their listener (see ChildSession.onLine).
 */
async function runScript(options: RunOptions): Promise<number> {
	if (!existsSync(options.script) || !statSync(options.script).isFile()) throw new UsageError(notAScript(options.script));
	// Before the script starts: a recording that cannot be made is the user's to fix, and nothing ran.
	// In plain mode its warnings go out at once; the dashboard's screen would swallow them, so they come after.
	const recorder = options.record ? new Recorder(options.record, message => options.plain && options.stderr.write(`asyncmon: ${message}\n`)) : null;
	// isatty, not process.stdin.isTTY: the script reads the stdin, and making asyncmon's own stream of it takes a while.
	const scriptStdin: ScriptStdin = !options.plain ? 'none' : isatty(0) ? 'terminal' : 'inherit';
	const script = new ScriptProcess({
		script: options.script,
		scriptName: options.scriptName ?? options.script,
		args: options.args,
		blockThresholdMs: options.blockThresholdMs,
		redact: options.redact,
		env: options.env,
		cwd: options.cwd,
		stdin: scriptStdin,
		preload: options.preload,
		nodeOptions: options.nodeOptions,
		propagateTrace: options.otlpPropagate,
		foldQuickTasks: options.retention !== null,
		follow: options.follow,
		outputInPane: !options.plain,
	});
	// A reader of asyncmon's stdout or stderr that went away (`| head`) closes the script's: its next write there fails with EPIPE, as under node.
	for (const stream of ['stdout', 'stderr'] as const) {
		options[stream].on('error', (error: NodeJS.ErrnoException) => {
			if (error.code === 'EPIPE') script.closeOutput(stream);
		});
	}
	// Signals to asyncmon go to the script by the stop rule from the start; SIGTERM and SIGHUP also close the dashboard, restoring the terminal.
	const stopRule = new StopRule(script, scriptStdin === 'terminal');
	const closeDashboard = new AbortController();
	const forward = (signal: StopSignal) => () => {
		stopRule.deliver(signal);
		if (signal !== 'SIGINT') closeDashboard.abort();
	};
	const forwarders = STOP_SIGNALS.map(signal => [signal, forward(signal)] as const);
	for (const [signal, handler] of forwarders) process.on(signal, handler);
	try {
		// Loaded once the script is on its way: reading its stream, the model, plain mode or the dashboard.
		const [{ChildSession}, {showSession}] = await Promise.all([import('../../monitor/child-session.js'), import('./run-session.js')]);
		const session = new ChildSession(script.options, script);
		stopRule.attach(session);
		return await showSession(options, {session, recorder, stopRule, closeDashboard: closeDashboard.signal});
	} finally {
		for (const [signal, handler] of forwarders) process.off(signal, handler);
	}
}
