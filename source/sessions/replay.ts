import {setImmediate as nextTurn} from 'node:timers/promises';
import type {Ms, ProtocolLine} from '../protocol/events.js';
import {FramePace} from '../model/frame-pace.js';
import {apply} from '../model/reducer.js';
import type {ModelSource, ReplayControls} from '../model/source.js';
import {LIVE_RETENTION, type ModelState, type Retention} from '../model/state.js';
import {loadWarnings, readSession, type ReadOptions, type RecordedLosses} from './reader.js';
import type {Checkpoint} from './replay-checkpoints.js';
import {ReplayIndex} from './replay-index.js';
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
/** Playback frames and subscriber notifications: at most 15 a second, fewer when frames are costly (see FramePace). */
export const FRAME_MS = 1000 / 15;
/**
 * While the recording is read, what is read tells the dashboard at most 4 times a second: a frame of a big
 * state costs as much as reading thousands of events, and the reading goes faster for every frame not drawn.
 */
export const READ_NOTIFY_MS = 250;

export interface ReplayOptions {
	clock?: ReplayClock;
	/** Start paused instead of playing. */
	paused?: boolean;
	/** Initial playback speed, clamped to MIN_SPEED..MAX_SPEED; 1 is real time. */
	speed?: number;
	/** Events between state checkpoints (see CHECKPOINT_EVERY). */
	checkpointEvery?: number;
	/** The recording as it is being read (see loadReplay); by default the lines given are read at once. */
	index?: ReplayIndex;
	/** Which finished nodes each state keeps one by one, as the live run did; by default the live dashboard's. */
	retention?: Retention | null;
}

/**
 * Plays a recording back as a ModelSource: the state at position P is
 * exactly the live state once every line that had arrived by P was applied.
 * A line "arrives" at the latest `t` seen so far, since a few events (a
 * block's start) carry an earlier `t` than the events written before them.
 *
 * It plays while the recording is still being read (ReplayIndex): the
 * duration is then what has been read so far, and a seek past it goes as
 * far as that, and on as more is read.
 */
export class ReplayEngine implements ModelSource, ReplayControls {
	private readonly lines: ReplayLines;
	private readonly index: ReplayIndex;
	private current: ModelState;
	private applied = 0;
	/** `current` is the index's own state, at its frontier: never applied to here, left before it moves on. */
	private atFrontier = false;
	/** The events from `applied` on. */
	private reading: Iterator<ProtocolLine>;
	private position: Ms = 0;
	/** A seek past what has been read (Infinity for End), waiting for more to be read. */
	private pendingMs: Ms | null = null;
	private playbackSpeed = 1;
	private isPaused: boolean;
	private readonly clock: ReplayClock;
	/** Clock time up to which playback has been accounted into `position`. */
	private accountedAt: number;
	private frameTimer: unknown = null;
	private notifyTimer: unknown = null;
	private lastNotifyAt = Number.NEGATIVE_INFINITY;
	private lastReadNotifyAt = Number.NEGATIVE_INFINITY;
	private readonly listeners = new Set<() => void>();
	/** Notifications spaced by what the frames they cause cost, as a live run's (a replay played 13-46 % of a core at 15 frames a second). */
	private readonly pace = new FramePace(FRAME_MS);

