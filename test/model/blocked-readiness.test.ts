import {describe, expect, it} from 'vitest';
import {readyDuringBlock} from '../../source/model/blocked-readiness.js';
import {apply} from '../../source/model/reducer.js';
import type {ModelState} from '../../source/model/state.js';
import {IDS_PER_PROCESS, IDS_PER_THREAD} from '../../source/protocol/events.js';
import {event, reduce} from '../helpers/events.js';

const WORKER_TASK = 2 * IDS_PER_THREAD + 1;

/** A script whose tasks 2, 3, 4 and a worker's task wait; task 9 blocks the loop from t = 20. */
function blockedScript(): ModelState {
	return reduce([
		{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: 'app.ts:1:1'},
		...[2, 3, 4, 5, WORKER_TASK, 9].map(id => event('task.start', {t: 1, id, parent: 1, name: `task${id}()`})),
		{type: 'op.start', t: 2, id: 12, parent: 2, kind: 'timer', name: 'sleep 50ms', timer: {delayMs: 50, repeat: false}},
		{type: 'op.start', t: 2, id: 13, parent: 3, kind: 'timer', name: 'sleep 500ms', timer: {delayMs: 500, repeat: false}},
		{type: 'op.start', t: 2, id: 14, parent: 4, kind: 'timer', name: 'setInterval 10ms', timer: {delayMs: 10, repeat: true}},
		{type: 'op.start', t: 2, id: WORKER_TASK + 1, parent: WORKER_TASK, kind: 'timer', name: 'sleep 5ms', timer: {delayMs: 5, repeat: false}},
		{type: 'task.await', t: 3, id: 2, site: null, on: {kind: 'op', id: 12}, busy: 1},
		{type: 'task.await', t: 3, id: 3, site: null, on: {kind: 'op', id: 13}, busy: 1},
		{type: 'task.await', t: 3, id: 4, site: null, on: {kind: 'op', id: 14}, busy: 1},
		{type: 'task.await', t: 3, id: 5, site: null, on: {kind: 'task', id: 2}, busy: 1},
		{type: 'task.await', t: 3, id: WORKER_TASK, site: null, on: {kind: 'op', id: WORKER_TASK + 1}, busy: 1},
		{type: 'task.await', t: 3, id: 9, site: null, on: {kind: 'promise'}, busy: 1},
	]);
}

describe('readiness while the loop is blocked', () => {
	it('says nothing while the loop turns', () => {
		expect(readyDuringBlock(blockedScript(), 1000)).toEqual([]);
	});

	it('a main-thread task awaiting a one-shot timer that came due is ready at its due time; nothing else is', () => {
		const state = blockedScript();
		apply(state, {type: 'block.start', t: 20, id: 1, task: 9, detectedAt: 70});
		expect(readyDuringBlock(state, 40)).toEqual([]);
		const ready = readyDuringBlock(state, 100);
		expect(ready).toEqual([{type: 'task.ready', t: 52, id: 2}]);
		// Applied, the task is ready and its scheduling delay grows; it is not said twice.
		for (const event of ready) apply(state, event);
		expect(state.nodes.get(2)!.state).toBe('ready');
		expect(readyDuringBlock(state, 200)).toEqual([]);
		// The 500 ms timer's turn comes.
		expect(readyDuringBlock(state, 600)).toEqual([{type: 'task.ready', t: 502, id: 3}]);
	});

	it('a timer due before the block began fired as the loop last turned: its task is not said ready, though the blocked thread has yet to tell', () => {
		const state = blockedScript();
		// The 50 ms sleep was due at 52; the block began at 60 (its task resumed and ended then, unsaid).
		apply(state, {type: 'block.start', t: 60, id: 1, task: 9, detectedAt: 110});
		expect(readyDuringBlock(state, 200)).toEqual([]);
		expect(readyDuringBlock(state, 600)).toEqual([{type: 'task.ready', t: 502, id: 3}]);
	});

	it("a timer due within a heartbeat of the block's start may have fired before it (the start is placed at the last heartbeat): not said ready", () => {
		const state = blockedScript();
		apply(state, {type: 'block.start', t: 45, id: 1, task: null, detectedAt: 100});
		expect(readyDuringBlock(state, 200)).toEqual([]);
	});

	it("a followed process's block readies that process's tasks, not the script's", () => {
		const LANE = IDS_PER_PROCESS + 1;
		const state = blockedScript();
		for (const line of [
			event('task.start', {t: 1, id: LANE, parent: 1, kind: 'process', name: 'pid 42: node child.js', loc: null, process: {pid: 42, command: 'node child.js'}}),
			event('task.start', {t: 1, id: LANE + 1, parent: LANE, name: 'poll()'}),
			{type: 'op.start', t: 2, id: LANE + 2, parent: LANE + 1, kind: 'timer', name: 'sleep 50ms', timer: {delayMs: 50, repeat: false}},
			{type: 'task.await', t: 3, id: LANE + 1, site: null, on: {kind: 'op', id: LANE + 2}, busy: 1},
		] as const) {
			apply(state, line);
		}
		apply(state, {type: 'block.start', t: 20, id: IDS_PER_PROCESS + 1, task: null, detectedAt: 70});
		expect(readyDuringBlock(state, 100)).toEqual([{type: 'task.ready', t: 52, id: LANE + 1}]);
	});
});
