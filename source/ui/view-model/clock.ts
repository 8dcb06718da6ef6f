import type {Ms} from '../../protocol/events.js';
import type {ModelState} from '../../model/state.js';
import {sessionEnd} from '../../model/summary.js';
import type {ReplayStatus} from './header.js';

/**
 * The instant the frame shows. A live script's clock keeps running between
 * events (most of all while its loop is blocked and it sends none), so it is
 * read from the wall clock against the header's start; a replay shows its
 * playback position; an ended session stops where the summary and the reports
 * end it: where the script began to exit (its process ends later, after its
 * exit listeners and teardown: 170 ms under a busy dashboard, and what it cut
 * off would run on as long in the rows and the timeline), or its process's end.
 */
export function viewNow(state: ModelState, replay: ReplayStatus | undefined, wallNowMs: number): Ms {
	if (state.exit) return sessionEnd(state);
	if (replay) return replay.positionMs;
	if (!state.header) return state.nowMs;
	return Math.max(state.nowMs, wallNowMs - state.header.startedAt);
}
