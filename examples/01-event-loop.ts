// Lesson 1: the event loop.
//
// Node.js runs your code on one thread. The event loop is the scheduler that
// keeps track of everything that is waiting (timers, sockets, files) and runs
// the next piece of JavaScript when what it waited for is ready.
//
// Python needs asyncio.run(main()) to create a loop; Node.js always has one:
// calling main() starts it, and the process exits once nothing is left to wait for.

import {setTimeout as sleep} from 'node:timers/promises';

async function main(): Promise<void> {
	console.log('start');
	await sleep(1000); // main() hands control back to the loop for one second
	console.log('end');
}

await main();

// What you should see in asyncmon:
// one task, main(), running for a moment, then waiting ~1 s on a timer, then
// finishing. The event loop stays idle (and unblocked) the whole time.
