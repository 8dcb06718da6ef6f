import type {StackFrame} from '../protocol/events.js';

/**
 * One of Node's calls a block was read in that has advice of its own (see the blocked-loop insight's words): a wait
 * in Atomics.wait, a regular expression that backtracks, or a synchronous call with an asynchronous twin. Any other
 * call a block was read in is the function's own work, wherever in it the read landed.
 */
export type BlockingCall =
	| {kind: 'atomics-wait'}
	| {kind: 'regexp'; api: string}
	| {kind: 'synchronous'; module: SynchronousModule; fn: string; twin: string};

type SynchronousModule = 'node:child_process' | 'node:fs' | 'node:zlib' | 'node:crypto';

const SYNCHRONOUS_MODULES: ReadonlySet<string> = new Set<SynchronousModule>(['node:child_process', 'node:fs', 'node:zlib', 'node:crypto']);

/** String methods that run a regular expression whatever their argument (replace and split may take a plain string). */
const REGEXP_ONLY_STRING_METHODS: ReadonlySet<string> = new Set(['match', 'matchAll', 'search']);

export function blockingCallOf({fn, loc}: StackFrame): BlockingCall | null {
	if (loc === 'Atomics' && fn === 'wait') return {kind: 'atomics-wait'};
	if (loc === 'RegExp' || (loc === 'String' && REGEXP_ONLY_STRING_METHODS.has(fn))) return {kind: 'regexp', api: `${loc}.prototype.${fn}()`};
	if (fn.endsWith('Sync') && SYNCHRONOUS_MODULES.has(loc)) return {kind: 'synchronous', module: loc as SynchronousModule, fn, twin: fn.slice(0, -'Sync'.length)};
	return null;
}
