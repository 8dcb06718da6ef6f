import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {describe, expect, it} from 'vitest';
import {DEFAULT_DEMO_NAME, DEMOS, examplePath, findDemo, packageRoot} from '../../source/demo/catalog.js';
import {tempDir} from '../helpers/temp.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

describe('demo catalogue', () => {
	it('has a bundled file for every demo, each ending with what to look for', () => {
		for (const demo of DEMOS) {
			const path = examplePath(demo.file);
			expect(path, demo.name).toBe(join(repoRoot, 'examples', demo.file));
			expect(readFileSync(path, 'utf8'), demo.name).toContain('What you should see in asyncmon:');
		}
	});

	it('has unique names and numbered files in lesson order', () => {
		expect(new Set(DEMOS.map(demo => demo.name)).size).toBe(DEMOS.length);
		expect(DEMOS.map(demo => demo.file)).toEqual([...DEMOS.map(demo => demo.file)].sort());
	});

	it('runs every scheduled demo for 5 to 15 s at human pace, by its own schedule', async () => {
		// The real-internet demo lasts as long as the public hosts take; the tests never reach them.
		const scheduled = DEMOS.filter(demo => demo.name !== 'real-internet');
		expect(scheduled).toHaveLength(DEMOS.length - 1);
		for (const demo of scheduled) {
			// Imported, not run: each example runs main() only as the entry script, and exports its length.
			const {LASTS_MS} = (await import(pathToFileURL(examplePath(demo.file)).href)) as {LASTS_MS: unknown};
			expect(LASTS_MS, demo.name).toBeTypeOf('number');
			expect(LASTS_MS, demo.name).toBeGreaterThanOrEqual(5000);
			expect(LASTS_MS, demo.name).toBeLessThanOrEqual(15_000);
		}
	});

	it('defaults to the HTTP fan-out, which needs the demo server', () => {
		expect(findDemo()).toMatchObject({name: DEFAULT_DEMO_NAME, file: '09-http-fanout.ts', needsServer: true});
		expect(findDemo('seed-requests')?.file).toBe('06-seed-requests.ts');
		expect(findDemo('no-such-demo')).toBeUndefined();
	});

	it('finds the package root from this source tree', () => {
		expect(packageRoot()).toBe(repoRoot);
	});
});

describe('packageRoot in an installed package', () => {
	function installedLayout(): string {
		const scratch = tempDir();
		const pkg = join(scratch, 'node_modules', 'asyncmon');
		mkdirSync(join(pkg, 'dist', 'chunks'), {recursive: true});
		writeFileSync(join(scratch, 'package.json'), JSON.stringify({name: 'user-app'}));
		writeFileSync(join(pkg, 'package.json'), JSON.stringify({name: 'asyncmon'}));
		// A nameless package.json on the way up must not be taken for the package root.
		writeFileSync(join(pkg, 'dist', 'package.json'), JSON.stringify({type: 'module'}));
		return pkg;
	}

	it('walks up from dist/cli.js and from a dist/chunks/ file alike', () => {
		const pkg = installedLayout();
		expect(packageRoot(pathToFileURL(join(pkg, 'dist', 'cli.js')))).toBe(pkg);
		expect(packageRoot(pathToFileURL(join(pkg, 'dist', 'chunks', 'catalog-abc123.js')))).toBe(pkg);
		expect(examplePath('06-seed-requests.ts', pathToFileURL(join(pkg, 'dist', 'cli.js')))).toBe(
			join(pkg, 'examples', '06-seed-requests.ts'),
		);
	});

	it('fails clearly outside any asyncmon package', () => {
		const scratch = tempDir();
		const stray = join(scratch, 'lib', 'x.js');
		expect(() => packageRoot(pathToFileURL(stray))).toThrow(/asyncmon's package.json not found/);
	});
});
