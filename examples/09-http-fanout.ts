// Lesson 9, the whole story (asyncmon's default demo). The seed's advice, "replace
// sleep() with a real HTTP request", done with undici (the HTTP client behind
// Node's fetch), then the CPU-bound work of lessons 7 and 8 beside it. Four acts:
//
//   1. Fan-out: twelve requests start at once, but the Pool allows only 4
//      connections to the server: the others queue for a free connection, and
//      the requests go out in three waves of four.
//   2. A retry: four calls to a flaky endpoint; the one that gets a 500 backs off
//      and tries again.
//   3. A block: some CPU-bound work on the main thread. Everything freezes, the
//      main loop's heartbeat included: concurrency is not parallelism.
//   4. Workers: the same work on two worker threads, in parallel with each other
//      and with the main loop, whose heartbeat goes on.
//
// It talks to asyncmon's built-in demo server: `asyncmon demo` starts one and
// passes its address in ASYNCMON_DEMO_URL.

import {setTimeout as sleep} from 'node:timers/promises';
import {fetch, Pool} from 'undici';
import {crunch, crunchInWorker} from './cpu.ts';
import {paced} from './pace.ts';

const CONNECTIONS = 4;
const REQUESTS = 12;
const REQUEST_MS = 1000;
const BACKOFF_MS = 1000;
const BEAT_MS = 250;
/** The heartbeat's first wait begins before the block does. */
const SETTLE_MS = 100;
const CRUNCH_MS = 2000;
const WORKER_MS = 3000;
/** How long this demo lasts at human pace (see pace.ts), act by act. */
export const LASTS_MS = Math.ceil(REQUESTS / CONNECTIONS) * REQUEST_MS + BACKOFF_MS + SETTLE_MS + CRUNCH_MS + WORKER_MS;

const base = process.env.ASYNCMON_DEMO_URL;
// Without a server there is no pool, and main() does not run (see the end of the file).
const pool = base === undefined ? undefined : new Pool(base, {connections: CONNECTIONS});

async function getDelayed(ms: number): Promise<string> {
	const response = await fetch(`${base}/delay/${ms}`, {dispatcher: pool});
	const body = (await response.json()) as {delayMs: number};
	return `${response.status} after ${body.delayMs} ms`;
}

async function getWithRetry(path: string): Promise<string> {
	try {
		const response = await fetch(base + path, {dispatcher: pool});
		await response.arrayBuffer();
		if (response.ok) return `${path}: ${response.status}`;
		console.log(`${path}: ${response.status}, retrying`);
	} catch (error) {
		console.log(`${path}: ${(error as Error).message}, retrying`);
	}
	await sleep(paced(BACKOFF_MS));
	const retry = await fetch(base + path, {dispatcher: pool}).catch((error: Error) => error);
	return retry instanceof Error ? `${path}: failed twice` : `${path}: ${retry.status} on retry`;
}

/** Wakes every BEAT_MS until `work` settles: the main loop's own pulse, how many beats it had. */
async function beatsUntil(work: Promise<unknown>): Promise<number> {
	let done = false;
	const stop = () => (done = true);
	void work.then(stop, stop);
	let beats = 0;
	while (!done) {
		await sleep(paced(BEAT_MS));
		beats++;
	}
	return beats;
}

async function crunchOnMainThread(ms: number): Promise<number> {
	await sleep(paced(SETTLE_MS));
	return crunch(ms);
}

async function main(): Promise<void> {
	let start = performance.now();
	const seconds = () => `${((performance.now() - start) / 1000).toFixed(2)}s`;
	const results = await Promise.all(Array.from({length: REQUESTS}, () => getDelayed(paced(REQUEST_MS))));
	console.log(results.join('\n'));
	console.log(`${REQUESTS} requests through ${CONNECTIONS} connections in ${seconds()}`);

	const flaky = await Promise.all([1, 2, 3, 4].map(() => getWithRetry('/flaky')));
	console.log(flaky.join('\n'));

	start = performance.now();
	const here = crunchOnMainThread(paced(CRUNCH_MS));
	const [primesHere, beatsHere] = await Promise.all([here, beatsUntil(here)]);
	console.log(`main thread: ${primesHere} primes in ${seconds()}; the heartbeat woke ${beatsHere} time(s) meanwhile`);

	start = performance.now();
	const there = Promise.all([crunchInWorker(paced(WORKER_MS)), crunchInWorker(paced(WORKER_MS))]);
	const [primesThere, beatsThere] = await Promise.all([there, beatsUntil(there)]);
	console.log(`workers: ${primesThere.join(' and ')} primes in ${seconds()}; the heartbeat woke ${beatsThere} times meanwhile`);
	await pool!.close();
}

// Only when run: asyncmon's tests import this file to read LASTS_MS.
if (import.meta.main) {
	if (!base) {
		console.error('09-http-fanout: set ASYNCMON_DEMO_URL to a demo server, or run it with `asyncmon demo http-fanout`');
		process.exit(1);
	}
	await main();
}

// What you should see in asyncmon:
// twelve getDelayed(...) tasks start together; only 4 HTTP requests are sent at
// a time and the rest show queue time waiting for a connection (the HTTP
// insight names the pool of 4). Then the /flaky requests: one 500, a task
// waiting on its backoff timer, and its retry. Then a blocked-loop alert of
// ~2 s pointing at crunch(), the heartbeat ready but unable to resume; then two
// worker threads busy side by side for ~3 s, beside the main thread, whose
// heartbeat goes on (the parallelism insight).
// The finished fan-out fills the top of the list: press c to hide what is done
// and follow the later acts.
