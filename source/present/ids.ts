import {laneRootOf} from '../protocol/child-config.js';
import {IDS_PER_PROCESS, IDS_PER_THREAD, laneSlotOf} from '../protocol/events.js';
import type {ModelState} from '../model/state.js';

/**
 * A task's or op's number as the user reads it: `#7`. A worker thread's and a followed process's are counted
 * from their own range (see IDS_PER_THREAD): `#2 in worker 3`, `#4 in pid 4242`, not `#1000000000004`. A
 * followed process is named by its pid, as its lane is, where `state` knows it; else by its place, `process 1`.
 */
export function shownId(id: number, state?: ModelState): string {
	const slot = laneSlotOf(id);
	const inProcess = (id - 1) % IDS_PER_PROCESS;
	const thread = Math.floor(inProcess / IDS_PER_THREAD);
	if (slot === 0 && thread === 0) return `#${id}`;
	const root = laneRootOf(id);
	const pid = root === null ? undefined : state?.nodes.get(root)?.process?.pid;
	const where = [thread > 0 ? `worker ${thread}` : '', slot > 0 ? (pid ? `pid ${pid}` : `process ${slot}`) : ''].filter(Boolean).join(' of ');
	return `#${(inProcess % IDS_PER_THREAD) + 1} in ${where}`;
}
