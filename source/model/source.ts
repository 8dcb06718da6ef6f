import type {ModelState} from './state.js';

/**
 * A model that changes over time (a live run or a replay). Views read
 * `state` when notified; notifications are throttled by the owner, so a
 * view may redraw on every one.
 */
export interface ModelSource {
	readonly state: ModelState;
	subscribe(listener: () => void): () => void;
	/** How long the view took to draw its latest frame, ms: a live source spaces its notifications by it. */
	frameDrawn?(ms: number): void;
	/** How far apart notifications come at most often now, ms: the view's clock redraws no more often. */
	readonly redrawIntervalMs?: number;
}

/** Playback of a recorded session: a replay implements it, the dashboard's replay keys drive it. */
export interface ReplayControls {
	readonly positionMs: number;
	readonly durationMs: number;
	readonly speed: number;
	readonly paused: boolean;
	/** While the recording is still being read (playback starts before it is): how much of it is, 0..1; null once it all is. */
	readonly indexing: number | null;
	/** Why the recording was read only up to `durationMs` (a corrupt line), if it was. */
	readonly readProblem: string | null;
	togglePause(): void;
	faster(): void;
	slower(): void;
	step(deltaMs: number): void;
	seekStart(): void;
	seekEnd(): void;
}
