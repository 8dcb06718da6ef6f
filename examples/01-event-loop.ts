// Lesson 1: the event loop.
//
// Node.js runs your code on one thread. The event loop is the scheduler that
// keeps track of everything that is waiting (timers, sockets, files) and runs
// the next piece of JavaScript when what it waited for is ready.
//
// Python needs asyncio.run(main()) to create a loop; Node.js always has one:
// calling main() starts it, and the process exits once nothing is left to wait for.

import {setTimeout as sleep} from 'node:timers/promises';
import {paced} from './pace.ts';

const WAIT_MS = 5000;
/** How long this demo lasts at human pace (see pace.ts): main() waits once. */
export const LASTS_MS = WAIT_MS;

async function main(): Promise<void> {
	console.log('start');
	await sleep(paced(WAIT_MS)); // main() hands control back to the loop for five seconds
	console.log('end');
}

// Only when run: asyncmon's tests import this file to read LASTS_MS.
if (import.meta.main) await main();

// What you should see in asyncmon:
// one task, main(), running for a moment, then waiting ~5 s on a timer, then
// finishing. The event loop stays idle (and unblocked) the whole time.