	constructor(
		lines: ReplayLines | readonly ProtocolLine[],
		options: ReplayOptions = {},
	) {
		this.lines = 'from' in lines ? lines : new MemoryLines(lines);
		this.clock = options.clock ?? systemClock;
		this.index = options.index ?? indexAtOnce(this.lines, replayRetention(options), options.checkpointEvery);
		this.current = this.index.freshState();
		this.reading = this.lines.from(0);
		this.playbackSpeed = clampSpeed(options.speed ?? 1);
		this.moveTo(0);
		this.accountedAt = this.clock.now();
		this.isPaused = options.paused ?? false;
		this.index.subscribe(() => this.onIndexed());
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

	frameDrawn(ms: number): void {
		this.pace.frameDrawn(ms);
	}

	get redrawIntervalMs(): number {
		return this.pace.intervalMs;
	}

	get durationMs(): Ms {
		return this.index.frontierMs;
	}

	get indexing(): number | null {
		return this.index.complete || this.index.problem ? null : this.index.readFraction;
	}

	get readProblem(): string | null {
		return this.index.problem?.message ?? null;
	}

	/** Playing at the end starts over, as media players do. */
	togglePause(): void {
		if (this.isPaused) {
			if (this.readToEnd && this.position >= this.durationMs) this.moveTo(0);
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
		this.seek(this.position + deltaMs);
	}

	seekStart(): void {
		this.seek(0);
	}

	/** The end of the recording: while it is being read, the end of what is read, and on with it. */
	seekEnd(): void {
		this.seek(Infinity);
	}

	/** Stops the timers and the reading of the recording; the engine is inert afterwards. */
	dispose(): void {
		this.index.close();
		this.reading.return?.();
		this.isPaused = true;
		this.cancelFrame();
		if (this.notifyTimer !== null) this.clock.clearTimeout(this.notifyTimer);
		this.notifyTimer = null;
		this.listeners.clear();
	}

	/** Nothing more will be read: the whole recording, or as far as a corrupt line. */
	private get readToEnd(): boolean {
		return this.index.complete || this.index.problem !== null;
	}

	private seek(targetMs: Ms): void {
		this.catchUp();
		this.moveTo(targetMs);
		this.requestNotify();
	}

	private setSpeed(speed: number): void {
		// Time played so far counts at the old speed.
		this.catchUp();
		this.playbackSpeed = clampSpeed(speed);
		this.requestNotify();
	}

	/** Moves the position by the clock time elapsed while playing; a seek waiting to be read holds it. */
	private catchUp(): void {
		const now = this.clock.now();
		if (!this.isPaused && this.pendingMs === null) this.moveTo(this.position + (now - this.accountedAt) * this.playbackSpeed);
		this.accountedAt = now;
	}

	private moveTo(targetMs: Ms): void {
		const wanted = Math.max(0, targetMs);
		// Past what has been read: as far as it goes for now, and on as more is (onIndexed).
		this.pendingMs = wanted > this.durationMs && !this.readToEnd ? wanted : null;
		this.position = Math.min(this.durationMs, wanted);
		// Not past what the index applied: at the very start its first events may all still wait to be (see ReplayIndex).
		const target = Math.min(eventsArrivedBy(this.lines.arrivals, this.position), this.index.applied);
		if (target === this.index.applied) return this.showFrontier();
		// Back, away from the frontier, or forward past a checkpoint: from the nearest one, not from here.
		const nearest = this.index.checkpoints.nearest(target);
		if (this.atFrontier || target < this.applied || (nearest && nearest.applied > this.applied)) this.restoreCheckpoint(nearest);
		for (; this.applied < target; this.applied++) apply(this.current, this.reading.next().value as ProtocolLine);
	}

	/** The index's state is exactly the state there: shown as it is, read again from nowhere. */
	private showFrontier(): void {
		this.current = this.index.state;
		this.applied = this.index.applied;
		this.atFrontier = true;
	}

	private restoreCheckpoint(nearest: Checkpoint | undefined): void {
		this.current = nearest ? this.index.checkpoints.restore(nearest) : this.index.freshState();
		this.applied = nearest?.applied ?? 0;
		this.atFrontier = false;
		// The reading it replaces holds the recording open until told it is done.
		this.reading.return?.();
		this.reading = this.lines.from(this.applied);
	}

	/** More of the recording is read: a seek waiting for it goes on; one at the frontier plays on with it, or stays where it was. */
	private onIndexed(): void {
		if (this.pendingMs !== null) this.moveTo(this.pendingMs);
		else if (this.atFrontier && this.isPaused) this.moveTo(this.position);
		else if (this.atFrontier) this.catchUp();
		const now = this.clock.now();
		if (this.readToEnd || now - this.lastReadNotifyAt >= READ_NOTIFY_MS) {
			this.lastReadNotifyAt = now;
			this.requestNotify();
		}
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
		const from = this.position;
		this.catchUp();
		if (this.readToEnd && this.position >= this.durationMs) this.isPaused = true;
		else this.scheduleFrame();
		// Held by the reading (a seek waiting for it, or playback at what is read): nothing new to draw.
		if (this.position !== from || this.isPaused) this.requestNotify();
	}

	private requestNotify(): void {
		const now = this.clock.now();
		const interval = this.pace.intervalMs;
		if (now - this.lastNotifyAt >= interval) {
			this.notifyNow(now);
			return;
		}
		this.notifyTimer ??= this.clock.setTimeout(
			() => {
				this.notifyTimer = null;
				this.notifyNow(this.clock.now());
			},
			this.lastNotifyAt + interval - now,
		);
	}

	private notifyNow(now: number): void {
		this.lastNotifyAt = now;
		for (const listener of [...this.listeners]) listener();
	}
}

export interface LoadedReplay {
	replay: ReplayEngine;
	/** What reading skipped or found missing: of the part read so far, or of the whole once it is read. */
	warnings(): string[];
	/** Why reading stopped before the end (a corrupt line, without --lenient), if it did. */
	problem(): Error | null;
}

function clampSpeed(speed: number): number {
	return Math.min(MAX_SPEED, Math.max(MIN_SPEED, speed));
}

/** A replay keeps what the live dashboard kept, unless told otherwise. */
const replayRetention = (options: ReplayOptions): Retention | null => (options.retention === undefined ? LIVE_RETENTION : options.retention);

/** Lines already at hand (in memory), read in one go. */
function indexAtOnce(lines: ReplayLines, retention: Retention | null, checkpointEvery?: number): ReplayIndex {
	const index = new ReplayIndex(retention, checkpointEvery);
	const events = lines.from(0);
	for (let i = 0; i < lines.count; i++) index.take(events.next().value as ProtocolLine);
	events.return?.();
	index.finish();
	return index;
}

/** Events read between turns of the event loop (about 10 ms of work): keys and frames go on while a recording is read. */
const SLICE_EVENTS = 2000;

/**
 * A recording for playback, playing as soon as its first events are read: the rest is read in the background,
 * in slices, noting when each event arrived and where to find it again, and making the checkpoints. Its events
 * are not kept: the engine reads the file as it plays, and again from a checkpoint when it seeks.
 */
export async function loadReplay(path: string, options: ReplayOptions & Pick<ReadOptions, 'lenient'> = {}): Promise<LoadedReplay> {
	let readFraction = 0;
	const reader = readSession(path, {lenient: options.lenient, onProgress: (read, total) => (readFraction = total > 0 ? read / total : 1)});
	const events = reader[Symbol.asyncIterator]();
	const lines = new FileLines(path);
	const index = new ReplayIndex(replayRetention(options), options.checkpointEvery);
	const losses: RecordedLosses = {droppedEvents: 0, corruptLines: 0};
	/** Reads the next slice: false at the end of the recording. */
	const readSlice = async (): Promise<boolean> => {
		for (let i = 0; i < SLICE_EVENTS; i++) {
			const next = await events.next();
			if (next.done) return false;
			const line = next.value;
			lines.add(line, reader.lineOffset);
			index.take(line);
			if (line.type === 'dropped') losses.droppedEvents += line.count;
			else if (line.type === 'corrupt') losses.corruptLines += line.count;
		}
		return true;
	};
	// The header is in the first slice: a file that is no recording fails here, before anything is shown.
	let more = await readSlice();
	const replay = new ReplayEngine(lines, {...options, index});
	const readRest = async (): Promise<void> => {
		try {
			for (; more && !index.closed; more = await readSlice()) {
				index.advanced(readFraction);
				await nextTurn();
			}
			if (index.closed) await events.return?.(undefined);
			else index.finish();
		} catch (error) {
			index.fail(error instanceof Error ? error : new Error(String(error)));
		}
	};
	void readRest();
	return {replay, warnings: () => loadWarnings(reader.stats, losses), problem: () => index.problem};
}
