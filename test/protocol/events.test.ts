import {describe, expect, it} from 'vitest';
import {waitsOnTasks} from '../../source/protocol/events.js';

describe('what an await waits on', () => {
	it('waits on tasks: a task, or a combination of tasks (and promises of unknown origin); not one with an op, an op, a value or unknown promises alone', () => {
		expect(waitsOnTasks({kind: 'task', id: 2})).toBe(true);
		expect(waitsOnTasks({kind: 'promise', tasks: [2, 3]})).toBe(true);
		// With an op: the task's own wait, as long as the op's.
		expect(waitsOnTasks({kind: 'promise', tasks: [2, 3], ops: [4]})).toBe(false);
		expect(waitsOnTasks({kind: 'promise', tasks: [2], others: 1})).toBe(true);
		expect(waitsOnTasks({kind: 'promise', ops: [4]})).toBe(false);
		expect(waitsOnTasks({kind: 'promise', others: 2})).toBe(false);
		expect(waitsOnTasks({kind: 'op', id: 4})).toBe(false);
		expect(waitsOnTasks({kind: 'peer', address: '127.0.0.1:5432'})).toBe(false);
		expect(waitsOnTasks({kind: 'value'})).toBe(false);
	});

});
