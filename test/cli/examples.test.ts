import {describe, expect, it} from 'vitest';
import {computeInsights, type InsightKind} from '../../source/model/insights.js';
import {insightMessage} from '../../source/present/insights.js';
import {recordRun} from '../helpers/recorded.js';
import {runCli} from '../helpers/run-cli.js';

/** Each lesson of the seed, run as `asyncmon demo NAME`, and the insights it must (and must not) produce. */
const LESSONS: Array<{demo: string; expects: InsightKind[]; never: InsightKind[]; check?: (messages: string[]) => void}> = [
	{demo: 'event-loop', expects: [], never: ['blocked-loop', 'sequential-awaits', 'never-settled']},
	{demo: 'calling-async', expects: [], never: ['blocked-loop', 'floating-promise', 'never-settled']},
	{
		demo: 'sequential',
		expects: ['sequential-awaits'],
		never: ['blocked-loop'],
		check: messages => expect(messages.join('\n')).toMatch(/main\(\) awaited 2 operations in sequence \(3\.0\ds\); started together with Promise\.all they would take ~2\.0\ds/),
	},
	{demo: 'concurrent-tasks', expects: ['concurrency'], never: ['sequential-awaits', 'blocked-loop']},
	{demo: 'gather', expects: ['concurrency'], never: ['sequential-awaits', 'unhandled-rejection']},
	{
		demo: 'seed-requests',
		expects: ['concurrency'],
		never: ['sequential-awaits', 'blocked-loop'],
		check: messages => expect(messages.join('\n')).toMatch(/3 tasks ran or waited 6\.0\ds in all, in 3\.\d\ds: concurrency (1\.9|2\.0)×/),
	},
	{
		demo: 'cpu-bound',
		expects: ['blocked-loop'],
		never: [],
		check: messages => expect(messages.join('\n')).toMatch(/crunch\(\) in main\(\) at \S*examples\/07-cpu-bound\.ts:\d+ blocked the event loop for 1\.[2-5]\ds( \(for \S+ of it the thread waited for a CPU: the machine was busy\))?; \d tasks were ready and waited up to 1\.\d\ds; move CPU-bound work to a worker thread/),
	},
	{demo: 'worker-threads', expects: ['parallelism'], never: ['blocked-loop', 'sequential-awaits']},
	{demo: 'http-fanout', expects: ['http', 'concurrency'], never: ['blocked-loop']},
];

describe('the examples, run by asyncmon demo', () => {
	for (const lesson of LESSONS) {
		it(`${lesson.demo}: ${lesson.expects.join(', ') || 'no insight about problems'}`, async () => {
			const {result, state} = await recordRun(['demo', lesson.demo]);
			expect(result.code).toBe(0);
			const insights = computeInsights(state);
			const kinds = insights.map(insight => insight.kind);
			for (const kind of lesson.expects) expect(kinds).toContain(kind);
			for (const kind of lesson.never) expect(kinds).not.toContain(kind);
			const messages = insights.map(insight => insightMessage(state, insight));
			lesson.check?.(messages);
			// Plain mode prints the same insights in its summary.
			for (const message of messages) expect(result.stdout).toContain(`→ ${message.slice(0, 40)}`);
		});
	}

	it('demo --list names every demo', async () => {
		const result = await runCli(['demo', '--list']);
		expect(result.code).toBe(0);
		for (const lesson of LESSONS) expect(result.stdout).toMatch(new RegExp(`^${lesson.demo} `, 'm'));
	});
});
