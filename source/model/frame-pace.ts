/**
 * The share of a core the drawing of frames may take: a view whose frames cost more is notified less often, up to
 * MAX_REDRAW_INTERVAL_MS apart. What the view reports is a frame's whole cost: the building of its lines and
 * Ink's layout and output of them (140×40: the demo 10-14 ms a frame, so about three a second; a steady fan-out of
 * 1,500 requests a second keeping 10,000 tasks, 22-34 ms, about one and a half).
 */
export const DRAWING_SHARE = 0.05;
export const MAX_REDRAW_INTERVAL_MS = 1000;
/** How much of the frame cost's running average the latest frame makes: a frame or two out of the ordinary moves it little. */
const LATEST_FRAME_WEIGHT = 0.2;

/** How far apart a source's notifications come, from what the frames they cause cost: a live run's and a replay's. */
export class FramePace {
	private frameMs: number | null = null;
	private interval: number;

	/** `minIntervalMs`: the most often a source notifies when frames are cheap. */
	constructor(private readonly minIntervalMs: number) {
		this.interval = minIntervalMs;
	}

	get intervalMs(): number {
		return this.interval;
	}

	frameDrawn(ms: number): void {
		this.frameMs = this.frameMs === null ? ms : this.frameMs + LATEST_FRAME_WEIGHT * (ms - this.frameMs);
		this.interval = Math.min(MAX_REDRAW_INTERVAL_MS, Math.max(this.minIntervalMs, this.frameMs / DRAWING_SHARE));
	}
}
