/** How long a script asked to stop by SIGTERM or SIGHUP may take before it is killed. */
export const KILL_GRACE_MS = 2000;

export interface Signalable {
	signal(signal: NodeJS.Signals): void;
}

/**
 * How signals reach the script, in plain mode, in the dashboard and while it compiles alike (README,
 * "Signals"): the first is forwarded, so the script's own handlers run; a second Ctrl-C, or 2 s after a
 * SIGTERM or SIGHUP, ends it with SIGKILL. A script stuck in synchronous code cannot run its handlers,
 * and must still be stoppable.
 */
export class StopRule {
	private interrupted = false;
	private deadline: NodeJS.Timeout | null = null;

	constructor(
		private readonly script: Signalable,
		/** The script shares asyncmon's terminal: a Ctrl-C typed there reached it already, and must not twice. */
		private readonly sharesTerminal = false,
	) {}

	deliver(signal: NodeJS.Signals): void {
		if (signal === 'SIGINT') {
			if (this.interrupted) this.script.signal('SIGKILL');
			else if (!this.sharesTerminal) this.script.signal('SIGINT');
			this.interrupted = true;
			return;
		}
		this.script.signal(signal);
		this.deadline ??= setTimeout(() => this.script.signal('SIGKILL'), KILL_GRACE_MS);
		// The session's own end lets the monitor go; a pending kill never holds it.
		this.deadline.unref();
	}

	/** The script ended: nothing is left to kill. */
	dispose(): void {
		if (this.deadline) clearTimeout(this.deadline);
	}
}
