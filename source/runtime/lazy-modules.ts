import {createRequire} from 'node:module';
import {once} from '../protocol/once.js';
import type remappingFunction from '@jridgewell/remapping';
import type * as TraceMapping from '@jridgewell/trace-mapping';
import type * as Acorn from 'acorn';
import type * as Esbuild from 'esbuild';
import type * as GetTsconfig from 'get-tsconfig';
import type * as TypeScript from 'typescript';
import type MagicStringClass from 'magic-string';

/**
 * The compiler's libraries, loaded on first use: a script whose files all come
 * from the transform cache never loads them, and only files that need esbuild
 * start its service process (about 100 ms).
 */
const lazyRequire = createRequire(import.meta.url);

export const acorn = once(() => lazyRequire('acorn') as typeof Acorn);

export const MagicString = once(() => (lazyRequire('magic-string') as {MagicString: typeof MagicStringClass}).MagicString);

export const getTsconfigModule = once(() => lazyRequire('get-tsconfig') as typeof GetTsconfig);

export const esbuild = once(() => lazyRequire('esbuild') as typeof Esbuild);

/** asyncmon's own TypeScript, for decorator metadata where the project has none to compile with (see decorator-metadata.ts). */
export const ownTypeScript = once(() => lazyRequire('typescript') as typeof TypeScript);

export const maps = once(() => {
	const remapping = lazyRequire('@jridgewell/remapping') as typeof remappingFunction | {default: typeof remappingFunction};
	return {
		remapping: typeof remapping === 'function' ? remapping : remapping.default,
		trace: lazyRequire('@jridgewell/trace-mapping') as typeof TraceMapping,
	};
});
