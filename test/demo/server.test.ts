import {performance} from 'node:perf_hooks';
import {Agent, request} from 'undici';
import {describe, expect, it} from 'vitest';
import {MAX_BYTES, MAX_DRIP_CHUNKS, startDemoServer} from '../../source/demo/server.js';
import {useDemoServer} from '../helpers/demo-server.js';

const server = useDemoServer();

async function get(path: string, base = server.url) {
	const started = performance.now();
	const response = await fetch(base + path);
	const headersAfterMs = performance.now() - started;
	const body = Buffer.from(await response.arrayBuffer());
	return {status: response.status, headers: response.headers, body, headersAfterMs, totalMs: performance.now() - started};
}

type FlakyOutcome = 200 | 500 | 'reset';

/** One fresh connection per request, so a reset cannot disturb the next one. */
async function flakyOutcomes(base: string, count: number): Promise<FlakyOutcome[]> {
	const outcomes: FlakyOutcome[] = [];
	for (let i = 0; i < count; i++) {
		const dispatcher = new Agent({pipelining: 0});
		try {
			const response = await request(`${base}/flaky`, {dispatcher});
			await response.body.dump();
			outcomes.push(response.statusCode as 200 | 500);
		} catch {
			outcomes.push('reset');
		} finally {
			await dispatcher.destroy();
		}
	}
	return outcomes;
}

describe('demo server', () => {
	it('listens on 127.0.0.1 on a free port', () => {
		expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(server.url).not.toMatch(/:0$/);
	});

	it('/delay/:ms answers after the delay with a small JSON body', async () => {
		const result = await get('/delay/200');
		expect(result.status).toBe(200);
		expect(JSON.parse(result.body.toString())).toEqual({delayMs: 200});
		expect(result.totalMs).toBeGreaterThanOrEqual(190);
		expect(result.totalMs).toBeLessThan(1500);
	});

	it('/delay rejects what is not a non-negative integer', async () => {
		expect((await get('/delay/abc')).status).toBe(400);
		expect((await get('/delay/-5')).status).toBe(400);
		expect((await get('/delay')).status).toBe(400);
	});

	it('/status/:code answers with that status', async () => {
		const teapot = await get('/status/418');
		expect(teapot.status).toBe(418);
		expect(JSON.parse(teapot.body.toString())).toEqual({status: 418});
		const noContent = await get('/status/204');
		expect(noContent.status).toBe(204);
		expect(noContent.body.length).toBe(0);
		expect((await get('/status/503')).status).toBe(503);
		expect((await get('/status/99')).status).toBe(400);
		expect((await get('/status/700')).status).toBe(400);
	});

	it('/bytes/:n sends exactly n deterministic bytes, capped', async () => {
		const small = await get('/bytes/1000');
		expect(small.status).toBe(200);
		expect(small.headers.get('content-length')).toBe('1000');
		expect(small.body.length).toBe(1000);
		expect([...small.body.subarray(254, 258)]).toEqual([254, 255, 0, 1]);
		const huge = await get('/bytes/999999999');
		expect(huge.body.length).toBe(MAX_BYTES);
	});

	it('/drip sends the headers at once and the body in slow chunks', async () => {
		const result = await get('/drip?ms=300&chunks=3');
		expect(result.status).toBe(200);
		expect(result.headersAfterMs).toBeLessThan(150);
		expect(result.totalMs).toBeGreaterThanOrEqual(280);
		const lines = result.body.toString().trim().split('\n').map(line => JSON.parse(line));
		expect(lines).toEqual([
			{chunk: 1, of: 3},
			{chunk: 2, of: 3},
			{chunk: 3, of: 3},
		]);
	});

	it('/drip caps the number of chunks', async () => {
		const result = await get('/drip?ms=0&chunks=100000');
		expect(result.body.toString().trim().split('\n')).toHaveLength(MAX_DRIP_CHUNKS);
	});

	it('/json serves a fixed document', async () => {
		const result = await get('/json');
		expect(result.headers.get('content-type')).toBe('application/json');
		expect(JSON.parse(result.body.toString()).items).toHaveLength(3);
	});

	it('answers 404 for unknown paths', async () => {
		expect((await get('/nope')).status).toBe(404);
		expect((await get('/')).status).toBe(404);
	});

	it('/flaky fails a seeded, repeatable share of requests with 500s and resets', async () => {
		const twin = await startDemoServer({seed: 7});
		const other = await startDemoServer({seed: 8});
		const again = await startDemoServer({seed: 7});
		try {
			const outcomes = await flakyOutcomes(twin.url, 40);
			expect(await flakyOutcomes(again.url, 40)).toEqual(outcomes);
			expect(await flakyOutcomes(other.url, 40)).not.toEqual(outcomes);
			const count = (outcome: FlakyOutcome) => outcomes.filter(o => o === outcome).length;
			expect(count(500)).toBeGreaterThan(0);
			expect(count('reset')).toBeGreaterThan(0);
			expect(count(200)).toBeGreaterThan(count(500) + count('reset'));
		} finally {
			await Promise.all([twin.close(), other.close(), again.close()]);
		}
	});

	it('close() ends keep-alive connections and requests in flight at once', async () => {
		const own = await startDemoServer();
		const dispatcher = new Agent({keepAliveTimeout: 60_000});
		try {
			const idle = await request(`${own.url}/json`, {dispatcher});
			await idle.body.dump();
			const inFlight = request(`${own.url}/delay/5000`, {dispatcher}).then(
				() => 'answered',
				() => 'aborted',
			);
			await new Promise(resolve => setTimeout(resolve, 50));
			const started = performance.now();
			await own.close();
			expect(performance.now() - started).toBeLessThan(1000);
			expect(await inFlight).toBe('aborted');
		} finally {
			await dispatcher.destroy();
		}
	});

	it('listens on the requested port', async () => {
		const probe = await startDemoServer();
		const port = Number(new URL(probe.url).port);
		await probe.close();
		const fixed = await startDemoServer({port});
		try {
			expect(fixed.url).toBe(`http://127.0.0.1:${port}`);
			expect((await get('/json', fixed.url)).status).toBe(200);
		} finally {
			await fixed.close();
		}
	});
});
