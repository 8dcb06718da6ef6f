import {describe, expect, it} from 'vitest';
import {ownActiveTime} from '../../source/model/own-time.js';
import {InsightSession} from '../fixtures/insights/session.js';

describe("a task's own time", () => {
	it('leaves out the wait under way on its tasks, live, and counts a sleep under way', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const child = session.task(0, 'get()', main);
		session.emit('task.await', {t: 10, id: main, site: null, on: {kind: 'task', id: child}, busy: 10});
		session.emit('task.await', {t: 10, id: child, site: null, on: {kind: 'op', id: session.timer(10, 2000, child)}, busy: 10});
		const nodes = session.state.nodes;
		// Each ran 10 ms; the child's sleep is its own, main()'s wait on it is not.
		expect(ownActiveTime(nodes.get(main)!, 1010)).toBeCloseTo(10, 6);
		expect(ownActiveTime(nodes.get(child)!, 1010)).toBeCloseTo(1010, 6);
		// Ready at 1500 and resumed at 1600: the 100 ms it sat ready are no one's.
		session.emit('task.ready', {t: 1500, id: child});
		expect(ownActiveTime(nodes.get(child)!, 1600)).toBeCloseTo(1500, 6);
		session.emit('task.ready', {t: 1500, id: main});
		expect(ownActiveTime(nodes.get(main)!, 1600)).toBeCloseTo(10, 6);
	});
});
