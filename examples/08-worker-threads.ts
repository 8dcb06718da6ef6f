// Lesson 8: parallelism with worker threads.
//
// Python reaches for multiprocessing for CPU-bound work; Node.js has
// worker_threads: each worker is a separate JavaScript thread with its own
// event loop, and can run on another core. The main loop stays free to answer
// timers and I/O while the workers compute.
//
// This file is both the main script and the worker's code: isMainThread tells
// them apart.

import {isMainThread, parentPort, Worker, workerData} from 'node:worker_threads';
import {setTimeout as sleep} from 'node:timers/promises';

/** Counts primes for `ms` milliseconds: the same CPU-bound work as lesson 7. */
function crunch(ms: number): number {
	const until = performance.now() + ms;
	let primes = 0;
	for (let n = 2; performance.now() < until; n++) {
		let isPrime = true;
		for (let d = 2; d * d <= n; d++) {
			if (n % d === 0) {
				isPrime = false;
				break;
			}
		}
		if (isPrime) primes++;
	}
	return primes;
}

function crunchInWorker(ms: number): Promise<number> {
	return new Promise((resolve, reject) => {
		const worker = new Worker(new URL(import.meta.url), {workerData: ms});
		worker.once('message', resolve);
		worker.once('error', reject);
	});
}

async function heartbeat(until: Promise<unknown>): Promise<void> {
	let done = false;
	void until.then(() => (done = true));
	const start = performance.now();
	while (!done) {
		await sleep(250);
		console.log(`main loop: still responsive at ${((performance.now() - start) / 1000).toFixed(2)}s`);
	}
}

async function main(): Promise<void> {
	const start = performance.now();
	const work = Promise.all([crunchInWorker(1500), crunchInWorker(1500)]);
	await Promise.all([work, heartbeat(work)]);
	const counts = await work;
	console.log(`workers found ${counts.join(' and ')} primes in ${((performance.now() - start) / 1000).toFixed(2)}s`);
}

if (isMainThread) await main();
else parentPort!.postMessage(crunch(workerData as number));

// What you should see in asyncmon:
// two worker tasks computing side by side for ~1.5 s, while the heartbeat task
// on the main thread keeps waking every 250 ms on time: no blocked-loop alert,
// unlike lesson 7.
