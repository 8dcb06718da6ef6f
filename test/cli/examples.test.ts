import {pathToFileURL} from 'node:url';
import {describe, expect, it} from 'vitest';
import {examplePath, findDemo} from '../../source/demo/catalog.js';
import {computeInsights, type InsightKind} from '../../source/model/insights.js';
import {insightMessage} from '../../source/present/insights.js';
import {recordRun, sentRequest} from '../helpers/recorded.js';
import {runCli} from '../helpers/run-cli.js';
import {tempDir} from '../helpers/temp.js';

/**
 * Each lesson of the seed, run as `asyncmon demo NAME --slow F`, and the insights it must (and must not)
 * produce. At human pace a demo lasts 5 to 15 s; `slow` runs it in a few seconds with the same story, and
 * the figures checked are the ones that pace gives (sequential at 0.4 waits the seed's 1 s + 2 s).
 */
const LESSONS: Array<{demo: string; slow: number; expects: InsightKind[]; never: InsightKind[]; check?: (messages: string[]) => void}> = [
	{demo: 'event-loop', slow: 0.2, expects: [], never: ['blocked-loop', 'sequential-awaits', 'never-settled']},
	{demo: 'calling-async', slow: 0.1, expects: [], never: ['blocked-loop', 'floating-promise', 'never-settled']},
	{
		demo: 'sequential',
		slow: 0.4,
		expects: ['sequential-awaits'],
		never: ['blocked-loop'],
		check: messages => expect(messages.join('\n')).toMatch(/main\(\) awaited 2 operations in sequence \(3\.0\ds\); started together with Promise\.all they would take ~2\.0\ds/),
	},
	{demo: 'concurrent-tasks', slow: 0.4, expects: ['concurrency'], never: ['sequential-awaits', 'blocked-loop']},
	{demo: 'gather', slow: 0.25, expects: ['concurrency'], never: ['sequential-awaits', 'unhandled-rejection']},
	{
		demo: 'seed-requests',
		slow: 0.5,
		expects: ['concurrency'],
		never: ['sequential-awaits', 'blocked-loop'],
		check: messages => expect(messages.join('\n')).toMatch(/4 tasks ran or waited 6\.0\ds in all, not counting their waits on each other, in 3\.\d\ds: concurrency (1\.9|2\.0)×/),
	},
	{
		demo: 'cpu-bound',
		slow: 0.3,
		expects: ['blocked-loop'],
		never: [],
		check: messages => expect(messages.join('\n')).toMatch(/crunch\(\) in main\(\) at \S*examples\/cpu\.ts:\d+ blocked the event loop for 1\.[2-5]\ds( \(for \S+ of it the thread waited for a CPU: the machine was busy\))?; 4 tasks were ready and waited up to 1\.\d\ds; move CPU-bound work to a worker thread/),
	},
	{demo: 'worker-threads', slow: 0.25, expects: ['parallelism'], never: ['blocked-loop', 'sequential-awaits']},
	{demo: 'http-fanout', slow: 0.3, expects: ['http', 'concurrency', 'blocked-loop'], never: ['sequential-awaits']},
];

/** The demo's length at human pace, from its own schedule (see examples/pace.ts). */
async function lastsMs(demo: string): Promise<number> {
	const module = (await import(pathToFileURL(examplePath(findDemo(demo)!.file)).href)) as {LASTS_MS: number};
	return module.LASTS_MS;
}

describe('the examples, run by asyncmon demo', () => {
	for (const lesson of LESSONS) {
		it(`${lesson.demo}: ${lesson.expects.join(', ') || 'no insight about problems'}`, async () => {
			const {result, state, report} = await recordRun(['demo', lesson.demo, '--slow', String(lesson.slow)]);
			expect(result.code).toBe(0);
			const insights = computeInsights(state);
			const kinds = insights.map(insight => insight.kind);
			for (const kind of lesson.expects) expect(kinds).toContain(kind);
			for (const kind of lesson.never) expect(kinds).not.toContain(kind);
			const messages = insights.map(insight => insightMessage(state, insight));
			lesson.check?.(messages);
			// Plain mode prints the same insights in its summary.
			for (const message of messages) expect(result.stdout).toContain(`→ ${message.slice(0, 40)}`);
			// Its waits were scaled, not skipped: a timer never fires early, so the run lasts its schedule at least.
			expect(report.durationMs).toBeGreaterThanOrEqual((await lastsMs(lesson.demo)) * lesson.slow - 1);
		});
	}

	it('demo --list names every demo', async () => {
		const result = await runCli(['demo', '--list']);
		expect(result.code).toBe(0);
		for (const lesson of LESSONS) expect(result.stdout).toMatch(new RegExp(`^${lesson.demo} `, 'm'));
	});
});

