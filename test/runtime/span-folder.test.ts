import {describe, expect, it} from 'vitest';
import type {AsyncmonEvent, FoldEvent, HttpFoldEvent, TaskStartEvent} from '../../source/protocol/events.js';
import {forEachFoldedRequest, forEachFoldedTask, SENT_BURST, SENT_PER_SECOND, type FoldedRequest} from '../../source/protocol/fold.js';
import {roundMs} from '../../source/protocol/rounding.js';
import {MAX_ALLOWANCES, SpanFolder} from '../../source/runtime/span-folder.js';
import {event} from '../helpers/events.js';

/** `count` calls of `name`, each started and ended within the batch (a span), one after another: times in binary fractions, so every duration is exactly alike. */
const SPAN_MS = 2 ** -6;
const GAP_MS = 2 ** -5;

function quickCalls(count: number, options: {name?: string; parent?: number; firstId?: number; at?: number; ms?: number} = {}): AsyncmonEvent[] {
	const {name = 'tiny', parent = 1, firstId = 100, at = 0, ms = SPAN_MS} = options;
	const events: AsyncmonEvent[] = [];
	for (let i = 0; i < count; i++) {
		const t = at + i * GAP_MS;
		events.push(event('task.start', {t, id: firstId + i, parent, name, loc: `app.ts:${name.length}:1`}));
		events.push(event('task.end', {t: t + ms, id: firstId + i, busy: ms}));
	}
	return events;
}

/** Spends a site's allowance: it sends nothing more one by one until its rate refills it. Returns when it ended. */
function exhaust(folder: SpanFolder, name: string, firstId: number): number {
	const count = 2 * SENT_BURST;
	foldOnce(folder, quickCalls(count, {name, firstId}));
	return count * GAP_MS;
}

function foldOnce(folder: SpanFolder, events: AsyncmonEvent[]) {
	return folder.fold(events);
}

/**
 * wave() (id `wave`, under `parent`) awaits Promise.all of 20 calls of work(), naming the first 8. All start at once
 * and end together, each as quick as the calls before them (a slower one would be sent). Returns the calls' ids.
 */
function pushWave(batch: AsyncmonEvent[], t: number, wave: number, parent: number): number[] {
	const calls = Array.from({length: 20}, (_, i) => wave + 1 + i);
	batch.push(event('task.start', {t, id: wave, parent, name: 'wave', loc: 'app.ts:9:1'}));
	for (const id of calls) batch.push(event('task.start', {t, id, parent: wave, name: 'work', loc: 'app.ts:4:1'}));
	batch.push(event('task.await', {t, id: wave, on: {kind: 'promise', tasks: calls.slice(0, 8), taskCount: 20}}));
	for (const id of calls) batch.push(event('task.end', {t: t + SPAN_MS, id, busy: SPAN_MS / 2}));
	batch.push(event('task.end', {t: t + GAP_MS, id: wave, busy: SPAN_MS}));
	return calls;
}

const folds = (events: ReadonlyArray<{type: string}>) => events.filter((e): e is FoldEvent => e.type === 'fold');

