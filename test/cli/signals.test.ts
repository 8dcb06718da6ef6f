import {describe, expect, it} from 'vitest';
import {readRecording} from '../helpers/recorded.js';
import {startCli} from '../helpers/run-cli.js';
import {tempFile} from '../helpers/temp.js';

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
	it('a second Ctrl-C ends it at once; the recording says so', async () => {
		const file = tempFile('interrupted.ndjson');
		const run = startCli(['--plain', '--record', file, 'pid-then-spin.ts']);
		await spinning(run.child.stdout!);
		run.child.kill('SIGINT');
		await pause(300);
		run.child.kill('SIGINT');
		const result = await run.result;
		expect(result.code).toBe(137);
		expect(result.stdout).toContain('Killed by SIGKILL');
		expect((await readRecording(file)).state.exit).toMatchObject({signal: 'SIGKILL'});
	});

	for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
		it(`${signal} ends it within about 2 s`, async () => {
			const run = startCli(['--plain', 'pid-then-spin.ts']);
			await spinning(run.child.stdout!);
			const sentAt = performance.now();
			run.child.kill(signal);
			const result = await run.result;
			expect(result.code).toBe(137);
			expect(performance.now() - sentAt).toBeLessThan(4000);
		});
	}
});
