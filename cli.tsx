#!/usr/bin/env node
import {existsSync, statSync} from 'node:fs';
import type {Argv} from 'yargs';
import {runScript, type RunOptions} from './source/monitor/run-command.js';
import {UsageError} from './source/monitor/usage-error.js';
import {DEMO_URL_ENV, DEMOS, examplePath, findDemo} from './source/demo/catalog.js';
import type {ReportFormat} from './source/sessions/formats.js';
// The demo server, reports and replays are loaded when their command runs: `asyncmon script.ts` starts without them.

/** The report formats (as in sessions/formats.ts, whose renderers load only with `report`); the type checks that none is missing. */
const REPORT_FORMATS = ['text', 'md', 'json', 'chrome-trace', 'html'] as const satisfies readonly ReportFormat[];
const everyFormat: Exclude<ReportFormat, (typeof REPORT_FORMATS)[number]> extends never ? true : false = true;
void everyFormat;

/** The child's preload sits next to this file in dist/. */
const PRELOAD = new URL('./preload.js', import.meta.url);

const color = !('NO_COLOR' in process.env) && process.stdout.isTTY === true;

function withRunOptions<T>(command: Argv<T>) {
	return command
		.option('plain', {type: 'boolean', default: false, describe: 'Print lines instead of the dashboard (automatic when stdout is not a terminal)'})
		.option('record', {type: 'string', describe: 'Record the session to this file (NDJSON, mode 0600)'})
		.option('redact', {type: 'boolean', default: true, describe: 'Redact URL credentials and token-like query values in events (--no-redact keeps them)'})
		.option('block-threshold', {type: 'number', default: 50, describe: 'A synchronous slice longer than this many ms is a block'})
		.option('fail-on-block', {type: 'number', describe: `Exit with code 3 when the script succeeds but a block lasted longer than this many ms`})
		.option('exit-on-end', {type: 'boolean', default: false, describe: 'Close the dashboard as soon as the script ends'})
		.option('ascii', {type: 'boolean', default: false, describe: 'ASCII icons and bars'});
}

interface RunArgs {
	plain: boolean;
	record?: string;
	redact: boolean;
	blockThreshold: number;
	failOnBlock?: number;
	exitOnEnd: boolean;
	ascii: boolean;
}

function runOptions(args: RunArgs, script: string, scriptArgs: string[], env?: Record<string, string>): RunOptions {
	if (!(args.blockThreshold > 0)) throw new UsageError('--block-threshold must be a positive number of milliseconds');
	return {
		script,
		args: scriptArgs,
		plain: args.plain || !process.stdout.isTTY,
		record: args.record,
		redact: args.redact,
		blockThresholdMs: args.blockThreshold,
		failOnBlockMs: args.failOnBlock,
		exitOnEnd: args.exitOnEnd,
		ascii: args.ascii,
		color,
		env,
		preload: PRELOAD,
		stdout: process.stdout,
		stderr: process.stderr,
	};
}

function requireFile(path: string): void {
	if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`cannot find recording '${path}'`);
}

/** Options of asyncmon's own that take a value, so the value is not mistaken for the script. */
const VALUE_OPTIONS = new Set(['--record', '--block-threshold', '--fail-on-block']);
const OTHER_COMMANDS = new Set(['demo', 'report', 'replay']);

/** Everything after the script belongs to the script, options included: `asyncmon app.ts --port 3000`. */
function splitAtScript(argv: string[]): {own: string[]; scriptArgs: string[]} {
	let seenRun = false;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i]!;
		if (arg === '--') return {own: argv.slice(0, i), scriptArgs: argv.slice(i + 1)};
		if (arg.startsWith('-')) {
			if (VALUE_OPTIONS.has(arg)) i++;
			continue;
		}
		if (!seenRun && arg === 'run') {
			seenRun = true;
			continue;
		}
		if (!seenRun && OTHER_COMMANDS.has(arg)) break;
		return {own: argv.slice(0, i + 1), scriptArgs: argv.slice(i + 1)};
	}
	return {own: argv, scriptArgs: []};
}

const FLAGS: Record<string, Partial<RunArgs>> = {
	'--plain': {plain: true},
	'--redact': {redact: true},
	'--no-redact': {redact: false},
	'--exit-on-end': {exitOnEnd: true},
	'--ascii': {ascii: true},
};

/**
 * `asyncmon [run] [flags] script [args…]` with nothing but asyncmon's own run
 * options, each at most once, spelt as `--help` shows them: read without
 * yargs, which takes about 35 ms to load. Anything else (another command,
 * --help, `--x=y`, a typo) is yargs' to read, errors included.
 */
function quickRun(own: string[]): {args: RunArgs; script: string} | null {
	const script = own[own.length - 1];
	if (!script || script.startsWith('-') || script === 'run' || OTHER_COMMANDS.has(script)) return null;
	const args: RunArgs = {plain: false, redact: true, blockThreshold: 50, exitOnEnd: false, ascii: false};
	const seen = new Set<string>();
	for (let i = 0; i < own.length - 1; i++) {
		const arg = own[i]!;
		if (arg === 'run' && i === 0) continue;
		const key = arg === '--no-redact' ? '--redact' : arg;
		if (seen.has(key)) return null;
		seen.add(key);
		if (arg in FLAGS) {
			Object.assign(args, FLAGS[arg]);
			continue;
		}
		const value = own[i + 1];
		if (!VALUE_OPTIONS.has(arg) || value === undefined || i + 1 === own.length - 1 || value.startsWith('-')) return null;
		i++;
		if (arg === '--record') {
			args.record = value;
			continue;
		}
		const number = Number(value);
		if (value.trim() === '' || Number.isNaN(number)) return null;
		if (arg === '--block-threshold') args.blockThreshold = number;
		else args.failOnBlock = number;
	}
	return {args, script};
}

