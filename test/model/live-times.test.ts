import {describe, expect, it} from 'vitest';
import {liveTimes} from '../../source/model/live-times.js';
import {apply} from '../../source/model/reducer.js';
import {createState, type ModelState, type TaskNode} from '../../source/model/state.js';
import type {ProtocolLine} from '../../source/protocol/events.js';

const state = (...lines: ProtocolLine[]): ModelState => {
	const fed = createState();
	for (const line of lines) apply(fed, line);
	return fed;
};
const node = (fed: ModelState, id: number): TaskNode => fed.nodes.get(id)!;
const start: ProtocolLine = {type: 'task.start', t: 0, id: 1, parent: null, kind: 'task', name: 'task1', loc: 'app.ts:1:1'};

describe('liveTimes', () => {
	it('adds the time since the last accounting to the current state', () => {
		const fed = state(start, {type: 'task.await', t: 4, id: 1, site: null, on: {kind: 'promise'}, busy: 4});
		expect(liveTimes(node(fed, 1), 10)).toEqual({totalMs: 10, busyMs: 4, waitMs: 6, schedDelayMs: 0});
		apply(fed, {type: 'task.ready', t: 12, id: 1});
		expect(liveTimes(node(fed, 1), 15)).toEqual({totalMs: 15, busyMs: 4, waitMs: 8, schedDelayMs: 3});
		apply(fed, {type: 'task.resume', t: 16, id: 1, readyAt: 12, wait: 8, sched: 4});
		expect(liveTimes(node(fed, 1), 20)).toEqual({totalMs: 20, busyMs: 8, waitMs: 8, schedDelayMs: 4});
	});

	it("a followed process's lane lives, running, without taking its lifetime for busy time: its tasks say what it did", () => {
		const fed = state({type: 'task.start', t: 0, id: 1_000_000_000_001, parent: null, kind: 'process', name: 'pid 7: node child.js', loc: null, process: {pid: 7, command: 'node child.js'}});
		expect(node(fed, 1_000_000_000_001).state).toBe('running');
		expect(liveTimes(node(fed, 1_000_000_000_001), 2000)).toEqual({totalMs: 2000, busyMs: 0, waitMs: 0, schedDelayMs: 0});
	});

	it('an ended task reports its final totals; an op is all wait', () => {
		const fed = state(
			start,
			{type: 'task.end', t: 5, id: 1, ok: true, busy: 5, wait: 0, sched: 0, awaits: 0},
			{type: 'op.start', t: 1, id: 2, parent: 1, kind: 'dns', name: 'lookup example.com'},
		);
		expect(liveTimes(node(fed, 1), 100)).toEqual({totalMs: 5, busyMs: 5, waitMs: 0, schedDelayMs: 0});
		expect(liveTimes(node(fed, 2), 11)).toMatchObject({totalMs: 10, waitMs: 10});
	});
});
