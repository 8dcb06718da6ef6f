import {EventEmitter} from 'node:events';
import util, {inspect} from 'node:util';
import {dirname} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {userStack} from '../../source/runtime/caller.js';

const here = dirname(fileURLToPath(import.meta.url));

/** A frame of the test's own code between the reader and its caller. */
function readFrom(ownDirectory: string) {
	const reader = () => userStack(reader, {cwd: here, ownDirectory}, 12, 64);
	return (function innermost() {
		return reader();
	})();
}

describe('userStack, the stack of a blocked thread as the user reads it', () => {
	it("has the user's own frames, innermost first, named and placed in their file", () => {
		const stack = readFrom('/asyncmon/dist');
		expect(stack.inOwnCode).toBe(false);
		expect(stack.frames[0]).toEqual({fn: 'innermost', loc: expect.stringMatching(/^caller\.test\.ts:\d+:\d+$/)});
		expect(stack.frames.map(frame => frame.fn)).toContain('readFrom');
	});

	it("names the function of Node's own that the user's innermost frame was in, and its module: execSync's block is a wait", () => {
		const bus = new EventEmitter();
		let stack!: ReturnType<typeof userStack>;
		bus.on('read', function reader() {
			stack = userStack(reader, {cwd: here, ownDirectory: '/asyncmon/dist'}, 12, 64);
		});
		(function emitting() {
			bus.emit('read');
		})();
		expect(stack.frames[0]).toEqual({fn: 'emitting', loc: expect.stringMatching(/^caller\.test\.ts:\d+:\d+$/)});
		expect(stack.callee).toEqual({fn: 'emit', loc: 'node:events'});
		// Code of the user's own at the top: no call into Node's.
		expect(readFrom('/asyncmon/dist').callee).toBeNull();
	});

	it("names a call into Node's internal modules by its public module, and by the name it was called by", () => {
		let stack!: ReturnType<typeof userStack>;
		const shown = {
			[inspect.custom]: function reader() {
				stack = userStack(reader, {cwd: here, ownDirectory: '/asyncmon/dist'}, 12, 64);
				return 'shown';
			},
		};
		(function inspecting() {
			util.inspect(shown);
		})();
		// util.inspect's code is in node:internal/util/inspect.
		expect(stack.frames[0]).toMatchObject({fn: 'inspecting'});
		expect(stack.callee).toEqual({fn: 'inspect', loc: 'node:util'});
	});

	it("says when asyncmon's own code was under way (a sample of its work, read again), and leaves its frames out", () => {
		const stack = readFrom(here);
		expect(stack.inOwnCode).toBe(true);
		expect(stack.frames.filter(frame => frame.loc.startsWith('caller.test.ts'))).toEqual([]);
	});
});
