import {describe, expect, it} from 'vitest';
import {sequentialAwaitsMessage} from '../../../source/present/insights/sequential-awaits.js';

describe('sequential-awaits in words', () => {
	it('gives the time in sequence and what Promise.all would take', () => {
		expect(
			sequentialAwaitsMessage({kind: 'sequential-awaits', taskName: 'main()', operations: 3, sequenceMs: 6000, longestMs: 3000, togetherMs: 3000, taskIds: [1, 2, 3, 4], savesMs: 3000, calls: 1}),
		).toBe('main() awaited 3 operations in sequence (6.00s); started together with Promise.all they would take ~3.00s, if none needs what another does');
	});

	// A handler that does it at every request: one finding, not a line per request.
	it('says how many calls of the function did so, its figures the costliest one\'s', () => {
		expect(
			sequentialAwaitsMessage({kind: 'sequential-awaits', taskName: 'handler(7)', operations: 2, sequenceMs: 51, longestMs: 26, togetherMs: 26, taskIds: [1, 2, 3], savesMs: 25, calls: 1204}),
		).toBe('handler(7) awaited 2 operations in sequence (51ms); started together with Promise.all they would take ~26ms, if none needs what another does (the costliest of 1,204 calls of it that did so)');
	});

	// Resolvers of one request, each an N+1, or a pool's workers: told, and the pool's case named.
	it('says when the call ran beside the same call under the same caller', () => {
		expect(
			sequentialAwaitsMessage({kind: 'sequential-awaits', taskName: 'totalComments({…})', operations: 10, sequenceMs: 1160, longestMs: 130, togetherMs: 130, taskIds: [1, 2], savesMs: 1030, calls: 60, alongside: true}),
		).toBe(
			'totalComments({…}) awaited 10 operations in sequence (1.16s); started together with Promise.all they would take ~130ms, if none needs what another does (the costliest of 60 calls of it that did so); ' +
				"it ran beside the same call of totalComments() under the same caller: if they are a pool's workers, each sequential on purpose, leave them so",
		);
	});

	it("names the peer whose replies the run awaited, a database's queried in a loop", () => {
		expect(
			sequentialAwaitsMessage({kind: 'sequential-awaits', taskName: 'ownersOneByOne()', operations: 12, sequenceMs: 66, longestMs: 6.6, togetherMs: 6.6, taskIds: [2], savesMs: 59.4, calls: 1, peer: '127.0.0.1:5432'}),
		).toBe('ownersOneByOne() awaited 12 replies of 127.0.0.1:5432 in sequence (66ms); started together with Promise.all they would take ~6.6ms, if none needs what another does');
	});
});
