import {fileURLToPath} from 'node:url';
import autocannon from 'autocannon';
import {describe, expect, it} from 'vitest';
import {servedUnderNodeAndAsyncmon} from '../helpers/node-parity.js';
import {freePort} from '../helpers/free-port.js';
import {runCli} from '../helpers/run-cli.js';
import {servedStatsByRoute} from '../../source/model/http-stats.js';

const SERVERS = fileURLToPath(new URL('../fixtures/realworld/servers', import.meta.url));
/** A fixed number of requests, not a duration, so the server's own count is the same under node and asyncmon. */
const REQUESTS = 300;

describe('servers under autocannon, stopped with SIGTERM: the same output and exit as under node, every request a task', () => {
	it.each(['fastify.mjs', 'express.mjs'])('%s', async script => {
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

const ROUTED = 5;

describe("each request a framework's server receives is a server task, the route's handler and what it awaits under it", () => {
	it.each(['fastify.mjs', 'express.mjs'])('%s', async script => {
		const port = await freePort();
		const load = async () => {
			const bodies: unknown[] = [];
			for (let i = 0; i < ROUTED; i++) bodies.push(await (await fetch(`http://127.0.0.1:${port}/users/7?token=abc`)).json());
			return bodies;
		};
		const {node, asyncmon, asyncmonDriven, report, state, file} = await servedUnderNodeAndAsyncmon(script, [String(port)], SERVERS, 'listening\n', load);
		expect(asyncmonDriven).toEqual(Array.from({length: ROUTED}, () => ({id: '7', name: 'user-7'})));
		expect(asyncmon).toEqual(node);
		const served = report.tasks.filter(task => task.kind === 'server');
		expect(served).toHaveLength(ROUTED);
		expect(served.every(task => task.name === 'GET /users/7?…' && task.state === 'finished' && task.request?.status === 200)).toBe(true);
		expect(served.every(task => task.request?.url === '/users/7?token=REDACTED')).toBe(true);
		// As for a request the script sent, its http field says method, url and status.
		for (const task of served) expect(task.http).toEqual({method: 'GET', url: '/users/7?token=REDACTED', status: 200});
		// Express leaves the route it matched on the request; Fastify says it on its handler's diagnostics channel.
		expect(served.every(task => task.request?.route === '/users/:id')).toBe(true);
		expect(servedStatsByRoute(state).map(route => [route.route, route.requests])).toEqual([['GET /users/:id', ROUTED]]);
		// Under each request: the route's async handler, and under it the loadUser call it awaited, and its timer.
		const byId = new Map(report.tasks.map(task => [task.id, task]));
		const loads = report.tasks.filter(task => task.name === 'loadUser("7")');
		expect(loads).toHaveLength(ROUTED);
		const requestOf = (id: number | null): number | undefined => {
			for (let task = byId.get(id ?? -1); task; task = byId.get(task.parentId ?? -1)) if (task.kind === 'server') return task.id;
			return undefined;
		};
		expect(new Set(loads.map(load => requestOf(load.parentId)))).toEqual(new Set(served.map(task => task.id)));
		for (const load of loads) expect(byId.get(load.parentId!)!.kind).toBe('task');
		// The handler, an anonymous arrow, is named by the route it was registered for.
		for (const load of loads) expect(byId.get(load.parentId!)!.name).toMatch(/^<app\.get '\/users\/:id' callback>\(/);
		// Exported, each request is a SERVER span named by its method and route, as the HTTP conventions name it.
		const exported = JSON.parse((await runCli(['report', file, '--format', 'otlp-json'])).stdout);
		const spans = exported.resourceSpans.flatMap((resource: {scopeSpans: Array<{spans: Array<{kind: number; name: string; attributes: Array<{key: string}>}>}>}) => resource.scopeSpans.flatMap(scope => scope.spans));
		const serverSpans = spans.filter((span: {kind: number}) => span.kind === 2);
		expect(serverSpans.map((span: {name: string}) => span.name)).toEqual(Array.from({length: ROUTED}, () => 'GET /users/:id'));
		const timers = report.tasks.filter(task => task.kind === 'timer' && task.timer?.delayMs === 1);
		expect(new Set(timers.map(timer => requestOf(timer.parentId)))).toEqual(new Set(served.map(task => task.id)));
	});
});

describe('a request its client left while the handler ran counts under the route the framework matched', () => {
	it.each(['fastify.mjs', 'express.mjs'])('%s', async script => {
		const port = await freePort();
		const load = async () => {
			const leaving = new AbortController();
			const request = fetch(`http://127.0.0.1:${port}/reports/q3-sales`, {signal: leaving.signal}).catch((error: Error) => error.name);
			setTimeout(() => leaving.abort(), 100);
			return request;
		};
		const {asyncmon, node, asyncmonDriven, report, state} = await servedUnderNodeAndAsyncmon(script, [String(port)], SERVERS, 'listening\n', load);
		expect(asyncmonDriven).toBe('AbortError');
		expect(asyncmon).toEqual(node);
		const [left] = report.tasks.filter(task => task.kind === 'server');
		expect(left).toMatchObject({state: 'failed', request: {aborted: true, route: '/reports/:name'}});
		// Not `GET /reports/:id`, a route the app does not have: the path's shape stands in only where no route was matched.
		expect(servedStatsByRoute(state).map(route => [route.route, route.requests, route.failures])).toEqual([['GET /reports/:name', 1, 1]]);
	});
});
