import {describe, expect, it} from 'vitest';
import {countChange, durationChange, lowerIsBetter, timesChange} from '../../source/present/changes.js';

describe('changes in words', () => {
	it('durations: percent and how many times faster or slower', () => {
		expect(durationChange(6000, 3000)).toBe('−50%, 2.0× faster');
		expect(durationChange(1000, 1500)).toBe('+50%, 1.5× slower');
		expect(durationChange(6001, 6000.2)).toBe('no change');
		// Times that would read 1.0× say nothing the percent does not.
		expect(durationChange(1000, 1030)).toBe('+3%');
		expect(durationChange(1000, 960)).toBe('−4%');
		expect(durationChange(1000, 1060)).toBe('+6%, 1.1× slower');
		expect(durationChange(0, 0)).toBe('no change');
		expect(durationChange(0, 120)).toBe('+120ms');
		expect(durationChange(80, 0)).toBe('−100%');
	});

	it('counts and multiples', () => {
		expect(countChange(1, 3)).toBe('+2');
		expect(countChange(3, 1)).toBe('−2');
		expect(countChange(1_000, 13_391)).toBe('+12,391');
		expect(countChange(3, 3)).toBe('no change');
		expect(timesChange(1, 1.99)).toBe('+1.0×');
		expect(timesChange(2, 1.5)).toBe('−0.5×');
		expect(timesChange(2, 2.01)).toBe('no change');
		// The change between what the two columns show: 1.5× and 1.2×, not 1.54 less 1.16.
		expect(timesChange(1.54, 1.16)).toBe('−0.3×');
		expect(timesChange(1.16, 1.54)).toBe('+0.3×');
	});

	it('tone: less is better, no tone for a change that rounds to nothing', () => {
		expect(lowerIsBetter(6000, 3000)).toBe('better');
		expect(lowerIsBetter(0, 1)).toBe('worse');
		expect(lowerIsBetter(100, 100.2)).toBeNull();
	});
});
