/** Bad input from the user: shown as one line, `asyncmon: <message>`, with exit code 1. */
export class UsageError extends Error {
	override readonly name = 'UsageError';
}

/** A file option given without its file (`--record --plain`, `--record=`): yargs reads it as empty, and nothing would be written. */
export function requireFileName(value: string | undefined, option: string): void {
	if (value !== undefined && value.trim() === '') throw new UsageError(`${option} needs a file name, e.g. ${option} session.ndjson`);
}
