// Lesson 3: awaiting one thing after another is sequential, not concurrent.
//
// Each `await` completes in full before the next line runs, so the waits add up.

import {setTimeout as sleep} from 'node:timers/promises';

async function main(): Promise<void> {
	const start = performance.now();
	await sleep(1000); // waits 1 second
	await sleep(2000); // then waits 2 more seconds
	console.log(`total: ${((performance.now() - start) / 1000).toFixed(2)}s`); // ~3.00s
}

await main();

// What you should see in asyncmon:
// main() waits on two timers one after the other: 1 s, then 2 s, 3 s in all.
// Nothing else runs meanwhile; with independent waits like these, starting both
// first (lesson 4) would take 2 s.
