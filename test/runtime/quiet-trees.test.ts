import {describe, expect, it} from 'vitest';
import {QuietTrees} from '../../source/runtime/quiet-trees.js';
import {event} from '../helpers/events.js';

/** A request (server task 10) whose handler (11) awaits a fetch (12). */
function request(trees: QuietTrees) {
	trees.begin(10, 0);
	const start = event('task.start', {t: 0, id: 10, parent: 1, kind: 'server', name: 'GET /users/1', loc: null, http: {method: 'GET', url: '/users/1'}});
	const handler = event('task.start', {t: 0.1, id: 11, parent: 10, name: 'handler', loc: 'app.ts:3:1'});
	const fetch = event('op.start', {t: 0.2, id: 12, parent: 11, kind: 'http', name: 'GET /u', http: {method: 'GET', url: 'http://api.test/u'}});
	const wait = event('task.await', {t: 0.3, id: 11, site: 'app.ts:4:3', on: {kind: 'op', id: 12}, busy: 0.2});
	return [start, handler, fetch, wait];
}

describe('QuietTrees', () => {
	it('holds a request and everything started under it, in order, and nothing else', () => {
		const trees = new QuietTrees();
		const held = request(trees);
		for (const e of held) expect(trees.divert(e)).toBe(true);
		// Another task's events, and lines of no task, go on.
		expect(trees.divert(event('task.start', {t: 0.4, id: 20, parent: 1, name: 'other', loc: null}))).toBe(false);
		expect(trees.divert(event('output', {t: 0.5, text: 'hi\n'}))).toBe(false);
		expect([10, 11, 12].every(id => trees.holds(id))).toBe(true);
		expect(trees.holds(20)).toBe(false);
		// Started, not ended, not in the stream: as `held` counts them.
		expect(trees.held()).toEqual({tasks: 2, http: 1});
		const end = event('task.end', {t: 30, id: 10, status: 200});
		expect(trees.divert(end)).toBe(true);
		const tree = trees.rootedAt(10)!;
		expect(trees.rootedAt(11)).toBeUndefined();
		expect(trees.release(tree)).toEqual([...held, end]);
		// Let go: its tasks' later events go to the stream.
		expect(trees.size).toBe(0);
		expect(trees.divert(event('op.end', {t: 40, id: 12}))).toBe(false);
	});

	it('names the trees an event from outside names: a block or an error in one of their tasks, another task awaiting one', () => {
		const trees = new QuietTrees();
		for (const e of request(trees)) trees.divert(e);
		const tree = trees.rootedAt(10);
		expect(trees.namedBy(event('block.start', {t: 1, id: 1, task: 11, detectedAt: 60}))).toEqual([tree]);
		expect(trees.namedBy(event('uncaught', {t: 1, origin: 'unhandledRejection', error: {name: 'Error', message: 'x'}, task: 11}))).toEqual([tree]);
		expect(trees.namedBy(event('task.await', {t: 1, id: 20, site: null, on: {kind: 'promise', tasks: [5, 11], taskCount: 2}, busy: 0}))).toEqual([tree]);
		expect(trees.namedBy(event('task.await', {t: 1, id: 20, site: null, on: {kind: 'op', id: 99}, busy: 0}))).toEqual([]);
	});

	it("keeps a held call's tree held through its own caller's await of it, and names the call's function for that await", () => {
		const trees = new QuietTrees();
		// worker() (5) calls getItem(i) (30), which starts a request (31): the call was held as it started it.
		trees.begin(30, 0, {parent: 5, name: 'getItem'});
		trees.divert(event('task.start', {t: 0, id: 30, parent: 5, name: 'getItem', loc: 'app.ts:2:1'}));
		trees.divert(event('op.start', {t: 0.1, id: 31, parent: 30, kind: 'http', name: 'GET /items/1', http: {method: 'GET', url: 'http://api.test/items/1'}}));
		const tree = trees.rootedAt(30);
		expect(trees.heldCallName(30)).toBe('getItem');
		expect(trees.heldCallName(31)).toBeUndefined();
		expect(trees.namedBy(event('task.await', {t: 1, id: 5, site: 'app.ts:4:30', on: {kind: 'task', id: 30}, busy: 0}))).toEqual([]);
		// Another task's await, or the caller's of what the call started, names it.
		expect(trees.namedBy(event('task.await', {t: 1, id: 6, site: null, on: {kind: 'task', id: 30}, busy: 0}))).toEqual([tree]);
		expect(trees.namedBy(event('task.await', {t: 1, id: 5, site: null, on: {kind: 'op', id: 31}, busy: 0}))).toEqual([tree]);
		// A request's tree has no caller to except.
		trees.begin(10, 0);
		expect(trees.heldCallName(10)).toBeUndefined();
	});

	it('tells the trees begun before a time: those a flush lets go for running long', () => {
		const trees = new QuietTrees();
		trees.begin(10, 0);
		trees.begin(20, 900);
		expect(trees.begunBefore(500).map(tree => tree.ids[0])).toEqual([10]);
		expect(trees.begunBefore().map(tree => tree.ids[0])).toEqual([10, 20]);
	});
});
