import type {Ms} from '../protocol/events.js';
import {inFlightSpan} from './http-phases.js';
import {maxOverlap} from './overlap.js';
import {isWorkUnit, SETTLE_FROM, type Intervals, type ModelState} from './state.js';

/**
 * Folded work's intervals are held for the peak in flight until this long behind the latest event: no interval
 * that opens earlier can still arrive then (a script's process holds a call's events back a flush or two; a
 * worker blocked in `Atomics.wait` sends its own when it wakes), and the peak before is settled.
 */
export const SETTLE_MARGIN_MS = 60_000;
/**
 * A folded interval: held, or only counted if it ended where the peak is settled already. Written past the
 * held ones only (into a larger copy when full): what is held is never changed in place (see Checkpoint).
 */
export function pushInterval(intervals: Intervals, start: Ms, end: Ms): void {
	intervals.total++;
	if (end <= intervals.settledUntil) return;
	if (intervals.data.length < 2 * (intervals.count + 1)) {
		const grown = new Float64Array(Math.max(1024, intervals.data.length * 2));
		grown.set(intervals.data.subarray(0, 2 * intervals.count));
		intervals.data = grown;
	}
	intervals.data[2 * intervals.count] = start;
	intervals.data[2 * intervals.count + 1] = end;
	intervals.count++;
}

/**
 * The most units of work in flight at once, folded ones included, as the summary states it: the leaf tasks
 * (see leafSpans), or the HTTP requests sent (`http`).
 */
export function peakInFlight(state: ModelState, endMs: Ms, http = false): number {
	const intervals = http ? state.aggregated.httpIntervals : state.aggregated.leafIntervals;
	return Math.max(intervals.peakBefore, maxOverlap(http ? requestSpans(state, endMs) : leafSpans(state, endMs), intervals));
}

/**
 * Bounds the folded intervals of a long session (a server's, running for hours) without changing the peak:
 * once many are held, the peak before SETTLE_MARGIN_MS behind the latest event is counted, with the kept
 * work open then, and what ended before is let go; what lasts past it is held from there on. Done again
 * when twice as many are held, so that a flood within the margin costs one pass per doubling.
 */
export function settleIfLarge(state: ModelState): void {
	const {leafIntervals, httpIntervals} = state.aggregated;
	if (leafIntervals.count >= leafIntervals.settleAt) settle(leafIntervals, leafSpans(state, state.nowMs), state.nowMs - SETTLE_MARGIN_MS);
	if (httpIntervals.count >= httpIntervals.settleAt) settle(httpIntervals, requestSpans(state, state.nowMs), state.nowMs - SETTLE_MARGIN_MS);
}

function settle(intervals: Intervals, keptSpans: Array<[Ms, Ms]>, until: Ms): void {
	if (until > intervals.settledUntil) {
		// The peak before `until`: every interval cut there, those that begin later left out; the held ones packed, as they are.
		const keptBefore: Array<[Ms, Ms]> = [];
		for (const [start, end] of keptSpans) if (start < until) keptBefore.push([start, Math.min(end, until)]);
		const held = intervals.data;
		const before = new Float64Array(2 * intervals.count);
		// A new array, room for every one held: the old one is left as it was, for a replay's checkpoints that hold it (see Checkpoint).
		const lasting = new Float64Array(Math.max(2048, 2 * intervals.count));
		let cut = 0;
		let kept = 0;
		for (let i = 0; i < intervals.count; i++) {
			const start = held[2 * i]!;
			const end = held[2 * i + 1]!;
			if (start < until) {
				before[2 * cut] = start;
				before[2 * cut++ + 1] = Math.min(end, until);
			}
			if (end > until) {
				lasting[2 * kept] = start;
				lasting[2 * kept++ + 1] = end;
			}
		}
		intervals.peakBefore = Math.max(intervals.peakBefore, maxOverlap(keptBefore, {data: before, count: cut}));
		intervals.data = lasting;
		intervals.count = kept;
		intervals.settledUntil = until;
	}
	intervals.settleAt = Math.max(SETTLE_FROM, 2 * intervals.count);
}

/**
 * When each kept unit of work was a leaf in flight, as the reducer's tasksInFlight counts it: a leaf from its
 * start to its end, any other from its start to its first task. (A folded one counts only if it was a leaf.)
 */
function leafSpans(state: ModelState, fallbackEnd: Ms): Array<[Ms, Ms]> {
	const spans: Array<[Ms, Ms]> = [];
	for (const node of state.nodes.values()) {
		if (!isWorkUnit(node.kind)) continue;
		const end = node.childTaskCount === 0 ? (node.endMs ?? fallbackEnd) : node.leafUntil;
		if (end !== undefined) spans.push([node.startMs, end]);
	}
	return spans;
}

/** The kept HTTP requests sent, from their start (out of a pool's queue) to their end. */
function requestSpans(state: ModelState, fallbackEnd: Ms): Array<[Ms, Ms]> {
	const spans: Array<[Ms, Ms]> = [];
	for (const node of state.nodes.values()) if (node.kind === 'http') spans.push(inFlightSpan(node, fallbackEnd));
	return spans;
}
