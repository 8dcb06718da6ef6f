import {chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll} from 'vitest';

const made: string[] = [];

// Registered while the test file that imports this module is collected
// (each file loads its own copy), so it runs after that file's tests.
afterAll(() => {
	for (const dir of made.splice(0)) rmSync(dir, {recursive: true, force: true});
});

/** A fresh directory under the system's temporary folder, removed once the test file is done. */
export function tempDir(): string {
	const dir = mkdtempSync(join(tmpdir(), 'asyncmon-test-'));
	made.push(dir);
	return dir;
}

/** A fresh directory holding a package `name` in its node_modules, of these files (`index.js` and others): code that is not the script's. */
export function dirWithPackage(name: string, files: Record<string, string>): string {
	const dir = tempDir();
	mkdirSync(join(dir, 'node_modules', name), {recursive: true});
	for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, 'node_modules', name, file), text);
	return dir;
}

/** A script `name` of these lines in `directory` (a fresh one by default): the directory, to run it in. */
export function dirWithScript(name: string, lines: readonly string[], directory = tempDir()): string {
	writeFileSync(join(directory, name), [...lines, ''].join('\n'));
	return directory;
}

/** A path named `name` in a fresh temporary directory; nothing is written there yet. */
export function tempFile(name: string): string {
	return join(tempDir(), name);
}

/**
 * A file the tests' own user may not read, named `name` (a copy of `from`, mode 000). Root reads any file whatever
 * its mode, but not a write-only control file of the kernel's: that one stands in when the tests run as root.
 */
export function unreadableFile(name: string, from: string): string {
	if (process.getuid?.() === 0) return '/proc/sys/vm/compact_memory';
	const file = tempFile(name);
	copyFileSync(from, file);
	chmodSync(file, 0o000);
	return file;
}
