import {execFileSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {writeFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {MONITOR_YOUNG_GENERATION_BYTES, SCRIPT_YOUNG_GENERATION_BYTES} from '../../source/protocol/young-generation-cap.js';
import {runCli} from '../helpers/run-cli.js';
import {tempFile} from '../helpers/temp.js';

const MODULE = fileURLToPath(new URL('../../source/protocol/young-generation-cap.ts', import.meta.url));

/**
 * A program that allocates like either process under a fast stream (young objects, a share of them kept for a
 * while) and prints the largest size its young generation reached.
 */
const ALLOCATING = `
		import {getHeapSpaceStatistics} from 'node:v8';
		const kept = [];
		let peak = 0;
		const started = Date.now();
		const step = () => {
			for (let i = 0; i < 20000; i++) {
				const event = {type: 'task.start', id: i, name: 'work(' + i + ')', t: Math.random()};
				if (i % 4 === 0) kept.push(event);
			}
			if (kept.length > 200000) kept.splice(0, 100000);
			peak = Math.max(peak, getHeapSpaceStatistics().find(space => space.space_name === 'new_space').space_size);
			if (Date.now() - started < 1500) setImmediate(step);
			else console.log(peak);
		};
		step();
`;

function peakYoungGeneration(capBytes: number | null): number {
	const program = `import {capYoungGeneration} from ${JSON.stringify(MODULE)};\n${capBytes === null ? '' : `capYoungGeneration(${capBytes});`}\n${ALLOCATING}`;
	// Room to grow to 128 MB, as Node 24 gives by default (Node 22 stops at 32 MB by itself).
	return Number(execFileSync(process.execPath, ['--max-semi-space-size=64', '--input-type=module', '-e', program], {encoding: 'utf8'}));
}

describe('each process caps its young generation', () => {
	it('stops it growing at the cap, where V8 alone grows it further: 32 MB for the monitor, 16 MB for the script', () => {
		const uncapped = peakYoungGeneration(null);
		expect(uncapped).toBeGreaterThan(MONITOR_YOUNG_GENERATION_BYTES);
		for (const cap of [MONITOR_YOUNG_GENERATION_BYTES, SCRIPT_YOUNG_GENERATION_BYTES]) {
			const capped = peakYoungGeneration(cap);
			// One growth step (a doubling, and the space's own pages) may land between two checks.
			expect(capped).toBeLessThanOrEqual(2.5 * cap);
			expect(capped).toBeLessThan(uncapped);
		}
	});

	it("the script's process under asyncmon: asyncmon's own objects do not grow it past the script's cap", async () => {
		const script = tempFile('allocating.mjs');
		writeFileSync(script, ALLOCATING);
		const {code, stdout} = await runCli(['--plain', script]);
		expect(code).toBe(0);
		const peak = Number(/^\d+$/m.exec(stdout)?.[0]);
		expect(peak).toBeGreaterThan(0);
		expect(peak).toBeLessThanOrEqual(2.5 * SCRIPT_YOUNG_GENERATION_BYTES);
	});
});