describe('SpanFolder: quick tasks folded in the script process', () => {
	it('sends a site its first burst one by one, and folds the rest of the flood into one line with exact sums', () => {
		const folder = new SpanFolder();
		const events = quickCalls(SENT_BURST + 500);
		const {events: sent, isFolded} = foldOnce(folder, events);
		const [fold, ...more] = folds(sent);
		expect(more).toEqual([]);
		// The first burst, and the first call (the longest so far), went one by one.
		const starts = sent.filter(e => e.type === 'task.start');
		expect(starts.length + fold!.count).toBe(SENT_BURST + 500);
		// The rest but what the site's rate allowed while they ran, and the first, the longest yet.
		const ranMs = (SENT_BURST + 500) * GAP_MS;
		expect(fold!.count).toBe(500 - Math.floor((ranMs * SENT_PER_SECOND) / 1000) - 1);
		expect(fold).toMatchObject({name: 'tiny', loc: 'app.ts:4:1', parent: 1});
		expect(fold!.totalMs).toBeCloseTo(fold!.count * SPAN_MS, 9);
		expect(fold!.busyMs).toBeCloseTo(fold!.count * SPAN_MS, 9);
		// Each folded task's own times are in the line: start (session time) and duration.
		const folded: number[] = [];
		expect(forEachFoldedTask(fold!, task => folded.push(task.startMs, task.totalMs))).toBe(true);
		const firstFolded = events.find(e => e.type === 'task.start' && isFolded(e.id))!;
		// To the microsecond, the stream's precision.
		expect(folded[0]).toBe(roundMs(firstFolded.t));
		expect(folded[1]).toBeCloseTo(SPAN_MS, 2);
		// Its line sits where its first task started; the tasks sent keep their order.
		expect(sent.indexOf(fold!) + 1).toBe(sent.findIndex(e => e.type === 'task.start' && e.t >= firstFolded.t));
		expect(isFolded(firstFolded.type === 'task.start' ? firstFolded.id : -1)).toBe(true);
		expect(isFolded(100)).toBe(false);
	});

	it('refills a site at its rate per second of the script time', () => {
		const folder = new SpanFolder();
		foldOnce(folder, quickCalls(SENT_BURST + 100));
		// One second later, SENT_PER_SECOND more are sent, and what the rate adds while the batch's calls run.
		const later = quickCalls(SENT_BURST, {firstId: 10_000, at: 1000 + (SENT_BURST + 100) * GAP_MS});
		const {events: sent} = foldOnce(folder, later);
		const duringMs = SENT_BURST * GAP_MS;
		const sentOneByOne = sent.filter(e => e.type === 'task.start').length;
		expect(sentOneByOne).toBeGreaterThanOrEqual(SENT_PER_SECOND);
		expect(sentOneByOne).toBeLessThanOrEqual(SENT_PER_SECOND + Math.ceil((duringMs * SENT_PER_SECOND) / 1000) + 1);
	});

	it('never folds a task that failed, started something still running, was awaited by another, or was the slowest yet', () => {
		const folder = new SpanFolder();
		const t = exhaust(folder, 'tiny', 100);
		const batch: AsyncmonEvent[] = [
			...quickCalls(8, {firstId: 6000, at: t}),
			event('task.start', {t: t + 1, id: 7000, parent: 1, name: 'tiny', loc: 'app.ts:4:1'}),
			event('task.end', {t: t + 1.01, id: 7000, ok: false, busy: 0.01, error: {name: 'Error', message: 'no'}}),
			event('task.start', {t: t + 2, id: 7001, parent: 1, name: 'tiny', loc: 'app.ts:4:1'}),
			event('op.start', {t: t + 2, id: 7002, parent: 7001, kind: 'timer', name: 'setTimeout 0ms'}),
			event('task.end', {t: t + 2.01, id: 7001, busy: 0.01}),
			event('task.start', {t: t + 3, id: 7003, parent: 1, name: 'tiny', loc: 'app.ts:4:1'}),
			// Awaited by a task other than its caller (1).
			event('task.await', {t: t + 3, id: 2, on: {kind: 'task', id: 7003}}),
			event('task.end', {t: t + 3.01, id: 7003, busy: 0.01}),
			event('task.start', {t: t + 4, id: 7004, parent: 1, name: 'tiny', loc: 'app.ts:4:1'}),
			event('task.end', {t: t + 9, id: 7004, busy: 5}),
		];
		const {events: sent, isFolded} = foldOnce(folder, batch);
		for (const id of [7000, 7001, 7003, 7004]) expect(isFolded(id), `task ${id}`).toBe(false);
		// The plain quick calls beside them fold (but what the allowance's refill sent).
		expect(folds(sent).map(f => f.count)).toEqual([expect.toSatisfy((count: number) => count >= 6 && count <= 8)]);
	});

	it('groups by site and parent, and sends groups of fewer than four one by one', () => {
		const folder = new SpanFolder();
		const t = exhaust(folder, 'a', 100);
		exhaust(folder, 'bb', 10_000);
		const batch = [...quickCalls(6, {name: 'a', parent: 1, firstId: 30_000, at: t}), ...quickCalls(5, {name: 'a', parent: 2, firstId: 30_100, at: t + 0.2}), ...quickCalls(3, {name: 'bb', firstId: 30_200, at: t + 0.4})];
		const {events: sent} = foldOnce(folder, batch);
		// The allowance refills as they run: a call of each group may still go one by one.
		expect(folds(sent).map(f => [f.name, f.parent, f.count])).toEqual([
			['a', 1, expect.toSatisfy((count: number) => count >= 5)],
			['a', 2, expect.toSatisfy((count: number) => count >= 4)],
		]);
		// The three of bb under one parent are too few for a line.
		expect(sent.filter(e => e.type === 'task.start' && e.name === 'bb').map(e => e.type === 'task.start' && e.id)).toEqual([30_200, 30_201, 30_202]);
	});

	it("joins the groups of a function's calls too small under each parent, but not together, into one line under no parent: a pool's workers' calls", () => {
		const folder = new SpanFolder();
		const t = exhaust(folder, 'getItem', 100);
		// Eight workers (ids 2 to 9) each made one call in the flush: each group alone is too small for a line.
		const batch = Array.from({length: 8}, (_, i) => quickCalls(1, {name: 'getItem', parent: 2 + i, firstId: 40_000 + i, at: t + i * GAP_MS})).flat();
		const {events: sent, isFolded} = foldOnce(folder, batch);
		expect(folds(sent).map(f => [f.name, f.parent, f.count])).toEqual([['getItem', null, expect.toSatisfy((count: number) => count >= 7)]]);
		expect(isFolded(40_007)).toBe(true);
		// Two workers' calls, together still too few: sent one by one.
		const few = Array.from({length: 2}, (_, i) => quickCalls(1, {name: 'getItem', parent: 2 + i, firstId: 41_000 + i, at: t + 1 + i * GAP_MS})).flat();
		expect(folds(foldOnce(folder, few).events)).toEqual([]);
	});

	it('sends whole a call kept whole (a block the watchdog told named it), once, and folds the others', () => {
		const folder = new SpanFolder();
		const t = exhaust(folder, 'tiny', 100);
		const batch = quickCalls(8, {firstId: 50_000, at: t});
		folder.keepWhole(50_003);
		const {events: sent, isFolded} = foldOnce(folder, batch);
		expect(isFolded(50_003)).toBe(false);
		expect(sent.some(e => e.type === 'task.start' && e.id === 50_003)).toBe(true);
		expect(isFolded(50_004)).toBe(true);
		// Found once: a later batch's calls fold.
		expect(foldOnce(folder, quickCalls(8, {firstId: 50_003, at: t + 1})).isFolded(50_003)).toBe(true);
	});

	it("charges a call sent still running to its function's allowance, as one sent whole: a function whose calls outlast a flush spends it", () => {
		const folder = new SpanFolder();
		// Twice SENT_BURST calls (the rate refills it as they start), each still running at the flush that sends its start.
		const count = 2 * SENT_BURST;
		const running = Array.from({length: count}, (_, i) => event('task.start', {t: i * GAP_MS, id: 100 + i, parent: 1, name: 'getItem', loc: 'app.ts:7:1'}));
		foldOnce(folder, running);
		expect(folder.startsSilent('app.ts:7:1', count * GAP_MS)).toBe(true);
		// A function whose calls were never sent keeps its allowance.
		expect(folder.startsSilent('app.ts:8:1', count * GAP_MS)).toBe(false);
	});

	it('folds a request a server received with everything it started, by route: one line per site, the root under its parent, its timers by their API whatever their delays', () => {
		const folder = new SpanFolder();
		/** A request, its handler, the handler's call and that call's timer (of a delay of its own): ids id..id+3, `ms` long, answered `status`. */
		const request = (id: number, at: number, status = 200, timerEnds = true): AsyncmonEvent[] => [
			event('task.start', {t: at, id, parent: 1, kind: 'server', name: `GET /users/${id}`, loc: null, http: {method: 'GET', url: `/users/${id}`}}),
			event('task.start', {t: at + GAP_MS, id: id + 1, parent: id, name: 'handler', loc: 'app.ts:9:1'}),
			event('task.start', {t: at + GAP_MS, id: id + 2, parent: id + 1, name: 'loadUser', loc: 'app.ts:4:1'}),
			event('op.start', {t: at + GAP_MS, id: id + 3, parent: id + 2, kind: 'timer', name: `sleep ${1 + (id % 10) / 10}ms`}),
			event('task.await', {t: at + GAP_MS, id: id + 2, on: {kind: 'op', id: id + 3}}),
			event('task.await', {t: at + GAP_MS, id: id + 1, on: {kind: 'task', id: id + 2}}),
			...(timerEnds ? [event('op.end', {t: at + 1, id: id + 3})] : []),
			event('task.resume', {t: at + 1, id: id + 2, readyAt: at + 1}),
			event('task.end', {t: at + 1, id: id + 2, busy: SPAN_MS, wait: 1}),
			event('task.end', {t: at + 1, id: id + 1, busy: SPAN_MS, wait: 1}),
			event('task.end', {t: at + 1 + GAP_MS, id, status, route: '/users/:id', busy: SPAN_MS, wait: 1}),
		];
		// Spend the route's allowance.
		const flood = Array.from({length: 2 * SENT_BURST}, (_, i) => request(10 + 4 * i, i * GAP_MS)).flat();
		expect(folds(foldOnce(folder, flood).events).length).toBeGreaterThan(0);
		const at = 2 * SENT_BURST * GAP_MS;
		const batch = [...Array.from({length: 10}, (_, i) => request(100_000 + 4 * i, at + i * GAP_MS)).flat(), ...request(200_000, at + 1, 500), ...request(300_000, at + 2, 200, false)];
		const {events: sent, isFolded} = foldOnce(folder, batch);
		const lines = folds(sent);
		expect(lines.map(line => [line.kind, line.name, line.parent, line.leaf, line.count])).toEqual([
			['server', expect.stringMatching(/^GET \/users\/1000\d\d$/), 1, false, expect.toSatisfy((n: number) => n >= 6)],
			['task', 'handler', null, false, lines[0]!.count],
			['task', 'loadUser', null, true, lines[0]!.count],
			['timer', 'sleep', null, false, lines[0]!.count],
		]);
		expect(lines[0]!.request).toEqual({method: 'GET', url: lines[0]!.name.slice(4), route: '/users/:id'});
		// Nothing of a folded request is left; the one answered 500, and the one whose timer runs on, are sent whole.
		const folded = Array.from({length: 10}, (_, i) => 100_000 + 4 * i).filter(id => isFolded(id));
		expect(folded.length).toBe(lines[0]!.count);
		expect(sent.some(e => 'id' in e && folded.some(id => e.id >= id && e.id <= id + 3))).toBe(false);
		for (const id of [200_000, 200_001, 300_000, 300_002]) expect(isFolded(id), `task ${id}`).toBe(false);
		expect(sent.filter(e => e.type === 'task.start' && e.id >= 200_000).length).toBe(6);
	});

	it("folds the requests of a server that names no route by their path's shape: /users/1 and /users/2 are one site, with one allowance", () => {
		const folder = new SpanFolder();
		/** A request to `/users/<id>` its server answered at once, routed by nothing (plain node:http). */
		const request = (id: number, at: number): AsyncmonEvent[] => [
			event('task.start', {t: at, id, parent: 1, kind: 'server', name: `GET /users/${id}`, loc: null, http: {method: 'GET', url: `/users/${id}?page=2`}}),
			event('task.end', {t: at + SPAN_MS, id, status: 200, busy: SPAN_MS}),
		];
		const batch = Array.from({length: 2 * SENT_BURST}, (_, i) => request(100 + i, i * GAP_MS)).flat();
		const [line, ...more] = folds(foldOnce(folder, batch).events);
		expect(more).toEqual([]);
		// Each path its own site, every request would have had an allowance to itself, and none would fold.
		expect(line).toMatchObject({kind: 'server', parent: 1, request: {method: 'GET', url: expect.stringMatching(/^\/users\/\d+\?page=2$/)}});
		expect(line!.count).toBeGreaterThan(SENT_BURST / 2);
	});

	it('keeps its allowances bounded: past MAX_ALLOWANCES sites it starts afresh, and a spent site sends a few calls one by one again', () => {
		const folder = new SpanFolder();
		const t = exhaust(folder, 'spent', 100);
		const sentOfSpent = (firstId: number, at: number) => foldOnce(folder, quickCalls(10, {name: 'spent', firstId, at})).events.filter(e => e.type === 'task.start').length;
		expect(sentOfSpent(10_000, t)).toBe(0);
		// As many sites again, each a single call at a place of its own (a path of no id-like shape, say).
		const others: AsyncmonEvent[] = [];
		for (let i = 0; i < MAX_ALLOWANCES; i++) {
			others.push(event('task.start', {t: t + 1, id: 20_000 + i, parent: 1, name: 'other', loc: `gen.ts:${i}:1`}));
			others.push(event('task.end', {t: t + 1 + SPAN_MS, id: 20_000 + i, busy: SPAN_MS}));
		}
		foldOnce(folder, others);
		expect(sentOfSpent(40_000, t + 2)).toBe(10);
	});

	it('folds the calls a caller awaits one after another past their allowance: its awaits stay, naming calls its site line counts', () => {
		const folder = new SpanFolder();
		const t = exhaust(folder, 'tiny', 100);
		// main (sent: it runs on) awaits each call visibly: a loop's `await tiny(i)`.
		const batch: AsyncmonEvent[] = [event('task.start', {t, id: 10_000, parent: 1, name: 'main', loc: 'app.ts:1:1'})];
		for (let i = 0; i < 6; i++) {
			const at = t + i * GAP_MS;
			batch.push(
				event('task.start', {t: at, id: 10_001 + i, parent: 10_000, name: 'tiny', loc: 'app.ts:4:1'}),
				event('task.await', {t: at, id: 10_000, on: {kind: 'task', id: 10_001 + i}}),
				event('task.end', {t: at + SPAN_MS, id: 10_001 + i, busy: SPAN_MS}),
				event('task.resume', {t: at + SPAN_MS, id: 10_000, readyAt: at + SPAN_MS}),
			);
		}
		const {events: sent, isFolded} = foldOnce(folder, batch);
		for (let i = 0; i < 6; i++) expect(isFolded(10_001 + i)).toBe(true);
		expect(folds(sent)).toEqual([expect.objectContaining({name: 'tiny', parent: 10_000, count: 6, leaf: true})]);
		// main's waits are its own: they stay, in order, after the line that counts what they waited on.
		expect(sent.filter(e => e.type !== 'fold').map(e => `${e.type} ${(e as {id: number}).id}`)).toEqual([
			'task.start 10000',
			...Array.from({length: 6}, () => ['task.await 10000', 'task.resume 10000']).flat(),
		]);
		expect(sent.findIndex(e => e.type === 'fold')).toBeLessThan(sent.findIndex(e => e.type === 'task.await'));
	});

	it('folds the calls of a Promise.all past their allowance, those its await names too, under a caller that stays for its own caller’s await', () => {
		const folder = new SpanFolder();
		const t = exhaust(folder, 'work', 100);
		// main(), still running, awaits wave(); wave() awaits Promise.all of 20 calls, naming the first 8.
		const main = 9_999;
		const wave = 10_000;
		const batch: AsyncmonEvent[] = [event('task.start', {t, id: main, parent: 1, name: 'main', loc: 'app.ts:12:1'})];
		const calls = pushWave(batch, t, wave, main);
		// main's await of wave() comes right after wave's start.
		batch.splice(2, 0, event('task.await', {t, id: main, on: {kind: 'task', id: wave}}));
		const {events: sent, isFolded} = foldOnce(folder, batch);
		// wave() has its whole allowance: sent, with its await.
		expect(isFolded(wave)).toBe(false);
		for (const id of calls) expect(isFolded(id)).toBe(true);
		const [line] = folds(sent);
		expect(line).toMatchObject({name: 'work', parent: wave, count: 20, leaf: true});
		// The fold line comes after its parent's start, which the reader needs first.
		expect(sent.indexOf(line!)).toBeGreaterThan(sent.findIndex(e => e.type === 'task.start' && e.id === wave));
		expect(sent.filter(e => e.type === 'task.start').map(e => (e as {id: number}).id)).toEqual([main, wave]);
		expect(sent.filter(e => e.type === 'task.await').map(e => (e as {id: number}).id)).toEqual([main, wave]);
	});

	it('charges the calls under a call its allowance sent to their own site: a wave sent one by one folds the calls it made', () => {
		const folder = new SpanFolder();
		const t = exhaust(folder, 'work', 100);
		// wave() has its whole allowance; nothing outside names it (its caller's await was quick and never shown).
		const wave = 10_000;
		const batch: AsyncmonEvent[] = [];
		const calls = pushWave(batch, t, wave, 1);
		const {events: sent, isFolded} = foldOnce(folder, batch);
		expect(isFolded(wave)).toBe(false);
		for (const id of calls) expect(isFolded(id)).toBe(true);
		expect(folds(sent)).toEqual([expect.objectContaining({name: 'work', parent: wave, count: 20})]);
	});

	it('ends a flush forced mid-burst before the calls of its second half still running, so that they can fold with the next', () => {
		const folder = new SpanFolder();
		const running = (id: number, at: number) => event('task.start', {t: at, id, parent: 1, name: 'slow', loc: 'app.ts:2:1'});
		// A call still running from the first half, 40 quick calls, then a wave whose calls have not ended yet.
		const before = quickCalls(20, {firstId: 100});
		const after = quickCalls(20, {firstId: 200, at: 1});
		const wave = [event('task.start', {t: 2, id: 300, parent: 1, name: 'wave', loc: 'app.ts:9:1'}), ...Array.from({length: 5}, (_, i) => event('task.start', {t: 2, id: 301 + i, parent: 300, name: 'work', loc: 'app.ts:4:1'}))];
		const batch: AsyncmonEvent[] = [running(150, 0), ...before, ...after, ...wave];
		expect(folder.cutBeforeRunning(batch)).toBe(batch.length - wave.length);
		// What started in the first half does not move the cut: a batch whose only running call started early goes whole.
		expect(folder.cutBeforeRunning([running(150, 0), ...before, ...after])).toBe(1 + before.length + after.length);
	});

	it('sends a tree whole when one of its sites has too few in the flush, and counts it in no fold line', () => {
		const folder = new SpanFolder();
		const t = exhaust(folder, 'handle', 100);
		const batch: AsyncmonEvent[] = [];
		const auditing = [4, 5, 6];
		for (let i = 0; i < 12; i++) {
			const id = 10_000 + 3 * i;
			const at = t + i * GAP_MS;
			// Each call of handle() calls lookup(); three also call audit(): too few of that site in this flush to fold.
			batch.push(event('task.start', {t: at, id, parent: 1, name: 'handle', loc: 'app.ts:6:1'}));
			batch.push(event('task.start', {t: at, id: id + 1, parent: id, name: 'lookup', loc: 'app.ts:4:1'}), event('task.end', {t: at + SPAN_MS / 4, id: id + 1, busy: SPAN_MS / 4}));
			if (auditing.includes(i)) batch.push(event('task.start', {t: at, id: id + 2, parent: id, name: 'audit', loc: 'app.ts:2:1'}), event('task.end', {t: at + SPAN_MS / 2, id: id + 2, busy: SPAN_MS / 2}));
			batch.push(event('task.end', {t: at + SPAN_MS, id, busy: SPAN_MS}));
		}
		const {events: sent, isFolded} = foldOnce(folder, batch);
		const lines = folds(sent);
		expect(lines.map(line => line.name)).toEqual(['handle', 'lookup']);
		const sentIds = sent.flatMap(e => (e.type === 'task.start' ? [e.id] : []));
		// The trees with audit() went one by one, whole.
		for (const i of auditing) for (const id of [0, 1, 2].map(k => 10_000 + 3 * i + k)) expect(sentIds).toContain(id);
		// Every call is sent or folded, never both.
		for (const [name, offset] of [['handle', 0], ['lookup', 1]] as const) {
			const sentOfSite = sentIds.filter(id => (id - 10_000) % 3 === offset).length;
			expect(sentOfSite + lines.find(line => line.name === name)!.count, name).toBe(12);
		}
		for (const id of sentIds) expect(isFolded(id)).toBe(false);
	});

	describe('calls folded as they end (foldEnded)', () => {
		const call = (id: number, t: number, parent = 1) => event('task.start', {t, id, parent, name: 'tiny', loc: 'app.ts:4:1'});

		it('folds a spent site\'s calls into one line per parent, completed at the flush with exact times', () => {
			const folder = new SpanFolder();
			const t = exhaust(folder, 'tiny', 100);
			const first = call(50_000, t);
			const opened = folder.foldEnded(first, t, t + SPAN_MS, SPAN_MS, 0);
			expect(opened).toMatchObject({type: 'fold', name: 'tiny', loc: 'app.ts:4:1', parent: 1, leaf: true, kind: 'task'});
			// Where its first call started, until the flush completes it.
			expect((opened as FoldEvent).t).toBe(first.t);
			expect(folder.foldEnded(call(50_001, t + GAP_MS), t + GAP_MS, t + GAP_MS + SPAN_MS, SPAN_MS / 2, SPAN_MS / 2)).toBe(true);
			const other = folder.foldEnded(call(50_002, t + 2 * GAP_MS, 2), t + 2 * GAP_MS, t + 2 * GAP_MS + SPAN_MS, SPAN_MS, 0);
			expect(other).toMatchObject({type: 'fold', parent: 2});
			folder.completeOpen();
			const line = opened as FoldEvent;
			expect(line).toMatchObject({count: 2, t: t + GAP_MS + SPAN_MS});
			expect(line.totalMs).toBe(2 * SPAN_MS);
			expect(line.busyMs).toBe(1.5 * SPAN_MS);
			expect(line.waitMs).toBe(SPAN_MS / 2);
			const folded: number[][] = [];
			expect(forEachFoldedTask(line, task => folded.push([task.startMs, task.totalMs, task.busyMs, task.waitMs]))).toBe(true);
			expect(folded).toEqual([
				[roundMs(t), SPAN_MS, SPAN_MS, 0],
				[roundMs(t + GAP_MS), SPAN_MS, roundMs(SPAN_MS / 2), roundMs(SPAN_MS / 2)],
			].map(row => row.map(value => expect.closeTo(value, 3))));
			expect((other as FoldEvent).count).toBe(1);
			// The next flush's calls open lines of their own.
			expect(folder.foldEnded(call(50_003, t + 3 * GAP_MS), t + 3 * GAP_MS, t + 3 * GAP_MS + SPAN_MS, SPAN_MS, 0)).toMatchObject({type: 'fold', count: 0});
		});

		it('folds the calls of the flush into the line of their site and parent folded as they ended: a group of few counts them', () => {
			const folder = new SpanFolder();
			const t = exhaust(folder, 'tiny', 100);
			// Three calls that returned at once (a cache's hits)...
			const opened = folder.foldEnded(call(70_000, t), t, t + SPAN_MS, SPAN_MS, 0) as FoldEvent;
			for (const id of [70_001, 70_002]) expect(folder.foldEnded(call(id, t + GAP_MS), t + GAP_MS, t + GAP_MS + SPAN_MS, SPAN_MS, 0)).toBe(true);
			// ...and two of the same function under the same parent that waited on something (its misses): too few alone.
			const misses = quickCalls(2, {firstId: 70_003, at: t + 1});
			const {events: sent, isFolded} = foldOnce(folder, misses);
			expect(isFolded(70_003)).toBe(true);
			expect(isFolded(70_004)).toBe(true);
			// No line of their own: they join the one in the batch already.
			expect(folds(sent)).toEqual([]);
			folder.completeOpen();
			expect(opened).toMatchObject({count: 5, parent: 1});
			expect(opened.t).toBeCloseTo(t + 1 + GAP_MS + SPAN_MS, 9);
		});

		// A Fastify + pg server under load: a handler folded with its request while the lookup it awaited, the slowest yet,
		// went one by one: 29 calls in 40 s named a parent never sent (a root row; an OTLP span whose parent never came).
		it('sends the callers of a call it sent as it ended, up to the root: none is told under a parent folded away', () => {
			const folder = new SpanFolder();
			/** A request, its handler and the handler's lookup() (ids id..id+2); `lookup` false: a handler that looks nothing up. */
			const request = (id: number, at: number, lookup = true): AsyncmonEvent[] => [
				event('task.start', {t: at, id, parent: 1, kind: 'server', name: `GET /users/${id}`, loc: null, http: {method: 'GET', url: `/users/${id}`}}),
				event('task.start', {t: at, id: id + 1, parent: id, name: 'handler', loc: 'app.ts:9:1'}),
				...(lookup ? [event('task.start', {t: at, id: id + 2, parent: id + 1, name: 'lookup', loc: 'app.ts:4:1'}), event('task.end', {t: at + SPAN_MS, id: id + 2, busy: SPAN_MS})] : []),
				event('task.end', {t: at + SPAN_MS + GAP_MS, id: id + 1, busy: SPAN_MS}),
				event('task.end', {t: at + SPAN_MS + 2 * GAP_MS, id, status: 200, route: '/users/:id', busy: SPAN_MS}),
			];
			// Spend the route's and the handler's allowances; lookup()'s, its calls folded with their requests, is whole.
			foldOnce(folder, Array.from({length: 2 * SENT_BURST}, (_, i) => request(10 + 3 * i, i * GAP_MS, false)).flat());
			const at = 2 * SENT_BURST * GAP_MS;
			// Request 500_000's lookup(), a silent call named by nothing, ended: its allowance sends it, charged.
			const told = request(500_000, at);
			expect(folder.foldEnded(told[2] as TaskStartEvent, at, at + SPAN_MS, SPAN_MS, 0)).toBe(false);
			const {events: sent, isFolded} = foldOnce(folder, [...Array.from({length: 10}, (_, i) => request(100_000 + 3 * i, at + i * GAP_MS)).flat(), ...told]);
			expect(folds(sent).length).toBeGreaterThan(0);
			for (const id of [500_000, 500_001, 500_002]) expect(isFolded(id), `task ${id}`).toBe(false);
			// Every task told has its parent told, or the script's.
			const started = new Set(sent.flatMap(e => (e.type === 'task.start' ? [e.id] : [])));
			for (const start of sent) if (start.type === 'task.start' && start.parent !== 1) expect(started.has(start.parent!), `parent of ${start.id}`).toBe(true);
		});

		it('sends a call its allowance sends, charged once: the flush does not charge it again', () => {
			const folder = new SpanFolder();
			const t = exhaust(folder, 'tiny', 100);
			// The slowest yet: sent, and charged as such.
			const slow = call(60_000, t);
			expect(folder.foldEnded(slow, t, t + 1, 1, 0)).toBe(false);
			// In its flush's batch with quick calls enough to fold, it is sent still: charged again, it would have folded with them.
			const batch: AsyncmonEvent[] = [slow, event('task.end', {t: t + 1, id: 60_000, busy: 1}), ...quickCalls(6, {firstId: 60_001, at: t + 2})];
			const {isFolded} = foldOnce(folder, batch);
			expect(isFolded(60_000)).toBe(false);
			expect(isFolded(60_006)).toBe(true);
		});
	});
});


