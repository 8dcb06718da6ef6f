import type {Tracker} from './tracker.js';

type Write = typeof process.stdout.write;

/**
 * The script's writes to process.stdout and process.stderr become output
 * events, in order with everything else it does. The monitor decides where
 * they are shown; raw writes to fd 1 and 2 still reach it through the pipes.
 */
export function captureOutput(tracker: Tracker): void {
	for (const stream of ['stdout', 'stderr'] as const) {
		const target = process[stream];
		const write = function (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean {
			const encoding = typeof encodingOrCallback === 'string' ? (encodingOrCallback as BufferEncoding) : 'utf8';
			const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(encoding);
			tracker.emit({type: 'output', t: performance.now(), stream, text});
			const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
			if (typeof done === 'function') process.nextTick(done as () => void);
			return true;
		};
		target.write = write as Write;
	}
}
