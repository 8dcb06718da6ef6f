import {execFileSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';

const MODULE = fileURLToPath(new URL('../../source/monitor/young-generation-cap.ts', import.meta.url));
const MB = 1024 * 1024;

/**
 * A process that allocates like the monitor under a fast stream (young
 * objects, a share of them kept for a while) and prints the largest size
 * its young generation reached.
 */
function peakYoungGeneration(capped: boolean): number {
	const program = `
		import {getHeapSpaceStatistics} from 'node:v8';
		import {capYoungGeneration} from ${JSON.stringify(MODULE)};
		if (${capped}) capYoungGeneration();
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
	// Room to grow to 128 MB, as Node 24 gives by default (Node 22 stops at 32 MB by itself).
	return Number(execFileSync(process.execPath, ['--max-semi-space-size=64', '--input-type=module', '-e', program], {encoding: 'utf8'}));
}

describe('the monitor caps its young generation', () => {
	it('stops it growing at 32 MB, where V8 alone grows it further', () => {
		const uncapped = peakYoungGeneration(false);
		const capped = peakYoungGeneration(true);
		expect(uncapped).toBeGreaterThan(32 * MB);
		// One growth step may land between two checks.
		expect(capped).toBeLessThanOrEqual(64 * MB);
		expect(capped).toBeLessThan(uncapped);
	});
});
