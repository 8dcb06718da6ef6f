import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {recordedLines, recordRun} from '../helpers/recorded.js';
import {ROOT, SCRIPTS} from '../helpers/run-cli.js';
import {type CountingServer, useCountingServer} from '../helpers/counting-server.js';
import {dirWithScript} from '../helpers/temp.js';
import {httpStatsByHost, servedStatsByRoute} from '../../source/model/http-stats.js';
import {forEachFoldedRequest} from '../../source/protocol/fold.js';
import type {FoldEvent, HttpFoldEvent, TaskEndEvent, TaskStartEvent} from '../../source/protocol/events.js';
import {decodeLine} from '../../source/protocol/decode.js';

const AWAITS = join(ROOT, 'bench/workloads/awaits.ts');
const COUNT = 30_000;

/** `lines` as a script `name`, run and recorded against the counting server, whose URL it is given: with how many requests the server answered. */
async function recordAgainst(server: CountingServer, name: string, lines: readonly string[]) {
	const before = server.requests;
	const run = await recordRun([join(dirWithScript(name, lines), name), server.url]);
	return {...run, served: server.requests - before};
}

const foldLines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(line => line.startsWith('{"type":"fold"'));

describe('quick calls folded in the script process, through the real CLI', () => {
	it('a flood of quick calls is sent as per-site fold lines beyond its allowance; every figure stays exact, and plain mode says so', async () => {
		const {result, file, report} = await recordRun([AWAITS, 'short', String(COUNT)]);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain(`awaits short: ${COUNT} awaits (sum ${COUNT / 2})`);
		expect(foldLines(file).length).toBeGreaterThan(0);
		// Every call is counted: awaitShort() and its 30,000 calls of tiny(), one by one or folded.
		expect(report.summary.taskCount).toBe(COUNT + 1);
		expect(report.summary.failedCount).toBe(0);
		const tiny = report.folded!.sites.find(site => site.name === 'tiny()')!;
		const sentOneByOne = report.tasks.filter(task => task.name.startsWith('tiny(')).length;
		expect(tiny.count + sentOneByOne).toBe(COUNT);
		expect(report.folded!.atSource).toBeGreaterThan(0);
		expect(report.folded!.atSource).toBeLessThanOrEqual(tiny.count);
		// The calls went one after another: never two at once.
		expect(report.summary.maxInFlight).toBe(1);
		expect(result.stdout).toMatch(/[\d,]+ tasks were folded (into 1 per-site total )?by the script's process/);
	}, 60_000);

	it("a quick call's time holds none of asyncmon's pauses: each one sent lasts its busy time, however often its flood is flushed", async () => {
		const {result, report} = await recordRun([join(SCRIPTS, 'worker-quick-calls.mjs')]);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('sum 200010000');
		const sent = report.tasks.filter(task => task.name.startsWith('quick('));
		expect(sent.length).toBeGreaterThan(1000);
		// They never wait: a flush in one (it had filled the buffer with its start) was asyncmon's time, left out of its
		// busy time but not of its span, and made a call of microseconds read as one of tens of milliseconds.
		for (const task of sent) expect(task.endMs! - task.startMs - task.busyMs, task.name).toBeLessThan(1);
	}, 60_000);

	it("calls folded with their timers are credited to the script's process, not to the reader's window", async () => {
		const {result, report} = await recordRun([join(SCRIPTS, 'timer-waves.ts')]);
		expect(result.code).toBe(0);
		const folded = report.folded!;
		expect(folded.atSource).toBeGreaterThan(0);
		// Each folded call took its timer along: twice the nodes, all folded by the script's process.
		expect(folded.nodesAtSource).toBe(2 * folded.atSource);
		expect(folded.nodes).toBe(folded.nodesAtSource);
		expect(result.stdout).toContain(`${folded.atSource.toLocaleString('en-US')} tasks were folded into 2 per-site totals by the script's process`);
		expect(result.stdout).not.toContain('to bound memory');
		// The timers' site waits all its life, as a timer's own row does.
		const timers = folded.sites.find(site => site.kind === 'timer')!;
		expect(timers.waitMs).toBeCloseTo(timers.totalMs, 0);
	}, 60_000);

	it('timers of jittered delays fold into one site, their API, as the calls that made them do', async () => {
		const {result, report} = await recordRun([join(SCRIPTS, 'jittered-timers.ts')]);
		expect(result.code).toBe(0);
		const folded = report.folded!;
		const timerSites = folded.sites.filter(site => site.kind === 'timer');
		expect(timerSites.map(site => site.name)).toEqual(['setTimeout']);
		// Each folded call took its timer along, whatever its delay.
		expect(folded.nodesAtSource).toBe(2 * folded.atSource);
		expect(timerSites[0]!.count).toBe(folded.atSource);
		// Most of the 6,000 calls: past the 1,000 the site sends at once and 100 a second (a loaded machine's run folded 2,432).
		expect(folded.atSource).toBeGreaterThan(2000);
	}, 60_000);

	it("a loop's calls, each awaited by the loop, fold past their allowance; the loop's awaits stay", async () => {
		const {result, file, report} = await recordRun([join(SCRIPTS, 'sequential-loop.ts')]);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain(`sum ${(2499 * 2500) / 2}`);
		const folded = report.folded!;
		const work = folded.sites.find(site => site.name === 'work()')!;
		// Past the 1,000 a site sends at once, 100 a second of the loop's time: the 1,500 more fold but for those its
		// seconds allow (a loaded machine's loop of 1,500 folded 81).
		expect(work.count).toBeGreaterThan(500);
		expect(report.summary.taskCount).toBe(2501);
		expect(work.count + report.tasks.filter(task => task.name.startsWith('work(')).length).toBe(2500);
		// main() awaited every call, folded or not: its awaits count them all.
		expect(report.tasks.find(task => task.name === 'main()')!.awaits).toBe(2500);
		expect(foldLines(file).length).toBeGreaterThan(0);
	}, 60_000);

	it('--retain all sends every call one by one', async () => {
		const {result, file, report} = await recordRun(['--retain', 'all', AWAITS, 'short', '3000']);
		expect(result.code).toBe(0);
		expect(foldLines(file)).toEqual([]);
		expect(report.tasks.filter(task => task.name.startsWith('tiny('))).toHaveLength(3000);
		expect(report.folded).toBeUndefined();
	}, 60_000);

	describe('quick requests the script sent', () => {
		const server = useCountingServer();
		/** 1,500 quick requests through fetch, each from its own async call, then 1,500 through node:http from the loop itself, then 20 answered 404. */
		const CLIENT = [
			"import http from 'node:http';",
			'const base = process.argv[2];',
			'async function viaFetch(i) { const response = await fetch(`${base}/items/${i}`); return (await response.json()).id }',
			'function viaHttp(i) {',
			'  return new Promise((resolve, reject) => {',
			"    http.get(`${base}/items/${i}`, response => { let body = ''; response.setEncoding('utf8'); response.on('data', chunk => body += chunk); response.on('end', () => resolve(JSON.parse(body).id)) }).on('error', reject)",
			'  })',
			'}',
			'async function missing(i) { const response = await fetch(`${base}/missing/${i}`); await response.text(); return response.status }',
			'let sum = 0',
			'for (let i = 0; i < 1500; i++) sum += await viaFetch(i)',
			'for (let i = 0; i < 1500; i++) sum += await viaHttp(i)',
			'for (let i = 0; i < 20; i++) sum += await missing(i)',
			'console.log(`sum ${sum}`)',
		];

		it("fold past their host's allowance into fold.http lines; every request is counted per host, with its phases, and the 404s stay whole", async () => {
			const {result, file, state, report, served} = await recordAgainst(server(), 'client.mjs', CLIENT);
			expect(result.code).toBe(0);
			expect(result.stdout).toContain(`sum ${2 * ((1499 * 1500) / 2) + 20 * 404}`);
			expect(served).toBe(3020);
			const lines = readFileSync(file, 'utf8').split('\n').filter(line => line.startsWith('{"type":"fold.http"')).map(line => JSON.parse(line) as HttpFoldEvent);
			const foldedCount = lines.reduce((sum, line) => sum + line.count, 0);
			// Past the 1,000 each client's requests from their place send at once, less the 100 a second that refill it: at
			// most 500 of each 1,500, fewer the longer the loops ran (a loaded machine's run folded 392).
			expect(foldedCount).toBeGreaterThan(0);
			expect(foldedCount).toBeLessThanOrEqual(1000);
			for (const line of lines) {
				expect(line.url).toMatch(new RegExp(`^${server().url}/items/\\d+$`));
				let requests = 0;
				expect(forEachFoldedRequest(line, request => {
					requests++;
					// Sent on a kept-alive connection, answered, read: every phase but a pool's queue.
					expect(request.ttfbMs).toBeGreaterThanOrEqual(0);
					expect(request.downloadMs).toBeGreaterThanOrEqual(0);
				})).toBe(true);
				expect(requests).toBe(line.count);
			}
			// Each line says its client library: fetch's undici, http.get's node:http (folded inside their calls' trees, or as
			// roots under the loop: on Node 22.19 fetch's fold as roots).
			for (const line of lines) expect(['undici', 'node:http']).toContain(line.client);
			// Every request counted once, per host and in the summary, its phases too; the 404s, never folded, as 4xx.
			expect(report.summary.httpCount).toBe(3020);
			expect(report.summary.failedHttp).toBe(0);
			const [host, ...others] = httpStatsByHost(state);
			expect(others).toEqual([]);
			expect(host).toMatchObject({requests: 3020, failed: 0, clientErrors: 20});
			expect(host!.latency.total!.samples).toBe(3020);
			expect(host!.latency.ttfb!.samples).toBe(3020);
			// Their rows, by method, host and place: every request folded at the source, and any the reader's window folded.
			const sites = report.folded!.sites.filter(folded => folded.kind === 'http');
			expect(sites.reduce((sum, folded) => sum + folded.count, 0)).toBeGreaterThanOrEqual(foldedCount);
			expect(result.stdout).toContain("were folded into");
		}, 60_000);
	});

	describe("a pool of workers, each awaiting one call at a time that outlasts a flush", () => {
		const server = useCountingServer();
		/** 16 workers share 2,400 items; each item is a call of getItem() whose request the server answers after 15 ms. */
		const POOL = [
			'const base = process.argv[2];',
			'async function getItem(i) { const response = await fetch(`${base}/items/${i}?delay=15`); return (await response.json()).id }',
			'let next = 0, sum = 0',
			'async function worker() { while (next < 2400) { const id = await getItem(next++); sum += id } }',
			'await Promise.all(Array.from({length: 16}, () => worker()))',
			'console.log(`sum ${sum}`)',
		];

		it('folds the calls past their allowance with their requests, under no worker; every figure stays exact and the workers wait on a named call', async () => {
			const {result, file, report, served} = await recordAgainst(server(), 'pool.mjs', POOL);
			expect(result.code).toBe(0);
			expect(result.stdout).toContain(`sum ${(2399 * 2400) / 2}`);
			expect(served).toBe(2400);
			const lines = recordedLines(file);
			const folds = lines.filter((line): line is FoldEvent => line.type === 'fold' && line.name === 'getItem');
			const requestFolds = lines.filter((line): line is HttpFoldEvent => line.type === 'fold.http');
			// Each call outlasts a flush, and each worker has one at a time: they fold only held whole, and only joined across the workers.
			const folded = folds.reduce((sum, line) => sum + line.count, 0);
			expect(folded).toBeGreaterThan(500);
			expect(folds.every(line => line.parent === null)).toBe(true);
			// Their requests folded with them, inside their trees (lines under no parent); those of calls sent one by one may fold too, under their calls.
			expect(requestFolds.filter(line => line.parent === null).reduce((sum, line) => sum + line.count, 0)).toBe(folded);
			// Every call and request counted once, sent or folded.
			expect(report.summary.taskCount).toBe(2400 + 16);
			expect(report.summary.httpCount).toBe(2400);
			const site = report.folded!.sites.find(entry => entry.name === 'getItem()')!;
			expect(site.count + report.tasks.filter(task => task.name.startsWith('getItem(')).length).toBe(2400);
			// A worker's await of a call it holds to fold names the call's function: the reader has it from nowhere else.
			const namedAwaits = lines.filter(line => line.type === 'task.await' && line.on.kind === 'task' && line.on.name === 'getItem');
			expect(namedAwaits.length).toBeGreaterThan(0);
		}, 60_000);
	});

	describe('a server under load', () => {
		/** 2,000 requests of 30 ms each (longer than a flush) from 50 lanes of the script's own client, beside one of 1.5 s. */
		const SERVER = [
			"import http from 'node:http';",
			'const server = http.createServer(async (request, response) => {',
			"  await new Promise(resolve => setTimeout(resolve, request.url.startsWith('/slow') ? 1500 : 30))",
			"  response.end('ok')",
			'})',
			"await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))",
			'const base = `http://127.0.0.1:${server.address().port}`',
			'const agent = new http.Agent({keepAlive: true, maxSockets: 51})',
			'function get(path) {',
			'  return new Promise((resolve, reject) => http.get(base + path, {agent}, response => { response.resume(); response.on(\'end\', () => resolve(response.statusCode)) }).on(\'error\', reject))',
			'}',
			'let next = 0',
			'let ok = 0',
			'async function lane() { while (next < 2000) { next++; if ((await get(`/items/${next}`)) === 200) ok++ } }',
			"const slow = get('/slow/1')",
			'await Promise.all(Array.from({length: 50}, lane))',
			'await slow',
			'console.log(`ok ${ok}`)',
			'server.close()',
			'agent.destroy()',
		];

		it("folds its requests past their route's allowance though each outlasts a flush, and shows one that runs long while it runs", async () => {
			const {result, file, state, report} = await recordRun([join(dirWithScript('server.mjs', SERVER), 'server.mjs')]);
			expect(result.code).toBe(0);
			expect(result.stdout).toContain('ok 2000');
			// Every request served is counted, by route, folded or not.
			expect(report.summary.httpReceived).toBe(2001);
			expect(servedStatsByRoute(state).find(route => route.route === 'GET /items/:id')?.requests).toBe(2000);
			const lines = readFileSync(file, 'utf8').split('\n');
			const served = lines.filter(line => line.startsWith('{"type":"fold"') && line.includes('"kind":"server"')).map(line => JSON.parse(line) as FoldEvent);
			// Past the 1,000 a route sends at once and 100 a second: most of the other 1,000, held whole until each ended
			// (none before quiet requests: each outlasted the flush it began in). A slower machine's run refills more.
			expect(served.reduce((sum, line) => sum + line.count, 0)).toBeGreaterThan(100);
			// The slow request is in the stream while it runs: its start is written before what happened a while before its end.
			const decoded = lines.filter(Boolean).map(line => decodeLine(line)).filter(events => typeof events !== 'string').map(events => events[0]!);
			const slowAt = decoded.findIndex(e => e.type === 'task.start' && e.kind === 'server' && e.http?.url === '/slow/1');
			expect(slowAt).toBeGreaterThan(0);
			const slowStart = decoded[slowAt]! as TaskStartEvent;
			const slowEnd = decoded.find(e => e.type === 'task.end' && e.id === slowStart.id) as TaskEndEvent;
			expect(decoded.slice(slowAt + 1).some(e => e.type !== 'header' && e.t < slowEnd.t - 300 && e.t > slowStart.t + 500)).toBe(true);
		}, 60_000);
	});
});
