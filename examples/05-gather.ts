// Lesson 5: Promise.all is asyncio.gather.
//
// Promise.all takes promises that are already running and gives their results
// in the order passed. If one rejects, Promise.all rejects at once, while the
// others keep running (JavaScript never cancels them): only their results are lost.
// Promise.allSettled is gather(..., return_exceptions=True): every outcome,
// failures included, comes back as a result.

import {setTimeout as sleep} from 'node:timers/promises';

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
	const items = [fetchItem('A', 1000), failItem('B', 500), fetchItem('C', 1500)];

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

await main();

// What you should see in asyncmon:
// A, B and C start together. B fails at 0.5 s and main() resumes right away,
// while A and C keep waiting and finish at 1 s and 1.5 s. main() then waits
// once more, on all three, and is done after ~1.5 s.
