import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {recordRun} from '../helpers/recorded.js';
import {ROOT, SCRIPTS} from '../helpers/run-cli.js';

const AWAITS = join(ROOT, 'bench/workloads/awaits.ts');
const COUNT = 30_000;

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
		expect(result.stdout).toMatch(/[\d,]+ quick tasks were folded (into 1 per-site total )?by the script's process/);
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
		expect(result.stdout).toContain(`${folded.atSource.toLocaleString('en-US')} quick tasks were folded into 2 per-site totals by the script's process`);
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
});
