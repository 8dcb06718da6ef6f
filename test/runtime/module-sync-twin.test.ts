import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {describe, expect, it} from 'vitest';
import {commonJsTwin, moduleSyncTwin, needsTwin} from '../../source/runtime/module-sync-twin.js';
import {tempDir} from '../helpers/temp.js';

/** A package laid out as get-intrinsic's dependencies are (async-function, generator-function). */
function modulePackage(exports: unknown): string {
	const directory = join(tempDir(), 'node_modules', 'generator-function');
	mkdirSync(directory, {recursive: true});
	writeFileSync(join(directory, 'package.json'), JSON.stringify({name: 'generator-function', exports}));
	return directory;
}

describe('the CommonJS twin of a module-sync ES module (Node 22.19 to 22.21 cannot require one that imports CommonJS under hooks)', () => {
	it('only on those Node versions', () => {
		expect(['22.19.0', '22.20.0', '22.21.1'].map(needsTwin)).toEqual([true, true, true]);
		expect(['22.22.0', '24.21.0', '23.1.0'].map(needsTwin)).toEqual([false, false, false]);
	});

	it("is what the package exports for require, under the same subpath, in the package's order of conditions", () => {
		const directory = modulePackage({'.': [{'module-sync': './require.mjs', import: './index.mjs', default: './index.js'}, './index.js'], './legacy': './legacy.js'});
		expect(commonJsTwin(join(directory, 'require.mjs'))).toBe(join(directory, 'index.js'));
		// Not a module-sync target: nothing to swap.
		expect(commonJsTwin(join(directory, 'index.mjs'))).toBeNull();
		const withRequire = modulePackage({'module-sync': './sync.mjs', require: './main.cjs', default: './main.js'});
		expect(commonJsTwin(join(withRequire, 'sync.mjs'))).toBe(join(withRequire, 'main.cjs'));
		const onlyEsm = modulePackage({'module-sync': './sync.mjs', import: './sync.mjs'});
		expect(commonJsTwin(join(onlyEsm, 'sync.mjs'))).toBeNull();
	});

	it("applies to a CommonJS module's require, which reaches the hooks resolved already, not to an import", () => {
		const directory = modulePackage({'.': {'module-sync': './require.mjs', default: './index.js'}});
		const resolved = {url: pathToFileURL(join(directory, 'require.mjs')).href, format: 'module'};
		const fromCommonJs = {conditions: ['node', 'import', 'module-sync'], importAttributes: {}, parentURL: pathToFileURL(join(directory, '..', 'caller.cjs')).href};
		expect(moduleSyncTwin(resolved.url, fromCommonJs, resolved)).toEqual({url: pathToFileURL(join(directory, 'index.js')).href, format: 'commonjs', shortCircuit: true});
		// A bare specifier: an import() resolving it itself, as under node.
		expect(moduleSyncTwin('generator-function', fromCommonJs, resolved)).toBe(resolved);
		const fromModule = {...fromCommonJs, parentURL: pathToFileURL(join(directory, '..', 'caller.mjs')).href};
		expect(moduleSyncTwin(resolved.url, fromModule, resolved)).toBe(resolved);
	});
});
