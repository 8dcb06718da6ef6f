// Lesson 7: where async does not help, CPU-bound work.
//
// crunch() (in cpu.ts) computes without ever awaiting, so it holds the only
// thread. While it runs, the event loop cannot run anything else: timers that
// are due, and tasks whose I/O has finished, all wait until it returns.

import {setTimeout as sleep} from 'node:timers/promises';
import {crunch} from './cpu.ts';
import {paced} from './pace.ts';

/** One tick a second: tick-1 comes due before the crunch, the other four during it. */
const TICKS_DUE_MS = [1000, 2000, 3000, 4000, 5000];
const CRUNCH_FROM_MS = 1500;
const CRUNCH_MS = 5000;
/** How long this demo lasts at human pace (see pace.ts): the ticks all resume as soon as crunch() returns. */
export const LASTS_MS = CRUNCH_FROM_MS + CRUNCH_MS;

async function tick(name: string, dueMs: number, start: number): Promise<void> {
	await sleep(dueMs);
	const late = performance.now() - start - dueMs;
	console.log(`${name}: due at ${dueMs} ms, ran ${late.toFixed(0)} ms late`);
}

async function main(): Promise<void> {
	const start = performance.now();
	const ticks = TICKS_DUE_MS.map((due, i) => tick(`tick-${i + 1}`, paced(due), start));
	await sleep(paced(CRUNCH_FROM_MS)); // the ticks wait; tick-1 runs on time
	console.log(`crunch: found ${crunch(paced(CRUNCH_MS))} primes, the loop was blocked all along`);
	await Promise.all(ticks);
}

// Only when run: asyncmon's tests import this file to read LASTS_MS.
if (import.meta.main) await main();

// What you should see in asyncmon:
// tick-1 runs on time at 1 s. Then a blocked-loop alert of ~5 s pointing at
// crunch(): ticks 2 to 5 become ready during the block (their timers are due)
// but can only resume when crunch() returns, together, each one late by up to
// ~4.5 s. Nothing moves meanwhile, however much else was waiting.
