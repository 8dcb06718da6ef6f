import {expect, it} from 'vitest';
import {IDS_PER_PROCESS, IDS_PER_THREAD} from '../../source/protocol/events.js';
import {shownId} from '../../source/present/ids.js';

it("counts a worker thread's and a followed process's tasks from their own range, and says whose they are", () => {
	expect(shownId(7)).toBe('#7');
	expect(shownId(3 * IDS_PER_THREAD + 2)).toBe('#2 in worker 3');
	expect(shownId(IDS_PER_PROCESS + 4)).toBe('#4 in process 1');
	expect(shownId(2 * IDS_PER_PROCESS + IDS_PER_THREAD + 1)).toBe('#1 in worker 1 of process 2');
});