/**
 * `count` requests the script sent to 127.0.0.1:4000, one every GAP_MS, each sent after QUEUE + CONNECT ms, its
 * headers TTFB ms later, its body DOWNLOAD ms after them. `pool`: each waits in a pool's queue for POOLED ms first,
 * its start knowing its path alone (as undici's Pool tells it) and its dequeue the whole URL.
 */
// Whole microseconds, exact in binary: the line keeps microseconds.
const [POOLED, QUEUE, CONNECT, TTFB, DOWNLOAD] = [0.5, 0.25, 0.125, 1, 0.25];
const REQUEST_MS = QUEUE + CONNECT + TTFB + DOWNLOAD;
function quickRequests(count: number, options: {parent?: number; firstId?: number; status?: number; pool?: boolean; at?: number} = {}): AsyncmonEvent[] {
	const {parent = 1, firstId = 100, status = 200, pool = false, at = 0} = options;
	const events: AsyncmonEvent[] = [];
	for (let i = 0; i < count; i++) {
		const id = firstId + i;
		let t = at + i * GAP_MS;
		const url = `http://127.0.0.1:4000/items/${i}`;
		events.push(event('op.start', {t, id, parent, kind: 'http', name: `GET /items/${i}`, loc: 'app.ts:7:20', http: pool ? {method: 'GET', url: `/items/${i}`, client: 'undici', queue: {ahead: 0, inFlight: 64}} : {method: 'GET', url, client: 'undici'}}));
		if (pool) events.push(event('op.dequeued', {t: (t += POOLED), id, url}));
		events.push(event('op.phase', {t: (t += QUEUE + CONNECT), id, phase: 'sent', queueMs: QUEUE, connectMs: CONNECT}));
		events.push(event('op.phase', {t: (t += TTFB), id, phase: 'headers', status}));
		events.push(event('op.end', {t: t + DOWNLOAD, id, ok: true, status, bytes: 90}));
	}
	return events;
}

