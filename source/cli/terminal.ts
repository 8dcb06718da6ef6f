/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function terminalColor(stream: NodeJS.WriteStream = process.stdout): boolean {
	return !('NO_COLOR' in process.env) && stream.isTTY === true;
}

/**
 * Where plain mode's own lines go: beside the script's stdout, unless that is redirected while stderr is a terminal
 * (`asyncmon gen.ts > out.gz`): then the terminal, and the file holds the script's bytes alone, as under node.
 */
export function ownLinesStream(): 'stdout' | 'stderr' {
	return !process.stdout.isTTY && process.stderr.isTTY ? 'stderr' : 'stdout';
}

/** The dashboard needs a terminal: anywhere else (a pipe, a file, CI) the plain lines are printed, asked or not. */
export function wantsPlain(asked: boolean): boolean {
	return asked || !process.stdout.isTTY;
}
