import {existsSync, statSync} from 'node:fs';
import {UsageError} from '../usage-error.js';

/** A wrong path is the user's mistake: one line and exit 1, not the reader's ENOENT as an internal error. */
export function requireRecording(path: string): void {
	if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`cannot find recording '${path}'`);
}

/** What reading a recording skipped or found cut short: said on stderr, the command still succeeds. */
export function printWarnings(warnings: readonly string[]): void {
	for (const warning of warnings) process.stderr.write(`asyncmon: ${warning}\n`);
}
