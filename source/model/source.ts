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

/** Playback of a recorded session: a replay implements it, the dashboard's replay keys drive it. */
export interface ReplayControls {
	readonly positionMs: number;
	readonly durationMs: number;
	readonly speed: number;
	readonly paused: boolean;
	togglePause(): void;
	faster(): void;
	slower(): void;
	step(deltaMs: number): void;
	seekStart(): void;
	seekEnd(): void;
}
