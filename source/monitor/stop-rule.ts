import {KILL_GRACE_MS, type ForcedKill, type StopSignal} from '../protocol/events.js';
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
	/** Stuck in synchronous code now: no handler of the script's can run. */
	isStuck(): boolean;
	stuckWithoutHandler(signal: StopSignal): boolean;
	/** How many times the script's own handler for `signal` ran so far. */
	handledTimes(signal: StopSignal): number;
	endFor(signal: StopSignal): void;
	/** asyncmon is about to send the script SIGKILL, for this reason: said in its exit. */
	forcing(kill: ForcedKill): void;
}

/**
 * How signals reach the script, in plain mode, in the dashboard and while it compiles alike (README,
 * "Signals"): each is forwarded, so the script's own handlers run, and it takes as long as they take, as under
 * node (a graceful shutdown drains for as long as its process manager allows). The same Ctrl-C again ends it with
 * SIGKILL (a user who wants it over), and the same SIGTERM again while it is stuck, where its handler cannot run; a
 * SIGTERM again otherwise reaches its handler again, as under node (a supervisor's, a `kill` loop's). So does the end
 * of KILL_GRACE_MS after a hangup (the terminal is gone) or after
 * the dashboard was quit. A script stuck in synchronous code cannot run its handlers, and must still be
 * stoppable: one stuck with no handler of its own for the signal is ended at once, as node would have ended
 * it, since asyncmon's own handler (which sends what is buffered first) cannot run. Every SIGKILL of
 * asyncmon's is said in the script's exit.
 */
export class StopRule {
	/** The stop signals asyncmon got so far: the same one again forces the end. */
	private readonly received = new Set<StopSignal>();
	private deadline: NodeJS.Timeout | null = null;
	private stuckCheck: NodeJS.Timeout | null = null;
	/**
	 * The stop signals delivered and not yet taken by a handler of the script's, each with how many times its handler
	 * had run before: each ends a script found stuck without a handler for it. One its handler took is the script's,
	 * as under node: a `process.once` handler that then computes (its shutdown) has no handler left, and must finish.
	 */
	private readonly delivered = new Map<StopSignal, number>();
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

	/** A stop signal asyncmon got (or a Ctrl-C in the dashboard): to the processes the script started too for what a terminal sends (see TERMINAL_SIGNALS). */
	deliver(signal: StopSignal): void {
		const group = TERMINAL_SIGNALS.has(signal);
		if (this.received.has(signal) && signal !== 'SIGHUP' && (signal === 'SIGINT' || this.session?.isStuck())) {
			this.kill({after: signal, because: 'again'}, group);
			return;
		}
		this.received.add(signal);
		if (!(signal === 'SIGINT' && this.sharesTerminal)) this.script.signal(signal, group);
		if (signal === 'SIGHUP') this.killLater({after: signal, because: 'grace'}, group);
		this.endIfStuck(signal);
	}

	/** The dashboard was quit while the script runs: it ends, with what it started, as closing its terminal would end them. */
	quit(): void {
		// Said in its exit, should this SIGTERM end it (see ChildSession).
		this.session?.forcing({after: 'SIGTERM', because: 'quit'});
		this.script.signal('SIGTERM', true);
		this.killLater({after: 'SIGTERM', because: 'quit'}, true);
		this.endIfStuck('SIGTERM');
	}

	private kill(kill: ForcedKill, group: boolean): void {
		this.session?.forcing(kill);
		this.script.signal('SIGKILL', group);
	}

	private killLater(kill: ForcedKill, group: boolean): void {
		this.deadline ??= setTimeout(() => this.kill(kill, group), KILL_GRACE_MS);
		// The session's own end lets the monitor go; a pending kill never holds it.
		this.deadline.unref();
	}

	/** The script ended: nothing is left to kill. */
	dispose(): void {
		if (this.deadline) clearTimeout(this.deadline);
		if (this.stuckCheck) clearInterval(this.stuckCheck);
	}

	/** Now, and until the script ends or its handlers took every signal delivered: a block may be under way that its watchdog has not reported yet. */
	private endIfStuck(signal: StopSignal): void {
		this.delivered.set(signal, this.session?.handledTimes(signal) ?? 0);
		if (this.endForAnyDelivered() || this.stuckCheck) return;
		this.stuckCheck = setInterval(() => {
			if (!this.endForAnyDelivered() && this.delivered.size > 0) return;
			clearInterval(this.stuckCheck!);
			this.stuckCheck = null;
		}, STUCK_CHECK_MS);
		this.stuckCheck.unref();
	}

	private endForAnyDelivered(): boolean {
		const session = this.session;
		if (!session) return false;
		for (const [signal, handledBefore] of this.delivered) {
			if (session.handledTimes(signal) > handledBefore) this.delivered.delete(signal);
			else if (session.stuckWithoutHandler(signal)) {
				session.endFor(signal);
				return true;
			}
		}
		return false;
	}
}
