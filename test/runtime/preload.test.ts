import {execFileSync} from 'node:child_process';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {describe, expect, it} from 'vitest';
import {underNodeAndAsyncmon} from '../helpers/node-parity.js';
import {runCli, SCRIPTS} from '../helpers/run-cli.js';
import {SCRIPT_SEMI_SPACE_MB} from '../../source/protocol/child-config.js';

describe('a crash reads as under node', () => {
	it("an uncaught async error: Node's report points at the user's throw, its line and a caret under it", async () => {
		const {node, asyncmon} = await underNodeAndAsyncmon('async-throw.mjs', [], SCRIPTS);
		const [nodeWhere, ...nodeFrame] = node.stderr.split('\n');
		const [where, ...frame] = asyncmon.stderr.split('\n');
		expect(nodeWhere).toBe(`${pathToFileURL(join(SCRIPTS, 'async-throw.mjs')).href}:1`);
		// With source maps on (asyncmon needs them for the user's own lines and columns), Node names the file by its path.
		expect(where).toBe(`${join(SCRIPTS, 'async-throw.mjs')}:1`);
		// The source line and the caret under the throw; Node 22 with source maps then leaves one more blank line.
		expect(frame.slice(0, 2)).toEqual(nodeFrame.slice(0, 2));
		expect(frame.slice(2, 5).filter(Boolean)[0]).toBe('Error: async boom');
		expect(asyncmon.code).toBe(node.code);
	});

	it('a throw at the top level is an uncaught exception, not a rejection to add .catch() to', async () => {
		const result = await runCli(['--plain', 'top-level-throw.mjs']);
		expect(result.code).toBe(1);
		expect(result.stdout).toContain('✖ Uncaught exception: Error: top-level boom at top-level-throw.mjs:2:');
		expect(result.stdout).not.toMatch(/unhandled rejection|\.catch\(\)/i);
	});

	it('so is a failure of what the top level awaits', async () => {
		const result = await runCli(['--plain', 'await-failing-main.mjs']);
		expect(result.code).toBe(1);
		expect(result.stdout).toContain('✖ Uncaught exception: Error: main failed at await-failing-main.mjs:3:8');
		expect(result.stdout).not.toMatch(/unhandled rejection|\.catch\(\)/i);
	});

	it('a promise nobody handles is still an unhandled rejection', async () => {
		const result = await runCli(['--plain', 'async-throw.mjs']);
		expect(result.stdout).toContain('✖ Unhandled rejection: Error: async boom at async-throw.mjs:1:43');
	});
});

describe('the environment reads as under node', () => {
	it('the script and its children see none of what asyncmon sets for the child’s start (MALLOC_ARENA_MAX), and a value the user set stays', async () => {
		const {node, asyncmon} = await underNodeAndAsyncmon('print-env.mjs', ['MALLOC_ARENA_MAX', 'ASYNCMON_CHILD_CONFIG'], SCRIPTS);
		expect(node.stdout).toBe('{"MALLOC_ARENA_MAX":null,"ASYNCMON_CHILD_CONFIG":null} [null,null]\n');
		expect(asyncmon.stdout).toBe(node.stdout);
		const set = await runCli(['--plain', 'print-env.mjs', 'MALLOC_ARENA_MAX'], {env: {MALLOC_ARENA_MAX: '8'}});
		expect(set.stdout).toContain('{"MALLOC_ARENA_MAX":"8"} ["8"]\n');
	});
});

describe("the script's memory", () => {
	const peakUnderNode = (env: Record<string, string> = {}): number =>
		Number(execFileSync(process.execPath, [join(SCRIPTS, 'young-generation-peak.mjs')], {env: {...process.env, ...env}, encoding: 'utf8'}));
	const peakUnderAsyncmon = async (env: Record<string, string> = {}): Promise<number> =>
		Number(/^(\d+)$/m.exec((await runCli(['--plain', 'young-generation-peak.mjs'], {env})).stdout)?.[1]);
	/** Two semi-spaces of the cap's size. V8 reports a young generation of up to about twice that on Node 24 (its pages promoted whole count a while). */
	const cap = 2 * SCRIPT_SEMI_SPACE_MB * 1024 * 1024;

	it('its young generation stays at most half the size node lets it grow to (Node 24: 128 MB; 22: 32 MB)', async () => {
		const underNode = peakUnderNode();
		expect(underNode).toBeGreaterThan(cap);
		expect(await peakUnderAsyncmon()).toBeLessThanOrEqual(underNode / 2);
	});

	it('unless the user sized it', async () => {
		const roomy = {NODE_OPTIONS: '--max-semi-space-size=64'};
		expect(peakUnderNode(roomy)).toBeGreaterThan(4 * cap);
		expect(await peakUnderAsyncmon(roomy)).toBeGreaterThan(4 * cap);
	});
});
