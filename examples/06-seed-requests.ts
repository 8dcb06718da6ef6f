// Lesson 6: the seed's example. Three simulated requests run concurrently,
// so the total is the longest wait, not the sum.

import {setTimeout as sleep} from 'node:timers/promises';

async function simulateRequest(name: string, delayMs: number): Promise<string> {
	console.log(`${name}: starting`);
	await sleep(delayMs);
	console.log(`${name}: finished after ${delayMs / 1000}s`);
	return `${name}: ${delayMs / 1000}s`;
}

async function main(): Promise<void> {
	const start = performance.now();
	const results = await Promise.all([
		simulateRequest('request-A', 1000),
		simulateRequest('request-B', 3000),
		simulateRequest('request-C', 2000),
	]);
	const elapsed = (performance.now() - start) / 1000;
	console.log(`\nAll done in ${elapsed.toFixed(2)}s`);
	console.log(results);
}

await main();

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
// by side and finishing at 1 s, 2 s and 3 s. The summary reads "3 tasks ran or
// waited 6.00s in all, in 3.00s: concurrency 2.0×".
