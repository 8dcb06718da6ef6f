import {DEMO_SLOW_ENV, DEMO_URL_ENV, DEMOS, examplePath, findDemo, packageRoot, SLOW_RANGE} from '../../demo/catalog.js';
import {startDemoServer} from '../../demo/server.js';
import type {RunArgs} from '../run-arguments.js';
import {UsageError} from '../usage-error.js';
import {runCommand} from './run.js';

export interface DemoArgs extends RunArgs {
	name?: string;
	list: boolean;
	/** Every wait of the demo is this many times as long: a number as given. */
	slow: string;
}

/** `asyncmon demo [name]`: a bundled example, run against the built-in local HTTP server; or, with --list, the demos. */
export async function demoCommand(args: DemoArgs, scriptArgs: string[], preload: URL): Promise<number> {
	if (args.list) {
		for (const demo of DEMOS) process.stdout.write(`${demo.name.padEnd(18)} ${demo.description}\n`);
		return 0;
	}
	const demo = findDemo(args.name);
	if (!demo) throw new UsageError(`no demo called '${args.name}'; try: asyncmon demo --list`);
	const slow = slowFactor(args.slow);
	const server = await startDemoServer();
	try {
		return await runCommand(args, {
			script: examplePath(demo.file),
			scriptName: `examples/${demo.file}`,
			// Run from asyncmon's package, as its name says: every place it tells (a task's, an await's, a block's) reads `examples/…`.
			cwd: packageRoot(),
			args: scriptArgs,
			env: {[DEMO_URL_ENV]: server.url, [DEMO_SLOW_ENV]: String(slow)},
			preload,
		});
	} finally {
		await server.close();
	}
}

function slowFactor(text: string): number {
	const factor = Number(text);
	if (text.trim() === '' || !(factor >= SLOW_RANGE.min && factor <= SLOW_RANGE.max)) {
		throw new UsageError(`--slow must be a factor from ${SLOW_RANGE.min} to ${SLOW_RANGE.max} (2: twice as slow, 0.5: twice as fast); got '${text}'`);
	}
	return factor;
}
