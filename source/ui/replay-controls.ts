import type {ReplayControls} from '../model/source.js';

/** What the dashboard's replay keys ask of a replay. */
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
