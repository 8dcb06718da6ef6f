import type {Ms} from '../protocol/events.js';
import type {ModelState} from '../model/state.js';

/**
 * Above this many task and request lines in one second of the script's time,
 * plain mode stops printing a line each and prints one summary line a
 * second instead: a server at 1,000 requests a second would otherwise
 * print several thousand lines a second that nobody reads, at a cost to the
 * monitor. The recording keeps them either way.
 */
export const PLAIN_LINES_PER_SECOND = 200;

/** What happened in one second while per-task lines were held back. */
export interface SecondSummary {
	/** The second's start, ms on the session's clock. */
	startMs: Ms;
	started: number;
	finished: number;
	failed: number;
	requests: number;
	failedRequests: number;
	/** The slowest task or request that ended in the second. */
	slowest: {name: string; ms: Ms} | null;
	/** Tasks running, waiting and ready as of the second's last event. */
	running: number;
	waiting: number;
	ready: number;
	/** Tasks the script's process held back then, in flight and not yet sent (see HeldEvent). */
	justStarted: number;
}

/** `folded`: quick tasks the child folded into one line, each a start and an end. */
export type LineKind = 'start' | 'await' | 'ready' | 'end' | 'request' | 'folded' | 'folded requests';

export interface Ended {
	name: string;
	ms: Ms;
	failed: boolean;
}

/** Failures told on lines of their own each second in summary mode; the summary counts them all. */
export const FAILURES_TOLD_PER_SECOND = 3;

/**
 * Decides, line by line, whether plain mode prints a task's line or counts it
 * into the summary of its second. It goes back to lines once a second stays
 * under the rate.
 */
export class LoadGate {
	private second = -1;
	private linesThisSecond = 0;
	/** Failures told this second among its summary (see failureToTell). */
	private failuresTold = 0;
	private summary = false;
	private current: SecondSummary | null = null;

	constructor(private readonly limit = PLAIN_LINES_PER_SECOND) {}

	/** Printing a summary line a second instead of a line per task. */
	get summarizing(): boolean {
		return this.summary;
	}

	/**
	 * Called for each task or request line, at its time: true to print it. `done`
	 * is the second just over, to print before this line, if it was summarised. `tasks`: how many a folded line holds;
	 * 0 for an end that counts as nothing (a process's lane gone with its end not seen: no claim of how it ended).
	 */
	admit(t: Ms, kind: LineKind, state: ModelState, ended: Ended | null, tasks = 1): {print: boolean; done: SecondSummary | null; resumed: boolean} {
		// A line stamped before the second under way (an await is sent once it has lasted a while, with the time it
		// began) counts into it: going back would open that second's summary again and take it for a quiet one.
		const second = Math.max(Math.floor(t / 1000), this.second);
		let done: SecondSummary | null = null;
		let resumed = false;
		if (second !== this.second) {
			done = this.close();
			// A quiet second (or more) ends summary mode: lines resume.
			if (this.summary && this.linesThisSecond < this.limit) {
				this.summary = false;
				resumed = true;
			}
			this.second = second;
			this.linesThisSecond = 0;
			this.failuresTold = 0;
		}
		// A folded line stands for the lines of its tasks' starts and ends, or of its requests' ends.
		this.linesThisSecond += kind === 'folded' ? 2 * tasks : kind === 'folded requests' ? tasks : 1;
		if (!this.summary && this.linesThisSecond > this.limit) this.summary = true;
		if (!this.summary) return {print: true, done, resumed};
		this.count(kind, ended, state, tasks);
		return {print: false, done, resumed};
	}

	/**
	 * Whether a failure counted into the summary is told on a line of its own too: the first
	 * FAILURES_TOLD_PER_SECOND of each second are, so that a flood of them reads what went wrong, not only how many.
	 */
	failureToTell(): boolean {
		return this.failuresTold++ < FAILURES_TOLD_PER_SECOND;
	}

	/**
	 * The summary still open, at the end of the session: what runs as of the end, since lines that are no task's
	 * came after its last task line (the exit's flush says it holds nothing any more once it sent what it held).
	 */
	finish(state: ModelState): SecondSummary | null {
		const summary = this.close();
		if (summary) nowRunning(summary, state);
		return summary;
	}

	private close(): SecondSummary | null {
		const summary = this.current;
		this.current = null;
		return summary;
	}

	private count(kind: LineKind, ended: Ended | null, state: ModelState, tasks: number): void {
		const summary = (this.current ??= {startMs: this.second * 1000, started: 0, finished: 0, failed: 0, requests: 0, failedRequests: 0, slowest: null, running: 0, waiting: 0, ready: 0, justStarted: 0});
		if (kind === 'start') summary.started++;
		if (kind === 'folded') {
			summary.started += tasks;
			summary.finished += tasks;
		}
		if (kind === 'end') {
			if (ended?.failed) summary.failed += tasks;
			else summary.finished += tasks;
		}
		if (kind === 'request') {
			summary.requests++;
			if (ended?.failed) summary.failedRequests++;
		}
		if (kind === 'folded requests') summary.requests += tasks;
		if (ended && tasks > 0 && (summary.slowest === null || ended.ms > summary.slowest.ms)) summary.slowest = {name: ended.name, ms: ended.ms};
		// As of the second's last event.
		nowRunning(summary, state);
	}
}

/** What runs, waits and was just started in `state`, into the summary. */
function nowRunning(summary: SecondSummary, state: ModelState): void {
	summary.running = state.taskCounts.running;
	summary.waiting = state.taskCounts.waiting;
	summary.ready = state.taskCounts.ready;
	summary.justStarted = state.held.tasks;
}
