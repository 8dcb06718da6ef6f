import {pathToFileURL} from 'node:url';
import {expect, it} from 'vitest';
import {ownFiles} from '../../source/runtime/own-files.js';

it("tells asyncmon's own files by path or file:// URL, not a sibling directory whose name begins the same", () => {
	const isOwn = ownFiles('/opt/my tools/asyncmon/dist');
	expect(isOwn('/opt/my tools/asyncmon/dist/chunks/chunk-ABC.js')).toBe(true);
	expect(isOwn(pathToFileURL('/opt/my tools/asyncmon/dist/chunks/chunk-ABC.js').href)).toBe(true);
	expect(isOwn('/opt/my tools/asyncmon/dist-old/cli.js')).toBe(false);
	expect(isOwn(pathToFileURL('/opt/my tools/asyncmon/dist-old/cli.js').href)).toBe(false);
	expect(isOwn('/home/me/app/main.mjs')).toBe(false);
	expect(isOwn('node:internal/process/per_thread')).toBe(false);
	expect(isOwn('')).toBe(false);
});
