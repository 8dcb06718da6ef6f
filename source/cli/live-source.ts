import type {ModelSource} from '../model/source.js';
import type {ModelState} from '../model/state.js';

/**
 * Five redraws a second while the model changes: figures that change faster cannot be read, and every frame
 * costs the monitor a few milliseconds of drawing (measured on a steady fan-out of 1,500 requests a second in
 * a 140×40 terminal, with the clock's own redraws also only where nothing else redrew: 52–56 % of a core at
 * 15 a second, 34–40 % now). Keys redraw at once.
 */
export const REDRAW_INTERVAL_MS = 200;
/**
 * The share of a core the drawing of frames may take: a view whose frames cost more is notified less often, up to
 * MAX_REDRAW_INTERVAL_MS apart. What the view reports is a frame's whole cost: the building of its lines and
 * Ink's layout and output of them (140×40: the demo 13-15 ms a frame, so about four a second; a steady fan-out of
 * 1,500 requests a second keeping 10,000 tasks, 24-34 ms, about two a second).
 */
export const DRAWING_SHARE = 0.05;
export const MAX_REDRAW_INTERVAL_MS = 1000;
/** How much of the frame cost's running average the latest frame makes: a frame or two out of the ordinary moves it little. */
const LATEST_FRAME_WEIGHT = 0.2;

/** A live model: events are applied as they come; views hear of it at most every REDRAW_INTERVAL_MS, or less often if drawing is costly. */
export class LiveSource implements ModelSource {
	private readonly listeners = new Set<() => void>();
	private timer: NodeJS.Timeout | null = null;
	private frameMs: number | null = null;
	private intervalMs = REDRAW_INTERVAL_MS;

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
		}, this.intervalMs);
		// A pending redraw never keeps the monitor alive: plain mode has no view, and the dashboard keeps its own handles.
		this.timer.unref();
	}

	get redrawIntervalMs(): number {
		return this.intervalMs;
	}

	frameDrawn(ms: number): void {
		this.frameMs = this.frameMs === null ? ms : this.frameMs + LATEST_FRAME_WEIGHT * (ms - this.frameMs);
		this.intervalMs = Math.min(MAX_REDRAW_INTERVAL_MS, Math.max(REDRAW_INTERVAL_MS, this.frameMs / DRAWING_SHARE));
	}
}
