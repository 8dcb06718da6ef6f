import type {ProtocolLine, StopSignal} from '../protocol/events.js';

/**
 * Whether the script's main thread is stuck in synchronous code, as its watchdog reports it while it lasts,
 * and which stop signals the script listens to itself. A stuck script runs no handler, asyncmon's own (which
 * sends what is buffered, then lets the signal end it) included: a signal it does not listen to would have
 * ended it at once under node.
 */
export class StuckLoop {
	private open: {id: number; handles: readonly StopSignal[]} | null = null;
	/** How many times the script's own handler for each stop signal ran (its `signal` events). */
	private readonly handled = new Map<StopSignal, number>();

	/** An event of the script's own process (not a followed process's lane). */
	see(line: ProtocolLine): void {
		// Only the watchdog's start of a block says what the script handles; the main thread's come once it is over.
		if (line.type === 'block.start' && line.handles) this.open = {id: line.id, handles: line.handles};
		else if (line.type === 'block.end' && line.id === this.open?.id) this.open = null;
		else if (line.type === 'signal') this.handled.set(line.signal, this.handledTimes(line.signal) + 1);
	}

	/** How many times the script's own handler for `signal` ran so far: once it ran after a delivery, that signal was the script's to act on. */
	handledTimes(signal: StopSignal): number {
		return this.handled.get(signal) ?? 0;
	}

	/** Stuck now, whatever it handles. */
	get blocked(): boolean {
		return this.open !== null;
	}

	/** Stuck now, with no handler of its own for `signal`. */
	withoutHandlerFor(signal: StopSignal): boolean {
		return this.open !== null && !this.open.handles.includes(signal);
	}
}
