import {describe, expect, it} from 'vitest';
import {culpritOf, holdupOf, timerOverdueMs} from '../../source/model/holdups.js';
import {apply} from '../../source/model/reducer.js';
import {createState, type ModelState} from '../../source/model/state.js';
import type {AsyncmonEvent, WaitTarget} from '../../source/protocol/events.js';

function stateOf(events: AsyncmonEvent[]): ModelState {
	const state = createState();
	for (const event of events) apply(state, event);
	return state;
}

const start: AsyncmonEvent = {type: 'task.start', t: 0, id: 1, parent: null, kind: 'task', name: 'main()', loc: 'a.ts:1:1'};
const timer: AsyncmonEvent = {type: 'op.start', t: 1, id: 2, parent: 1, kind: 'timer', name: 'setTimeout 100ms', timer: {delayMs: 100, repeat: false}};

describe('what holds a task up', () => {
	it('the op it awaits', () => {
		const state = stateOf([start, timer, {type: 'task.await', t: 1, id: 1, site: 'a.ts:2:3', on: {kind: 'op', id: 2}, busy: 0.1}]);
		expect(holdupOf(state, state.nodes.get(1)!)).toEqual({kind: 'op', id: 2, node: state.nodes.get(2), guess: false});
	});

	it('says when the target was only guessed from what the task started', () => {
		const guessed = (on: Extract<AsyncmonEvent, {type: 'task.await'}>['on']) => {
			const state = stateOf([start, timer, {type: 'task.await', t: 1, id: 1, site: 'a.ts:2:3', on, busy: 0.1}]);
			return holdupOf(state, state.nodes.get(1)!);
		};
		expect(guessed({kind: 'op', id: 2, guess: true})).toMatchObject({kind: 'op', id: 2, guess: true});
		expect(guessed({kind: 'task', id: 9, guess: true})).toMatchObject({kind: 'task', id: 9, guess: true});
		expect(guessed({kind: 'promise', tasks: [7, 8], guess: true})).toEqual({kind: 'promise', tasks: 2, ops: 0, opNodes: null, events: [], eventCount: 0, others: 0, first: null, guess: true});
		expect(guessed({kind: 'promise', tasks: [7, 8]})).toEqual({kind: 'promise', tasks: 2, ops: 0, opNodes: null, events: [], eventCount: 0, others: 0, first: null, guess: false});
		// A race's: settled by the first of them; its ops, all listed and known, with their nodes.
		const race = guessed({kind: 'promise', tasks: [7], ops: [2], first: 'race'});
		expect(race).toMatchObject({kind: 'promise', tasks: 1, ops: 1, events: [], eventCount: 0, others: 0, first: 'race', guess: false});
		expect(race?.kind === 'promise' && race.opNodes?.map(node => node.id)).toEqual([2]);
		// Not when more were counted than listed, or one is no longer held: counted, then.
		for (const on of [{kind: 'promise', ops: [2], opCount: 3}, {kind: 'promise', ops: [2, 99]}] satisfies WaitTarget[]) {
			const counted = guessed(on);
			expect(counted?.kind === 'promise' && counted.opNodes).toBeNull();
		}
	});

	it('its one open op, when its await only saw a promise: known if it started after the await (a request queued in a pool), a guess if before', () => {
		const queued = stateOf([start, {type: 'task.await', t: 1, id: 1, site: 'a.ts:2:3', on: {kind: 'promise'}, busy: 0.1}, {...timer, t: 2}]);
		expect(holdupOf(queued, queued.nodes.get(1)!)).toMatchObject({kind: 'op', id: 2, guess: false});
		// A request left to run, then `await once(emitter, 'ready')`: the request may have nothing to do with it.
		const before = stateOf([start, timer, {type: 'task.await', t: 3, id: 1, site: 'a.ts:2:3', on: {kind: 'promise'}, busy: 0.1}]);
		expect(holdupOf(before, before.nodes.get(1)!)).toMatchObject({kind: 'op', id: 2, guess: true});
	});

	it('never an interval that runs beside it: what it awaits stays unknown', () => {
		const interval: AsyncmonEvent = {type: 'op.start', t: 1, id: 2, parent: 1, kind: 'timer', name: 'setInterval 1000ms', timer: {delayMs: 1000, repeat: true}};
		const state = stateOf([start, interval, {type: 'task.await', t: 2, id: 1, site: 'a.ts:2:3', on: {kind: 'promise'}, busy: 0.1}]);
		expect(holdupOf(state, state.nodes.get(1)!)).toEqual({kind: 'promise', tasks: 0, ops: 0, opNodes: null, events: [], eventCount: 0, others: 0, first: null, guess: false});
	});

	it('nothing while it runs, and for an op once it has ended', () => {
		const state = stateOf([start, timer, {type: 'op.end', t: 101, id: 2, ok: true}]);
		expect(holdupOf(state, state.nodes.get(1)!)).toBeNull();
		expect(holdupOf(state, state.nodes.get(2)!)).toBeNull();
	});

	it('a timer is overdue only once it is well past due without firing', () => {
		const state = stateOf([start, timer]);
		const op = state.nodes.get(2)!;
		expect(timerOverdueMs(op, 110)).toBe(0);
		expect(timerOverdueMs(op, 1101)).toBe(1000);
	});
});

describe('who blocked the loop', () => {
	const blocked = (name: string, frames: Array<{fn: string; loc: string}>) =>
		stateOf([
			{...start, name},
			{type: 'block.start', t: 5, id: 1, task: 1, detectedAt: 60},
			...(frames.length ? [{type: 'block.stack' as const, t: 70, id: 1, frames}] : []),
		]);

	it('the innermost function, with the task when that is another function', () => {
		const state = blocked('main()', [{fn: 'crunch', loc: 'a.ts:9:3'}]);
		expect(culpritOf(state, state.blocks[0]!)).toEqual({fn: 'crunch', task: state.nodes.get(1)});
		const same = blocked('crunch(400)', [{fn: 'crunch', loc: 'a.ts:9:3'}]);
		expect(culpritOf(same, same.blocks[0]!)).toEqual({fn: 'crunch', task: undefined});
	});

	it('the task alone while the stack is not known', () => {
		const state = blocked('main()', []);
		expect(culpritOf(state, state.blocks[0]!)).toEqual({fn: null, task: state.nodes.get(1)});
	});
});
