/** What the script is told, once, when it listens to its stdin under the dashboard. */
export const STDIN_KEPT_NOTICE = 'the script reads its stdin, which the dashboard keeps for its keys: it reads nothing there (run with --plain to type into it)';

/** The events of a stream that read it: a prompt's (readline's `keypress` too), a pipe's, an async iterator's. */
const READS = new Set<string | symbol>(['data', 'readable', 'keypress']);

/**
 * Under the dashboard the script's stdin is empty: the terminal's keys are the dashboard's. A prompt gets nothing and
 * the script may end at once, which reads as its own bug: `notice` says why, the first time it listens to stdin. Only
 * listening counts: a library that looks at `process.stdin.isTTY` reads nothing.
 */
export function noticeStdinReads(notice: (message: string) => void): void {
	const descriptor = Object.getOwnPropertyDescriptor(process, 'stdin');
	const get = descriptor?.get;
	if (!descriptor?.configurable || !get) return;
	Object.defineProperty(process, 'stdin', {
		...descriptor,
		get() {
			const stdin = get.call(process) as NodeJS.ReadStream;
			// Node's own getter again, which keeps the stream it made.
			Object.defineProperty(process, 'stdin', descriptor);
			const listening = (event: string | symbol): void => {
				if (!READS.has(event)) return;
				stdin.off('newListener', listening);
				notice(STDIN_KEPT_NOTICE);
			};
			stdin.on('newListener', listening);
			return stdin;
		},
	});
}
