#!/usr/bin/env node
import type {Argv} from 'yargs';
import {runCommand} from './source/cli/commands/run.js';
import {main} from './source/cli/main.js';
import {forYargs, quickRunArguments, RUN_OPTIONS, scriptTakenAsValue, splitAtScript, unknownRunOption} from './source/cli/run-arguments.js';
import {UsageError} from './source/cli/usage-error.js';
import {DIFF_OPTIONS, REPORT_OPTIONS} from './source/cli/report-arguments.js';
import {RETENTION_OPTIONS} from './source/cli/retention-arguments.js';
// The other commands (the demo server, reports, replays) are loaded when they run: `asyncmon script.ts` starts without them.

const NO_SCRIPT = 'name a script to run, e.g. asyncmon app.ts (or try: asyncmon demo; see asyncmon --help)';

/** The child's preload (behind its gate, see preload-gate.cts) sits next to this file in dist/ (a module in dist/chunks/ could not say so). */
const PRELOAD = new URL('./preload-gate.cjs', import.meta.url);

function withRunOptions<T>(command: Argv<T>) {
	return command.options(RUN_OPTIONS);
}

await main(async () => {
	let exitCode = 0;
	const {own, scriptArgs} = splitAtScript(process.argv.slice(2));
	const unknown = unknownRunOption(own);
	if (unknown) throw new UsageError(`unknown option ${unknown} (see asyncmon --help; options for the script go after it)`);
	const quick = quickRunArguments(own);
	if (quick) return runCommand(quick.args, {script: quick.script, args: scriptArgs, preload: PRELOAD});
	const {default: yargs} = await import('yargs');
	await yargs(forYargs(own))
		.scriptName('asyncmon')
		.usage('$0 [run] [options] <script> [script args…]\n\nRun a script on an instrumented event loop and watch its tasks live.')
		.command(
			['run <script>', '$0 <script>'],
			'Run a TypeScript or JavaScript script and monitor it',
			command => withRunOptions(command).positional('script', {type: 'string', demandOption: true}),
			async argv => {
				exitCode = await runCommand(argv, {script: argv.script, args: scriptArgs, preload: PRELOAD});
			},
		)
		.command(
			'demo [name]',
			'Run a bundled example against the built-in local HTTP server, at a pace to watch (5 to 15 s; --slow 2 twice as slow)',
			command =>
				withRunOptions(command)
					.positional('name', {type: 'string', describe: 'Which demo (see --list); the HTTP fan-out by default'})
					.option('list', {type: 'boolean', default: false, describe: 'List the demos'})
					.option('slow', {
						type: 'string',
						requiresArg: true,
						default: '1',
						describe: 'Make every wait of the demo this many times as long: 2 is twice as slow, 0.5 twice as fast (0.1 to 10); at 1 a demo lasts 5 to 15 s',
					}),
			async argv => {
				const {demoCommand} = await import('./source/cli/commands/demo.js');
				exitCode = await demoCommand(argv, scriptArgs, PRELOAD);
			},
		)
		.command(
			'report <file>',
			'Summarise a recorded session',
			command =>
				command
					.positional('file', {type: 'string', demandOption: true})
					.options(REPORT_OPTIONS),
			async argv => {
				const {reportCommand} = await import('./source/cli/commands/report.js');
				await reportCommand({file: argv.file, format: argv.format, out: argv.o, lenient: argv.lenient, retain: argv.retain, otlp: argv.otlp});
			},
		)
		.command(
			'diff <before> <after>',
			'Compare two recorded sessions: did the change help?',
			command =>
				command
					.positional('before', {type: 'string', demandOption: true, describe: 'The recording before the change'})
					.positional('after', {type: 'string', demandOption: true, describe: 'The recording after it'})
					.options(DIFF_OPTIONS),
			async argv => {
				const {diffCommand} = await import('./source/cli/commands/diff.js');
				await diffCommand({before: argv.before, after: argv.after, format: argv.format, out: argv.o, lenient: argv.lenient});
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
					.option('ascii', {type: 'boolean', default: false, describe: 'ASCII alone: icons, bars, and a stand-in for every other character shown'})
					.options(RETENTION_OPTIONS),
			async argv => {
				const {replayCommand} = await import('./source/cli/commands/replay.js');
				await replayCommand(argv);
			},
		)
		.command(
			'ps',
			'List the running services started with node --import asyncmon/agent that you can connect to',
			command => command.option('json', {type: 'boolean', default: false, describe: 'Print JSON instead of a table'}),
			async argv => {
				const {psCommand} = await import('./source/cli/commands/ps.js');
				exitCode = await psCommand(argv);
			},
		)
		.command(
			'connect <target>',
			'Open the dashboard on a running service (node --import asyncmon/agent): <pid>, <socket> or <host:port>',
			command =>
				command
					.positional('target', {type: 'string', demandOption: true, describe: 'The service\'s pid (see asyncmon ps), its agent\'s socket, or 127.0.0.1:PORT'})
					.option('plain', RUN_OPTIONS.plain)
					.option('record', RUN_OPTIONS.record)
					.option('ascii', RUN_OPTIONS.ascii)
					.option('otlp', RUN_OPTIONS.otlp)
					.options(RETENTION_OPTIONS)
					.option('token', {type: 'string', describe: 'The agent\'s token, for host:port (read from its file when not given)'}),
			async argv => {
				const {connectCommand} = await import('./source/cli/commands/connect.js');
				exitCode = await connectCommand(argv);
			},
		)
		.strict()
		.demandCommand(1, NO_SCRIPT)
		.help()
		.version()
		.fail((message, error) => {
			// A command's own error passes on; yargs' own (a missing value, say) is the user's mistake, said below.
			if (error && error.name !== 'YError') throw error;
			// yargs' words for a missing script say nothing of what to do.
			if (own[0] === 'diff' && /not enough non-option arguments/i.test(message ?? '')) {
				throw new UsageError('name two recordings: asyncmon diff <before> <after>');
			}
			if (/not enough non-option arguments: got 0/i.test(message ?? '')) {
				if (own[0] === 'connect') throw new UsageError('name a service: asyncmon connect <pid|socket|host:port> (see asyncmon ps)');
				if (own[0] === 'report' || own[0] === 'replay') throw new UsageError(`name a recording: asyncmon ${own[0]} <file>`);
				const taken = scriptTakenAsValue(own);
				if (taken) throw new UsageError(`${taken.option} takes a value, and read '${taken.value}' as it: give its value, then the script (see asyncmon --help)`);
				throw new UsageError(NO_SCRIPT);
			}
			// `Invalid values: Argument: format, Given: "xml", Choices: "text", …` in asyncmon's words.
			const choices = /^Invalid values:\s*Argument: (\S+), Given: (.*), Choices: (.*)$/s.exec(message ?? '');
			if (choices) throw new UsageError(`--${choices[1]} must be one of ${choices[3]!.replace(/\s+/g, ' ')} (got ${choices[2]})`);
			// yargs words some messages over several lines; the error is one.
			const oneLine = (message ?? 'invalid arguments').replace(/\s*\n\s*/g, ' ');
			throw new UsageError(`${oneLine} (see asyncmon --help)`);
		})
		.parseAsync();
	return exitCode;
});
