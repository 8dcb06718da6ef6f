// Lesson 6: the seed's example. Three simulated requests run concurrently,
// so the total is the longest wait, not the sum. Here each wait is twice the
// seed's, to have time to watch; `asyncmon demo seed-requests --slow 0.5` runs
// the seed's own 1 s, 3 s and 2 s.

import {setTimeout as sleep} from 'node:timers/promises';
import {paced} from './pace.ts';

const A_MS = 2000;
const B_MS = 6000;
const C_MS = 4000;
/** How long this demo lasts at human pace (see pace.ts): the longest of the three waits. */
export const LASTS_MS = Math.max(A_MS, B_MS, C_MS);

async function simulateRequest(name: string, delayMs: number): Promise<string> {
	console.log(`${name}: starting`);
	await sleep(delayMs);
	console.log(`${name}: finished after ${delayMs / 1000}s`);
	return `${name}: ${delayMs / 1000}s`;
}

async function main(): Promise<void> {
	const start = performance.now();
	const results = await Promise.all([
		simulateRequest('request-A', paced(A_MS)),
		simulateRequest('request-B', paced(B_MS)),
		simulateRequest('request-C', paced(C_MS)),
	]);
	const elapsed = (performance.now() - start) / 1000;
	console.log(`\nAll done in ${elapsed.toFixed(2)}s`);
	console.log(results);
}

// Only when run: asyncmon's tests import this file to read LASTS_MS.
if (import.meta.main) await main();

// At --slow 0.5, the seed's own output:
// request-A: starting
// request-B: starting
// request-C: starting
// request-A: finished after 1s
// request-C: finished after 2s
// request-B: finished after 3s
//
// All done in ~3.00s   <- not 6s
// [ 'request-A: 1s', 'request-B: 3s', 'request-C: 2s' ]

// What you should see in asyncmon:
// three simulateRequest(...) tasks under main(), started together, waiting side
// by side and finishing at 2 s, 4 s and 6 s. The summary reads "4 tasks ran or
// waited 12.0s in all, not counting their waits on each other, in 6.00s:
// concurrency 2.0×": main() is the fourth, its wait on the three theirs.
