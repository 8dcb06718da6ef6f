import {FramePace} from '../model/frame-pace.js';
import type {ModelSource} from '../model/source.js';
import type {ModelState} from '../model/state.js';

/**
 * Five redraws a second while the model changes: figures that change faster cannot be read, and every frame
 * costs the monitor a few milliseconds of drawing (measured on a steady fan-out of 1,500 requests a second in
 * a 140×40 terminal, with the clock's own redraws also only where nothing else redrew: 52–56 % of a core at
 * 15 a second, 34–40 % now). Keys redraw at once.
 */
export const REDRAW_INTERVAL_MS = 200;

/** A live model: events are applied as they come; views hear of it at most every REDRAW_INTERVAL_MS, or less often if drawing is costly (see FramePace). */
export class LiveSource implements ModelSource {
	private readonly listeners = new Set<() => void>();
	private timer: NodeJS.Timeout | null = null;
	private readonly pace = new FramePace(REDRAW_INTERVAL_MS);

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
		}, this.pace.intervalMs);
		// A pending redraw never keeps the monitor alive: plain mode has no view, and the dashboard keeps its own handles.
		this.timer.unref();
	}

	get redrawIntervalMs(): number {
		return this.pace.intervalMs;
	}

	frameDrawn(ms: number): void {
		this.pace.frameDrawn(ms);
	}
}
