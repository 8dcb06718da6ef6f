// Lesson 5: Promise.all is asyncio.gather.
//
// Promise.all takes promises that are already running and gives their results
// in the order passed. If one rejects, Promise.all rejects at once, while the
// others keep running (JavaScript never cancels them): only their results are lost.
// Promise.allSettled is gather(..., return_exceptions=True): every outcome,
// failures included, comes back as a result.

import {setTimeout as sleep} from 'node:timers/promises';
import {paced} from './pace.ts';

const A_MS = 4000;
const B_FAILS_MS = 2000;
const C_MS = 6000;
/** How long this demo lasts at human pace (see pace.ts): until the last of the three settles. */
export const LASTS_MS = Math.max(A_MS, B_FAILS_MS, C_MS);

async function fetchItem(label: string, ms: number): Promise<string> {
	await sleep(ms);
	console.log(`${label}: finished after ${ms / 1000}s`);
	return `${label} done in ${ms / 1000}s`;
}

async function failItem(label: string, ms: number): Promise<string> {
	await sleep(ms);
	console.log(`${label}: failing after ${ms / 1000}s`);
	throw new Error(`${label} failed`);
}

async function main(): Promise<void> {
	const start = performance.now();
	const elapsed = () => `${((performance.now() - start) / 1000).toFixed(2)}s`;
	const items = [fetchItem('A', paced(A_MS)), failItem('B', paced(B_FAILS_MS)), fetchItem('C', paced(C_MS))];

	try {
		console.log(await Promise.all(items));
	} catch (error) {
		console.log(`Promise.all rejected after ${elapsed()}: ${(error as Error).message}`);
	}

	// A and C were never stopped: waiting for every outcome shows them finish.
	const outcomes = await Promise.allSettled(items);
	console.log(`Promise.allSettled after ${elapsed()}:`);
	for (const outcome of outcomes) {
		console.log(' ', outcome.status === 'fulfilled' ? outcome.value : `error: ${(outcome.reason as Error).message}`);
	}
}

// Only when run: asyncmon's tests import this file to read LASTS_MS.
if (import.meta.main) await main();

// What you should see in asyncmon:
// A, B and C start together. B fails at 2 s and main() resumes right away,
// while A and C keep waiting and finish at 4 s and 6 s. main() then waits
// once more, on all three, and is done after ~6 s.
