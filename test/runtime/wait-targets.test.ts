import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {instrumentPromiseCombinators, PromiseTargets} from '../../source/runtime/wait-targets.js';

const saved = {all: Promise.all, allSettled: Promise.allSettled, race: Promise.race, any: Promise.any};
const targets = new PromiseTargets();

beforeAll(() => instrumentPromiseCombinators(targets));
afterAll(() => {
	for (const [name, original] of Object.entries(saved)) Object.defineProperty(Promise, name, {value: original, writable: true, configurable: true, enumerable: false});
});

/** A promise that stands for `target`, as the runtime tags the promises of calls and timers. */
function standingFor(target: Parameters<PromiseTargets['tag']>[1], value: unknown = target): Promise<unknown> {
	const promise = Promise.resolve(value);
	targets.tag(promise, target);
	return promise;
}

describe('Promise combinators stand for their members', () => {
	it('all, allSettled, race and any: every known member, tasks and ops apart; promises of unknown origin counted, plain values not; race and any the first of them', async () => {
		const members = () => [standingFor({kind: 'task', id: 3}), standingFor({kind: 'op', id: 4}), Promise.resolve('unknown'), 5];
		for (const name of ['all', 'allSettled', 'race', 'any'] as const) {
			const combined = (Promise[name] as (values: unknown[]) => Promise<unknown>).call(Promise, members());
			const first = name === 'race' || name === 'any' ? {first: name} : {};
			expect(targets.of(combined), name).toEqual({kind: 'promise', tasks: [3], ops: [4], others: 1, ...first});
			await combined;
		}
		const known = Promise.all([standingFor({kind: 'task', id: 3}), 5]);
		expect(targets.of(known)).toEqual({kind: 'promise', tasks: [3]});
		await known;
	});

	it('a race of one member is that member; a race inside Promise.all is listed by its members, not the first', async () => {
		const lone = Promise.race([standingFor({kind: 'task', id: 3}), 5]);
		expect(targets.of(lone)).toEqual({kind: 'task', id: 3});
		expect(targets.of(Promise.any([standingFor({kind: 'op', id: 7})]))).toEqual({kind: 'op', id: 7});
		const inner = Promise.race([standingFor({kind: 'task', id: 4}), standingFor({kind: 'op', id: 5})]);
		expect(targets.of(inner)).toEqual({kind: 'promise', tasks: [4], ops: [5], first: 'race'});
		const outer = Promise.all([inner, standingFor({kind: 'task', id: 6})]);
		expect(targets.of(outer)).toEqual({kind: 'promise', tasks: [4, 6], ops: [5]});
		await outer;
	});

	it('a race over a Promise.all (all or a timeout) is no first of their parts; a race of races is a race of all their members', async () => {
		const all = Promise.all([standingFor({kind: 'task', id: 2}), standingFor({kind: 'task', id: 3})]);
		const allOrTimeout = Promise.race([all, standingFor({kind: 'op', id: 9})]);
		expect(targets.of(allOrTimeout)).toEqual({kind: 'promise', tasks: [2, 3], ops: [9]});
		const settled = Promise.race([Promise.allSettled([standingFor({kind: 'op', id: 4}), standingFor({kind: 'op', id: 5})]), standingFor({kind: 'op', id: 9})]);
		expect(targets.of(settled)).toEqual({kind: 'promise', ops: [4, 5, 9]});
		const races = Promise.race([Promise.race([standingFor({kind: 'task', id: 2}), standingFor({kind: 'task', id: 3})]), standingFor({kind: 'op', id: 9})]);
		expect(targets.of(races)).toEqual({kind: 'promise', tasks: [2, 3], ops: [9], first: 'race'});
		// Promise.any inside a race settles differently: no first of their parts either.
		const anyInRace = Promise.race([Promise.any([standingFor({kind: 'task', id: 2}), standingFor({kind: 'task', id: 3})]), standingFor({kind: 'op', id: 9})]);
		expect(targets.of(anyInRace)).toEqual({kind: 'promise', tasks: [2, 3], ops: [9]});
		await Promise.all([allOrTimeout, settled, races, anyInRace]);
	});

	it('a combination of unknown promises only counts them; inside a known one, its unknown members still count', async () => {
		const unknown = Promise.all([Promise.resolve(1), Promise.resolve(2)]);
		expect(targets.of(unknown)).toEqual({kind: 'promise', others: 2});
		const partly = Promise.all([Promise.resolve(1), standingFor({kind: 'task', id: 9})]);
		const outer = Promise.all([unknown, partly, standingFor({kind: 'task', id: 8})]);
		expect(targets.of(outer)).toEqual({kind: 'promise', tasks: [9, 8], others: 3});
		await outer;
	});

	it('settle as before, keep their names and lengths, and are not enumerable', async () => {
		expect(await Promise.all([1, Promise.resolve(2)])).toEqual([1, 2]);
		expect(await Promise.allSettled([Promise.reject(new Error('no'))])).toMatchObject([{status: 'rejected'}]);
		expect(await Promise.race([new Promise(() => {}), Promise.resolve('first')])).toBe('first');
		await expect(Promise.any([])).rejects.toBeInstanceOf(AggregateError);
		for (const name of ['all', 'allSettled', 'race', 'any'] as const) {
			expect(Promise[name].name).toBe(name);
			expect(Promise[name].length).toBe(1);
		}
		expect(Object.keys(Promise)).toEqual([]);
	});

	it('counts each task or op once, however many of its members stand for it (one cached call three times)', async () => {
		const cached = standingFor({kind: 'task', id: 3});
		const combined = Promise.all([cached, cached, standingFor({kind: 'task', id: 3}), standingFor({kind: 'op', id: 4}), standingFor({kind: 'op', id: 4})]);
		expect(targets.of(combined)).toEqual({kind: 'promise', tasks: [3], ops: [4]});
		await combined;
	});

	it('a combination inside a combination adds its members; more than 8 are counted', async () => {
		const inner = Promise.all([standingFor({kind: 'task', id: 1}), standingFor({kind: 'task', id: 2})]);
		const many = Array.from({length: 10}, (_, i) => standingFor({kind: 'task', id: 10 + i}));
		const outer = Promise.all([inner, ...many]);
		expect(targets.of(outer)).toEqual({kind: 'promise', tasks: [1, 2, 10, 11, 12, 13, 14, 15], taskCount: 12});
		await outer;
	});

	it("events are listed by name and emitter, once each however many promises wait on one, beside tasks; carried into a combination around it, more than 8 counted", async () => {
		const ready = {kind: 'event', event: 'ready', source: 'EventEmitter'} as const;
		const failed = {kind: 'event', event: 'failed', source: 'EventEmitter'} as const;
		const race = Promise.race([standingFor(ready), standingFor(failed), standingFor(ready)]);
		expect(targets.of(race)).toEqual({kind: 'promise', events: [{event: 'ready', source: 'EventEmitter'}, {event: 'failed', source: 'EventEmitter'}], first: 'race'});
		const outer = Promise.all([race, standingFor({kind: 'task', id: 4}), Promise.resolve(1)]);
		expect(targets.of(outer)).toEqual({kind: 'promise', tasks: [4], events: [{event: 'ready', source: 'EventEmitter'}, {event: 'failed', source: 'EventEmitter'}], others: 1});
		const many = Promise.all(Array.from({length: 10}, (_, i) => standingFor({kind: 'event', event: `e${i}`, source: 'Bus'})));
		expect(targets.of(many)).toMatchObject({kind: 'promise', eventCount: 10});
		expect((targets.of(many) as {events: unknown[]}).events).toHaveLength(8);
		expect(targets.of(Promise.all([many, standingFor(ready)]))).toMatchObject({kind: 'promise', eventCount: 11});
		await Promise.all([race, outer, many]);
	});

	it('reads no iterable but an array (a generator is consumed once, by the combinator): its combination is unknown', async () => {
		let pulled = 0;
		function* members() {
			pulled++;
			yield standingFor({kind: 'task', id: 7});
		}
		const combined = Promise.all(members());
		expect(pulled).toBe(1);
		expect(targets.of(combined)).toBeUndefined();
		expect(await combined).toEqual([{kind: 'task', id: 7}]);
	});

	it('none known: the promises of unknown origin it combined, counted (the await weighs them against what the slice started)', async () => {
		const combined = Promise.all([Promise.resolve(1), 2, Promise.resolve(3)]);
		expect(targets.of(combined)).toEqual({kind: 'promise', others: 2});
		await combined;
	});

	it('values only: no target', async () => {
		const combined = Promise.all([1, 2]);
		expect(targets.of(combined)).toBeUndefined();
		await combined;
	});

	it("an array of as many unknown promises as the tasks a call started is theirs, in order; listed each, or counted whole past 8 while it holds as many", async () => {
		const unknown = (count: number): Array<Promise<unknown>> => Array.from({length: count}, (_, i) => Promise.resolve(i));
		const few = unknown(3);
		targets.tagCalls(few, {kind: 'promise', tasks: [4, 6, 8], guess: true});
		expect(few.map(promise => targets.of(promise))).toEqual([4, 6, 8].map(id => ({kind: 'task', id})));
		expect(targets.of(Promise.all(few))).toEqual({kind: 'promise', tasks: [4, 6, 8]});

		const many = unknown(12);
		const listed = [10, 12, 14, 16, 18, 20, 22, 24];
		targets.tagCalls(many, {kind: 'promise', tasks: listed, taskCount: 12, guess: true});
		expect(targets.of(many[0])).toBeUndefined();
		expect(targets.of(Promise.all(many))).toEqual({kind: 'promise', tasks: listed, taskCount: 12});
		expect(targets.of(Promise.race(many))).toEqual({kind: 'promise', tasks: listed, taskCount: 12, first: 'race'});
		// The race's copy left the calls' own target as it was.
		expect(targets.of(Promise.all(many))).toEqual({kind: 'promise', tasks: listed, taskCount: 12});
		// One more unknown promise: no longer the calls' alone.
		many.push(Promise.resolve('other'));
		expect(targets.of(Promise.all(many))).toEqual({kind: 'promise', others: 13});

		// Not as many, a value among them, one known already, or ops among what the call started: nothing is tagged.
		const mismatches: Array<[unknown[], Parameters<PromiseTargets['tagCalls']>[1]]> = [
			[unknown(2), {kind: 'promise', tasks: [1, 2, 3]}],
			[[Promise.resolve(1), 2], {kind: 'promise', tasks: [1, 2]}],
			[[Promise.resolve(1), standingFor({kind: 'op', id: 7})], {kind: 'promise', tasks: [1, 2]}],
			[unknown(2), {kind: 'promise', tasks: [1], ops: [2]}],
		];
		for (const [array, made] of mismatches) {
			targets.tagCalls(array, made);
			expect(targets.of(array)).toBeUndefined();
			expect(targets.of(array[0])).toBeUndefined();
		}
		await Promise.all([...few, ...many]);
	});

	it("tells which task or op started after the script's own promise of unknown origin was made", () => {
		const made = new Promise(() => {});
		targets.markMadeByScript(made, 5);
		expect(targets.madeByScript(made)).toBe(true);
		expect([targets.startedAfter(made, 4), targets.startedAfter(made, 5), targets.startedAfter(made, 9)]).toEqual([false, true, true]);
		expect(targets.startedAfter(Promise.resolve(), 9)).toBe(false);
	});
});
