import {describe, expect, it} from 'vitest';
import {formatCount, formatPercent, formatTimes} from '../../source/present/numbers.js';

describe('numbers', () => {
	it('gives a share of a whole as a whole percent, and 0% of nothing', () => {
		expect(formatPercent(1, 3)).toBe('33%');
		expect(formatPercent(5, 0)).toBe('0%');
	});

	it('gives a multiple with one decimal, in ASCII when asked', () => {
		expect(formatTimes(2)).toBe('2.0×');
		expect(formatTimes(1.96, true)).toBe('2.0x');
	});
});

describe('formatCount', () => {
	it('groups thousands with commas, as en-US does, without loading ICU', () => {
		for (const count of [0, 7, 999, 1000, 55_210, 1_000_000, 1_234_567, -1234, 12_345.5]) expect(formatCount(count), String(count)).toBe(count.toLocaleString('en-US'));
	});
});
