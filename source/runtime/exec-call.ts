import {recordedText} from './redact.js';
import type {Tracker} from './tracker.js';

type Execve = (file: string, args?: readonly string[], env?: NodeJS.ProcessEnv) => never;

/**
 * `process.execve()` (Node 22.15 and 23.11 on) replaces the process's program, as TypeScript 7's `tsc` hands over
 * to its native compiler: no code of the script's runs after it, no 'exit' listener either. What is buffered goes
 * out first, with a notice of what the process became; otherwise the session would end on a run of no tasks and no
 * block with nothing to say why. `whose`: the process, as the notice names it.
 */
export function watchExecve(tracker: Tracker, whose: string): void {
	const nodes = (process as {execve?: Execve}).execve;
	if (typeof nodes !== 'function') return;
	(process as {execve?: Execve}).execve = function execve(this: unknown, file: string, args?: readonly string[], env?: NodeJS.ProcessEnv): never {
		tracker.emit({type: 'notice', t: performance.now(), message: `${whose} became ${recordedText(String(file))} (process.execve): asyncmon sees no more of what it runs, only when it ends`});
		tracker.flushNow();
		return nodes.call(this, file, args, env);
	};
}
