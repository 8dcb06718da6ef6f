import {describe, expect, it} from 'vitest';
import {recordRun} from '../helpers/recorded.js';
import {runCli} from '../helpers/run-cli.js';
import {retentionOf} from '../../source/cli/retention-arguments.js';
import type {SessionReport} from '../../source/model/summary.js';
import {THREE_REQUESTS_FILE} from '../sessions/session-fixtures.js';

describe('--retain and --retain-for', () => {
	it('read as a count (or all) and an age in seconds, 0 meaning no age limit', () => {
		expect(retentionOf({retain: '10000', retainFor: 300})).toEqual({maxFinished: 10_000, maxAgeMs: 300_000});
		expect(retentionOf({retain: '500', retainFor: 0})).toEqual({maxFinished: 500, maxAgeMs: Infinity});
		expect(retentionOf({retain: '500'})).toEqual({maxFinished: 500, maxAgeMs: Infinity});
		expect(retentionOf({retain: 'all', retainFor: 300})).toBeNull();
		for (const bad of ['0', '-5', '1.5', 'lots', '']) expect(() => retentionOf({retain: bad})).toThrow(/--retain must be a whole number of tasks/);
		expect(() => retentionOf({retain: '10', retainFor: -1})).toThrow("--retain-for must be a number of seconds, 0 or more (got '-1')");
		// Not a number at all: yargs gives NaN, which is no word of the user's.
		expect(() => retentionOf({retain: '10', retainFor: Number.NaN})).toThrow(/^--retain-for must be a number of seconds, 0 or more$/);
	});
});

describe('retention through the real CLI: a long run folds finished tasks, and every figure stays exact', () => {
	const json = async (args: string[]): Promise<SessionReport> => {
		const result = await runCli(args);
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		return JSON.parse(result.stdout) as SessionReport;
	};

	it('run --retain folds live and says so; report --retain folds the same recording into per-site rows; --retain all keeps each one', async () => {
		// 1,000 handlers: within what the script sends one by one (see runtime/span-folder.ts), so every one is in the recording.
		const {result, file, report: whole} = await recordRun(['--retain', '300', 'handlers.ts', '1000']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('handled 1000, 10 failed');
		expect(result.stdout).toMatch(/[\d,]+ finished tasks and ops were folded into [\d,]+ per-site totals? to bound memory \(kept one by one: the latest 300, if they finished within the last 5m00s\)/);
		// The recording keeps every task, whatever the live view folded.
		expect(whole.tasks.filter(task => task.name.startsWith('handle('))).toHaveLength(1000);

		const folded = await json(['report', file, '--format', 'json', '--retain', '300']);
		expect(folded.summary).toEqual(whole.summary);
		expect(folded.folded).toBeDefined();
		const handle = folded.folded!.sites.find(site => site.name === 'handle()')!;
		const timers = folded.folded!.sites.find(site => site.kind === 'timer')!;
		const keptHandles = folded.tasks.filter(task => task.name.startsWith('handle(')).length;
		expect(handle.count + keptHandles).toBe(1000);
		expect(handle.failed + folded.tasks.filter(task => task.name.startsWith('handle(') && task.state === 'failed').length).toBe(10);
		expect(timers.count).toBeGreaterThan(0);
		expect(handle.p50Ms).toBeLessThanOrEqual(handle.p99Ms);
		expect(handle.p99Ms).toBeLessThanOrEqual(handle.maxMs);
		expect(folded.folded!.nodes).toBe(folded.folded!.sites.reduce((sum, site) => sum + site.count, 0));
		expect(folded.folded!.retention).toEqual({maxFinished: 300, maxAgeMs: null});
		expect(folded.tasks.length).toBeLessThan(700);

		const text = await runCli(['report', file, '--retain', '300']);
		expect(text.stdout).toContain('Folded into per-site totals');
		expect(text.stdout).toMatch(/handle\(\)\s+[\d,]+\s+[\d,]+/);

		// Fewer finished than the default window: nothing folds.
		const kept = await json(['report', file, '--format', 'json']);
		expect(kept.folded).toBeUndefined();
		expect((await json(['report', file, '--format', 'json', '--retain', 'all'])).folded).toBeUndefined();

		const replayed = await runCli(['replay', file, '--plain', '--retain', '300']);
		expect(replayed.code).toBe(0);
		expect(replayed.stdout).toMatch(/finished tasks and ops were folded/);
	}, 60_000);

	it('a bad --retain is a one-line usage error, exit 1', async () => {
		for (const args of [['--retain', 'lots', 'handlers.ts'], ['report', THREE_REQUESTS_FILE, '--retain', '0'], ['replay', THREE_REQUESTS_FILE, '--plain', '--retain-for', '-1']]) {
			const result = await runCli(args);
			expect(result.code).toBe(1);
			expect(result.stderr.trim().split('\n')).toHaveLength(1);
			expect(result.stderr).toMatch(/--retain(-for)? must be/);
		}
	});
});
