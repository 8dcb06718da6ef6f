import {loadDashboard} from '../ui/load-dashboard.js';
import {apply} from '../model/reducer.js';
import {createState} from '../model/state.js';
import {PlainPrinter} from '../plain/printer.js';
import {readSession, loadWarnings} from './reader.js';
import {loadReplay} from './replay.js';

export interface ReplayCommandOptions {
	file: string;
	plain: boolean;
	speed: number;
	lenient: boolean;
	ascii: boolean;
	color: boolean;
	stdout: NodeJS.WriteStream;
	stderr: NodeJS.WriteStream;
}

/** `asyncmon replay`: the live dashboard driven by a recording, or its plain-mode lines. */
export async function runReplay(options: ReplayCommandOptions): Promise<{warnings: string[]}> {
	if (options.plain) return printPlain(options);
	const {replay, warnings} = await loadReplay(options.file, {lenient: options.lenient, speed: options.speed});
	const {runDashboard} = await loadDashboard();
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
	return {warnings};
}

async function printPlain(options: ReplayCommandOptions): Promise<{warnings: string[]}> {
	const state = createState();
	const printer = new PlainPrinter({out: options.stdout, err: options.stderr, color: options.color});
	const lines = readSession(options.file, {lenient: options.lenient});
	for await (const line of lines) {
		apply(state, line);
		printer.handle(line, state);
	}
	printer.finish(state);
	return {warnings: loadWarnings(lines.stats, state)};
}
