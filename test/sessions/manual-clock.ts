import type {ReplayClock} from '../../source/sessions/replay.js';

/** A clock that moves only when told to, firing due timers in time order. */
export class ManualClock implements ReplayClock {
	private time = 0;
	private nextHandle = 1;
	private readonly timers = new Map<number, {at: number; callback: () => void}>();

	now(): number {
		return this.time;
	}

	setTimeout(callback: () => void, ms: number): unknown {
		const handle = this.nextHandle++;
		this.timers.set(handle, {at: this.time + Math.max(0, ms), callback});
		return handle;
	}

	clearTimeout(handle: unknown): void {
		this.timers.delete(handle as number);
	}

	advance(ms: number): void {
		const until = this.time + ms;
		for (;;) {
			const due = [...this.timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
			if (!due) break;
			this.timers.delete(due[0]);
			this.time = due[1].at;
			due[1].callback();
		}
		this.time = until;
	}

	get pendingTimers(): number {
		return this.timers.size;
	}
}
