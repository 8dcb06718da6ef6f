import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {computeInsights, type SequentialAwaitsInsight} from '../../source/model/insights.js';
import type {SessionReport} from '../../source/model/summary.js';
import {taskNamed} from '../helpers/recorded.js';
import {underNodeAndAsyncmon} from '../helpers/node-parity.js';
import {useMariadb, usePostgres, useRedis} from '../helpers/services.js';

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
		// A query on a connected client waits for PostgreSQL's reply: its address, not "a promise". Each read takes
		// 50 ms, so its wait is always seen; the fourth waits for a client of the pool first. (A quicker query's reply
		// may come within 1 ms, and its wait is then only counted.)
		const server = `127.0.0.1:${postgres().port}`;
		const onServer = reads.filter(read => read.awaitSites.some(site => site.on.some(on => on.kind === 'peer' && on.address === server)));
		expect(onServer.length).toBeGreaterThanOrEqual(3);
	});
});

describe('an N+1 of pg queries awaited directly, against a real PostgreSQL', () => {
	const postgres = usePostgres();

	it("is told as sequential awaits of the database's replies; a transaction's four queries are not", async () => {
		const {node, asyncmon, state} = await underNodeAndAsyncmon('pg-n-plus-one.mjs', [postgres().url], CLIENTS);
		expect(node).toEqual({code: 0, stdout: 'sum 78\ntransfer done\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		const sequential = computeInsights(state).filter((insight): insight is SequentialAwaitsInsight => insight.kind === 'sequential-awaits');
		// 12 queries of 5 ms or more each, one after another (a reply within 1 ms is no step, and no break); nothing of
		// transfer()'s. (The script's own two calls, one after the other, are a finding of their own.)
		expect(sequential.map(insight => insight.taskName)).not.toContain('transfer()');
		const loop = sequential.find(insight => insight.taskName === 'ownersOneByOne()');
		expect(loop!.operations).toBeGreaterThanOrEqual(8);
		expect(loop!.sequenceMs).toBeGreaterThanOrEqual(8 * 5);
		expect(loop!.peer).toBe(`127.0.0.1:${postgres().port}`);
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
		// The quick ones: whichever waited long enough to be seen waited on Redis too.
		const quick = report.tasks.filter(task => task.name.startsWith('setKey(') || task.name === 'countInPipeline()');
		for (const on of quick.flatMap(task => task.awaitSites.flatMap(site => site.on))) expect(on).toEqual(server);
	});
});

describe('mysql2 against a real MariaDB', () => {
	const mariadb = useMariadb();

	it('same output and exit code as under node; every query task finished, and a query waits on the server, not "a promise"', async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('mysql2.mjs', [mariadb().url], CLIENTS);
		expect(node).toEqual({code: 0, stdout: 'counts 3 3 3\npool ended\n', stderr: 'error ER_NO_SUCH_TABLE\n'});
		expect(asyncmon).toEqual(node);
		expect(unfinished(report)).toEqual([]);
		expect(report.tasks.filter(task => task.name.startsWith('insertItem('))).toHaveLength(3);
		// sleep(0.05) each, on a pool of two connections: the third read waits for a free one first.
		const reads = report.tasks.filter(task => task.name === 'slowCount()');
		expect(reads).toHaveLength(3);
		expect(Math.max(...reads.map(read => read.waitMs))).toBeGreaterThanOrEqual(95);
		const server = `127.0.0.1:${mariadb().port}`;
		const onServer = reads.filter(read => read.awaitSites.some(site => site.on.some(on => on.kind === 'peer' && on.address === server)));
		expect(onServer.length).toBeGreaterThanOrEqual(2);
	});
});
