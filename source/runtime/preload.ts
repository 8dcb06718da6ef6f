import {dirname, relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import {isMainThread} from 'node:worker_threads';
import {CHILD_CONFIG_ENV, type ChildConfig} from '../protocol/child-config.js';
import {restoreChildEnvironment} from './follow.js';
import {instrumentThread} from './instrument.js';

/** For the stub of a worker made from a string, which loads this module with require() and calls it. */
export {evalWorkerScript} from './instrument.js';

const runtimeDirectory = dirname(fileURLToPath(import.meta.url));

/**
 * Runs first in the child process of `asyncmon app.js` (`node --import preload script`), in each worker
 * thread the script starts, and in each Node process it starts, followed (NODE_OPTIONS, see follow.ts): it
 * installs the instrumentation, whose events go to the monitor, then Node runs the script (or the worker's
 * code) exactly as `node` would.
 */
if (isMainThread) {
	const text = process.env[CHILD_CONFIG_ENV];
	const child = text === undefined ? null : (JSON.parse(text) as ChildConfig);
	if (child?.lane) {
		// A followed process: it sees the environment its parent gave it, and runs unwatched if its lane is not its own.
		const lane = restoreChildEnvironment(child);
		const script = process.argv[1] ?? '';
		if (lane) instrumentThread(import.meta.url, {...child, script, scriptName: relative(process.cwd(), script), startedAt: lane.startedAt, agent: null});
	} else if (child) {
		// The script sees the environment and the Node options it was given, not asyncmon's plumbing.
		delete process.env[CHILD_CONFIG_ENV];
		for (const name of child.addedEnv ?? []) delete process.env[name];
		withoutOwnFlags(process.execArgv);
		instrumentThread(import.meta.url, {...child, startedAt: performance.timeOrigin + performance.now(), agent: null});
	}
} else {
	// A worker given execArgv of its own reads them as given, without the preload's --import put first (see attributeWorkers).
	withoutOwnFlags(process.execArgv);
	instrumentThread(import.meta.url, null);
}

/**
 * Takes asyncmon's own flags out of `execArgv` (the `--import`s of files beside this one, and the
 * AsyncContextFrame switch the monitor adds on Node 22): the script reads `[]` as under node, and a process it
 * forks with the default execArgv starts as node would start it instead of loading a preload with no config.
 * Worker threads still get the preload: they inherit the options Node parsed, not this array.
 */
function withoutOwnFlags(execArgv: string[]): void {
	for (let i = execArgv.length - 1; i >= 0; i--) {
		const flag = execArgv[i]!;
		if (flag === '--import' && dirname(execArgv[i + 1] ?? '') === runtimeDirectory) execArgv.splice(i, 2);
		else if (flag === '--experimental-async-context-frame' && Number(process.versions.node.split('.')[0]) < 24) execArgv.splice(i, 1);
	}
}
