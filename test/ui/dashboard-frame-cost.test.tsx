import {EventEmitter} from 'node:events';
import {describe, expect, it} from 'vitest';
import type {ModelSource} from '../../source/model/source.js';
import {runDashboard} from '../../source/ui/dashboard.js';
import {FakeSession} from '../helpers/events.js';

/** A terminal for Ink: a size, raw mode, and what is written to it kept. */
function fakeTerminal(): {stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream; written: () => string} {
	let written = '';
	const stdout = Object.assign(new EventEmitter(), {
		columns: 100,
		rows: 20,
		isTTY: true,
		write: (chunk: string, callback?: () => void) => {
			written += chunk;
			callback?.();
			return true;
		},
	});
	const stdin = Object.assign(new EventEmitter(), {isTTY: true, setRawMode: () => stdin, setEncoding: () => stdin, ref: () => stdin, unref: () => stdin, read: () => null, resume: () => stdin, pause: () => stdin});
	return {stdin: stdin as unknown as NodeJS.ReadStream, stdout: stdout as unknown as NodeJS.WriteStream, written: () => written};
}

const BUILD_MS = 60;

describe('dashboard: what a frame costs', () => {
	// A live source spaces its frames by their cost (see LiveSource.frameDrawn): the view's building of its lines
	// is part of it, not only Ink's output. Here the model is slow to read, so building takes BUILD_MS at least.
	it('tells its source the time to build a frame and to output it, together', async () => {
		const session = new FakeSession({script: 'slow.ts'}).emit('task.start', {t: 0, id: 1, kind: 'script', name: 'slow.ts', loc: 'slow.ts:1:1'});
		const drawn: number[] = [];
		let slowReads = true;
		const source: ModelSource = {
			get state() {
				if (slowReads) {
					const until = performance.now() + BUILD_MS;
					while (performance.now() < until);
					slowReads = false;
				}
				return session.state;
			},
			subscribe: listener => session.subscribe(listener),
			frameDrawn: ms => drawn.push(ms),
		};
		const closed = new AbortController();
		const terminal = fakeTerminal();
		const running = runDashboard({source, title: 'slow.ts', ascii: false, color: false, exitOnEnd: false, onInterrupt: () => {}, signal: closed.signal, ...terminal});
		const deadline = Date.now() + 5000;
		while (drawn.length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20));
		closed.abort();
		await running;
		expect(terminal.written()).toContain('slow.ts');
		expect(drawn[0]).toBeGreaterThanOrEqual(BUILD_MS);
	});
});
