import type {Ms} from '../../protocol/events.js';
import type {ModelState} from '../../model/state.js';
import type {ReplayStatus} from './header.js';

/**
 * The instant the frame shows. A live script's clock keeps running between
 * events (most of all while its loop is blocked and it sends none), so it is
 * read from the wall clock against the header's start; a replay shows its
 * playback position; an ended session stops at its exit.
 */
export function viewNow(state: ModelState, replay: ReplayStatus | undefined, wallNowMs: number): Ms {
	if (state.exit) return state.exit.t;
	if (replay) return replay.positionMs;
	if (!state.header) return state.nowMs;
	return Math.max(state.nowMs, wallNowMs - state.header.startedAt);
}
