import {expect, it} from 'vitest';
import {IDS_PER_PROCESS, IDS_PER_THREAD} from '../../source/protocol/events.js';
import {placeOf, shownId} from '../../source/present/ids.js';
import {event, header, reduce} from '../helpers/events.js';

it("counts a worker thread's and a followed process's tasks from their own range, and says whose they are", () => {
	expect(shownId(7)).toBe('#7');
	expect(shownId(3 * IDS_PER_THREAD + 2)).toBe('#2 in worker 3');
	expect(shownId(IDS_PER_PROCESS + 4)).toBe('#4 in process 1');
	expect(shownId(2 * IDS_PER_PROCESS + IDS_PER_THREAD + 1)).toBe('#1 in worker 1 of process 2');
});

it('names a followed process by its pid, as its lane is, once the state knows it', () => {
	const state = reduce([
		header(),
		event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.js', loc: null}),
		event('task.start', {t: 1, id: IDS_PER_PROCESS + 1, parent: 1, kind: 'process', name: 'pid 4242: node worker.js', loc: null, process: {pid: 4242, command: 'node worker.js'}}),
	]);
	expect(shownId(IDS_PER_PROCESS + 4, state)).toBe('#4 in pid 4242');
	expect(shownId(IDS_PER_PROCESS + IDS_PER_THREAD + 1, state)).toBe('#1 in worker 1 of pid 4242');
	// Not heard of: its place.
	expect(shownId(2 * IDS_PER_PROCESS + 4, state)).toBe('#4 in process 2');
});

it("says where a task runs off the script's main thread, and nothing on it", () => {
	expect(placeOf(7)).toBeNull();
	expect(placeOf(3 * IDS_PER_THREAD + 2)).toBe('worker 3');
	expect(placeOf(2 * IDS_PER_PROCESS + IDS_PER_THREAD + 1)).toBe('worker 1 of process 2');
});
