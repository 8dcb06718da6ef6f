import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {showUsersFunctionText, standIn} from '../../source/runtime/function-source.js';
import {instrument, RUNTIME_GLOBAL} from '../../source/runtime/transform.js';

describe("a function's toString() once asyncmon shows the user's text", () => {
	const native = Function.prototype.toString;
	beforeAll(() => {
		// A runtime that hands each wrapped value back: `w(task, value, site)`, `ret(task, value)`, `p(value)`.
		(globalThis as Record<string, unknown>)[RUNTIME_GLOBAL] = new Proxy({}, {get: () => (...args: unknown[]) => (args.length > 1 ? args[1] : args[0])});
		showUsersFunctionText();
	});
	afterAll(() => {
		Object.defineProperty(Function.prototype, 'toString', {value: native});
		delete (globalThis as Record<string, unknown>)[RUNTIME_GLOBAL];
	});

	const source = 'return async function fetchUser(id) { const user = await load(id); return user.name }';
	const instrumented = instrument({code: source, sourceType: 'commonjs', registry: {addFunction: () => 0, addAwait: () => 0, addDroppedCall: () => 0}}).code;

	it("of asyncmon's function in the place of Node's is Node's, with its name and length", () => {
		const original = setTimeout;
		const replacement = standIn(function wrapped(this: unknown, ...args: unknown[]) {
			return Reflect.apply(original, this, args);
		}, original);
		expect(replacement.toString()).toBe(native.call(original));
		expect({name: replacement.name, length: replacement.length}).toEqual({name: 'setTimeout', length: original.length});
		clearTimeout(replacement(() => {}, 1) as NodeJS.Timeout);
	});

	it('is the text the user wrote, whichever way it is called, and the function still runs instrumented', async () => {
		const fetchUser = new Function('load', instrumented)(async (id: number) => ({name: `user ${id}`})) as (id: number) => Promise<string>;
		const written = 'async function fetchUser(id) { const user = await load(id); return user.name }';
		expect(native.call(fetchUser)).toContain(RUNTIME_GLOBAL);
		expect(fetchUser.toString()).toBe(written);
		expect(String(fetchUser)).toBe(written);
		expect(`${fetchUser}`).toBe(written);
		expect(Function.prototype.toString.call(fetchUser)).toBe(written);
		await expect(fetchUser(7)).resolves.toBe('user 7');
	});

	it("leaves every other function's text as Node gives it, its own included", () => {
		const plain = function add(a: number, b: number) {
			return a + b;
		};
		expect(plain.toString()).toBe(native.call(plain));
		expect(Math.max.toString()).toBe('function max() { [native code] }');
		expect(Function.prototype.toString.toString()).toBe('function toString() { [native code] }');
		expect(Function.prototype.toString.name).toBe('toString');
		expect(Function.prototype.toString.length).toBe(0);
		expect(Object.getOwnPropertyDescriptor(Function.prototype, 'toString')).toMatchObject({writable: true, enumerable: false, configurable: true});
		expect(() => Function.prototype.toString.call({})).toThrow(TypeError);
	});
});
