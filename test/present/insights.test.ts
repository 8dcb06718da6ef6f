import {describe, expect, it} from 'vitest';
import {computeInsights} from '../../source/model/insights.js';
import {insightMessage} from '../../source/present/insights.js';
import {InsightSession, onTask} from '../fixtures/insights/session.js';

describe('insightMessage', () => {
	it('words each insight a session gives, naming what it needs from the state', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const load = session.task(1, 'load()', main);
		session.block(10, 200, load, {fn: 'parse', loc: 'app.ts:7:3'});
		session.emit('task.await', {t: 2, id: main, site: 'app.ts:12:5', on: onTask(load)}).emit('exit', {t: 300, code: 13});
		expect(computeInsights(session.state).map(insight => insightMessage(session.state, insight))).toEqual([
			'1 task never settled before the process exited: main() was waiting on task #2 load() at app.ts:12. ' +
				'Make sure what they wait on resolves or rejects, or stop waiting on it',
			'parse() in load() at app.ts:7 blocked the event loop for 200ms; move CPU-bound work to a worker thread',
		]);
	});
});
