import type {StackFrame} from '../protocol/events.js';

/**
 * One of Node's calls a block was read in that has advice of its own (see the blocked-loop insight's words): a wait
 * in Atomics.wait, a regular expression that backtracks, or a synchronous call with an asynchronous twin. Any other
 * call a block was read in is the function's own work, wherever in it the read landed.
 */
export type BlockingCall =
	| {kind: 'atomics-wait'}
	| {kind: 'regexp'; api: string}
	| {kind: 'synchronous'; module: SynchronousModule; fn: string; twin: string}
	/** One of zlib's synchronous calls, called by its own name (`gzipSync(buffer)`): which one, its frame does not say. */
	| {kind: 'zlib-synchronous'};

type SynchronousModule = 'node:child_process' | 'node:fs' | 'node:zlib' | 'node:crypto';

const SYNCHRONOUS_MODULES: ReadonlySet<string> = new Set<SynchronousModule>(['node:child_process', 'node:fs', 'node:zlib', 'node:crypto']);

/** String methods that run a regular expression whatever their argument (replace and split may take a plain string). */
const REGEXP_ONLY_STRING_METHODS: ReadonlySet<string> = new Set(['match', 'matchAll', 'search']);

/**
 * The one function behind each of zlib's synchronous calls (gzipSync, deflateSync, brotliCompressSync, …). Called through
 * the module (`zlib.gzipSync()`), its frame names the property; called by its own name, as an import makes it, only this.
 */
const ZLIB_SYNC_CALL = 'syncBufferWrapper';

export function blockingCallOf({fn, loc}: StackFrame): BlockingCall | null {
	if (loc === 'node:zlib' && fn === ZLIB_SYNC_CALL) return {kind: 'zlib-synchronous'};
	if (loc === 'Atomics' && fn === 'wait') return {kind: 'atomics-wait'};
	if (loc === 'RegExp' || (loc === 'String' && REGEXP_ONLY_STRING_METHODS.has(fn))) return {kind: 'regexp', api: `${loc}.prototype.${fn}()`};
	if (fn.endsWith('Sync') && SYNCHRONOUS_MODULES.has(loc)) return {kind: 'synchronous', module: loc as SynchronousModule, fn, twin: fn.slice(0, -'Sync'.length)};
	return null;
}
