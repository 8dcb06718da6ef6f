import {RUNTIME_GLOBAL, withoutInstrumentation} from './transform.js';

/**
 * A function's `toString()` gives the user's own text, as under node, not the instrumented one: code that sends a
 * function's text somewhere else to run (puppeteer's and playwright's `page.evaluate(fn)`, a `vm` sandbox, a
 * worker built from a function's source) got asyncmon's calls, which fail there (`__asyncmon is not defined`).
 * Only a text that holds them is changed. `Function.prototype.toString` stays a native-looking function of its own
 * name and length: a Proxy of Node's, whose own text is Node's.
 */
export function showUsersFunctionText(): void {
	const native = Function.prototype.toString;
	const toString: typeof native = new Proxy(native, {
		apply(target, self: unknown, args: unknown[]) {
			if (self === toString) return Reflect.apply(target, target, args) as string;
			const text = Reflect.apply(target, self, args) as string;
			return text.includes(RUNTIME_GLOBAL) ? withoutInstrumentation(text) : text;
		},
	});
	Object.defineProperty(Function.prototype, 'toString', {value: toString});
}
