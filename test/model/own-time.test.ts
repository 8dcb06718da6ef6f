import {describe, expect, it} from 'vitest';
import {ownActiveTime} from '../../source/model/own-time.js';
import {summarize} from '../../source/model/summary.js';
import {laneRootId} from '../../source/protocol/child-config.js';
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
		expect(ownActiveTime(session.state, nodes.get(main)!, 1010)).toBeCloseTo(10, 6);
		expect(ownActiveTime(session.state, nodes.get(child)!, 1010)).toBeCloseTo(1010, 6);
		// Ready at 1500 and resumed at 1600: the 100 ms it sat ready are no one's.
		session.emit('task.ready', {t: 1500, id: child});
		expect(ownActiveTime(session.state, nodes.get(child)!, 1600)).toBeCloseTo(1500, 6);
		session.emit('task.ready', {t: 1500, id: main});
		expect(ownActiveTime(session.state, nodes.get(main)!, 1600)).toBeCloseTo(10, 6);
	});
});

describe('concurrency counts each unit of work once', () => {
	it("a combination of a task and an op: the wait is its own while the op is in flight, the task's after", () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const quick = session.task(0, 'quick()', main);
		const sleep = session.timer(0, 1000, main);
		session.awaits(quick, {kind: 'op', id: session.timer(0, 10, quick)}, {from: 0, ready: 10});
		session.emit('task.end', {t: 10, id: quick, wait: 10});
		// Promise.all([quick(), sleep(1000), slow()]): slow() runs 1,500 ms, the sleep 1,000 ms of it.
		const slow = session.task(0, 'slow()', main);
		session.awaits(slow, {kind: 'op', id: session.timer(0, 1500, slow)}, {from: 0, ready: 1500});
		session.emit('task.end', {t: 1500, id: slow, wait: 1500});
		session.awaits(main, {kind: 'promise', tasks: [quick, slow], ops: [sleep]}, {from: 0, ready: 1500});
		session.emit('task.end', {t: 1500, id: main, wait: 1500}).emit('exit', {t: 1500});
		// main()'s own: the sleep's 1,000 ms; slow()'s 1,500 and quick()'s 10 are theirs.
		expect(summarize(session.state).activeTimeMs).toBeCloseTo(2510, 6);
	});

	it("a promise of unknown origin that a call's worker thread settles is the worker's time, not the call's", () => {
		const session = new InsightSession();
		const run = session.task(0, 'runWorker(1)');
		session.emit('task.await', {t: 1, id: run, site: null, on: {kind: 'promise'}, busy: 1});
		session.emit('task.start', {t: 40, id: 50, parent: run, kind: 'worker', name: 'worker thread #1'});
		session.emit('task.end', {t: 340, id: 50, busy: 300, wait: 0});
		// It ends as the promise it returned does: no resume.
		session.emit('task.end', {t: 341, id: run, busy: 1, wait: 340}).emit('exit', {t: 341});
		expect(summarize(session.state).activeTimeMs).toBeCloseTo(301, 6);
	});

	/**
	 * runChild() awaits a promise of unknown origin across a Node process it forks, from 1 ms to 1,071 ms; the process
	 * runs one task of 1 s (`withTask`) or none. Returns the session's active time.
	 */
	function forkedWait(withTask: boolean): number {
		const session = new InsightSession();
		const run = session.task(0, 'runChild()');
		session.emit('task.await', {t: 1, id: run, site: null, on: {kind: 'promise'}, busy: 1});
		const lane = laneRootId(1);
		session.emit('task.start', {t: 30, id: lane, parent: run, kind: 'process', name: 'pid 42: node child.js', loc: null, process: {pid: 42, command: 'node child.js'}});
		if (withTask) {
			session.emit('task.start', {t: 60, id: lane + 1, parent: lane, kind: 'task', name: 'work()', loc: 'child.js:1:1'});
			session.emit('task.await', {t: 61, id: lane + 1, site: null, on: {kind: 'promise'}, busy: 1});
			session.emit('task.end', {t: 1061, id: lane + 1, busy: 1, wait: 1000});
		}
		session.emit('task.end', {t: 1070, id: lane, busy: 0, wait: 0});
		session.emit('task.resume', {t: 1071, id: run, readyAt: 1071, wait: 1070, sched: 0});
		session.emit('task.end', {t: 1071, id: run, busy: 1, wait: 1070}).emit('exit', {t: 1071});
		return summarize(session.state).activeTimeMs;
	}

	// `await new Promise(r => fork('child.js').on('exit', r))`, its child's one task 1 s: 1.9× for nothing that overlapped.
	it("a promise of unknown origin that a call's forked Node process settles is the process's tasks' time, not the call's", () => {
		expect(forkedWait(true)).toBeCloseTo(1002, 6);
	});

	it("a forked process that starts no task of its own leaves the call's wait on it its own", () => {
		expect(forkedWait(false)).toBeCloseTo(1071, 6);
	});

	it("the script's top level is a unit of its own: its code and its awaits of anything but tasks", () => {
		const session = new InsightSession();
		const root = 100;
		session.emit('task.start', {t: 0, id: root, parent: null, kind: 'script', name: 'app.mjs', loc: 'app.mjs:1:1'});
		session.emit('task.await', {t: 5, id: root, site: 'app.mjs:2:1', on: {kind: 'op', id: session.timer(5, 1005, root)}, busy: 5});
		session.emit('task.resume', {t: 1005, id: root, readyAt: 1005, wait: 1000, sched: 0});
		session.emit('task.end', {t: 1010, id: root, busy: 10, wait: 1000}).emit('exit', {t: 1010});
		expect(summarize(session.state).activeTimeMs).toBeCloseTo(1010, 6);
		expect(summarize(session.state).concurrency).toBe(1);
	});
});
