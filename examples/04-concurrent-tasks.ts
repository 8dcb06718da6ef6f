// Lesson 4: start the work first, then await it.
//
// Python's asyncio.create_task() schedules a coroutine so it runs while you do
// something else. In JavaScript, calling an async function already starts it
// (lesson 2), so the "task" is simply the promise you keep.

import {setTimeout as sleep} from 'node:timers/promises';
import {paced} from './pace.ts';

const TASK1_MS = 2500;
const TASK2_MS = 5000;
/** How long this demo lasts at human pace (see pace.ts): the waits overlap, so the longer one. */
export const LASTS_MS = Math.max(TASK1_MS, TASK2_MS);

async function wait(label: string, ms: number): Promise<string> {
	await sleep(ms);
	return `${label} waited ${ms / 1000}s`;
}

async function main(): Promise<void> {
	const start = performance.now();
	const task1 = wait('task1', paced(TASK1_MS)); // both start here...
	const task2 = wait('task2', paced(TASK2_MS));
	console.log(await task1); // ...so while we wait for task1, task2 is waiting too
	console.log(await task2);
	console.log(`total: ${((performance.now() - start) / 1000).toFixed(2)}s`); // ~5.00s, not 7.5
}

// Only when run: asyncmon's tests import this file to read LASTS_MS.
if (import.meta.main) await main();

// What you should see in asyncmon:
// task1 and task2 start at the same moment as children of main() and wait side
// by side; main() finishes after ~5 s, the longer of the two.
