import {AsyncLocalStorage, AsyncResource} from 'node:async_hooks';
import {describe, expect, it} from 'vitest';
import {type CallFrames, TaskContext} from '../../source/runtime/task-context.js';

interface Call extends CallFrames {
	name: string;
}

const call = (name: string): Call => ({name, ownFrame: undefined, callerFrame: undefined});

/** The async context frame current now, as Node keeps it (undefined where AsyncLocalStorage keeps no frames: Node 22 by default). */
function currentFrame(): unknown {
	const resource = new AsyncResource('task-context-test');
	const key = Object.getOwnPropertySymbols(resource).find(symbol => symbol.description === 'context_frame');
	return key === undefined ? undefined : (resource as unknown as Record<symbol, unknown>)[key];
}

/** Runs `fn` in a context of its own, so that what it enters does not leak into the next test. */
const isolated = <T>(fn: () => Promise<T>): Promise<T> => new AsyncLocalStorage<number>().run(0, fn);

describe('TaskContext: a call enters its own context, hands its caller back its own, and takes its own again', () => {
	it('the store reads the call in its first slice and after it resumes, and the caller after its first await', () =>
		isolated(async () => {
			const context = new TaskContext<Call>();
			const caller = call('caller');
			context.enterWith(caller);
			const inner = call('inner');
			const seen: string[] = [];
			async function instrumented() {
				context.enterCall(inner);
				seen.push(`first slice: ${context.getStore()?.name}`);
				const pending = new Promise(resolve => setTimeout(resolve, 1));
				context.leaveCall(inner, caller);
				await pending;
				context.resumeCall(inner);
				seen.push(`resumed: ${context.getStore()?.name}`);
				await new Promise(resolve => setTimeout(resolve, 1));
				seen.push(`later: ${context.getStore()?.name}`);
				setTimeout(() => seen.push(`its timer: ${context.getStore()?.name}`), 1);
			}
			const done = instrumented();
			seen.push(`caller goes on: ${context.getStore()?.name}`);
			await done;
			seen.push(`caller after the call: ${context.getStore()?.name}`);
			await new Promise(resolve => setTimeout(resolve, 5));
			expect(seen).toEqual(['first slice: inner', 'caller goes on: caller', 'resumed: inner', 'later: inner', 'caller after the call: caller', 'its timer: inner']);
		}));

	// Where Node keeps frames (Node 24), each of the three made a copy of the current frame through enterWith.
	it('handing the context back and taking it again makes no new frame: the frames entered are set again as they are', () =>
		isolated(async () => {
			const context = new TaskContext<Call>();
			const before = currentFrame();
			const inner = call('inner');
			context.enterCall(inner);
			const own = currentFrame();
			const pending = new Promise(resolve => setTimeout(resolve, 1));
			context.leaveCall(inner, undefined);
			expect(currentFrame()).toBe(before);
			await pending;
			context.resumeCall(inner);
			expect(currentFrame()).toBe(own);
			expect(context.getStore()).toBe(inner);
		}));

	// Under node an async function's first slice is its caller's synchronous code: a value another storage enters
	// there is the caller's too, after the call returns, and the function's after it resumes.
	it("another storage's value entered in the call's first slice stays for the caller and for the call, as under node", () =>
		isolated(async () => {
			const context = new TaskContext<Call>();
			const other = new AsyncLocalStorage<string>();
			other.enterWith('caller');
			const inner = call('inner');
			const seen: string[] = [];
			async function instrumented() {
				context.enterCall(inner);
				other.enterWith('set inside');
				const pending = new Promise(resolve => setTimeout(resolve, 1));
				context.leaveCall(inner, undefined);
				await pending;
				context.resumeCall(inner);
				seen.push(`call resumed: ${context.getStore()?.name}, ${other.getStore()}`);
			}
			const done = instrumented();
			seen.push(`caller: ${context.getStore()?.name}, ${other.getStore()}`);
			await done;
			expect(seen).toEqual(['caller: undefined, set inside', 'call resumed: inner, set inside']);
		}));
});
