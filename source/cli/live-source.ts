import type {ModelSource} from '../model/source.js';
import type {ModelState} from '../model/state.js';

/** About 15 redraws a second: smooth to the eye, cheap for the monitor. */
export const REDRAW_INTERVAL_MS = 66;

/** A live model: events are applied as they come; views hear of it at most every REDRAW_INTERVAL_MS. */
export class LiveSource implements ModelSource {
	private readonly listeners = new Set<() => void>();
	private timer: NodeJS.Timeout | null = null;

	constructor(readonly state: ModelState) {}

	subscribe(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	changed(): void {
		if (this.timer) return;
		this.timer = setTimeout(() => {
			this.timer = null;
			for (const listener of this.listeners) listener();
		}, REDRAW_INTERVAL_MS);
		// A pending redraw never keeps the monitor alive: plain mode has no view, and the dashboard keeps its own handles.
		this.timer.unref();
	}
}
