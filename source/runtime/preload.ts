import {createRequire} from 'node:module';
import {isMainThread} from 'node:worker_threads';
import {CHILD_CONFIG_ENV, type ChildConfig} from '../protocol/child-config.js';
import type {ScriptProcess} from './thread-setup.js';
import {startWatchdog, watchdogSettings} from './watchdog-start.js';

/**
 * The child's preload (`node --require preload script`), also inherited by the script's worker threads and
 * given to the Node processes it starts (see thread-setup.ts). In the script's own process its first act is
 * to start the watchdog thread, which then boots while the rest of asyncmon loads (see startWatchdog): so
 * this module imports only what that takes, and loads the rest once the thread is on its way.
 *
 * Required, not imported (`--import`): given an --import, Node runs even a CommonJS entry through its ES
 * loader, inside a promise job, where the script's process.nextTick callbacks run after its promise callbacks
 * instead of before, and its `module` reads as an imported one's (`module.id`, `module.parent`). So this module
 * never awaits (a required ES module may not), and loads the rest with require() too.
 */
const script = isMainThread ? scriptProcess() : null;
const {setUpThread} = createRequire(import.meta.url)('./thread-setup.js') as typeof import('./thread-setup.js');
setUpThread(import.meta.url, script);

/** The script's process as the monitor started it; null in a followed process (its lane decides) or outside asyncmon. */
function scriptProcess(): ScriptProcess | null {
	const text = process.env[CHILD_CONFIG_ENV];
	const config = text === undefined ? null : (JSON.parse(text) as ChildConfig);
	if (!config || config.lane) return null;
	const startedAt = performance.timeOrigin + performance.now();
	const settings = watchdogSettings({blockThresholdMs: config.blockThresholdMs, startedAt}, config.watchdogFd, config.monitorPid, 0);
	return {config, startedAt, watchdog: startWatchdog(new URL('.', import.meta.url), settings)};
}
