// The CPU-bound work of lessons 7 to 9: counting primes, with no await anywhere.
// On the main thread it holds the only thread, so nothing else runs until it returns
// (lesson 7). crunchInWorker() runs it on a worker thread of its own instead, with its
// own event loop, on another core (lessons 8 and 9): this file is that worker's script.

import {isMainThread, parentPort, Worker, workerData} from 'node:worker_threads';

/** Counts primes for `ms` milliseconds: real CPU work, no await anywhere. */
export function crunch(ms: number): number {
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

/** crunch(ms) on a new worker thread: the main loop stays free meanwhile. */
export function crunchInWorker(ms: number): Promise<number> {
	return new Promise((resolve, reject) => {
		const worker = new Worker(new URL(import.meta.url), {workerData: {crunchMs: ms}});
		worker.once('message', resolve);
		worker.once('error', reject);
	});
}

// Only in a worker crunchInWorker() started: a worker that imports this file runs none of it.
const job = isMainThread ? undefined : (workerData as {crunchMs?: unknown} | null)?.crunchMs;
if (typeof job === 'number') parentPort!.postMessage(crunch(job));
