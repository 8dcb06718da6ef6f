import {describe, expect, it} from 'vitest';
import type {WaitTarget} from '../../source/protocol/events.js';
import {ExecutorSettlers} from '../../source/runtime/executor-settlers.js';

const event = (name: string): WaitTarget => ({kind: 'event', event: name, source: 'EventEmitter'});

describe('ExecutorSettlers: the new Promise executors running, and the events that settle each', () => {
	it("gives each executor its own listeners' events, innermost first, asked as it leaves; none for one that added none", () => {
		const settlers = new ExecutorSettlers();
		expect(settlers.open()).toBe(false);
		settlers.enter();
		settlers.settledBy(() => event('outer'));
		settlers.enter();
		let known = 'not yet';
		settlers.settledBy(() => event(known));
		known = 'response';
		expect(settlers.leave()).toEqual([event('response')]);
		settlers.enter();
		expect(settlers.leave()).toBeNull();
		expect(settlers.open()).toBe(true);
		expect(settlers.leave()).toEqual([event('outer')]);
		expect(settlers.open()).toBe(false);
	});

	it("leaves out 'error' beside other events, keeps it alone; keeps the first 8; forgets executors left open by a reset", () => {
		const settlers = new ExecutorSettlers();
		settlers.enter();
		for (const name of ['finish', 'error']) settlers.settledBy(() => event(name));
		expect(settlers.leave()).toEqual([event('finish')]);
		settlers.enter();
		settlers.settledBy(() => event('error'));
		expect(settlers.leave()).toEqual([event('error')]);
		settlers.enter();
		for (let i = 0; i < 10; i++) settlers.settledBy(() => event(`e${i}`));
		expect(settlers.leave()).toHaveLength(8);
		settlers.enter();
		settlers.reset();
		expect(settlers.open()).toBe(false);
	});

	it('knows the callbacks marked as settling, and nothing else', () => {
		const settlers = new ExecutorSettlers();
		const marked = (): void => {};
		settlers.mark(marked);
		expect([settlers.settles(marked), settlers.settles(() => {}), settlers.settles('x')]).toEqual([true, false, false]);
	});
});
