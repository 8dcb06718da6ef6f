import {describe, expect, it} from 'vitest';
import {sequentialAwaitsMessage} from '../../../source/present/insights/sequential-awaits.js';

describe('sequential-awaits in words', () => {
	it('gives the time in sequence and what Promise.all would take', () => {
		expect(
			sequentialAwaitsMessage({kind: 'sequential-awaits', taskName: 'main()', operations: 3, sequenceMs: 6000, longestMs: 3000, togetherMs: 3000, taskIds: [1, 2, 3, 4], savesMs: 3000}),
		).toBe('main() awaited 3 operations in sequence (6.00s); started together with Promise.all they would take ~3.00s, if none needs what another does');
	});
});