describe('the default demo tells the whole story', () => {
	it('fan-out queueing for 4 connections, a retry after a 500, a block, and workers in parallel', async () => {
		// Started elsewhere than asyncmon's package, as a user does.
		const {result, state, report} = await recordRun(['demo', '--slow', '0.3'], {cwd: tempDir()});
		expect(result.code).toBe(0);
		expect(report.script).toBe('examples/09-http-fanout.ts');
		const main = report.tasks.find(task => task.name === 'main()')!;

		// Fan-out: twelve tasks started by main(), each with its request; beyond the 4 connections, 8 queue.
		const fanOut = report.tasks.filter(task => task.parentId === main.id && task.name === 'getDelayed(300)');
		expect(fanOut).toHaveLength(12);
		const requests = report.tasks.filter(task => task.kind === 'http' && fanOut.some(getter => getter.id === task.parentId));
		expect(requests).toHaveLength(12);
		expect(requests.filter(request => sentRequest(request).phases.queueMs > 0).length).toBeGreaterThanOrEqual(8);

		// A retry after a 500: the same task asks /flaky again once its first request has failed.
		const flaky = report.tasks.filter(task => task.kind === 'http' && task.http!.url.endsWith('/flaky'));
		const failed = flaky.filter(request => request.http!.status === 500);
		expect(failed).toHaveLength(1);
		const retry = flaky.find(request => request.parentId === failed[0]!.parentId && request !== failed[0]);
		expect(retry?.startMs).toBeGreaterThanOrEqual(failed[0]!.endMs!);
		expect(retry?.http!.status).toBe(200);

		// A block: crunch() on the main thread, while the heartbeat's timer came due and had to wait.
		expect(state.blocks).toHaveLength(1);
		expect(state.blocks[0]!.frames[0]?.fn).toBe('crunch');
		const heartbeat = report.tasks.find(task => task.name.startsWith('beatsUntil(') && task.schedDelayMs > 0);
		expect(heartbeat).toBeDefined();

		// Workers: two worker threads, started together, each busy, their lanes overlapping.
		const workers = report.tasks.filter(task => task.kind === 'worker');
		expect(workers).toHaveLength(2);
		for (const worker of workers) {
			expect(worker.state).toBe('finished');
			expect(worker.busyMs).toBeGreaterThan(0);
		}
		const [a, b] = workers as [(typeof workers)[0], (typeof workers)[0]];
		expect(Math.max(a.startMs, b.startMs)).toBeLessThan(Math.min(a.endMs!, b.endMs!));
		// The block was on the main thread, before the workers started: they did not block the loop.
		expect(state.blocks[0]!.startMs).toBeLessThan(Math.min(a.startMs, b.startMs));

		// Every place told from the demo's package, as its name is, wherever asyncmon was started: tasks, awaits, blocks.
		const places = [
			...report.tasks.flatMap(task => (task.location ? [task.location] : [])),
			...report.tasks.flatMap(task => task.awaitSites.flatMap(site => (site.site ? [site.site] : []))),
			...state.blocks.flatMap(block => block.frames.map(frame => frame.loc)),
		];
		expect(places.length).toBeGreaterThan(20);
		expect(places.filter(place => !place.startsWith('examples/'))).toEqual([]);
	});

	it('asyncmon --help and asyncmon demo --help tell of --slow', async () => {
		expect((await runCli(['--help'])).stdout).toMatch(/asyncmon demo \[name\] +Run a bundled example [^]*--slow 2 twice as slow/);
		expect((await runCli(['demo', '--help'])).stdout).toMatch(/--slow +Make every wait of the demo this many times as long/);
	});

	it('a --slow that is not a factor from 0.1 to 10 is a usage error', async () => {
		for (const slow of ['abc', '0', '-1', '11', '']) {
			const result = await runCli(['demo', '--slow', slow]);
			expect(result.code, slow).toBe(1);
			expect(result.stderr, slow).toBe(`asyncmon: --slow must be a factor from 0.1 to 10 (2: twice as slow, 0.5: twice as fast); got '${slow}'\n`);
		}
	});
});
