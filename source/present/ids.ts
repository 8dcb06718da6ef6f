import {laneRootOf} from '../protocol/child-config.js';
import {IDS_PER_PROCESS, IDS_PER_THREAD, laneSlotOf, threadOfId} from '../protocol/events.js';
import type {ModelState} from '../model/state.js';

/**
 * A task's or op's number as the user reads it: `#7`. A worker thread's and a followed process's are counted
 * from their own range (see IDS_PER_THREAD): `#2 in worker 3`, `#4 in pid 4242`, not `#1000000000004`. A
 * followed process is named by its pid, as its lane is, where `state` knows it; else by its place, `process 1`.
 */
export function shownId(id: number, state?: ModelState): string {
	const where = placeOf(id, state);
	return where === null ? `#${id}` : `#${((id - 1) % IDS_PER_PROCESS % IDS_PER_THREAD) + 1} in ${where}`;
}

/** Where a task or op with this id runs, off the script's main thread: `worker 3`, `pid 4242`, `worker 3 of pid 4242`; null on it. */
export function placeOf(id: number, state?: ModelState): string | null {
	const slot = laneSlotOf(id);
	const thread = threadOfId(id);
	if (slot === 0 && thread === 0) return null;
	const root = laneRootOf(id);
	const pid = root === null ? undefined : state?.nodes.get(root)?.process?.pid;
	return [thread > 0 ? `worker ${thread}` : '', slot > 0 ? (pid ? `pid ${pid}` : `process ${slot}`) : ''].filter(Boolean).join(' of ');
}
