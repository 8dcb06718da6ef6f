import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import type {SessionReport} from '../../source/model/summary.js';
import {maxOverlap} from '../../source/model/overlap.js';
import {useCountingServer} from '../helpers/counting-server.js';
import {runNode, underAsyncmon, underNodeAndAsyncmon} from '../helpers/node-parity.js';

const HELPERS = fileURLToPath(new URL('../fixtures/realworld/concurrency', import.meta.url));

/** The tasks of the report whose name starts with `fn(`, as `name state`, in the order they started. */
function calls(report: SessionReport, fn: string): string[] {
	return report.tasks.filter(task => task.name.startsWith(`${fn}(`)).map(task => `${task.name} ${task.state}`);
}

/** How many of those tasks ran at once at most, by the report's own start and end times. */
function mostAtOnce(report: SessionReport, fn: string): number {
	return maxOverlap(report.tasks.filter(task => task.name.startsWith(`${fn}(`)).map(task => [task.startMs, task.endMs!] as const));
}

describe('concurrency helpers: the same output as under node, and the report sees the limits they keep', () => {
	it('p-limit: six jobs, two at a time', async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('p-limit.mjs', [], HELPERS);
		expect(node).toEqual({code: 0, stdout: 'results 10 20 30 40 50 60 active 0 pending 0\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		expect(calls(report, 'job')).toEqual([1, 2, 3, 4, 5, 6].map(id => `job(${id}) finished`));
		expect(mostAtOnce(report, 'job')).toBe(2);
	});

	it('p-queue: five jobs at concurrency two, one failing and caught, then onIdle()', async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('p-queue.mjs', [], HELPERS);
		expect(node).toEqual({code: 0, stdout: 'done 1 2 3 5 size 0 pending 0\n', stderr: 'caught job 4 failed\n'});
		expect(asyncmon).toEqual(node);
		expect(calls(report, 'job')).toEqual(['job(1) finished', 'job(2) finished', 'job(3) finished', 'job(4) failed', 'job(5) finished']);
		expect(report.tasks.find(task => task.name === 'job(4)')?.error?.message).toBe('job 4 failed');
		expect(mostAtOnce(report, 'job')).toBe(2);
	});

	it('p-map: eight inputs three at a time in order, then a mapping that stops at its first error', async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('p-map.mjs', [], HELPERS);
		expect(node).toEqual({code: 0, stdout: 'squares 1 4 9 16 25 36 49 64\nstopped RangeError bad input 2\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		expect(calls(report, 'square')).toHaveLength(8);
		expect(mostAtOnce(report, 'square')).toBe(3);
		// With concurrency 1, p-map never starts the input after the one that failed.
		expect(calls(report, 'checked')).toEqual(['checked(1) finished', 'checked(2) failed']);
	});

	it("piscina, its workers waiting in Atomics.wait between tasks: every task of theirs ends as it did, and destroy() ends their threads", async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('piscina.mjs', [], HELPERS);
		expect(node).toEqual({code: 0, stdout: '1 4 failed: bad input 3 16 25 36\ndestroyed\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		expect(calls(report, 'square').sort()).toEqual(['square({…}) failed', ...Array(5).fill('square({…}) finished')]);
		const threads = report.tasks.filter(task => task.kind === 'worker');
		expect(threads.map(thread => thread.state)).toEqual(['finished', 'finished']);
	});

	// Its workers, terminated in Atomics.wait, read 'busy 0ms' (their time unknown), and their computing went unseen.
	it("piscina workers that only compute: each thread's busy time is its CPU time, though destroy() terminates it blocked", async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('piscina-cpu.mjs', [], HELPERS);
		expect(node).toEqual({code: 0, stdout: `${Array(6).fill(3524578).join(' ')}\n`, stderr: ''});
		expect(asyncmon).toEqual(node);
		const threads = report.tasks.filter(task => task.kind === 'worker');
		expect(threads).toHaveLength(2);
		// Six fib(33), about 40 ms of CPU each here, three to a thread at least in part.
		for (const thread of threads) expect(thread.busyMs).toBeGreaterThan(20);
		expect(threads.reduce((total, thread) => total + thread.busyMs, 0)).toBeGreaterThan(100);
	});

	describe('p-retry, against a local server', () => {
		const server = useCountingServer();

		it('each attempt is a task with its own request; the failed ones failed, the HTTP ops match the requests served', async () => {
			const node = await runNode('p-retry.mjs', [server().url], HELPERS);
			const before = server().requests;
			const {asyncmon, report} = await underAsyncmon('p-retry.mjs', [server().url], HELPERS);
			expect(node).toEqual({
				code: 0,
				stdout: 'attempt 1 failed: HTTP 503\nattempt 2 failed: HTTP 503\nsucceeded {"attempt":3}\ngave up: HTTP 503\n',
				stderr: '',
			});
			expect(asyncmon).toEqual(node);
			expect(calls(report, 'fetchFlaky')).toEqual([
				'fetchFlaky(1, 3) failed',
				'fetchFlaky(2, 3) failed',
				'fetchFlaky(3, 3) finished',
				'fetchFlaky(1, 9) failed',
				'fetchFlaky(2, 9) failed',
			]);
			expect(server().requests - before).toBe(5);
			expect(report.summary.httpCount).toBe(5);
			const statuses = report.tasks.filter(task => task.kind === 'http').map(op => op.http?.status);
			expect(statuses).toEqual([503, 503, 200, 503, 503]);
		});
	});
});
