import {describe, expect, it} from 'vitest';
import {formatPercent, formatTimes} from '../../source/present/numbers.js';

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
