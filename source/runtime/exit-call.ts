import type {ExitCall} from '../protocol/events.js';
import {userCallSite} from './caller.js';

/**
 * Notes the script's call of process.exit() in its main thread, and where its own code made it: the tasks still
 * waiting then were cut off by that call, where a process that ran out of work leaves them hanging. The call goes
 * on to Node's own process.exit as it came. Returns what the 'exit' listener reads: the first call, if any.
 */
export function watchExitCalls(cwd: string): () => ExitCall | undefined {
	let call: ExitCall | undefined;
	const nodesExit = process.exit;
	process.exit = function exit(this: unknown, code?: number | string | null): never {
		// The first call decides; one made by an 'exit' listener of the script's ends the process at once, as under node.
		call ??= {site: userCallSite(exit, cwd)};
		return nodesExit.call(this, code);
	};
	return () => call;
}