async function main(): Promise<number> {
	let exitCode = 0;
	const {own, scriptArgs: afterScript} = splitAtScript(process.argv.slice(2));
	const quick = quickRun(own);
	if (quick) return runScript(runOptions(quick.args, quick.script, afterScript));
	const scriptArgs = (_argv: unknown) => afterScript;
	const {default: yargs} = await import('yargs');
	await yargs(own)
		.scriptName('asyncmon')
		.usage('$0 [run] [options] <script> [script args…]\n\nRun a script on an instrumented event loop and watch its tasks live.')
		.command(
			['run <script>', '$0 <script>'],
			'Run a TypeScript or JavaScript script and monitor it',
			command => withRunOptions(command).positional('script', {type: 'string', demandOption: true}),
			async argv => {
				exitCode = await runScript(runOptions(argv, argv.script, scriptArgs(argv)));
			},
		)
		.command(
			'demo [name]',
			'Run a bundled example against the built-in local HTTP server',
			command =>
				withRunOptions(command)
					.positional('name', {type: 'string', describe: 'Which demo (see --list); the HTTP fan-out by default'})
					.option('list', {type: 'boolean', default: false, describe: 'List the demos'}),
			async argv => {
				if (argv.list) {
					for (const demo of DEMOS) process.stdout.write(`${demo.name.padEnd(18)} ${demo.description}\n`);
					return;
				}
				const demo = findDemo(argv.name);
				if (!demo) throw new UsageError(`no demo called '${argv.name}'; try: asyncmon demo --list`);
				const {startDemoServer} = await import('./source/demo/server.js');
				const server = await startDemoServer();
				try {
					exitCode = await runScript({
						...runOptions(argv, examplePath(demo.file), scriptArgs(argv), {[DEMO_URL_ENV]: server.url}),
						scriptName: `examples/${demo.file}`,
					});
				} finally {
					await server.close();
				}
			},
		)
		.command(
			'report <file>',
			'Summarise a recorded session',
			command =>
				command
					.positional('file', {type: 'string', demandOption: true})
					.option('format', {choices: REPORT_FORMATS, default: 'text' as ReportFormat, describe: 'Output format'})
					.option('o', {alias: 'out', type: 'string', describe: 'Write to this file instead of stdout'})
					.option('lenient', {type: 'boolean', default: false, describe: 'Skip corrupt lines instead of failing'}),
			async argv => {
				requireFile(argv.file);
				const [{runReport}, {computeInsights}] = await Promise.all([import('./source/sessions/report-command.js'), import('./source/model/insights.js')]);
				const {warnings} = await runReport({
					file: argv.file,
					format: argv.format,
					out: argv.o,
					lenient: argv.lenient,
					progress: process.stderr.isTTY ? process.stderr : null,
					insights: computeInsights,
				});
				for (const warning of warnings) process.stderr.write(`asyncmon: ${warning}\n`);
			},
		)
		.command(
			'replay <file>',
			'Play a recorded session back in the dashboard',
			command =>
				command
					.positional('file', {type: 'string', demandOption: true})
					.option('speed', {type: 'number', default: 1, describe: 'Playback speed (0.25 to 64); + and - change it while playing'})
					.option('plain', {type: 'boolean', default: false, describe: 'Print the plain-mode lines instead (automatic when stdout is not a terminal)'})
					.option('lenient', {type: 'boolean', default: false, describe: 'Skip corrupt lines instead of failing'})
					.option('ascii', {type: 'boolean', default: false, describe: 'ASCII icons and bars'}),
			async argv => {
				if (!(argv.speed > 0)) throw new UsageError('--speed must be a positive number');
				requireFile(argv.file);
				const {runReplay} = await import('./source/sessions/replay-command.js');
				const {warnings} = await runReplay({
					file: argv.file,
					plain: argv.plain || !process.stdout.isTTY,
					speed: argv.speed,
					lenient: argv.lenient,
					ascii: argv.ascii,
					color,
					stdout: process.stdout,
					stderr: process.stderr,
				});
				for (const warning of warnings) process.stderr.write(`asyncmon: ${warning}\n`);
			},
		)
		.strictCommands()
		.demandCommand(1, 'Name a script to run, e.g. asyncmon examples/06-seed-requests.ts (or try: asyncmon demo)')
		.help()
		.version()
		.fail((message, error) => {
			throw error ?? new UsageError(message ?? 'invalid arguments');
		})
		.parseAsync();
	return exitCode;
}

/** module.registerHooks and undici 8 need 22.19; npm scripts and npx use the pinned node@24. */
function nodeTooOld(): boolean {
	const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
	return major < 22 || (major === 22 && minor < 19);
}

// A reader that went away (`| head`) ends the printing, not the script or its recording.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
	if (error.code !== 'EPIPE') throw error;
});

try {
	if (nodeTooOld()) throw new UsageError(`needs Node.js 22.19 or later, this is ${process.version}; run it as \`npx asyncmon …\` to use the project's Node 24`);
	process.exitCode = await main();
} catch (error) {
	// SessionFileError is known by name: its module is only loaded by the commands that read sessions.
	const known = error instanceof UsageError || (error instanceof Error && error.name === 'SessionFileError');
	const message = error instanceof Error ? error.message : String(error);
	process.stderr.write(`asyncmon: ${known ? message : `internal error: ${message}`}\n`);
	process.exitCode = known ? 1 : 70;
}
