// Lesson 8: parallelism with worker threads.
//
// Python reaches for multiprocessing for CPU-bound work; Node.js has
// worker_threads: each worker is a separate JavaScript thread with its own
// event loop, and can run on another core. The main loop stays free to answer
// timers and I/O while the workers compute. Concurrency (lessons 4 to 6: many
// waits overlapping on one thread) is not parallelism (two computations at the
// same instant): only threads give that.

import {setTimeout as sleep} from 'node:timers/promises';
import {crunchInWorker} from './cpu.ts';
import {paced} from './pace.ts';

const CRUNCH_MS = 6000;
const HEARTBEAT_MS = 1000;
/** How long this demo lasts at human pace (see pace.ts): the two workers crunch side by side. */
export const LASTS_MS = CRUNCH_MS;

async function heartbeat(until: Promise<unknown>): Promise<void> {
	let done = false;
	void until.then(() => (done = true));
	const start = performance.now();
	while (!done) {
		await sleep(paced(HEARTBEAT_MS));
		console.log(`main loop: still responsive at ${((performance.now() - start) / 1000).toFixed(2)}s`);
	}
}

async function main(): Promise<void> {
	const start = performance.now();
	const work = Promise.all([crunchInWorker(paced(CRUNCH_MS)), crunchInWorker(paced(CRUNCH_MS))]);
	await Promise.all([work, heartbeat(work)]);
	const counts = await work;
	console.log(`workers found ${counts.join(' and ')} primes in ${((performance.now() - start) / 1000).toFixed(2)}s`);
}

// Only when run: asyncmon's tests import this file to read LASTS_MS.
if (import.meta.main) await main();

// What you should see in asyncmon:
// two worker tasks computing side by side for ~6 s, while the heartbeat task
// on the main thread keeps waking every second on time: no blocked-loop alert,
// unlike lesson 7.
