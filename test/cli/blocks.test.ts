import {describe, expect, it} from 'vitest';
import {recordRun} from '../helpers/recorded.js';
import {runCli} from '../helpers/run-cli.js';

/** Blocks are the script's own synchronous stretches: idle time between them is no block. */
describe('blocks, through the real CLI', () => {
	it('a task that only awaits a worker thread blocks nothing while the main loop sits idle', async () => {
		const {result, state} = await recordRun(['awaits-worker.mjs']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('sum 499999500000');
		expect(state.blocks).toEqual([]);
		expect(result.stdout).toMatch(/longest block 0ms/);
	});

	it('CommonJS main().catch(…) that sleeps 600 ms passes --fail-on-block 200, as node exits 0', async () => {
		const result = await runCli(['--plain', '--fail-on-block', '200', 'sleep-then-catch.cjs']);
		expect(result.stderr).not.toContain('--fail-on-block');
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('slept');
		expect(result.stdout).not.toMatch(/blocked/);
	});

	it('top-level code that computes is one block, on the script, ending where the top level returns', async () => {
		const {result, state} = await recordRun(['--block-threshold', '100', 'sleep-then-catch.cjs'], {env: {SPIN_MS: '300'}});
		expect(result.code).toBe(0);
		expect(state.blocks).toHaveLength(1);
		const block = state.blocks[0]!;
		expect(block.exact).toBe(true);
		expect(block.taskId).toBe(state.order[0]);
		// Not the 600 ms of sleep after it.
		expect(block.endMs! - block.startMs).toBeGreaterThanOrEqual(299);
		expect(block.endMs! - block.startMs).toBeLessThan(500);
	});

	it('an idle node:http server, then one request: no block', async () => {
		const {result, state} = await recordRun(['idle-server.ts']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('{"id":1,"name":"Ada"}');
		expect(state.blocks).toEqual([]);
	});
});
