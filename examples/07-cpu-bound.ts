// Lesson 7: where async does not help, CPU-bound work.
//
// crunch() computes without ever awaiting, so it holds the only thread. While
// it runs, the event loop cannot run anything else: timers that are due, and
// tasks whose I/O has finished, all wait until it returns.

import {setTimeout as sleep} from 'node:timers/promises';

/** Counts primes for `ms` milliseconds: real CPU work, no await anywhere. */
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

async function tick(name: string, dueMs: number, start: number): Promise<void> {
	await sleep(dueMs);
	const late = performance.now() - start - dueMs;
	console.log(`${name}: due at ${dueMs} ms, ran ${late.toFixed(0)} ms late`);
}

async function main(): Promise<void> {
	const start = performance.now();
	const ticks = [100, 200, 300, 400, 500].map((due, i) => tick(`tick-${i + 1}`, due, start));
	await sleep(50); // let the ticks start waiting
	console.log(`crunch: found ${crunch(1500)} primes, the loop was blocked all along`);
	await Promise.all(ticks);
}

await main();

// What you should see in asyncmon:
// a blocked-loop alert of ~1.5 s pointing at crunch(); the five tick tasks
// become ready during the block but can only resume when crunch() returns, so
// each one shows up to ~1.4 s of delay caused by the block.
