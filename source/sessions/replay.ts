import type {Ms, ProtocolLine} from '../protocol/events.js';
import {apply} from '../model/reducer.js';
import type {ModelSource, ReplayControls} from '../model/source.js';
import {cloneState, createState, LIVE_RETENTION, type ModelState, type Retention} from '../model/state.js';
import {loadWarnings, readSession, type ReadOptions, type RecordedLosses} from './reader.js';
import {eventsArrivedBy, FileLines, MemoryLines, type ReplayLines} from './replay-lines.js';

/** Time and timers, injectable so tests drive playback without sleeping. */
export interface ReplayClock {
	now(): number;
	setTimeout(callback: () => void, ms: number): unknown;
	clearTimeout(handle: unknown): void;
}

export const systemClock: ReplayClock = {
	now: () => performance.now(),
	setTimeout: (callback, ms) => setTimeout(callback, ms),
	clearTimeout: handle => clearTimeout(handle as NodeJS.Timeout),
};

export const MIN_SPEED = 0.25;
export const MAX_SPEED = 64;
/** Playback frames and subscriber notifications: at most 15 a second. */
export const FRAME_MS = 1000 / 15;

export interface ReplayOptions {
	clock?: ReplayClock;
	/** Start paused instead of playing. */
	paused?: boolean;
	/** Initial playback speed, clamped to MIN_SPEED..MAX_SPEED; 1 is real time. */
	speed?: number;
	/** Events between state checkpoints; by default an eighth of the recording (a seek back reads at most that much again). */
	checkpointEvery?: number;
	/** Which finished nodes each state keeps one by one, as the live run did; by default the live dashboard's. */
	retention?: Retention | null;
}

interface Checkpoint {
	/** How many lines were applied to make `state`. */
	applied: number;
	/** Never handed out: seeking works on a clone, since the reducer mutates what it is given. */
	state: ModelState;
}

/**
 * Plays a recording back as a ModelSource: the state at position P is
 * exactly the live state once every line that had arrived by P was applied.
 * A line "arrives" at the latest `t` seen so far, since a few events (a
 * block's start) carry an earlier `t` than the events written before them.
 */
export class ReplayEngine implements ModelSource, ReplayControls {
	readonly durationMs: Ms;
	private readonly lines: ReplayLines;
	private readonly retention: Retention | null;
	private current: ModelState;
	private applied = 0;
	/** The events from `applied` on. */
	private reading: Iterator<ProtocolLine>;
	private readonly arrivals: Float64Array;
	private readonly checkpoints: Checkpoint[] = [];
	private position: Ms = 0;
	private playbackSpeed = 1;
	private isPaused: boolean;
	private readonly clock: ReplayClock;
	/** Clock time up to which playback has been accounted into `position`. */
	private accountedAt: number;
	private frameTimer: unknown = null;
	private notifyTimer: unknown = null;
	private lastNotifyAt = Number.NEGATIVE_INFINITY;
	private readonly listeners = new Set<() => void>();

	constructor(
		lines: ReplayLines | readonly ProtocolLine[],
		options: ReplayOptions = {},
	) {
		this.lines = 'from' in lines ? lines : new MemoryLines(lines);
		this.clock = options.clock ?? systemClock;
		this.retention = options.retention === undefined ? LIVE_RETENTION : options.retention;
		this.current = this.freshState();
		this.reading = this.lines.from(0);
		this.playbackSpeed = clampSpeed(options.speed ?? 1);
		this.arrivals = this.lines.arrivals;
		this.durationMs = this.lines.count > 0 ? this.arrivals[this.lines.count - 1]! : 0;
		// Few copies of the state: each is as big as the retention window lets a state be.
		this.buildCheckpoints(options.checkpointEvery ?? Math.max(1000, Math.ceil(this.lines.count / 8)));
		this.moveTo(0);
		this.accountedAt = this.clock.now();
		this.isPaused = options.paused ?? false;
		if (!this.isPaused) this.scheduleFrame();
	}

	get state(): ModelState {
		return this.current;
	}

	get positionMs(): Ms {
		return this.position;
	}

	get speed(): number {
		return this.playbackSpeed;
	}

	get paused(): boolean {
		return this.isPaused;
	}

