import type {ModelState} from './state.js';

/**
 * A model that changes over time (a live run or a replay). Views read
 * `state` when notified; notifications are throttled by the owner, so a
 * view may redraw on every one.
 */
export interface ModelSource {
	readonly state: ModelState;
	subscribe(listener: () => void): () => void;
}
