import {describe, expect, it} from 'vitest';
import {formatCount} from '../../source/present/folded.js';

describe('formatCount', () => {
	it('groups thousands with commas, as en-US does, without loading ICU', () => {
		for (const count of [0, 7, 999, 1000, 55_210, 1_000_000, 1_234_567, -1234, 12_345.5]) expect(formatCount(count), String(count)).toBe(count.toLocaleString('en-US'));
	});
});
