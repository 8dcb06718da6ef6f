import {accessSync, closeSync, constants, existsSync, lstatSync, openSync, readSync, statSync} from 'node:fs';
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

/** How every recording begins, whatever its protocol version: its header line. */
const RECORDING_START = '{"type":"header"';

/**
 * A recording may replace an earlier recording, or an empty file, but no other file: `--record lib.mjs main.mjs`
 * emptied the module the script was about to import (only the script itself was guarded before). The script's
 * other files cannot be known before it runs; a file that is no recording is refused whatever it is.
 */
export function requireReplaceable(out: string | undefined, option: string): void {
	// A link, a directory, a device: refused when it is opened, each in its own words.
	const existing = out === undefined ? undefined : lstatSync(out, {throwIfNoEntry: false});
	if (!existing?.isFile() || existing.size === 0) return;
	const start = Buffer.alloc(RECORDING_START.length);
	let fd: number | undefined;
	try {
		fd = openSync(out!, 'r');
		readSync(fd, start, 0, start.length, 0);
	} catch {
		// Unreadable: opening it for the recording says why.
		return;
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
	if (start.toString('utf8') !== RECORDING_START) throw new UsageError(`${option} '${out}' is a file that is no recording of asyncmon's: name another file, or remove it first`);
}

/** What reading a recording skipped or found cut short: said on stderr, the command still succeeds. */
export function printWarnings(warnings: readonly string[]): void {
	for (const warning of warnings) process.stderr.write(`asyncmon: ${warning}\n`);
}
