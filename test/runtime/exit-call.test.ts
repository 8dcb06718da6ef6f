import {dirname} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {watchExitCalls} from '../../source/runtime/exit-call.js';

const here = dirname(fileURLToPath(import.meta.url));
const testsOwnExit = process.exit;

/** Node's process.exit as the watch finds it: here a stand-in that records its calls instead of ending the test. */
let calls: Array<{self: unknown; code: unknown}>;

beforeEach(() => {
	calls = [];
	process.exit = function (this: unknown, code?: unknown) {
		calls.push({self: this, code});
	} as typeof process.exit;
});

afterEach(() => {
	process.exit = testsOwnExit;
});

describe('watchExitCalls: the script called process.exit()', () => {
	it('notes nothing until it is called', () => {
		expect(watchExitCalls(here)()).toBeUndefined();
	});

	it("notes where the script's own code called it, and passes the call on to Node's as it came", () => {
		const exitCall = watchExitCalls(here);
		process.exit(3);
		// Its line as vitest's transform left it (test/cli/insights.test.ts checks the line through the real CLI).
		expect(exitCall()).toEqual({site: expect.stringMatching(/^exit-call\.test\.ts:\d+:11$/)});
		expect(calls).toEqual([{self: process, code: 3}]);
	});

	it('keeps the first call: one an exit listener makes afterwards ends the process, it does not move the cause', () => {
		const exitCall = watchExitCalls(here);
		const first = (): never => process.exit(1);
		first();
		const site = exitCall();
		process.exit(2);
		expect(exitCall()).toBe(site);
		expect(calls.map(call => call.code)).toEqual([1, 2]);
	});
});
