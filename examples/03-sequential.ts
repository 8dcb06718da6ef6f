// Lesson 3: awaiting one thing after another is sequential, not concurrent.
//
// Each `await` completes in full before the next line runs, so the waits add up.

import {setTimeout as sleep} from 'node:timers/promises';
import {paced} from './pace.ts';

const FIRST_MS = 2500;
const SECOND_MS = 5000;
/** How long this demo lasts at human pace (see pace.ts): the waits add up. */
export const LASTS_MS = FIRST_MS + SECOND_MS;

async function main(): Promise<void> {
	const start = performance.now();
	await sleep(paced(FIRST_MS)); // waits 2.5 seconds
	await sleep(paced(SECOND_MS)); // then waits 5 more seconds
	console.log(`total: ${((performance.now() - start) / 1000).toFixed(2)}s`); // ~7.50s
}

// Only when run: asyncmon's tests import this file to read LASTS_MS.
if (import.meta.main) await main();

// What you should see in asyncmon:
// main() waits on two timers one after the other: 2.5 s, then 5 s, 7.5 s in all.
// Nothing else runs meanwhile; with independent waits like these, starting both
// first (lesson 4) would take 5 s.