	subscribe(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** Playing at the end starts over, as media players do. */
	togglePause(): void {
		if (this.isPaused) {
			if (this.position >= this.durationMs) this.moveTo(0);
			this.isPaused = false;
			this.accountedAt = this.clock.now();
			this.scheduleFrame();
		} else {
			this.catchUp();
			this.isPaused = true;
			this.cancelFrame();
		}
		this.requestNotify();
	}

	faster(): void {
		this.setSpeed(this.playbackSpeed * 2);
	}

	slower(): void {
		this.setSpeed(this.playbackSpeed / 2);
	}

	step(deltaMs: Ms): void {
		this.catchUp();
		this.moveTo(this.position + deltaMs);
		this.requestNotify();
	}

	seekStart(): void {
		this.catchUp();
		this.moveTo(0);
		this.requestNotify();
	}

	seekEnd(): void {
		this.catchUp();
		this.moveTo(this.durationMs);
		this.requestNotify();
	}

	/** Stops the timers; the engine is inert afterwards. */
	dispose(): void {
		this.reading.return?.();
		this.isPaused = true;
		this.cancelFrame();
		if (this.notifyTimer !== null) this.clock.clearTimeout(this.notifyTimer);
		this.notifyTimer = null;
		this.listeners.clear();
	}

	private setSpeed(speed: number): void {
		// Time played so far counts at the old speed.
		this.catchUp();
		this.playbackSpeed = clampSpeed(speed);
		this.requestNotify();
	}

	/** Moves the position by the clock time elapsed while playing. */
	private catchUp(): void {
		const now = this.clock.now();
		if (!this.isPaused) this.moveTo(this.position + (now - this.accountedAt) * this.playbackSpeed);
		this.accountedAt = now;
	}

	private moveTo(targetMs: Ms): void {
		this.position = Math.min(this.durationMs, Math.max(0, targetMs));
		const target = eventsArrivedBy(this.arrivals, this.position);
		if (target < this.applied) this.restoreCheckpoint(target);
		for (; this.applied < target; this.applied++) apply(this.current, this.reading.next().value as ProtocolLine);
	}

	private restoreCheckpoint(atMost: number): void {
		let nearest: Checkpoint | undefined;
		for (const checkpoint of this.checkpoints) if (checkpoint.applied <= atMost) nearest = checkpoint;
		this.current = nearest ? cloneState(nearest.state) : this.freshState();
		this.applied = nearest?.applied ?? 0;
		// The reading it replaces holds the recording open until told it is done.
		this.reading.return?.();
		this.reading = this.lines.from(this.applied);
	}

	private buildCheckpoints(every: number): void {
		const state = this.freshState();
		const events = this.lines.from(0);
		for (let i = 0; i < this.lines.count; i++) {
			apply(state, events.next().value as ProtocolLine);
			if ((i + 1) % every === 0) this.checkpoints.push({applied: i + 1, state: cloneState(state)});
		}
		events.return?.();
	}

	private freshState(): ModelState {
		return createState({retention: this.retention});
	}

	private scheduleFrame(): void {
		if (this.frameTimer !== null) return;
		this.frameTimer = this.clock.setTimeout(() => {
			this.frameTimer = null;
			this.onFrame();
		}, FRAME_MS);
	}

	private cancelFrame(): void {
		if (this.frameTimer !== null) this.clock.clearTimeout(this.frameTimer);
		this.frameTimer = null;
	}

	private onFrame(): void {
		if (this.isPaused) return;
		this.catchUp();
		if (this.position >= this.durationMs) this.isPaused = true;
		else this.scheduleFrame();
		this.requestNotify();
	}

	private requestNotify(): void {
		const now = this.clock.now();
		if (now - this.lastNotifyAt >= FRAME_MS) {
			this.notifyNow(now);
			return;
		}
		this.notifyTimer ??= this.clock.setTimeout(
			() => {
				this.notifyTimer = null;
				this.notifyNow(this.clock.now());
			},
			this.lastNotifyAt + FRAME_MS - now,
		);
	}

	private notifyNow(now: number): void {
		this.lastNotifyAt = now;
		for (const listener of [...this.listeners]) listener();
	}
}

export interface LoadedReplay {
	replay: ReplayEngine;
	warnings: string[];
}

function clampSpeed(speed: number): number {
	return Math.min(MAX_SPEED, Math.max(MIN_SPEED, speed));
}

/**
 * A recording for playback. Its events are not kept: one read notes when each arrived and where to find it
 * again, then the engine reads the file as it plays, and again from a checkpoint when it seeks back.
 */
export async function loadReplay(path: string, options: ReplayOptions & Pick<ReadOptions, 'lenient'> = {}): Promise<LoadedReplay> {
	const reader = readSession(path, {lenient: options.lenient});
	const lines = new FileLines(path);
	const losses: RecordedLosses = {droppedEvents: 0, corruptLines: 0};
	for await (const line of reader) {
		lines.add(line, reader.lineOffset);
		if (line.type === 'dropped') losses.droppedEvents += line.count;
		else if (line.type === 'corrupt') losses.corruptLines += line.count;
	}
	return {replay: new ReplayEngine(lines, options), warnings: loadWarnings(reader.stats, losses)};
}
