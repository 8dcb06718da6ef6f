import {fileURLToPath} from 'node:url';
import autocannon from 'autocannon';
import {describe, expect, it} from 'vitest';
import {servedUnderNodeAndAsyncmon} from '../helpers/node-parity.js';
import {freePort} from '../helpers/free-port.js';

const SERVERS = fileURLToPath(new URL('../fixtures/realworld/servers', import.meta.url));
/** A fixed number of requests, not a duration, so the server's own count is the same under node and asyncmon. */
const REQUESTS = 300;

describe('servers under autocannon, stopped with SIGTERM: the same output and exit as under node, every request a task', () => {
	it.each(['fastify.mjs'])('%s', async script => {
		const port = await freePort();
		const load = async () => {
			const result = await autocannon({url: `http://127.0.0.1:${port}/users/7`, connections: 4, amount: REQUESTS, timeout: 5});
			return {total: result.requests.total, ok: result['2xx'], errors: result.errors, timeouts: result.timeouts};
		};
		const {node, asyncmon, nodeDriven, asyncmonDriven, report} = await servedUnderNodeAndAsyncmon(script, [String(port)], SERVERS, 'listening\n', load);
		const allServed = {total: REQUESTS, ok: REQUESTS, errors: 0, timeouts: 0};
		expect(nodeDriven).toEqual(allServed);
		expect(asyncmonDriven).toEqual(allServed);
		expect(node).toEqual({code: 0, stdout: `listening\nserved ${REQUESTS}\n`, stderr: ''});
		expect(asyncmon).toEqual(node);
		expect([report.exitCode, report.signal]).toEqual([0, null]);
		// Every request ran the route's async handler (a task of its own), which awaited loadUser; all of them finished.
		const loads = report.tasks.filter(task => task.name === 'loadUser("7")');
		expect(loads).toHaveLength(REQUESTS);
		expect(loads.every(task => task.state === 'finished')).toBe(true);
		expect(new Set(loads.map(load => load.parentId)).size).toBe(REQUESTS);
		expect(report.tasks.filter(task => task.state !== 'finished')).toEqual([]);
	});
});
