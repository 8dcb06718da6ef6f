import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {readRecording} from '../helpers/recorded.js';
import {runCli, SCRIPTS, startCli} from '../helpers/run-cli.js';
import {tempFile} from '../helpers/temp.js';

/** The recording's first block.start, a line of its own (JSON object lines, as in protocol 1). */
const blockStart = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8').split('\n').find(line => line.startsWith('{"type":"block.start"'))!);

const pause = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

/** Resolves once the script printed its pid, and then some: it is spinning in synchronous code by then. */
function spinning(stdout: NodeJS.ReadableStream): Promise<void> {
	return new Promise(resolve => {
		let seen = '';
		stdout.on('data', (text: string) => {
			seen += text;
			if (/pid \d+/.test(seen)) resolve(pause(300));
		});
	});
}

describe('signals stop a script stuck in synchronous code, in plain mode', () => {
	// Under node a signal the script does not handle ends it at once, stuck or not. asyncmon's own handler (which
	// sends what is buffered first) cannot run in a stuck script: the monitor ends it, as node would have.
	for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
		it(`one ${signal} ends a stuck script that does not handle it at once, with the code node gives (${code}); the recording says so`, async () => {
			const file = tempFile('interrupted.ndjson');
			const run = startCli(['--plain', '--record', file, 'pid-then-spin.ts']);
			await spinning(run.child.stdout!);
			run.child.kill(signal);
			const result = await run.result;
			// Its own code, not 137: not the SIGKILL that ends a script given 2 s to handle SIGTERM, nor a second Ctrl-C's.
			expect(result.code).toBe(code);
			expect(result.stdout).toContain(`Killed by ${signal}`);
			expect(result.stdout).toContain(`does not handle ${signal} itself: asyncmon ended it with SIGKILL`);
			expect((await readRecording(file)).state.exit).toMatchObject({signal: 'SIGKILL', stoppedFor: signal});
			// The watchdog told which stop signals the script handles: none.
			expect(blockStart(file)).toMatchObject({handles: []});
		});
	}
});

describe('a script that signals itself', () => {
	for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
		it(`dies of a ${signal} it sends itself from its last callback at once, as under node (${code}), not of a loop that ran dry first`, async () => {
			expect(spawnSync(process.execPath, ['self-signal.cjs', signal], {cwd: SCRIPTS}).signal).toBe(signal);
			const file = tempFile('self-signalled.ndjson');
			const result = await runCli(['--plain', '--record', file, 'self-signal.cjs', signal]);
			expect(result.code).toBe(code);
			expect(result.stdout).toContain(`Killed by ${signal} after`);
			expect((await readRecording(file)).state.exit).toMatchObject({code: null, signal});
		});
	}
});

describe('signals to a stuck script that handles them itself, in plain mode', () => {
	it('a first Ctrl-C waits for its handler, as under node; a second one ends it at once', async () => {
		const file = tempFile('interrupted.ndjson');
		const run = startCli(['--plain', '--record', file, 'handler-then-spin.ts']);
		await spinning(run.child.stdout!);
		run.child.kill('SIGINT');
		await pause(600);
		expect(run.child.exitCode).toBeNull();
		run.child.kill('SIGINT');
		const result = await run.result;
		expect(result.code).toBe(137);
		expect(result.stdout).toContain('Killed by SIGKILL');
		const {state} = await readRecording(file);
		expect(state.exit).toMatchObject({signal: 'SIGKILL'});
		expect(state.exit!.stoppedFor).toBeUndefined();
		expect(blockStart(file)).toMatchObject({handles: ['SIGINT', 'SIGTERM']});
	});

	it('SIGTERM ends it within about 2 s, the time a handler is given', async () => {
		const run = startCli(['--plain', 'handler-then-spin.ts']);
		await spinning(run.child.stdout!);
		const sentAt = performance.now();
		run.child.kill('SIGTERM');
		const result = await run.result;
		expect(result.code).toBe(137);
		expect(performance.now() - sentAt).toBeGreaterThan(1500);
		expect(performance.now() - sentAt).toBeLessThan(4000);
	});
});
