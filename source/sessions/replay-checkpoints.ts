import {deserialize, serialize} from 'node:v8';
import {deflateRawSync, inflateRawSync} from 'node:zlib';
import {copyFoldedFigures, type Aggregated, type Intervals, type ModelState} from '../model/state.js';

/** A state along the recording, kept small: a seek restores the nearest one and reads the file on from it. */
export interface Checkpoint {
	/** How many events were applied to make the state. */
	applied: number;
	/**
	 * The state without its folded histograms and interval arrays, serialized and compressed: off the heap, and
	 * small (10,000 kept tasks: 4.2 MB serialized, 0.33 MB compressed, each way in about 10 ms).
	 */
	bytes: Buffer;
	/** The histograms (v8.serialize would strip their methods), copied. */
	folded: Pick<Aggregated, 'sites' | 'hosts'>;
	/**
	 * The arrays of folded intervals as they were, not copied: only written past what they held then (see
	 * pushInterval), so their start is still the checkpoint's. An array outgrown or settled is replaced, not
	 * changed: a checkpoint keeps the one it took.
	 */
	intervals: {leaf: Float64Array; http: Float64Array};
}

/** A seek reads at most this many events again from the checkpoint before (about a quarter of a second). */
export const CHECKPOINT_EVERY = 50_000;
/** Past this many, every other checkpoint is dropped and the spacing doubles: memory stays bounded, whatever the recording's length. */
export const MAX_CHECKPOINTS = 32;

const NO_INTERVALS = new Float64Array(0);

/**
 * Checkpoints along a recording, taken as it is first read. `latest` is the state that read makes, always
 * the furthest along.
 */
export class Checkpoints {
	private list: Checkpoint[] = [];

	constructor(
		private readonly latest: ModelState,
		private every = CHECKPOINT_EVERY,
	) {}

	/** Called as `latest` has `applied` events in: takes a checkpoint once `every` events have passed since the last one. */
	offer(applied: number): void {
		if (applied - (this.list.at(-1)?.applied ?? 0) < this.every) return;
		this.list.push(checkpointOf(this.latest, applied));
		if (this.list.length > MAX_CHECKPOINTS) {
			this.list = this.list.filter((_, i) => i % 2 === 1);
			this.every *= 2;
		}
	}

	/** The latest checkpoint at or before `applied` events. */
	nearest(applied: number): Checkpoint | undefined {
		return this.list.findLast(checkpoint => checkpoint.applied <= applied);
	}

	/** A state of its own, as the checkpoint's was: the reducer mutates what it is given. */
	restore(checkpoint: Checkpoint): ModelState {
		const state = deserialize(inflateRawSync(checkpoint.bytes)) as ModelState;
		const kept = state.aggregated;
		const held = (data: Float64Array, intervals: Intervals): Intervals => ({...intervals, data: data.slice(0, 2 * intervals.count)});
		state.aggregated = {...kept, ...copyFoldedFigures(checkpoint.folded), leafIntervals: held(checkpoint.intervals.leaf, kept.leafIntervals), httpIntervals: held(checkpoint.intervals.http, kept.httpIntervals)};
		return state;
	}

	/** How many are kept, and their serialized bytes: what a seek costs in memory. */
	get size(): {count: number; bytes: number; every: number} {
		return {count: this.list.length, bytes: this.list.reduce((sum, checkpoint) => sum + checkpoint.bytes.length, 0), every: this.every};
	}
}

function checkpointOf(state: ModelState, applied: number): Checkpoint {
	const {aggregated} = state;
	const noData = (intervals: Intervals): Intervals => ({...intervals, data: NO_INTERVALS});
	return {
		applied,
		bytes: deflateRawSync(serialize({...state, aggregated: {...aggregated, sites: new Map(), hosts: new Map(), leafIntervals: noData(aggregated.leafIntervals), httpIntervals: noData(aggregated.httpIntervals)}}), {level: 1}),
		folded: copyFoldedFigures(aggregated),
		intervals: {leaf: aggregated.leafIntervals.data, http: aggregated.httpIntervals.data},
	};
}
