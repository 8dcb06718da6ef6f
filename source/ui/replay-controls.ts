/** Playback of a recorded session, driven by the dashboard's replay keys. */
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

export type ReplayAction = 'togglePause' | 'faster' | 'slower' | 'stepForward' | 'stepBack' | 'seekStart' | 'seekEnd';

/** `.` and `,` move playback by one second. */
export const REPLAY_STEP_MS = 1000;

export function runReplayAction(controls: ReplayControls, action: ReplayAction): void {
	switch (action) {
		case 'togglePause':
			return controls.togglePause();
		case 'faster':
			return controls.faster();
		case 'slower':
			return controls.slower();
		case 'stepForward':
			return controls.step(REPLAY_STEP_MS);
		case 'stepBack':
			return controls.step(-REPLAY_STEP_MS);
		case 'seekStart':
			return controls.seekStart();
		case 'seekEnd':
			return controls.seekEnd();
	}
}
