import {accessSync, constants, existsSync, statSync} from 'node:fs';
import {UsageError} from '../usage-error.js';

/** A wrong path or an unreadable file is the user's mistake: one line and exit 1, not the reader's error as an internal one. */
export function requireRecording(path: string): void {
	if (!existsSync(path)) throw new UsageError(`cannot find recording '${path}'`);
	if (!statSync(path).isFile()) throw new UsageError(`'${path}' is ${statSync(path).isDirectory() ? 'a directory' : 'not a file'}, not a recording: name the file asyncmon --record wrote`);
	try {
		accessSync(path, constants.R_OK);
	} catch (error) {
		throw new UsageError(`cannot read recording '${path}': ${(error as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (error as Error).message}`);
	}
}

/**
 * An output file that is one of the files the command reads (`report x.ndjson -o x.ndjson`, `--record app.ts
 * app.ts`) is refused before anything is opened: a slip of the keyboard must not empty a recording or a script.
 */
export function requireOutputApart(out: string | undefined, option: string, inputs: readonly string[]): void {
	const written = out === undefined ? undefined : statSync(out, {throwIfNoEntry: false});
	if (!written) return;
	for (const input of inputs) {
		const read = statSync(input, {throwIfNoEntry: false});
		if (read && read.dev === written.dev && read.ino === written.ino) {
			throw new UsageError(`${option} '${out}' would overwrite '${input}', which this command reads: name another file`);
		}
	}
}

/** What reading a recording skipped or found cut short: said on stderr, the command still succeeds. */
export function printWarnings(warnings: readonly string[]): void {
	for (const warning of warnings) process.stderr.write(`asyncmon: ${warning}\n`);
}
