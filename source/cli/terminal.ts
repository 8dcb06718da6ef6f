/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function terminalColor(): boolean {
	return !('NO_COLOR' in process.env) && process.stdout.isTTY === true;
}

/** The dashboard needs a terminal: anywhere else (a pipe, a file, CI) the plain lines are printed, asked or not. */
export function wantsPlain(asked: boolean): boolean {
	return asked || !process.stdout.isTTY;
}