const requestFolds = (events: ReadonlyArray<{type: string}>) => events.filter((e): e is HttpFoldEvent => e.type === 'fold.http');

function foldedRequests(line: HttpFoldEvent): FoldedRequest[] {
	const requests: FoldedRequest[] = [];
	expect(forEachFoldedRequest(line, request => requests.push({...request}))).toBe(true);
	return requests;
}

describe('SpanFolder: quick requests the script sent, folded in its process', () => {
	it('folds a flood of requests past their allowance into a fold.http line: each one\'s start, end and phases, as the model measures them', () => {
		const folder = new SpanFolder();
		const {events: sent} = foldOnce(folder, quickRequests(SENT_BURST + 500));
		const [line, ...more] = requestFolds(sent);
		expect(more).toEqual([]);
		expect(line).toMatchObject({method: 'GET', client: 'undici', loc: 'app.ts:7:20', parent: 1});
		expect(line!.url).toMatch(/^http:\/\/127\.0\.0\.1:4000\/items\/\d+$/);
		// Every request is in the stream or in the line, once.
		const starts = sent.filter(e => e.type === 'op.start');
		expect(starts.length + line!.count).toBe(SENT_BURST + 500);
		expect(line!.count).toBeGreaterThan(400);
		// A folded request's events are all gone: its phases and end too.
		const sentIds = new Set(starts.map(e => (e as {id: number}).id));
		expect(sent.filter(e => 'id' in e && e.type.startsWith('op.') && !sentIds.has(e.id as number))).toEqual([]);
		const requests = foldedRequests(line!);
		expect(requests).toHaveLength(line!.count);
		for (const request of requests) {
			expect(request.totalMs).toBeCloseTo(REQUEST_MS, 6);
			expect(request).toMatchObject({pooledMs: undefined, queueMs: QUEUE, connectMs: CONNECT, ttfbMs: TTFB, downloadMs: DOWNLOAD});
		}
		expect(line!.totalMs).toBeCloseTo(line!.count * REQUEST_MS, 6);
		expect(line!.t).toBeCloseTo(Math.max(...requests.map(request => request.startMs + request.totalMs)), 3);
	});

	it("folds requests a pool queued once they left the queue: the line has the whole URL its dequeue told, each request its time in the queue", () => {
		const folder = new SpanFolder();
		const {events: sent} = foldOnce(folder, quickRequests(SENT_BURST + 100, {pool: true}));
		const [line] = requestFolds(sent);
		expect(line!.url).toMatch(/^http:\/\/127\.0\.0\.1:4000\/items\//);
		for (const request of foldedRequests(line!)) expect(request.pooledMs).toBeCloseTo(POOLED, 6);
	});

	it('never folds a request answered with an error status, nor one given up in its pool\'s queue', () => {
		const folder = new SpanFolder();
		const at = exhaustRequests(folder);
		const clientErrors = quickRequests(50, {status: 404, firstId: 10_000, at});
		expect(requestFolds(foldOnce(folder, clientErrors).events)).toEqual([]);
		const serverErrors = quickRequests(50, {status: 503, firstId: 20_000, at});
		expect(requestFolds(foldOnce(folder, serverErrors).events)).toEqual([]);
		// Queued, then ended without leaving the queue (aborted): its start knows its path alone.
		const givenUp = quickRequests(50, {pool: true, firstId: 30_000, at}).filter(e => e.type !== 'op.dequeued');
		expect(requestFolds(foldOnce(folder, givenUp).events)).toEqual([]);
		// The same requests answered 200 fold.
		expect(requestFolds(foldOnce(folder, quickRequests(50, {firstId: 40_000, at})).events)).toHaveLength(1);
	});

	it('folds a call with the requests it sent as one tree: the call\'s line under its caller, its requests an inner fold.http line', () => {
		const folder = new SpanFolder();
		const batch: AsyncmonEvent[] = [];
		const calls = SENT_BURST + 200;
		for (let i = 0; i < calls; i++) {
			const task = 100 + 2 * i;
			const t = i * GAP_MS;
			batch.push(event('task.start', {t, id: task, parent: 1, name: 'getOne', loc: 'app.ts:6:1'}));
			const [start, ...rest] = quickRequests(1, {parent: task, firstId: task + 1, at: t});
			batch.push(start!);
			batch.push(event('task.await', {t, id: task, on: {kind: 'op', id: task + 1}}));
			batch.push(...rest);
			batch.push(event('task.end', {t: t + 2 * REQUEST_MS, id: task, busy: SPAN_MS, wait: REQUEST_MS}));
		}
		const {events: sent} = foldOnce(folder, batch);
		const [tasks] = folds(sent);
		const [requests] = requestFolds(sent);
		expect(tasks).toMatchObject({name: 'getOne', parent: 1, leaf: true});
		expect(requests).toMatchObject({parent: null, count: tasks!.count});
	});
});

/** Spends the allowance of the requests quickRequests makes. Returns when they ended. */
function exhaustRequests(folder: SpanFolder): number {
	const count = 4 * SENT_BURST;
	foldOnce(folder, quickRequests(count, {firstId: 1_000_000}));
	return count * GAP_MS + REQUEST_MS;
}

describe('SpanFolder: requests a server received, charged as they start', () => {
	const served = (id: number, url: string, t: number, route?: string): AsyncmonEvent[] => [
		event('task.start', {t, id, parent: 1, kind: 'server', name: `GET ${url}`, loc: null, http: {method: 'GET', url}}),
		event('task.end', {t: t + 1, id, status: 200, ...(route !== undefined && {route})}),
	];

	it('sends the first of a route one by one, charged as each starts, and starts the rest quiet', () => {
		const folder = new SpanFolder();
		for (let i = 0; i < SENT_BURST; i++) expect(folder.startsQuiet({method: 'GET', url: `/users/${i}`}, 10 + i, 0)).toBe(false);
		// /users/7 and /users/8 are one route by their shape: its allowance is spent.
		expect(folder.startsQuiet({method: 'GET', url: '/users/9999'}, 5000, 0)).toBe(true);
		// Its rate refills it: a second later, 100 more go one by one.
		expect(folder.startsQuiet({method: 'GET', url: '/users/1'}, 5001, 1000)).toBe(false);
	});

	it('learns the route its framework named from a flush, so that paths of no id-like shape share its allowance as they start', () => {
		const folder = new SpanFolder();
		// /people/ann and /people/bob: two shapes, one route.
		for (const [id, who] of [[1, 'ann'], [2, 'bob']] as const) {
			folder.startsQuiet({method: 'GET', url: `/people/${who}`}, id, 0);
			foldOnce(folder, served(id, `/people/${who}`, 0, '/people/:who'));
		}
		// Half the allowance by each path: the route's is spent.
		for (let i = 0; i < SENT_BURST; i++) folder.startsQuiet({method: 'GET', url: `/people/${i % 2 ? 'ann' : 'bob'}`}, 100 + i, 0);
		expect(folder.startsQuiet({method: 'GET', url: '/people/ann'}, 9999, 0)).toBe(true);
	});
});
