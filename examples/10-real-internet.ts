// NEEDS NETWORK ACCESS: this example fetches public websites. Run it yourself;
// the test suite never does.
//
// Lesson 10: lesson 9 against the real internet. Latency now comes from DNS,
// TLS handshakes and distant servers instead of a local demo server.

import {Agent, fetch} from 'undici';

const agent = new Agent({connections: 4});
const urls = [
	'https://example.com/',
	'https://www.iana.org/help/example-domains',
	'https://nodejs.org/en',
	'https://registry.npmjs.org/undici',
	'https://www.wikipedia.org/',
	'https://github.com/',
];

async function timedGet(url: string): Promise<string> {
	const start = performance.now();
	try {
		const response = await fetch(url, {dispatcher: agent, signal: AbortSignal.timeout(3000)});
		const bytes = (await response.arrayBuffer()).byteLength;
		return `${response.status} ${url}: ${bytes} bytes in ${(performance.now() - start).toFixed(0)} ms`;
	} catch (error) {
		return `failed ${url}: ${(error as Error).message}`;
	}
}

async function main(): Promise<void> {
	const start = performance.now();
	const results = await Promise.all(urls.map(url => timedGet(url)));
	console.log(results.join('\n'));
	console.log(`\nAll done in ${((performance.now() - start) / 1000).toFixed(2)}s`);
	await agent.close();
}

await main();

// What you should see in asyncmon:
// six timedGet(...) tasks started together, each with its HTTP request split
// into connect (DNS + TLS), time to first byte and download; the total is about
// the slowest host's time, and the HTTP insight names that host.
