/**
 * The optional explicit API: `import {task} from 'asyncmon'`.
 * Under asyncmon, `task(name, fn)` runs `fn` as a task called `name`;
 * under plain node it just runs `fn`, so scripts work either way.
 */
interface Runtime {
	named<T>(name: string, fn: () => T): T;
}

export function task<T>(name: string, fn: () => T): T {
	const runtime = (globalThis as {__asyncmon?: Runtime}).__asyncmon;
	return runtime ? runtime.named(name, fn) : fn();
}
