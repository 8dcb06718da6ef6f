import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {computeInsights} from '../../source/model/insights.js';
import type {SessionReport} from '../../source/model/summary.js';
import {insightMessage} from '../../source/present/insights.js';
import {useCountingServer} from '../helpers/counting-server.js';
import {runNode, underAsyncmon} from '../helpers/node-parity.js';

const CLIENTS = fileURLToPath(new URL('../fixtures/realworld/http-clients', import.meta.url));

/** Each HTTP op of the report as `task → request status`, so a request is checked against the task that made it. */
function requestsByTask(report: SessionReport): string[] {
	const byId = new Map(report.tasks.map(task => [task.id, task]));
	return report.tasks
		.filter(task => task.kind === 'http')
		.map(op => `${byId.get(op.parentId!)?.name} → ${op.name} ${op.http?.status}`)
		.sort();
}

describe('HTTP clients against a local server: the same output as under node, one HTTP op per request served', () => {
	const server = useCountingServer();

	/** The script under node, then under asyncmon, with the requests the server answered during the asyncmon run. */
	async function run(script: string) {
		const node = await runNode(script, [server().url], CLIENTS);
		const before = server().requests;
		const monitored = await underAsyncmon(script, [server().url], CLIENTS);
		return {node, ...monitored, served: server().requests - before};
	}

	const threeItemsEchoAndMissing = (greeting: string) => ({
		code: 0,
		stdout: `item-1 item-2 item-3\necho {"hello":"${greeting}"}\nmissing 404\n`,
		stderr: '',
	});
	const EACH_REQUEST_UNDER_ITS_TASK = [
		'getItem(1) → GET /items/1?… 200',
		'getItem(2) → GET /items/2?… 200',
		'getItem(3) → GET /items/3?… 200',
		'getMissing() → GET /missing 404',
		'postEcho({…}) → POST /echo 200',
	];

	it.each([
		['got.mjs', 'got'],
		['node-fetch.mjs', 'node-fetch'],
		['ky.mjs', 'ky'],
		['fetch.mjs', 'fetch'],
		['undici-request.mjs', 'undici'],
		['undici-agent.mjs', 'agent'],
	])('%s', async (script, greeting) => {
		const {node, asyncmon, report, served} = await run(script);
		expect(node).toEqual(threeItemsEchoAndMissing(greeting));
		expect(asyncmon).toEqual(node);
		expect(served).toBe(5);
		expect(report.summary.httpCount).toBe(served);
		expect(requestsByTask(report)).toEqual(EACH_REQUEST_UNDER_ITS_TASK);
		expect(report.tasks.filter(task => task.state !== 'finished')).toEqual([]);
	});

	it('an undici Pool of two connections: five requests queue for them, and the report shows the queueing', async () => {
		const {node, asyncmon, report, state, served} = await run('undici-pool.mjs');
		expect(node).toEqual({code: 0, stdout: 'item-1 item-2 item-3 item-4 item-5\necho {"hello":"pool"}\nmissing 404\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		expect(served).toBe(7);
		expect(report.summary.httpCount).toBe(served);
		expect(requestsByTask(report)).toEqual([
			...[1, 2, 3, 4, 5].map(id => `getItem(${id}) → GET /items/${id}?… 200`),
			'getMissing() → GET /missing 404',
			'postEcho({…}) → POST /echo 200',
		]);
		// Each item takes 30 ms on the server; with two connections, three of the five wait at least one turn.
		const queued = report.tasks.filter(task => task.name.startsWith('GET /items/') && task.http!.phases.queueMs >= 25);
		expect(queued.length).toBeGreaterThanOrEqual(3);
		// The advice names where undici sets its limit, not node:http's.
		const advice = computeInsights(state).find(insight => insight.kind === 'http' && insight.finding === 'connection-queueing');
		expect(advice && insightMessage(state, advice)).toContain('the `connections` option of the undici Pool or Agent');
	});
});
