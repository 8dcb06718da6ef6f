import {describe, expect, it} from 'vitest';
import {apply} from '../../source/model/reducer.js';
import {createState, type ModelState} from '../../source/model/state.js';
import {summaryLines} from '../../source/plain/summary.js';
import {paint} from '../../source/present/paint.js';

/** `count` short tasks under main(), each finished, with only `retained` kept in detail. */
function finishedTasks(count: number, retained: number) {
	const state = createState({retainFinishedTasks: retained});
	apply(state, {type: 'task.start', t: 0, id: 1, parent: null, kind: 'task', name: 'main()', loc: 'a.ts:1:1'});
	for (let i = 0; i < count; i++) {
		const id = 100 + i;
		apply(state, {type: 'task.start', t: i, id, parent: 1, kind: 'task', name: 'work()', loc: 'a.ts:5:1'});
		apply(state, {type: 'task.end', t: i + 10, id, ok: true, busy: 1, wait: 9, sched: 0, awaits: 1});
	}
	apply(state, {type: 'task.end', t: count + 20, id: 1, ok: true, busy: 1, wait: count, sched: 0, awaits: 1});
	apply(state, {type: 'exit', t: count + 21, code: 0, signal: null});
	return state;
}

const summaryText = (state: ModelState): string[] => summaryLines(state, false).map(line => paint(line, 'none'));

describe('the plain summary', () => {
	it('says when finished tasks were folded into totals, and counts them in the figures', () => {
		const folded = summaryText(finishedTasks(5000, 100));
		expect(folded[0]).toMatch(/^All done in 5\.02s · 5001 tasks · 50\.0s of task time/);
		expect(folded.join('\n')).toMatch(/\d+ finished tasks were folded into per-name totals to bound memory \(details kept for the latest 100\)/);
	});

	it('says nothing of it when every task is kept', () => {
		expect(summaryText(finishedTasks(50, 100)).join('\n')).not.toContain('folded');
	});

	it('says how long asyncmon held the script back while the monitor caught up, and not when it kept up', () => {
		const state = finishedTasks(50, 100);
		expect(summaryText(state).join('\n')).not.toContain('held the script back');
		apply(state, {type: 'backpressure', t: 10, heldMs: 120});
		apply(state, {type: 'backpressure', t: 30, heldMs: 80.5});
		expect(summaryText(state)).toContain(
			"asyncmon held the script back 201ms in all while the monitor caught up with its events; no event was lost, and no task's busy time includes it",
		);
	});
});
