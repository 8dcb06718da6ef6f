import {dirname, relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import {isMainThread} from 'node:worker_threads';
import {CHILD_CONFIG_ENV, isChildNodeFlag, type ChildConfig} from '../protocol/child-config.js';
import {restoreChildEnvironment} from './follow.js';
import {instrumentThread} from './instrument.js';
import type {RunningWatchdog} from './watchdog-start.js';

/** The script's process: its config, and the watchdog its preload started first (see startWatchdog). */
export interface ScriptProcess {
	config: ChildConfig;
	startedAt: number;
	watchdog: RunningWatchdog;
}

let threadSetUp = false;

/**
 * What the entries run first in the child process of `asyncmon app.js` (`node --require preload script`), in
 * each worker thread the script starts, and in each Node process it starts, followed (NODE_OPTIONS, see
 * follow.ts): it installs the instrumentation, whose events go to the monitor, then Node runs the script (or
 * the worker's code) exactly as `node` would. `entry` is the URL of the entry in dist/ that runs this.
 */
export function setUpThread(entry: string, script: ScriptProcess | null): void {
	// A worker made from a string runs the preload it inherited, then its stub's (see eval-worker.ts): once is all.
	if (threadSetUp) return;
	threadSetUp = true;
	const runtimeDirectory = dirname(fileURLToPath(entry));
	if (isMainThread) {
		const text = process.env[CHILD_CONFIG_ENV];
		const child = script?.config ?? (text === undefined ? null : (JSON.parse(text) as ChildConfig));
		if (child?.lane) {
			// A followed process: it sees the environment its parent gave it, and runs unwatched if its lane is not its own.
			const lane = restoreChildEnvironment(child);
			const main = process.argv[1] ?? '';
			if (lane) instrumentThread(entry, {...child, script: main, scriptName: relative(process.cwd(), main), startedAt: lane.startedAt, agent: null});
		} else if (child && script) {
			// The script sees the environment and the Node options it was given, not asyncmon's plumbing.
			delete process.env[CHILD_CONFIG_ENV];
			for (const name of child.addedEnv ?? []) delete process.env[name];
			withoutOwnFlags(process.execArgv, runtimeDirectory, true);
			instrumentThread(entry, {...child, startedAt: script.startedAt, agent: null}, undefined, script.watchdog);
		}
	} else {
		// A worker given execArgv of its own reads them as given, without the preload's --require put first (see attributeWorkers).
		withoutOwnFlags(process.execArgv, runtimeDirectory, false);
		instrumentThread(entry, null);
	}
}

/**
 * Takes asyncmon's own flags out of `execArgv`: the `--require`s and `--import`s of files in `runtimeDirectory` and, in the
 * script's process, the options the monitor started it with (childNodeFlags). The script reads `[]` as under
 * node, and a process it forks with the default execArgv starts as node would start it instead of loading a
 * preload with no config. Worker threads still get the preload: they inherit the options Node parsed, not this
 * array; a worker given execArgv of its own keeps all of them but the preload's.
 */
function withoutOwnFlags(execArgv: string[], runtimeDirectory: string, startedByMonitor: boolean): void {
	for (let i = execArgv.length - 1; i >= 0; i--) {
		const flag = execArgv[i]!;
		if ((flag === '--require' || flag === '--import') && dirname(execArgv[i + 1] ?? '') === runtimeDirectory) execArgv.splice(i, 2);
		else if (startedByMonitor && isChildNodeFlag(flag)) execArgv.splice(i, 1);
	}
}
