// Lesson 4: start the work first, then await it.
//
// Python's asyncio.create_task() schedules a coroutine so it runs while you do
// something else. In JavaScript, calling an async function already starts it
// (lesson 2), so the "task" is simply the promise you keep.

import {setTimeout as sleep} from 'node:timers/promises';

async function wait(label: string, ms: number): Promise<string> {
	await sleep(ms);
	return `${label} waited ${ms / 1000}s`;
}

async function main(): Promise<void> {
	const start = performance.now();
	const task1 = wait('task1', 1000); // both start here...
	const task2 = wait('task2', 2000);
	console.log(await task1); // ...so while we wait for task1, task2 is waiting too
	console.log(await task2);
	console.log(`total: ${((performance.now() - start) / 1000).toFixed(2)}s`); // ~2.00s, not 3
}

await main();

// What you should see in asyncmon:
// task1 and task2 start at the same moment as children of main() and wait side
// by side; main() finishes after ~2 s, the longer of the two.
