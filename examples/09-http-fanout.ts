// Lesson 9: real I/O. The seed's advice, "replace sleep() with a real HTTP
// request", done with undici (the HTTP client behind Node's fetch).
//
// Twelve requests are started at once, but the Pool allows only 4 connections
// to the server: the other requests queue for a free connection. A few calls to
// a flaky endpoint are retried once when they fail.
//
// It talks to asyncmon's built-in demo server: `asyncmon demo http-fanout`
// starts one and passes its address in ASYNCMON_DEMO_URL.

import {fetch, Pool} from 'undici';

const base = process.env.ASYNCMON_DEMO_URL;
if (!base) {
	console.error('09-http-fanout: set ASYNCMON_DEMO_URL to a demo server, or run it with `asyncmon demo http-fanout`');
	process.exit(1);
}
const pool = new Pool(base, {connections: 4});

async function getDelayed(ms: number): Promise<string> {
	const response = await fetch(`${base}/delay/${ms}`, {dispatcher: pool});
	const body = (await response.json()) as {delayMs: number};
	return `${response.status} after ${body.delayMs} ms`;
}

async function getWithOneRetry(path: string): Promise<string> {
	try {
		const response = await fetch(base + path, {dispatcher: pool});
		await response.arrayBuffer();
		if (response.ok) return `${path}: ${response.status}`;
		console.log(`${path}: ${response.status}, retrying`);
	} catch (error) {
		console.log(`${path}: ${(error as Error).message}, retrying`);
	}
	const retry = await fetch(base + path, {dispatcher: pool}).catch((error: Error) => error);
	return retry instanceof Error ? `${path}: failed twice` : `${path}: ${retry.status} on retry`;
}

async function main(): Promise<void> {
	const start = performance.now();
	const delays = [300, 200, 400, 250, 300, 350, 200, 400, 300, 250, 200, 350];
	const results = await Promise.all(delays.map(ms => getDelayed(ms)));
	console.log(results.join('\n'));
	console.log(`12 requests through 4 connections in ${((performance.now() - start) / 1000).toFixed(2)}s`);

	const flaky = await Promise.all([1, 2, 3, 4].map(() => getWithOneRetry('/flaky')));
	console.log(flaky.join('\n'));
	await pool.close();
}

await main();

// What you should see in asyncmon:
// twelve getDelayed(...) tasks start together; only 4 HTTP requests are sent at
// a time and the rest show queue time waiting for a connection (the HTTP
// insight names the pool of 4). Then the /flaky requests, with their 500s,
// connection resets and retries counted per host.
