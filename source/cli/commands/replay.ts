import {setFlagsFromString} from 'node:v8';
import {loadDashboard} from '../../ui/load-dashboard.js';
import {createState, type Retention} from '../../model/state.js';
import {retentionOf} from '../retention-arguments.js';
import {PlainPrinter} from '../../plain/printer.js';
import {readSession, loadWarnings} from '../../sessions/reader.js';
import {loadReplay, MAX_SPEED, MIN_SPEED} from '../../sessions/replay.js';
import {SessionPipeline} from '../session-pipeline.js';
import {terminalColor, wantsPlain} from '../terminal.js';
import {UsageError} from '../usage-error.js';
import {printWarnings, requireRecording} from './recording-file.js';

export interface ReplayArgs {
	file: string;
	speed: number;
	plain: boolean;
	lenient: boolean;
	ascii: boolean;
	retain: string;
	retainFor?: number;
}

interface ReplayOptions extends ReplayArgs {
	retention: Retention | null;
	color: boolean;
	stdout: NodeJS.WriteStream;
	stderr: NodeJS.WriteStream;
}

/** `asyncmon replay <file>`: the live dashboard driven by a recording, or its plain-mode lines. */
export async function replayCommand(args: ReplayArgs): Promise<void> {
	if (!(args.speed >= MIN_SPEED && args.speed <= MAX_SPEED)) {
		throw new UsageError(`--speed must be a number from ${MIN_SPEED} to ${MAX_SPEED} (2: twice as fast)${Number.isNaN(args.speed) ? '' : `; got ${args.speed}`}`);
	}
	requireRecording(args.file);
	const options: ReplayOptions = {...args, retention: retentionOf(args), plain: wantsPlain(args.plain), color: terminalColor(), stdout: process.stdout, stderr: process.stderr};
	const {warnings} = options.plain ? await printPlain(options) : await playInDashboard(options);
	printWarnings(warnings);
}

/**
 * The dashboard plays a recording while it reads the rest: two states at once, each making garbage as fast as
 * the reducer runs, and V8 lets its heap grow to twice what is live and more for that. Grown by a tenth at a
 * time, it stays near its live data (a million events played at 1x while they are read: peak RSS 410–420 MB
 * with V8's default, 295–300 MB with this, read in about the same time). A flag V8 reads each time it sets
 * the heap's next limit.
 */
const HEAP_GROWTH = '--heap-growing-percent=10';

async function playInDashboard(options: ReplayOptions): Promise<{warnings: string[]}> {
	setFlagsFromString(HEAP_GROWTH);
	// The dashboard's modules load while the recording's first slice is read.
	const [{replay, warnings, problem}, {runDashboard}] = await Promise.all([loadReplay(options.file, {lenient: options.lenient, speed: options.speed, retention: options.retention}), loadDashboard()]);
	try {
		await runDashboard({
			source: replay,
			replay,
			title: replay.state.header?.script ?? options.file,
			ascii: options.ascii,
			color: options.color,
			exitOnEnd: false,
			onInterrupt: () => {},
		});
	} finally {
		replay.dispose();
	}
	// The dashboard showed the part before it; the command fails as a read of the whole file would have.
	const stopped = problem();
	if (stopped) throw stopped;
	return {warnings: warnings()};
}

async function printPlain(options: ReplayOptions): Promise<{warnings: string[]}> {
	const state = createState({retention: options.retention});
	const printer = new PlainPrinter({out: options.stdout, err: options.stderr, color: options.color, ascii: options.ascii});
	const pipeline = new SessionPipeline(state, {printer});
	const lines = readSession(options.file, {lenient: options.lenient});
	for await (const line of lines) pipeline.take(line);
	printer.finish(state);
	return {warnings: loadWarnings(lines.stats, state)};
}
