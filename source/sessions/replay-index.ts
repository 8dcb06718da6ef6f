import type {Ms, ProtocolLine} from '../protocol/events.js';
import {apply} from '../model/reducer.js';
import {createState, type ModelState, type Retention} from '../model/state.js';
import {Checkpoints} from './replay-checkpoints.js';

/**
 * What is known of a recording as it is read, once, front to back, while it already plays: the state once
 * every event read so far is applied, and checkpoints to seek from. An event is applied once a later one has
 * arrived after it (or the file has ended): until then more events may arrive at the same instant, and
 * `state` must be exactly the state at `frontierMs`, what playback shows there.
 */
export class ReplayIndex {
	/** Never changed by a replay: one at the frontier shows it as it is, and leaves it before it moves. */
	readonly state: ModelState;
	readonly checkpoints: Checkpoints;
	/** Events applied to `state`. */
	applied = 0;
	/** When the last applied event arrived: what has been read covers the recording up to here. */
	frontierMs: Ms = 0;
	/** How much of the file has been read, 0..1. */
	readFraction = 0;
	/** The whole recording is read and applied. */
	complete = false;
	/** Why reading stopped before the end (a corrupt line, without --lenient). */
	problem: Error | null = null;
	/** No longer wanted: the replay closed. */
	closed = false;
	/** Read but not applied: the events that arrived at `pendingArrival`, the latest instant. */
	private pending: ProtocolLine[] = [];
	private pendingArrival: Ms = 0;
	private readonly listeners = new Set<() => void>();

	constructor(retention: Retention | null, checkpointEvery?: number) {
		this.state = createState({retention});
		this.checkpoints = new Checkpoints(this.state, checkpointEvery);
	}

	/** The next event of the recording. It arrives at the latest `t` so far (the header at 0): see ReplayEngine. */
	take(line: ProtocolLine): void {
		const arrival = line.type === 'header' ? this.pendingArrival : Math.max(this.pendingArrival, line.t);
		if (arrival > this.pendingArrival) this.settle();
		this.pending.push(line);
		this.pendingArrival = arrival;
	}

	/** A slice of the file is read: the replay hears of it. */
	advanced(readFraction: number): void {
		this.readFraction = readFraction;
		this.notify();
	}

	finish(): void {
		this.settle();
		this.complete = true;
		this.readFraction = 1;
		this.notify();
	}

	/** Nothing more can be read: what was is all there is. */
	fail(problem: Error): void {
		this.settle();
		this.problem = problem;
		this.notify();
	}

	close(): void {
		this.closed = true;
		this.listeners.clear();
	}

	/** A state before any event, keeping what `state` keeps. */
	freshState(): ModelState {
		return createState({retention: this.state.aggregated.retention});
	}

	subscribe(listener: () => void): void {
		this.listeners.add(listener);
	}

	/** Every event read so far arrived before the latest instant, or at it with nothing more to come: applied. */
	private settle(): void {
		if (this.pending.length === 0) return;
		for (const line of this.pending) apply(this.state, line);
		this.applied += this.pending.length;
		this.frontierMs = this.pendingArrival;
		this.pending = [];
		this.checkpoints.offer(this.applied);
	}

	private notify(): void {
		for (const listener of this.listeners) listener();
	}
}
