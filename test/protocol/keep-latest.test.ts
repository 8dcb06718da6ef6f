import {expect, it} from 'vitest';
import {keepLatest} from '../../source/protocol/keep-latest.js';

it('keeps the latest entries set, dropping the oldest past the bound; setting a kept key again keeps its place', () => {
	const map = new Map<number, string>();
	for (let key = 1; key <= 5; key++) keepLatest(map, key, `v${key}`, 3);
	expect([...map]).toEqual([
		[3, 'v3'],
		[4, 'v4'],
		[5, 'v5'],
	]);
	keepLatest(map, 3, 'again', 3);
	expect([...map.keys()]).toEqual([3, 4, 5]);
	expect(map.get(3)).toBe('again');
});
