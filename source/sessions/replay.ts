import {statSync} from 'node:fs';
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
	/** Events between state checkpoints; by default an eighth of the recording (a seek reads at most that much again). */
	checkpointEvery?: number;
	/** Checkpoints made as the recording was first read (see Checkpoints), so that it is not read a second time. */
	checkpoints?: Checkpoints;
	/** Which finished nodes each state keeps one by one, as the live run did; by default the live dashboard's. */
	retention?: Retention | null;
}

interface Checkpoint {
	/** How many lines were applied to make `state`. */
	applied: number;
	/** Never handed out: seeking works on a clone, since the reducer mutates what it is given. */
	state: ModelState;
}

/** How many checkpoints a recording gets: a seek reads at most an eighth of it again. */
const CHECKPOINTS = 8;
/** Fewer events than this between checkpoints are read again faster than a state is copied. */
const MIN_CHECKPOINT_EVERY = 1000;

/** The spacing of CHECKPOINTS checkpoints along `events` events. */
export const checkpointSpacing = (events: number): number => Math.max(MIN_CHECKPOINT_EVERY, Math.ceil(events / CHECKPOINTS));

/** States along a recording, each a clone of the state its lines made so far, made as the lines are read once. */
export class Checkpoints {
	readonly list: Checkpoint[] = [];
	private readonly state: ModelState;
	private applied = 0;

	constructor(
		retention: Retention | null,
		private readonly every: number,
	) {
		this.state = createState({retention});
	}

	take(line: ProtocolLine): void {
		apply(this.state, line);
		this.applied++;
		if (this.applied % this.every === 0) this.list.push({applied: this.applied, state: cloneState(this.state)});
	}

	/** The latest checkpoint at or before `applied` lines. */
	nearest(applied: number): Checkpoint | undefined {
		let nearest: Checkpoint | undefined;
		for (const checkpoint of this.list) if (checkpoint.applied <= applied) nearest = checkpoint;
		return nearest;
	}
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
	private readonly checkpoints: Checkpoints;
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
		this.retention = replayRetention(options);
		this.current = this.freshState();
		this.reading = this.lines.from(0);
		this.playbackSpeed = clampSpeed(options.speed ?? 1);
		this.arrivals = this.lines.arrivals;
		this.durationMs = this.lines.count > 0 ? this.arrivals[this.lines.count - 1]! : 0;
		// Few copies of the state: each is as big as the retention window lets a state be.
		this.checkpoints = options.checkpoints ?? this.buildCheckpoints(options.checkpointEvery);
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
		// Back, or forward past a checkpoint: from the nearest one, not from here.
		const nearest = this.checkpoints.nearest(target);
		if (target < this.applied || (nearest && nearest.applied > this.applied)) this.restoreCheckpoint(nearest);
		for (; this.applied < target; this.applied++) apply(this.current, this.reading.next().value as ProtocolLine);
	}

	private restoreCheckpoint(nearest: Checkpoint | undefined): void {
		this.current = nearest ? cloneState(nearest.state) : this.freshState();
		this.applied = nearest?.applied ?? 0;
		// The reading it replaces holds the recording open until told it is done.
		this.reading.return?.();
		this.reading = this.lines.from(this.applied);
	}

	private buildCheckpoints(every = checkpointSpacing(this.lines.count)): Checkpoints {
		const checkpoints = new Checkpoints(this.retention, every);
		const events = this.lines.from(0);
		for (let i = 0; i < this.lines.count; i++) checkpoints.take(events.next().value as ProtocolLine);
		events.return?.();
		return checkpoints;
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

/** A replay keeps what the live dashboard kept, unless told otherwise. */
const replayRetention = (options: ReplayOptions): Retention | null => (options.retention === undefined ? LIVE_RETENTION : options.retention);

/** The events read before the checkpoints are spaced: enough to measure the recording's line length. */
const SIZED_AFTER = 1000;

/**
 * A recording for playback. Its events are not kept: one read notes when each arrived and where to find it
 * again, and makes the checkpoints; then the engine reads the file as it plays, and again from a checkpoint
 * when it seeks.
 */
export async function loadReplay(path: string, options: ReplayOptions & Pick<ReadOptions, 'lenient'> = {}): Promise<LoadedReplay> {
	const reader = readSession(path, {lenient: options.lenient});
	const lines = new FileLines(path);
	// Spaced by the recording's size over its first lines' (the count is known only at the end).
	const bytes = statSync(path).size;
	let checkpoints: Checkpoints | null = null;
	/** The lines read before the checkpoints are spaced, kept until they are. */
	let early: ProtocolLine[] = [];
	const losses: RecordedLosses = {droppedEvents: 0, corruptLines: 0};
	for await (const line of reader) {
		lines.add(line, reader.lineOffset);
		if (checkpoints) checkpoints.take(line);
		else early.push(line);
		if (!checkpoints && lines.count === SIZED_AFTER) {
			const events = reader.lineOffset > 0 ? Math.ceil((bytes / reader.lineOffset) * lines.count) : lines.count;
			checkpoints = new Checkpoints(replayRetention(options), options.checkpointEvery ?? checkpointSpacing(events));
			for (const earlier of early) checkpoints.take(earlier);
			early = [];
		}
		if (line.type === 'dropped') losses.droppedEvents += line.count;
		else if (line.type === 'corrupt') losses.corruptLines += line.count;
	}
	return {replay: new ReplayEngine(lines, checkpoints ? {...options, checkpoints} : options), warnings: loadWarnings(reader.stats, losses)};
}
