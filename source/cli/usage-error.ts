/** Bad input from the user: shown as one line, `asyncmon: <message>`, with exit code 1. */
export class UsageError extends Error {
	override readonly name = 'UsageError';
}
