import fc from 'fast-check';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {decodeEvent} from '../../source/protocol/decode.js';
import type {AsyncmonEvent, HeaderEvent} from '../../source/protocol/events.js';
import {SENT_BURST} from '../../source/protocol/fold.js';
import {type BatchWriter, EventSink, inTimeOrder, type KeptStarts, MAX_BUFFERED} from '../../source/runtime/event-sink.js';
import {SpanFolder} from '../../source/runtime/span-folder.js';
import {event} from '../helpers/events.js';

/** Keeps what the sink writes, decoded, one array per batch. */
class DecodingWriter implements BatchWriter {
	readonly batches: AsyncmonEvent[][] = [];
	write(data: Uint8Array): void {
		const lines = new TextDecoder().decode(data).split('\n').filter(Boolean);
		this.batches.push(
			lines.flatMap(line => {
				const decoded = decodeEvent(line);
				if (typeof decoded === 'string') throw new Error(`${decoded}: ${line}`);
				return decoded;
			}),
		);
	}
	drain(): void {}
	takeHeldBackMs(): number {
		return 0;
	}
}

const ORIGIN = 1000;

/** A batch's events as `type id`, its `held` line left out. */
const described = (batch: AsyncmonEvent[]): string[] => batch.filter(e => e.type !== 'held').map(e => `${e.type} ${(e as {id: number}).id}`);

/** A wave: `wave` starts `count` calls of work(), which end later (see waveEnds). Times are performance.now() readings, after ORIGIN. */
function waveStarts(wave: number, count: number, at: number): AsyncmonEvent[] {
	const events: AsyncmonEvent[] = [event('task.start', {t: at, id: wave, parent: 1, name: 'wave', loc: 'app.ts:9:1'})];
	for (let i = 1; i <= count; i++) events.push(event('task.start', {t: at, id: wave + i, parent: wave, name: 'work', loc: 'app.ts:4:1'}));
	return events;
}

function waveEnds(wave: number, count: number, at: number): AsyncmonEvent[] {
	const events: AsyncmonEvent[] = [];
	for (let i = 1; i <= count; i++) events.push(event('task.end', {t: at, id: wave + i, busy: 0.001}));
	events.push(event('task.end', {t: at + 0.01, id: wave, busy: 0.01}));
	return events;
}

/**
 * A sink at t = 0 holding a request handled long ago, then `recent(now)`: a flush cuts only in its batch's second
 * half, which `recent` is.
 */
function afterOldWave(recent: (now: number) => AsyncmonEvent[]): {writer: DecodingWriter; sink: EventSink} {
	const writer = new DecodingWriter();
	const sink = new EventSink(writer, 0, new SpanFolder());
	const now = performance.now();
	// The flush reads the clock for what is recent: held still, a loaded machine's pause before it cannot age the calls.
	vi.spyOn(performance, 'now').mockReturnValue(now);
	for (const e of [...waveStarts(100, 3, now - 400), ...waveEnds(100, 3, now - 390), ...recent(now)]) sink.push(e);
	return {writer, sink};
}

/**
 * A sink whose sites (by default tiny() at app.ts:4:1) spent their allowances in a batch sent before, calls of 1 ms
 * each (each as long as the last, so that none of the calls a test adds is the slowest yet), under task 1, which is
 * in the stream.
 */
function spentSink(sites: ReadonlyArray<readonly [name: string, loc: string]> = [['tiny', 'app.ts:4:1']]): {writer: DecodingWriter; sink: EventSink; at: number} {
	const writer = new DecodingWriter();
	const sink = new EventSink(writer, ORIGIN, new SpanFolder());
	let id = 10;
	const at = ORIGIN + 1;
	for (const [name, loc] of sites) {
		for (let i = 0; i < 2 * SENT_BURST; i++, id++) {
			sink.push(event('task.start', {t: at - 1, id, parent: 1, name, loc}));
			sink.push(event('task.end', {t: at, id, busy: 1}));
		}
	}
	sink.flush();
	writer.batches.length = 0;
	return {writer, sink, at};
}

