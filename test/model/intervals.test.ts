import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {SETTLE_MARGIN_MS} from '../../source/model/intervals.js';
import {maxOverlap} from '../../source/model/overlap.js';
import {apply} from '../../source/model/reducer.js';
import {createState, LIVE_RETENTION, SETTLE_FROM, type ModelState} from '../../source/model/state.js';
import {summarize} from '../../source/model/summary.js';
import type {FoldEvent, ProtocolLine} from '../../source/protocol/events.js';
import {FoldedTaskWriter} from '../../source/protocol/fold.js';
import {event, header} from '../helpers/events.js';

type Span = readonly [start: number, end: number];

/** Calls up to this long may be folded by the script's process: a fold line holds the calls that began and ended in one flush. */
const QUICK_MS = 50;

/** Leaf tasks under the script as the stream tells them: each start and end at its time, in time order. */
function leafTaskLines(spans: readonly Span[]): ProtocolLine[] {
	const moments: Array<[t: number, line: ProtocolLine]> = [];
	spans.forEach(([start, end], i) => {
		const id = 10 + i;
		moments.push([start, event('task.start', {t: start, id, parent: 1, name: `leaf(${i})`, loc: 'app.ts:3:1'})]);
		moments.push([end, event('task.end', {t: end, id, ok: true, busy: 0, wait: end - start, sched: 0, awaits: 1})]);
	});
	moments.sort((a, b) => a[0] - b[0]);
	return [header(), event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null}), ...moments.map(([, line]) => line)];
}

function run(lines: Iterable<ProtocolLine>, settleAt?: number): ModelState {
	const state = createState({retention: LIVE_RETENTION});
	if (settleAt !== undefined) state.aggregated.leafIntervals.settleAt = settleAt;
	for (const line of lines) apply(state, line);
	return state;
}

describe('the folded intervals of the peak in flight', () => {
	it('stay bounded over a long session, and the peak stays exact', () => {
		// A server's ten minutes at 500 calls a second, 2-40 ms each, and one call that runs through the whole session.
		const spans: Span[] = [[5, 600_500]];
		for (let i = 0; i < 300_000; i++) {
			const start = 10 + i * 2;
			spans.push([start, start + 2 + ((i * 7919) % 39)]);
		}
		const state = run([...leafTaskLines(spans), event('exit', {t: 601_000, code: 0, signal: null})]);
		const {leafIntervals} = state.aggregated;
		// Folded, or among the last finished the window keeps.
		const kept = [...state.nodes.values()].filter(node => node.name.startsWith('leaf(')).length;
		expect(kept).toBeGreaterThan(0);
		expect(leafIntervals.total + kept).toBe(300_001);
		// What lies within the margin of the latest event, and room to double, not ten minutes of calls.
		expect(leafIntervals.count).toBeLessThan(2 * Math.max(SETTLE_FROM, (SETTLE_MARGIN_MS / 1000) * 500 * 2));
		expect(leafIntervals.data.length).toBeLessThan(4 * 2 * SETTLE_FROM);
		expect(leafIntervals.settledUntil).toBeGreaterThan(300_000);
		expect(summarize(state).maxInFlight).toBe(maxOverlap(spans));
	});

	it('is the definition for calls kept or folded, settled early or not', () => {
		const quick = fc.tuple(fc.integer({min: 1, max: 400_000}), fc.integer({min: 0, max: QUICK_MS})).map(([start, length]) => [start, start + length] as const);
		const slow = fc.tuple(fc.integer({min: 1, max: 400_000}), fc.integer({min: QUICK_MS + 1, max: 150_000})).map(([start, length]) => [start, start + length] as const);
		fc.assert(
			fc.property(fc.array(quick, {minLength: 1, maxLength: 40}), fc.array(slow, {maxLength: 6}), fc.integer({min: 1, max: 8}), (quicks, slows, settleAt) => {
				// Quick calls folded by the script's process (a fold line holds calls of one flush), told as they end; slower
				// ones told as they start and end, kept; and a call running from the start to the session's end.
				const spans = [...quicks, ...slows];
				const end = Math.max(...spans.map(([, stop]) => stop)) + 1;
				const moments: Array<[number, ProtocolLine]> = quicks.map(([start, stop]) => [stop, foldLine([[start, stop]])]);
				slows.forEach(([start, stop], i) => {
					moments.push([start, event('task.start', {t: start, id: 10 + i, parent: 1, name: `slow(${i})`, loc: 'app.ts:6:1'})]);
					moments.push([stop, event('task.end', {t: stop, id: 10 + i, ok: true, busy: 0, wait: stop - start, sched: 0, awaits: 1})]);
				});
				moments.sort((a, b) => a[0] - b[0]);
				const lines = [header(), event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null}), event('task.start', {t: 0, id: 2, parent: 1, name: 'long()', loc: 'app.ts:9:1'}), ...moments.map(([, line]) => line), event('exit', {t: end, code: 0, signal: null})];
				const state = run(lines, settleAt);
				expect(summarize(state).maxInFlight).toBe(maxOverlap([[0, end], ...spans]));
			}),
		);
	});

	it("counts the calls the script's process folded, settled as they come", () => {
		const lines: ProtocolLine[] = [header(), event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null})];
		// Two minutes of 1,000 quick calls a second, 3 ms each (3 in flight), then a burst of 2,000 at once, 5 ms each.
		for (let second = 0; second < 120; second++) lines.push(foldLine(Array.from({length: 1000}, (_, i) => [1 + second * 1000 + i, 4 + second * 1000 + i] as const)));
		lines.push(foldLine([[200_000, 200_000]]), foldLine(Array.from({length: 2000}, () => [200_001, 200_006] as const)));
		const state = run(lines, 4);
		expect(state.aggregated.leafIntervals.total).toBe(122_001);
		expect(state.aggregated.leafIntervals.settledUntil).toBeGreaterThan(0);
		expect(summarize(state).maxInFlight).toBe(2000);
	});
});

/** A fold line of calls under the script's top level (id 1), with these times. */
function foldLine(spans: readonly Span[]): FoldEvent {
	const t = Math.max(...spans.map(([, end]) => end));
	const tasks = new FoldedTaskWriter(t);
	let totalMs = 0;
	for (const [start, end] of spans) {
		tasks.add(start, end, 0, end - start);
		totalMs += end - start;
	}
	return {type: 'fold', t, kind: 'task', name: 'tiny', loc: 'app.ts:3:1', parent: 1, leaf: true, count: spans.length, totalMs, busyMs: 0, waitMs: totalMs, tasks: tasks.text()};
}
