import {describe, expect, it} from 'vitest';
import {continueRemoteTrace, TracePropagation} from '../../../source/runtime/ops/trace-propagation.js';
import {Task} from '../../../source/runtime/tracker.js';
import {spanIdOf} from '../../../source/protocol/trace-context.js';

const SESSION = 'e'.repeat(32);
const task = (id: number, parent: Task | null): Task => new Task(id, parent, null, undefined, 0);

describe('TracePropagation', () => {
	it("names the op's span, in the session's trace", () => {
		const propagation = new TracePropagation(SESSION);
		expect(propagation.traceparent(task(2, task(1, null)), 5)).toBe(`00-${SESSION}-${spanIdOf(SESSION, 5)}-01`);
	});

	it("puts the requests under a server task that was called with a traceparent in the caller's trace", () => {
		const caller = '1'.repeat(32);
		const script = task(1, null);
		const server = task(2, script);
		continueRemoteTrace(server, `00-${caller}-${'2'.repeat(16)}-01`);
		const handler = task(3, server);
		const propagation = new TracePropagation(SESSION);
		expect(propagation.traceparent(handler, 4)).toBe(`00-${caller}-${spanIdOf(SESSION, 4)}-01`);
		expect(propagation.traceparent(script, 5)).toBe(`00-${SESSION}-${spanIdOf(SESSION, 5)}-01`);
		// A header that is no traceparent starts nothing.
		const other = task(6, script);
		continueRemoteTrace(other, 'garbage');
		expect(propagation.traceparent(other, 7)).toBe(`00-${SESSION}-${spanIdOf(SESSION, 7)}-01`);
	});
});