describe('EventSink', () => {
	afterEach(() => vi.restoreAllMocks());

	it('keeps the calls still running at a flush forced mid-burst for the next flush, where they fold, each event sent once with its time shifted once', () => {
		const writer = new DecodingWriter();
		const sink = new EventSink(writer, ORIGIN, new SpanFolder());
		// The allowance of work() is spent by a first wave; a second wave has started its calls when the buffer fills.
		const first = [...waveStarts(100, 2 * SENT_BURST, ORIGIN + 1), ...waveEnds(100, 2 * SENT_BURST, ORIGIN + 2)];
		const secondStarts = waveStarts(10_000, 400, ORIGIN + 3);
		for (const e of [...first, ...secondStarts]) sink.push(e);
		let kept = Number.NaN;
		sink.flush((_, starts) => (kept = starts.from), 'burst');
		// The second wave waits, from its own start on.
		expect(kept).toBe(10_000);
		expect(writer.batches[0]!.some(e => 'id' in e && e.id >= 10_000)).toBe(false);
		for (const e of waveEnds(10_000, 400, ORIGIN + 4)) sink.push(e);
		sink.flush(undefined, 'burst');
		const second = writer.batches[1]!;
		// Sent with its start: wave() itself (its allowance is fresh), the work() calls its rate let through, and a fold line for the rest.
		const sentIds = second.flatMap(e => (e.type === 'task.start' ? [e.id] : []));
		expect(sentIds[0]).toBe(10_000);
		const fold = second.find(e => e.type === 'fold');
		expect(fold).toMatchObject({name: 'work', parent: 10_000});
		expect(sentIds.length - 1).toBeLessThanOrEqual(2);
		expect(sentIds.length - 1 + (fold as {count: number}).count).toBe(400);
		expect(second.find(e => e.type === 'task.end' && e.id === 10_000)!.t).toBeCloseTo(4.01, 6);
	});

	it('keeps, at a flush on the timer, only the calls still running that began in its last few milliseconds', () => {
		// A request handled long ago, one still running from 200 ms ago, and one that began 2 ms ago, each in the second half.
		const {writer, sink} = afterOldWave(now => [
			event('task.start', {t: now - 200, id: 200, parent: 1, name: 'slow', loc: 'app.ts:2:1'}),
			event('task.start', {t: now - 2, id: 201, parent: 1, name: 'quick', loc: 'app.ts:3:1'}),
		]);
		let kept = Number.NaN;
		sink.flush((_, starts) => (kept = starts.from), 'recent');
		expect(kept).toBe(201);
		expect(writer.batches[0]!.filter(e => e.type === 'task.start').map(e => (e as {id: number}).id)).toContain(200);
		// The one kept is said to be held: in flight, for a monitor that would otherwise count nothing running.
		expect(writer.batches[0]!.at(-1)).toMatchObject({type: 'held', tasks: 1, http: 0});
		// With nothing to keep, the next flush sends it, and says nothing is held any more.
		sink.flush(undefined, 'nothing');
		expect(writer.batches[1]!.map(e => (e as {id?: number}).id ?? e.type)).toEqual([201, 'held']);
		expect(writer.batches[1]!.at(-1)).toMatchObject({type: 'held', tasks: 0, http: 0});
		// Unchanged at nothing held, it is not said again.
		sink.push(event('task.start', {t: 0, id: 300, parent: 1, name: 'later', loc: 'app.ts:4:1'}));
		sink.flush(undefined, 'nothing');
		expect(writer.batches[2]!.some(e => e.type === 'held')).toBe(false);
	});

	// A server under load holds about as many calls at each flush, other ones each time: a reader that took the ones
	// told off the old figure (see the reducer) would read too few until the figure changed.
	it('says what it holds again at each flush while it holds any, the same figure or not', () => {
		const {writer, sink} = afterOldWave(now => [event('task.start', {t: now - 2, id: 201, parent: 1, name: 'quick', loc: 'app.ts:3:1'})]);
		sink.flush(undefined, 'recent');
		expect(writer.batches[0]!.at(-1)).toMatchObject({type: 'held', tasks: 1});
		sink.push(event('task.start', {t: performance.now(), id: 202, parent: 1, name: 'next', loc: 'app.ts:3:1'}));
		sink.flush(undefined, 'recent');
		expect(writer.batches[1]!.map(e => (e as {id?: number}).id ?? e.type)).toEqual([201, 'held']);
		expect(writer.batches[1]!.at(-1)).toMatchObject({type: 'held', tasks: 1});
	});

	it('sends, of what it keeps, the awaits told at the flush of tasks already sent, even of a call kept: they are not shown running until the next one', () => {
		const {writer, sink} = afterOldWave(now => [
			event('task.start', {t: now - 200, id: 200, parent: 1, name: 'slow', loc: 'app.ts:2:1'}),
			event('task.start', {t: now - 190, id: 210, parent: 1, name: 'resumed', loc: 'app.ts:5:1'}),
			// Kept from here: a call that began 2 ms ago, and what came after it.
			event('task.start', {t: now - 2, id: 201, parent: 1, name: 'quick', loc: 'app.ts:3:1'}),
			event('task.resume', {t: now - 1.5, id: 210, readyAt: now - 1.5, wait: 100, sched: 0}),
			// The awaits the flush told: slow()'s, on a timer of its own, goes now; so does main's, though it names the call
			// kept; resumed()'s follows its own resume, which is kept.
			event('task.await', {t: now - 150, id: 200, site: 'app.ts:2:20', on: {kind: 'op', id: 199}, busy: 1}),
			event('task.await', {t: now - 1, id: 1, site: 'app.ts:9:5', on: {kind: 'task', id: 201}, busy: 1}),
			event('task.await', {t: now - 1, id: 210, site: 'app.ts:5:9', on: {kind: 'op', id: 198}, busy: 1}),
		]);
		sink.flush(undefined, 'recent');
		expect(described(writer.batches[0]!).slice(-4)).toEqual(['task.start 200', 'task.start 210', 'task.await 200', 'task.await 1']);
		sink.flush(undefined, 'nothing');
		expect(described(writer.batches[1]!)).toEqual(['task.start 201', 'task.resume 210', 'task.await 210']);
	});

	it('sends, of what it keeps, the resumes and ends of tasks already sent, unless something kept names them: a request done is not shown in flight', () => {
		const {writer, sink} = afterOldWave(now => [
			event('task.start', {t: now - 200, id: 200, parent: 1, name: 'served', loc: 'app.ts:2:1'}),
			event('task.start', {t: now - 190, id: 201, parent: 1, name: 'parent', loc: 'app.ts:5:1'}),
			// Kept from here: a call that began 2 ms ago, and what came after it.
			event('task.start', {t: now - 2, id: 202, parent: 1, name: 'quick', loc: 'app.ts:3:1'}),
			event('task.resume', {t: now - 1.5, id: 200, readyAt: now - 1.5, wait: 100, sched: 0}),
			event('task.end', {t: now - 1.4, id: 200, busy: 1, wait: 100}),
			// parent() started a call, kept: its own end stays after that call's start.
			event('task.start', {t: now - 1.2, id: 203, parent: 201, name: 'child', loc: 'app.ts:6:1'}),
			event('task.end', {t: now - 1, id: 201, busy: 1, wait: 100}),
			// A call kept whole, done: not in flight.
			event('task.start', {t: now - 0.8, id: 204, parent: 1, name: 'done', loc: 'app.ts:7:1'}),
			event('task.end', {t: now - 0.7, id: 204, busy: 0.1}),
		]);
		sink.flush(undefined, 'recent');
		expect(described(writer.batches[0]!).slice(-4)).toEqual(['task.start 200', 'task.start 201', 'task.resume 200', 'task.end 200']);
		// In flight and not yet in the stream: quick() and child(), not done().
		expect(writer.batches[0]!.at(-1)).toMatchObject({type: 'held', tasks: 2, http: 0});
		sink.flush(undefined, 'nothing');
		expect(described(writer.batches[1]!)).toEqual(['task.start 202', 'task.start 203', 'task.end 201', 'task.start 204', 'task.end 204']);
	});

	it('writes a batch in time order: a wait told when it ended goes where it began, so that a reader stopped mid-batch sees it waiting', () => {
		const writer = new DecodingWriter();
		const sink = new EventSink(writer, ORIGIN, new SpanFolder());
		for (const e of [
			event('task.start', {t: ORIGIN + 1, id: 2, parent: 1, name: 'slow', loc: 'app.ts:2:1'}),
			event('task.start', {t: ORIGIN + 3, id: 3, parent: 1, name: 'other', loc: 'app.ts:3:1'}),
			// slow()'s wait began at 1.5 ms; it is told at its resume, 20 ms later.
			event('task.await', {t: ORIGIN + 1.5, id: 2, site: 'app.ts:2:9', on: {kind: 'value'}, busy: 0.5}),
			event('task.resume', {t: ORIGIN + 21.5, id: 2, readyAt: ORIGIN + 21.5, wait: 20, sched: 0}),
		])
			sink.push(e);
		sink.flush();
		expect(described(writer.batches[0]!)).toEqual(['task.start 2', 'task.await 2', 'task.start 3', 'task.resume 2']);
	});

	it('tells which starts it kept, a held tree\'s among them though its ids are older than the cut\'s', () => {
		// A call 2 ms old still running, then a held call's tree let go as it ended, its start older, behind it.
		const {sink} = afterOldWave(now => [
			event('task.start', {t: now - 2, id: 201, parent: 1, name: 'quick', loc: 'app.ts:3:1'}),
			event('task.start', {t: now - 30, id: 150, parent: 1, name: 'held', loc: 'app.ts:5:1'}),
			event('task.end', {t: now - 1, id: 150, ok: true, busy: 0.1, wait: 28.9, sched: 0, awaits: 1}),
		]);
		let kept: KeptStarts | undefined;
		sink.flush((_, starts) => (kept = starts), 'recent');
		expect(kept!.from).toBe(201);
		// Named now, it would fold at the next flush under its arguments' name.
		expect(kept!.has(150)).toBe(true);
		expect(kept!.has(201)).toBe(true);
		expect(kept!.has(100)).toBe(false);
	});

	it('sends everything when it may keep nothing, however much is still running', () => {
		const writer = new DecodingWriter();
		const sink = new EventSink(writer, ORIGIN, new SpanFolder());
		for (const e of waveStarts(100, 50, ORIGIN + 1)) sink.push(e);
		let kept = Number.NaN;
		sink.flush((_, starts) => (kept = starts.from));
		expect(kept).toBe(Number.POSITIVE_INFINITY);
		expect(writer.batches[0]!.filter(e => e.type === 'task.start')).toHaveLength(51);
		expect(writer.batches[0]![0]!.t).toBeCloseTo(1, 6);
	});

	it('puts any batch in time order as a stable sort would: the header first, events at one time as they were told', () => {
		const header = {type: 'header', protocol: 1} as HeaderEvent;
		fc.assert(
			fc.property(fc.array(fc.integer({min: 0, max: 6}), {maxLength: 40}), fc.option(fc.nat(40)), (times, headerAt) => {
				const events: Array<AsyncmonEvent | HeaderEvent> = times.map((t, id) => event('op.end', {t, id, ok: true}));
				if (headerAt !== null) events.splice(Math.min(headerAt, events.length), 0, header);
				const expected = [...events].sort((a, b) => (a.type === 'header' ? -1 : b.type === 'header' ? 1 : a.t - b.t));
				expect(inTimeOrder(events)).toEqual(expected);
			}),
		);
	});

	describe('a call folded as it ends (foldEnded)', () => {
		const start = (id: number, t: number, parent = 1) => event('task.start', {t, id, parent, name: 'tiny', loc: 'app.ts:4:1'});

		it('takes back its start and writes one line where the first such call started, its time the last end', () => {
			const {writer, sink, at} = spentSink();
			sink.push(event('task.start', {t: at + 1, id: 5000, parent: 1, name: 'sent', loc: 'app.ts:9:1'}));
			for (let i = 0; i < 5; i++) {
				sink.push(start(5001 + i, at + 2 + i));
				expect(sink.foldEnded(5001 + i, at + 2.5 + i, 0.25, 0.25, 100)).toBe(true);
			}
			sink.push(event('task.start', {t: at + 9, id: 5010, parent: 1, name: 'later', loc: 'app.ts:11:1'}));
			sink.flush();
			const [batch] = writer.batches;
			expect(described(batch!)).toEqual(['task.start 5000', 'fold undefined', 'task.start 5010']);
			const fold = batch!.find(e => e.type === 'fold')!;
			expect(fold).toMatchObject({name: 'tiny', parent: 1, count: 5, leaf: true});
			// Session times: the origin taken off once.
			expect(fold.t).toBeCloseTo(at + 6.5 - ORIGIN, 6);
			expect(fold.totalMs).toBeCloseTo(2.5, 6);
		});

		it('sends it as usual when its start is not the last event, it lasted as long as a block, its parent may fold with it, or its allowance sends it', () => {
			const {sink, at} = spentSink();
			// Something of its own (an op it started) after its start.
			sink.push(start(6000, at));
			sink.push(event('op.start', {t: at, id: 6001, parent: 6000, kind: 'timer', name: 'setTimeout 1ms'}));
			expect(sink.foldEnded(6000, at + 0.5, 0.5, 0, 100)).toBe(false);
			// As long as a block.
			sink.push(start(6002, at));
			expect(sink.foldEnded(6002, at + 100, 100, 0, 100)).toBe(false);
			// Under a task whose start is buffered still: the flush may fold them together.
			sink.push(start(6003, at, 6000));
			expect(sink.foldEnded(6003, at + 0.5, 0.5, 0, 100)).toBe(false);
			// Another task's.
			sink.push(start(6004, at));
			expect(sink.foldEnded(6003, at + 0.5, 0.5, 0, 100)).toBe(false);
			sink.flush();
			// A fresh site's allowance sends it one by one.
			sink.push(event('task.start', {t: at + 1, id: 6005, parent: 1, name: 'fresh', loc: 'app.ts:7:1'}));
			expect(sink.foldEnded(6005, at + 1.5, 0.5, 0, 100)).toBe(false);
			// After the flush, a call under a task it sent folds.
			sink.push(event('task.end', {t: at + 1.5, id: 6005, busy: 0.5}));
			sink.push(start(6006, at + 2, 6000));
			expect(sink.foldEnded(6006, at + 2.5, 0.5, 0, 100)).toBe(true);
		});

		it('counts the calls folded toward a full buffer: a flood of them is flushed as it runs', () => {
			const {sink, at} = spentSink();
			let folded = 0;
			while (!sink.full && folded < MAX_BUFFERED) {
				sink.push(start(10_000 + folded, at));
				expect(sink.foldEnded(10_000 + folded, at + 0.01, 0.01, 0, 100)).toBe(true);
				folded++;
			}
			// One line holds them all: the buffer alone would never fill.
			expect(folded).toBe(MAX_BUFFERED - 1);
			sink.flush();
			expect(sink.full).toBe(false);
		});
	});
	describe('a silent call (startsSilent, foldSilent)', () => {
		/** tiny() and wave() (app.ts:9:1), both spent. */
		const spentSites = () => spentSink([['tiny', 'app.ts:4:1'], ['wave', 'app.ts:9:1']]);
		const tiny = (id: number, t: number, parent: number) => event('task.start', {t, id, parent, name: 'tiny', loc: 'app.ts:4:1'});

		it('starts silent once its site spent its allowance, counting the calls started in the stream since the last flush as charged', () => {
			const fresh = new EventSink(new DecodingWriter(), ORIGIN, new SpanFolder());
			// A site never seen: its allowance is whole.
			expect(fresh.startsSilent('app.ts:4:1', ORIGIN + 1)).toBe(false);
			const {sink, at} = spentSites();
			expect(sink.startsSilent('app.ts:4:1', at)).toBe(true);
			// 30 ms later its allowance grew back by 3 calls (100 a second): three start in the stream, the fourth silent.
			const later = at + 30;
			expect([1, 2, 3, 4].map(() => sink.startsSilent('app.ts:4:1', later))).toEqual([false, false, false, true]);
			// Without a folder (--retain all), none is.
			expect(new EventSink(new DecodingWriter(), ORIGIN).startsSilent('app.ts:4:1', at)).toBe(false);
		});

		it('folds into a line under a parent that started in the same batch: sent, the parent keeps it; folded, its calls are inner calls of the parent\'s tree', () => {
			const {writer, sink, at} = spentSites();
			/** A wave() call `id`, with five tiny() calls folded under it as they ended. */
			const wave = (id: number, t: number): void => {
				sink.push(event('task.start', {t, id, parent: 1, name: 'wave', loc: 'app.ts:9:1'}));
				for (let i = 1; i <= 5; i++) expect(sink.foldSilent(tiny(id + i, t + i / 10, id), t + 1 + i / 10, 0.1, 0.5)).toBe(true);
				sink.push(event('task.end', {t: t + 2, id, busy: 0.2}));
			};
			// One wave alone: too few to fold (see MIN_FOLDED), it is sent, and its line names it.
			wave(7000, at + 1);
			sink.flush();
			const [alone] = writer.batches;
			// Its start and end go as one span line, written where it started: the fold line after it.
			expect(described(alone!)).toEqual(['task.start 7000', 'task.end 7000', 'fold undefined']);
			expect(alone!.find(e => e.type === 'fold')).toMatchObject({name: 'tiny', parent: 7000, count: 5, leaf: true});
			// Four waves, their allowance spent (less than a call's worth grows back in these few ms): they fold, no longer
			// leaves, and their calls' lines are inner lines.
			for (let w = 0; w < 4; w++) wave(7100 + 10 * w, at + 3 + w / 2);
			sink.flush();
			const lines = writer.batches[1]!.filter(e => e.type === 'fold');
			expect(writer.batches[1]!.filter(e => e.type === 'task.start')).toEqual([]);
			expect(lines.find(line => line.name === 'wave')).toMatchObject({parent: 1, count: 4, leaf: false});
			const inner = lines.filter(line => line.name === 'tiny');
			expect(inner.map(line => [line.parent, line.count])).toEqual([
				[null, 5],
				[null, 5],
				[null, 5],
				[null, 5],
			]);
		});

		it('is sent after all when its allowance sends it (the slowest yet): the caller buffers it as any call', () => {
			const {sink, at} = spentSites();
			expect(sink.foldSilent(tiny(7100, at, 1), at + 50, 50, 0)).toBe(false);
		});

		it("waits, folded, with a parent whose start a flush keeps: its line never comes before the start it names", () => {
			const {writer, sink} = spentSites();
			const now = performance.now();
			vi.spyOn(performance, 'now').mockReturnValue(now);
			try {
				// An old call, done, then a parent that started a moment ago and still runs, with quick calls folded under it.
				sink.push(event('task.start', {t: now - 400, id: 8000, parent: 1, name: 'old', loc: 'app.ts:20:1'}));
				sink.push(event('task.end', {t: now - 390, id: 8000, busy: 1}));
				sink.push(event('task.start', {t: now - 1, id: 8001, parent: 1, name: 'wave', loc: 'app.ts:9:1'}));
				for (let i = 2; i <= 5; i++) expect(sink.foldSilent(tiny(8000 + i, now - 1 + i / 10, 8001), now - 0.5 + i / 10, 0.1, 0)).toBe(true);
				sink.flush(undefined, 'recent');
				expect(writer.batches.flat().some(e => e.type === 'fold')).toBe(false);
				sink.push(event('task.end', {t: now, id: 8001, busy: 0.5}));
				sink.flush();
			} finally {
				vi.restoreAllMocks();
			}
			const sent = writer.batches.flat().filter(e => e.type !== 'held');
			const parentAt = sent.findIndex(e => e.type === 'task.start' && e.id === 8001);
			const lineAt = sent.findIndex(e => e.type === 'fold');
			expect(parentAt).toBeGreaterThanOrEqual(0);
			expect(lineAt).toBeGreaterThan(parentAt);
			expect(sent[lineAt]).toMatchObject({parent: 8001, count: 4});
			// Session times, shifted once: within the run, after its parent's start.
			expect(sent[lineAt]!.t).toBeGreaterThan(sent[parentAt]!.t);
			expect(sent[lineAt]!.t).toBeCloseTo(now - ORIGIN, 0);
		});
	});
});
