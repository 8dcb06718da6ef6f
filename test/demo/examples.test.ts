import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import {describe, expect, it} from 'vitest';
import {DEMO_SLOW_ENV, DEMO_URL_ENV, examplePath} from '../../source/demo/catalog.js';
import {useDemoServer} from '../helpers/demo-server.js';

const run = promisify(execFile);

/**
 * Runs an example under plain Node (its built-in type stripping), as a reader would, `slow` times its human
 * pace: the figures checked are the ones that pace gives (0.5 runs the seed's own 1 s, 3 s and 2 s).
 */
async function runExample(file: string, slow: number, env: Record<string, string> = {}): Promise<string> {
	const {stdout} = await run(process.execPath, [examplePath(file)], {env: {...process.env, [DEMO_SLOW_ENV]: String(slow), ...env}, timeout: 10_000});
	return stdout;
}

function seconds(output: string, pattern: RegExp): number {
	const match = pattern.exec(output);
	if (!match) throw new Error(`${pattern} not found in:\n${output}`);
	return Number(match[1]);
}

const server = useDemoServer();

describe('examples under plain Node', {timeout: 15_000}, () => {
	it('01 sleeps between start and end', async () => {
		expect(await runExample('01-event-loop.ts', 0.1)).toBe('start\nend\n');
	});

	it('02 shows that calling an async function runs it up to its first await', async () => {
		expect((await runExample('02-calling-async.ts', 0.1)).trim().split('\n')).toEqual([
			'main: calling fetchData()',
			'fetchData: running, before its first await',
			'main: fetchData() returned Promise { <pending> }',
			'main: awaiting it',
			'fetchData: resumed after 0.5 s',
			'main: result is done',
		]);
	});

	it('03 takes the sum of its awaits, 04 the longest', async () => {
		const sequential = seconds(await runExample('03-sequential.ts', 0.4), /total: ([\d.]+)s/);
		const concurrent = seconds(await runExample('04-concurrent-tasks.ts', 0.4), /total: ([\d.]+)s/);
		expect(sequential).toBeGreaterThanOrEqual(2.99);
		expect(sequential).toBeLessThan(3.5);
		expect(concurrent).toBeGreaterThanOrEqual(1.99);
		expect(concurrent).toBeLessThan(2.5);
	});

	it('05 rejects Promise.all on the first failure while the others finish', async () => {
		const output = await runExample('05-gather.ts', 0.25);
		expect(output.indexOf('Promise.all rejected after 0.5')).toBeGreaterThan(-1);
		expect(output.indexOf('Promise.all rejected')).toBeLessThan(output.indexOf('A: finished after 1s'));
		expect(output).toContain('  A done in 1s\n  error: B failed\n  C done in 1.5s\n');
	});

	it("06 reproduces the seed's output in about 3 s, not 6", async () => {
		const output = await runExample('06-seed-requests.ts', 0.5);
		expect(output).toContain('request-A: starting\nrequest-B: starting\nrequest-C: starting\n');
		expect(output).toContain("[ 'request-A: 1s', 'request-B: 3s', 'request-C: 2s' ]");
		const elapsed = seconds(output, /All done in ([\d.]+)s/);
		expect(elapsed).toBeGreaterThanOrEqual(2.99);
		expect(elapsed).toBeLessThan(3.5);
	});

	it('07 makes due timers run late while crunch() blocks the loop', async () => {
		const output = await runExample('07-cpu-bound.ts', 0.25);
		// tick-1 came due before the block, so it ran before crunch() did; the others came due during it.
		expect(output.indexOf('tick-1: due at 250 ms')).toBeLessThan(output.indexOf('crunch: found'));
		// tick-2, due at 500 ms, waited for the block to end at 375 + 1250 ms.
		expect(seconds(output, /tick-2: due at 500 ms, ran (\d+) ms late/)).toBeGreaterThan(1000);
		expect(output.indexOf('tick-5:')).toBeGreaterThan(output.indexOf('crunch: found'));
	});

	it('08 keeps the main loop responsive while workers compute', async () => {
		const output = await runExample('08-worker-threads.ts', 0.25);
		expect(output.match(/main loop: still responsive/g)?.length).toBeGreaterThanOrEqual(4);
		expect(output).toMatch(/workers found \d+ and \d+ primes/);
	});

	it('09 fans out through a pool of 4 connections, retries, then crunches on the main thread and on workers', async () => {
		const output = await runExample('09-http-fanout.ts', 0.2, {[DEMO_URL_ENV]: server.url});
		expect(output.match(/^200 after 200 ms$/gm)).toHaveLength(12);
		// 12 requests of 200 ms through 4 connections go out in three waves: at least 600 ms.
		expect(seconds(output, /12 requests through 4 connections in ([\d.]+)s/)).toBeGreaterThanOrEqual(0.6);
		const flaky = output.match(/^\/flaky: .*$/gm) ?? [];
		expect(flaky.filter(line => !line.endsWith(', retrying'))).toHaveLength(4);
		// The demo server's default seed makes /flaky fail the first time for at least one of the four.
		expect(flaky.some(line => line.endsWith(', retrying'))).toBe(true);
		expect(output).toMatch(/^main thread: \d+ primes in [\d.]+s; the heartbeat woke \d+ time\(s\) meanwhile$/m);
		expect(output).toMatch(/^workers: \d+ and \d+ primes in [\d.]+s; the heartbeat woke \d+ times meanwhile$/m);
	});

	it('09 explains in one line that it needs the demo server', async () => {
		const {[DEMO_URL_ENV]: _, ...envWithout} = process.env;
		const failure = await run(process.execPath, [examplePath('09-http-fanout.ts')], {env: envWithout}).catch(
			(error: {code: number; stderr: string}) => error,
		);
		expect(failure).toMatchObject({code: 1});
		expect((failure as {stderr: string}).stderr.trim().split('\n')).toEqual([expect.stringContaining(DEMO_URL_ENV)]);
	});
});
