import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {expect, it} from 'vitest';
import {oldNodeAdvice, pinnedNodeBin} from '../../source/cli/main.js';
import {ROOT} from '../helpers/run-cli.js';
import {tempDir} from '../helpers/temp.js';

// Run from anywhere but its clone (`node ~/asyncmon/dist/cli.js app.ts`), `npx asyncmon` was advice that did not work.
it('tells a user on a Node too old where the Node asyncmon pins is, or to install one', () => {
	expect(oldNodeAdvice('v20.20.2', '/home/me/asyncmon/node_modules/.bin')).toBe(
		"needs Node.js 22.19 or later, this is v20.20.2; run it again with the project's Node 24 first on the PATH: PATH=/home/me/asyncmon/node_modules/.bin:$PATH",
	);
	expect(oldNodeAdvice('v18.20.0', null)).toBe('needs Node.js 22.19 or later, this is v18.20.0; install it, or run asyncmon from a clone of it with `npx asyncmon …`');
});

it("finds the Node a clone pins beside its dist/cli.js, through a link to it too, and none beside an installed copy", () => {
	const bin = join(ROOT, 'node_modules', '.bin');
	expect(pinnedNodeBin(join(ROOT, 'dist', 'cli.js'))).toBe(bin);
	const links = tempDir();
	symlinkSync(join(ROOT, 'dist', 'cli.js'), join(links, 'asyncmon'));
	expect(pinnedNodeBin(join(links, 'asyncmon'))).toBe(bin);
	// An installed package: its devDependencies, the pinned Node among them, are not there.
	const installed = tempDir();
	mkdirSync(join(installed, 'dist'));
	writeFileSync(join(installed, 'dist', 'cli.js'), '');
	expect(pinnedNodeBin(join(installed, 'dist', 'cli.js'))).toBeNull();
	expect(pinnedNodeBin(fileURLToPath(new URL('./nowhere/cli.js', import.meta.url)))).toBeNull();
});
