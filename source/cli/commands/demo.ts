import {DEMO_URL_ENV, DEMOS, examplePath, findDemo} from '../../demo/catalog.js';
import {startDemoServer} from '../../demo/server.js';
import type {RunArgs} from '../run-arguments.js';
import {UsageError} from '../usage-error.js';
import {runCommand} from './run.js';

export interface DemoArgs extends RunArgs {
	name?: string;
	list: boolean;
}

/** `asyncmon demo [name]`: a bundled example, run against the built-in local HTTP server; or, with --list, the demos. */
export async function demoCommand(args: DemoArgs, scriptArgs: string[], preload: URL): Promise<number> {
	if (args.list) {
		for (const demo of DEMOS) process.stdout.write(`${demo.name.padEnd(18)} ${demo.description}\n`);
		return 0;
	}
	const demo = findDemo(args.name);
	if (!demo) throw new UsageError(`no demo called '${args.name}'; try: asyncmon demo --list`);
	const server = await startDemoServer();
	try {
		return await runCommand(args, {
			script: examplePath(demo.file),
			scriptName: `examples/${demo.file}`,
			args: scriptArgs,
			env: {[DEMO_URL_ENV]: server.url},
			preload,
		});
	} finally {
		await server.close();
	}
}
