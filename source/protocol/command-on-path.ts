import {closeSync, openSync, readSync, realpathSync, statSync} from 'node:fs';
import {delimiter, join} from 'node:path';

/**
 * A command on the PATH whose file is a Node script (its first line runs node, as npm's bins do), as that file: what
 * `asyncmon npm run start` or `asyncmon nest start` runs, and a child process a script starts that is followed
 * (`sh -c 'eslint src'`). Null for a name with a path, a file of another program, or none.
 */
export function nodeScriptOnPath(name: string, path = process.env.PATH ?? ''): string | null {
	if (name === '' || name.includes('/') || name.includes('\\')) return null;
	for (const directory of path.split(delimiter)) {
		if (directory === '') continue;
		let file: string;
		try {
			file = realpathSync(join(directory, name));
			if (!statSync(file).isFile()) continue;
		} catch {
			continue;
		}
		// The first on the PATH is the one a shell runs: another program's is not asyncmon's to run.
		return runsNode(file) ? file : null;
	}
	return null;
}

/** A `#!` line that names node (`#!/usr/bin/env node`), or a JavaScript file. */
function runsNode(file: string): boolean {
	if (/\.[cm]?js$/.test(file)) return true;
	const head = Buffer.alloc(128);
	const fd = openSync(file, 'r');
	try {
		const length = readSync(fd, head, 0, head.length, 0);
		return /^#!.*\bnode\b/.test(head.subarray(0, length).toString('latin1').split('\n')[0]!);
	} finally {
		closeSync(fd);
	}
}
