import {describe, expect, it} from 'vitest';
import type {PendingTask} from '../../../source/model/insights.js';
import {neverSettledMessage} from '../../../source/present/insights/never-settled.js';
import {InsightSession, onPromise, onTask} from '../../fixtures/insights/session.js';

/** main() waits on waitForever(), which waits on a promise: task #2 is the one that names it. */
function hanging() {
	const session = new InsightSession();
	const forever = session.task(1, 'waitForever()', session.task(0, 'main()'));
	const pending: PendingTask[] = [
		{name: 'main()', wait: {on: onTask(forever), site: 'app.ts:9:9', since: 3}},
		{name: 'waitForever()', wait: {on: onPromise, site: 'app.ts:5:3', since: 2}},
	];
	return {state: session.state, pending};
}

describe('never-settled in words', () => {
	it('lists the tasks still waiting at exit and what each waited on', () => {
		const {state, pending} = hanging();
		expect(neverSettledMessage(state, {kind: 'never-settled', exitMs: 10, pending, taskIds: [1, 2]})).toBe(
			'2 tasks never settled before the process exited: main() was waiting on task #2 waitForever() at app.ts:9; ' +
				'waitForever() was waiting on a promise at app.ts:5. Make sure what they wait on resolves or rejects, or stop waiting on it',
		);
	});

	it("says the script's process.exit() cut them off, where it was called, and leaves what they waited on as no cause", () => {
		const {state, pending} = hanging();
		expect(neverSettledMessage(state, {kind: 'never-settled', exitMs: 10, pending, taskIds: [1, 2], exitCall: {site: 'app.ts:14:11'}})).toBe(
			'process.exit() at app.ts:14 cut off 2 tasks still waiting: main() was waiting on task #2 waitForever() at app.ts:9; ' +
				'waitForever() was waiting on a promise at app.ts:5. If their work matters, let them settle (or cancel them) before exiting',
		);
		// Called from no frame of the script's (a library's own timer, say): no place is named.
		expect(neverSettledMessage(state, {kind: 'never-settled', exitMs: 10, pending: pending.slice(1), taskIds: [2], exitCall: {site: null}})).toMatch(
			/^process\.exit\(\) cut off 1 task still waiting: waitForever\(\) was waiting/,
		);
	});

	it('says a guessed wait as a guess: was probably waiting on it', () => {
		const {state} = hanging();
		const pending: PendingTask[] = [{name: 'main()', wait: {on: {kind: 'promise', tasks: [2], guess: true}, site: 'app.ts:9:9', since: 3}}];
		expect(neverSettledMessage(state, {kind: 'never-settled', exitMs: 10, pending, taskIds: [1]})).toMatch(/^1 task never settled before the process exited: main\(\) was probably waiting on 1 task at app\.ts:9\./);
	});

	it('names three tasks and counts the rest, and says which were ready but never ran', () => {
		const {state, pending} = hanging();
		const ready = (name: string): PendingTask => ({name, wait: null});
		expect(neverSettledMessage(state, {kind: 'never-settled', exitMs: 10, pending: [ready('a()'), ...pending, ready('b()')], taskIds: []})).toBe(
			'4 tasks never settled before the process exited: a() was ready to resume but never ran; main() was waiting on task #2 waitForever() at app.ts:9; ' +
				'waitForever() was waiting on a promise at app.ts:5; 1 more. Make sure what they wait on resolves or rejects, or stop waiting on it',
		);
	});
});
