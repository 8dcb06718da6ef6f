import {describe, expect, it} from 'vitest';
import {useDemoServer} from '../helpers/demo-server.js';
import {readRecording, recordRun} from '../helpers/recorded.js';
import {ROOT, runCli} from '../helpers/run-cli.js';
import {join} from 'node:path';
import {readFileSync} from 'node:fs';
import type {SessionReport} from '../../source/model/summary.js';
import {millionEventRecording} from '../helpers/million.js';
import {tempFile} from '../helpers/temp.js';
import {formatDuration} from '../../source/present/durations.js';

const server = useDemoServer();

describe('scale', () => {
	it('10,000 concurrent HTTP requests complete, each one a request in the report', async () => {
		const {result, report} = await recordRun(['concurrent-requests.ts'], {env: {ASYNCMON_DEMO_URL: server.url}});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('10000 of 10000 ok');
		const requests = report.tasks.filter(task => task.kind === 'http');
		expect(requests).toHaveLength(10_000);
		expect(requests.every(request => request.state === 'finished')).toBe(true);
		expect(report.summary.maxInFlightHttp).toBeGreaterThan(200);
	}, 60_000);

	it('100,000 short tasks complete with no dropped event, finished ones past the retention limit aggregated and said so', async () => {
		// A window of 200: the script folds most of the flood itself, and the monitor keeps 200 of the rest one by one.
		const {result, file} = await recordRun(['--retain', '200', join(ROOT, 'bench/workloads/tasks.ts')]);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('tasks: 100000 tasks in 100 waves of 1000');
		// Plain mode printed a summary line a second, not 200,000 task lines; the recording has every event.
		expect(result.stdout).toContain('one summary line a second from here');
		// At most 200 task lines in any second, and a line a second: a tenth of the 200,000 it would be, however slow the machine.
		expect(result.stdout.split('\n').length).toBeLessThan(20_000);
		// A report reads the whole recording: every task is there, nothing was dropped.
		const {state, report} = await readRecording(file);
		expect(report.summary.taskCount).toBe(100_100);
		expect(state.droppedEvents).toBe(0);
		// The script folded most of them at the source: all but its first 1,000 and 100 a second (about 1,200 in a run of
		// 1.5 s). Before a flush forced mid-wave kept the wave for the next one, 12,000-30,000 were sent.
		const atSource = /([\d,]+) tasks were folded/.exec(result.stdout);
		expect(Number(atSource?.[1]!.replaceAll(',', ''))).toBeGreaterThan(92_000);
		// Live, the monitor kept the newest finished tasks in full and folded the rest into per-site totals, and says so.
		expect(result.stdout).toMatch(/[\d,]+ finished tasks and ops were folded into [\d,]+ per-site totals? to bound memory/);
		// Where the child had to wait for the monitor, the recording says how long, and so does plain mode.
		const held = readFileSync(file, 'utf8')
			.split('\n')
			.filter(line => line.startsWith('{"type":"backpressure"'))
			.reduce((sum, line) => sum + (JSON.parse(line) as {heldMs: number}).heldMs, 0);
		expect(report.summary.heldBackMs).toBeCloseTo(held, 2);
		if (held >= 1) expect(result.stdout).toContain(`asyncmon held the script back ${formatDuration(state.heldBackMs)} in all`);
	}, 60_000);
});

describe('a 1,000,000-event recording', () => {
	it('is read by report and replay --plain in a bounded heap: totals exact, the rest folded into per-site rows', async () => {
		const file = millionEventRecording();
		// A heap of 160 MB: the whole session as objects would need several times that.
		const bounded = {env: {NODE_OPTIONS: '--max-old-space-size=160'}};
		const result = await runCli(['report', file, '--format', 'json'], bounded);
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		const report = JSON.parse(result.stdout) as SessionReport;
		expect(report.summary.taskCount).toBe(500_000);
		expect(report.summary.failedCount).toBe(500);
		expect(report.folded!.sites.find(site => site.name === 'tiny()')!.count + report.tasks.filter(task => task.name.startsWith('tiny(')).length).toBe(500_000);
		const replayed = await runCli(['replay', file, '--plain'], bounded);
		expect(replayed.code, replayed.stderr).toBe(0);
		expect(replayed.stdout).toMatch(/All done in [\d.]+s · 500,000 tasks/);
		const ndjson = await runCli(['report', file, '--format', 'ndjson', '-o', tempFile('million-v1.ndjson')], bounded);
		expect(ndjson.code, ndjson.stderr).toBe(0);
	}, 120_000);
});
