#!/usr/bin/env node
import {existsSync, statSync} from 'node:fs';
import type {Argv} from 'yargs';
import {runScript, type RunOptions} from './source/monitor/run-command.js';
import {UsageError} from './source/monitor/usage-error.js';
import {DEMO_URL_ENV, DEMOS, examplePath, findDemo} from './source/demo/catalog.js';
import {REPORT_FORMATS, type ReportFormat} from './source/sessions/report-formats.js';
import {quickRunArguments, RUN_OPTIONS, splitAtScript, unknownRunOption, type RunArgs} from './source/cli/run-arguments.js';
// The demo server, reports and replays are loaded when their command runs: `asyncmon script.ts` starts without them.

const NO_SCRIPT = 'name a script to run, e.g. asyncmon app.ts (or try: asyncmon demo; see asyncmon --help)';

/** The child's preload sits next to this file in dist/. */
const PRELOAD = new URL('./preload.js', import.meta.url);

const color = !('NO_COLOR' in process.env) && process.stdout.isTTY === true;

function withRunOptions<T>(command: Argv<T>) {
	return command.options(RUN_OPTIONS);
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

async function main(): Promise<number> {
	let exitCode = 0;
	const {own, scriptArgs: afterScript} = splitAtScript(process.argv.slice(2));
	const unknown = unknownRunOption(own);
	if (unknown) throw new UsageError(`unknown option ${unknown} (see asyncmon --help; options for the script go after it)`);
	const quick = quickRunArguments(own);
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
		.strict()
		.demandCommand(1, NO_SCRIPT)
		.help()
		.version()
		.fail((message, error) => {
			if (error) throw error;
			// yargs' words for a missing script say nothing of what to do.
			if (/not enough non-option arguments: got 0/i.test(message ?? '')) {
				throw new UsageError(own[0] === 'report' || own[0] === 'replay' ? `name a recording: asyncmon ${own[0]} <file>` : NO_SCRIPT);
			}
			// yargs words some messages over several lines; the error is one.
			const oneLine = (message ?? 'invalid arguments').replace(/\s*\n\s*/g, ' ');
			throw new UsageError(`${oneLine} (see asyncmon --help)`);
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
