import childProcess from 'node:child_process';
import {syncBuiltinESMExports} from 'node:module';
import type {Tracker} from '../tracker.js';

const STARTS = ['spawn', 'fork', 'exec', 'execFile', 'spawnSync', 'execSync', 'execFileSync'] as const;

/**
 * The script's own writes reach the monitor as events, a flush at a time; a child that inherits stdout writes
 * to the pipe at once. So what the script printed before starting a child is flushed first: under node, the
 * child's output comes after it, and so it does under asyncmon.
 */
export function flushBeforeChildProcesses(tracker: Tracker): void {
	const module = childProcess as unknown as Record<string, (...args: unknown[]) => unknown>;
	for (const name of STARTS) {
		const original = module[name]!;
		module[name] = {
			[name](this: unknown, ...args: unknown[]) {
				// Inside the script's own code, as a full buffer is: waits that began a moment ago are not yet shown.
				tracker.flush(true);
				return original.apply(this, args);
			},
		}[name]!;
	}
	syncBuiltinESMExports();
}
