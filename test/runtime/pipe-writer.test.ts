import {spawn, type ChildProcess} from 'node:child_process';
import {afterEach, describe, expect, it} from 'vitest';
import {recordedOutput, runNodeBytes} from '../helpers/node-parity.js';
import {recordRun} from '../helpers/recorded.js';
import {SCRIPTS} from '../helpers/run-cli.js';

describe('every event reaches the monitor, however far behind it is', () => {
	it('the monitor stopped (SIGSTOP) for 3 s as a burst exits: the script waits for it, and nothing is lost', async () => {
		const {result, file} = await recordRun(['burst-then-stop-monitor.mjs', '12000']);
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/All done in/);
		const {stdout} = await recordedOutput(file);
		const lines = stdout.toString().split('\n').filter(Boolean);
		expect(lines).toHaveLength(12_000);
		expect(lines.at(-1)).toBe('line 11999');
	}, 60_000);

	describe('under CPU load', () => {
		let spinners: ChildProcess[] = [];
		afterEach(() => {
			for (const spinner of spinners) spinner.kill('SIGKILL');
			spinners = [];
		});

		it('50 MB written to stdout beside two busy loops: every byte, in order', async () => {
			spinners = [0, 1].map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], {stdio: 'ignore'}));
			const {result, file} = await recordRun(['write-megabytes.mjs', '50']);
			expect(result.code).toBe(0);
			const recorded = (await recordedOutput(file)).stdout;
			const node = (await runNodeBytes('write-megabytes.mjs', ['50'], SCRIPTS)).stdout;
			expect(node.length).toBe(50 * 1024 * 1024);
			expect(recorded.length).toBe(node.length);
			expect(recorded.equals(node)).toBe(true);
		}, 120_000);
	});
});
