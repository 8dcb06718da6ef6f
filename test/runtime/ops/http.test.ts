import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {Pool} from 'undici';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {poolCounts} from '../../../source/runtime/ops/http.js';

describe('poolCounts', () => {
	let server: Server;
	let origin: string;
	/** Responses held until the test lets them go. */
	const held: Array<() => void> = [];
	beforeAll(async () => {
		server = createServer((_request, response) => held.push(() => response.end('ok')));
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(() => new Promise<void>(resolve => server.close(() => resolve())));

	const publicCounts = (pool: Pool) => ({queued: pool.stats.queued, size: pool.stats.size});

	it("reads an undici Pool's queued and size as its public stats give them, idle and with requests queued", async () => {
		const pool = new Pool(origin, {connections: 2});
		expect(poolCounts(pool)).toEqual({queued: 0, size: 0});
		const requests = Array.from({length: 5}, (_, i) => pool.request({path: `/${i}`, method: 'GET'}).then(({body}) => body.text()));
		while (held.length < 2) await new Promise(resolve => setTimeout(resolve, 5));
		expect(poolCounts(pool)).toEqual(publicCounts(pool));
		expect(poolCounts(pool)).toEqual({queued: 3, size: 5});
		while (held.length > 0 || pool.stats.size > 0) {
			held.shift()?.();
			await new Promise(resolve => setTimeout(resolve, 5));
		}
		await Promise.all(requests);
		expect(poolCounts(pool)).toEqual({queued: 0, size: 0});
		await pool.close();
	});

	it('falls back to the public stats of a dispatcher without undici’s keys, and is null for anything else', () => {
		expect(poolCounts({stats: {queued: 4, size: 7, free: 0}})).toEqual({queued: 4, size: 7});
		expect(poolCounts({stats: {queued: 'x'}})).toBeNull();
		expect(poolCounts({})).toBeNull();
		expect(poolCounts(null)).toBeNull();
		// A class with keys named like undici's that hold no counts: its public stats answer.
		const queued = Symbol('queued');
		const size = Symbol('size');
		class NotAPool {
			[queued] = 'no';
			stats = {queued: 1, size: 2};
			get [size]() {
				return 1;
			}
		}
		expect(poolCounts(new NotAPool())).toEqual({queued: 1, size: 2});
	});
});
