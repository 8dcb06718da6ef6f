import {RUNTIME_GLOBAL, withoutInstrumentation} from './transform.js';

/** asyncmon's functions in the place of Node's, and the function each stands for (see standIn). */
const standsFor = new WeakMap<Function, Function>();

/**
 * `replacement`, put in the place of Node's `original` (events.once, setTimeout, Promise.all), reads as it: its
 * name, its length and its text (`function setTimeout(callback, after, ...args) {…}`, not asyncmon's wrapper).
 */
export function standIn<F extends Function>(replacement: F, original: Function): F {
	Object.defineProperty(replacement, 'name', {value: original.name, configurable: true});
	Object.defineProperty(replacement, 'length', {value: original.length, configurable: true});
	standsFor.set(replacement, original);
	return replacement;
}

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
			const original = typeof self === 'function' ? standsFor.get(self) : undefined;
			if (original) return Reflect.apply(target, original, args) as string;
			const text = Reflect.apply(target, self, args) as string;
			return text.includes(RUNTIME_GLOBAL) ? withoutInstrumentation(text) : text;
		},
	});
	Object.defineProperty(Function.prototype, 'toString', {value: toString});
}
