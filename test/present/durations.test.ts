import {describe, expect, it} from 'vitest';
import {formatBytes, formatClock, formatDuration, formatOffset} from '../../source/present/durations.js';

describe('durations', () => {
	it('keeps durations compact at every scale', () => {
		expect([0.42, 12.4, 999, 1234, 12_345, 125_000, 3_725_000].map(formatDuration)).toEqual(['0.4ms', '12ms', '999ms', '1.23s', '12.3s', '2m05s', '1h02m']);
	});

	it('carries a rounding into the next unit at every boundary', () => {
		expect([9.96, 999.6, 9_996, 59_960, 3_599_600].map(formatDuration)).toEqual(['10ms', '1.00s', '10.0s', '1m00s', '1h00m']);
		expect([9.94, 999.4, 9_994, 59_940, 119_600].map(formatDuration)).toEqual(['9.9ms', '999ms', '9.99s', '59.9s', '2m00s']);
	});

	it('gives the elapsed time as a clock', () => {
		expect(formatClock(12_345)).toBe('00:12.3');
		expect(formatClock(3_723_000)).toBe('1:02:03');
	});

	it('gives the time since the start to the millisecond, in a column', () => {
		expect(formatOffset(1234)).toBe('   1.234s');
		expect(formatOffset(1_234_567)).toBe('1234.567s');
	});

	it('gives sizes in bytes, kilobytes and megabytes', () => {
		expect([512, 5120, 3 * 1024 * 1024].map(formatBytes)).toEqual(['512B', '5.0kB', '3.0MB']);
	});
});
