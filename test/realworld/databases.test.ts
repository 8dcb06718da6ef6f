import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import type {SessionReport} from '../../source/model/summary.js';
import {taskNamed} from '../helpers/recorded.js';
import {underNodeAndAsyncmon} from '../helpers/node-parity.js';
import {usePostgres, useRedis} from '../helpers/services.js';

const CLIENTS = fileURLToPath(new URL('../fixtures/realworld/databases', import.meta.url));

function unfinished(report: SessionReport) {
	return report.tasks.filter(task => task.state !== 'finished').map(task => `${task.name} ${task.state}`);
}

describe('a pg Pool against a real PostgreSQL', () => {
	const postgres = usePostgres();

	it('same output and exit code as under node; every query task finished, the pool queue shows in the waits', async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('pg-pool.mjs', [postgres().url], CLIENTS);
		expect(node).toEqual({
			code: 0,
			stdout: 'counts 6 6 6 6\nrelabelled three\npool ended 0\n',
			stderr: 'error 42P01 relation "no_such_table" does not exist\n',
		});
		expect(asyncmon).toEqual(node);
		expect(unfinished(report)).toEqual([]);
		expect(report.tasks.filter(task => task.name.startsWith('insertItem('))).toHaveLength(6);
		// pg_sleep(0.05) each, on a pool of three clients: the fourth read waits for a free one.
		const reads = report.tasks.filter(task => task.name === 'slowCount()');
		expect(reads).toHaveLength(4);
		expect(Math.min(...reads.map(read => read.waitMs))).toBeGreaterThanOrEqual(45);
		expect(Math.max(...reads.map(read => read.waitMs))).toBeGreaterThanOrEqual(95);
		// begin, update, select, commit on one checked-out client, after awaiting the checkout.
		expect(taskNamed(report, 'relabel(3, "three")').awaits).toBe(5);
		// A query on a connected client waits for PostgreSQL's reply: its address, not "a promise". (The fourth read
		// waits for a client of the pool first.)
		const server = {kind: 'peer', address: `127.0.0.1:${postgres().port}`};
		const awaited = (task: SessionReport['tasks'][number]) => task.awaitSites.flatMap(site => site.on);
		expect(reads.filter(read => awaited(read).some(on => on.kind === 'peer' && on.address === server.address)).length).toBeGreaterThanOrEqual(3);
		expect(awaited(taskNamed(report, 'relabel(3, "three")'))).toContainEqual(server);
		expect(awaited(taskNamed(report, 'queryMissingTable()'))).toEqual([server]);
	});
});

describe('ioredis against a real Redis', () => {
	const redis = useRedis();

	it('same output and exit code as under node; the blocking pop waits for the push, and every task finished', async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('ioredis.mjs', [redis().url], CLIENTS);
		expect(node).toEqual({code: 0, stdout: 'keys 1 2 3\npipeline 1 2 12\npopped job-1\nquit\n', stderr: 'error WRONGTYPE\n'});
		expect(asyncmon).toEqual(node);
		expect(unfinished(report)).toEqual([]);
		expect(report.tasks.filter(task => task.name.startsWith('setKey('))).toHaveLength(3);
		expect(taskNamed(report, 'waitForJob()').waitMs).toBeGreaterThanOrEqual(45);
		expect(taskNamed(report, 'pushJobLater("job-1")').state).toBe('finished');
		// Each command waits for Redis's reply: its address, not "a promise". (A reply within 1 ms is no await site.)
		const server = {kind: 'peer', address: `127.0.0.1:${redis().port}`};
		expect(taskNamed(report, 'waitForJob()').awaitSites.flatMap(site => site.on)).toEqual([server]);
		expect(taskNamed(report, 'countInPipeline()').awaitSites.flatMap(site => site.on)).toEqual([server]);
		const sets = report.tasks.filter(task => task.name.startsWith('setKey('));
		for (const on of sets.flatMap(task => task.awaitSites.flatMap(site => site.on))) expect(on).toEqual(server);
	});
});
