import type {StopSignal} from '../protocol/events.js';

/** How long a script asked to stop by SIGTERM or SIGHUP may take before it is killed. */
export const KILL_GRACE_MS = 2000;
/** How often, once a stop signal came, the rule looks whether the script is stuck without a handler for it. */
export const STUCK_CHECK_MS = 100;

export interface Signalable {
	/** `group`: to the processes the script started as well (see TERMINAL_SIGNALS). */
	signal(signal: NodeJS.Signals, group?: boolean): void;
}

/**
 * What a terminal sends, a Ctrl-C and a hangup, node gets with every process in its process group, those it
 * started too: so do the script and those it started, wherever asyncmon took the signal from (the dashboard's
 * keys, a terminal of its own). A SIGTERM, as `kill PID` sends it to node, goes to the script alone.
 */
const TERMINAL_SIGNALS: ReadonlySet<StopSignal> = new Set(['SIGINT', 'SIGHUP']);

/** The script as its session reads it: whether it is stuck in synchronous code (see ChildSession). */
export interface Stoppable {
	stuckWithoutHandler(signal: StopSignal): boolean;
	endFor(signal: StopSignal): void;
}

/**
 * How signals reach the script, in plain mode, in the dashboard and while it compiles alike (README,
 * "Signals"): the first is forwarded, so the script's own handlers run; a second Ctrl-C, or 2 s after a
 * SIGTERM or SIGHUP, ends it with SIGKILL. A script stuck in synchronous code cannot run its handlers,
 * and must still be stoppable: one stuck with no handler of its own for the signal is ended at once, as
 * node would have ended it, since asyncmon's own handler (which sends what is buffered first) cannot run.
 */
export class StopRule {
	private interrupted = false;
	private deadline: NodeJS.Timeout | null = null;
	private stuckCheck: NodeJS.Timeout | null = null;
	/** The stop signals delivered so far, each of which ends a script found stuck without a handler for it. */
	private readonly delivered = new Set<StopSignal>();
	private session: Stoppable | null = null;

	constructor(
		private readonly script: Signalable,
		/** The script shares asyncmon's terminal: a Ctrl-C typed there reached it already, and must not twice. */
		private readonly sharesTerminal = false,
	) {}

	/** The session reading the script: from now on a stuck script is seen (see Stoppable). */
	attach(session: Stoppable): void {
		this.session = session;
	}

	/** `group`: to the processes the script started too; by default for what a terminal sends (see TERMINAL_SIGNALS). */
	deliver(signal: StopSignal, group = TERMINAL_SIGNALS.has(signal)): void {
		if (signal === 'SIGINT') {
			if (this.interrupted) this.script.signal('SIGKILL', group);
			else if (!this.sharesTerminal) this.script.signal('SIGINT', group);
			this.interrupted = true;
		} else {
			this.script.signal(signal, group);
			this.deadline ??= setTimeout(() => this.script.signal('SIGKILL', group), KILL_GRACE_MS);
			// The session's own end lets the monitor go; a pending kill never holds it.
			this.deadline.unref();
		}
		this.endIfStuck(signal);
	}

	/** The script ended: nothing is left to kill. */
	dispose(): void {
		if (this.deadline) clearTimeout(this.deadline);
		if (this.stuckCheck) clearInterval(this.stuckCheck);
	}

	/** Now, and until the script ends: a block may be under way that its watchdog has not reported yet. */
	private endIfStuck(signal: StopSignal): void {
		this.delivered.add(signal);
		if (this.endForAnyDelivered() || this.stuckCheck) return;
		this.stuckCheck = setInterval(() => {
			if (this.endForAnyDelivered()) clearInterval(this.stuckCheck!);
		}, STUCK_CHECK_MS);
		this.stuckCheck.unref();
	}

	private endForAnyDelivered(): boolean {
		const session = this.session;
		const signal = session && [...this.delivered].find(delivered => session.stuckWithoutHandler(delivered));
		if (!signal) return false;
		session.endFor(signal);
		return true;
	}
}
