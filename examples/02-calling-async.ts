// Lesson 2: what calling an async function actually does.
//
// In Python, calling an `async def` function runs nothing: it returns a
// coroutine object that only starts when it is awaited or wrapped in a task.
// JavaScript is different: calling an async function runs its body right away,
// synchronously, up to its first `await`, and returns a Promise for the rest.

import {setTimeout as sleep} from 'node:timers/promises';
import {paced} from './pace.ts';

const FETCH_MS = 5000;
/** How long this demo lasts at human pace (see pace.ts): main() waits for fetchData(). */
export const LASTS_MS = FETCH_MS;

async function fetchData(): Promise<string> {
	console.log('fetchData: running, before its first await');
	await sleep(paced(FETCH_MS));
	console.log(`fetchData: resumed after ${paced(FETCH_MS) / 1000} s`);
	return 'done';
}

async function main(): Promise<void> {
	console.log('main: calling fetchData()');
	const promise = fetchData(); // already printed its first line
	console.log('main: fetchData() returned', promise); // Promise { <pending> }
	console.log('main: awaiting it');
	console.log('main: result is', await promise);
}

// Only when run: asyncmon's tests import this file to read LASTS_MS.
if (import.meta.main) await main();

// Printed order:
//   main: calling fetchData()
//   fetchData: running, before its first await
//   main: fetchData() returned Promise { <pending> }
//   main: awaiting it
//   fetchData: resumed after 5 s
//   main: result is done

// What you should see in asyncmon:
// fetchData() appears as a child task of main() the moment it is called, not
// when it is awaited; main() then waits on fetchData() for ~5 s.
