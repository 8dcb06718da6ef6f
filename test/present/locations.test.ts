import {describe, expect, it} from 'vitest';
import {lineLocation} from '../../source/present/locations.js';

describe('lineLocation', () => {
	it('drops the column, keeping the file and line', () => {
		expect(lineLocation('src/cpu.ts:12:5')).toBe('src/cpu.ts:12');
	});

	it('leaves a location without a column as it is', () => {
		expect(lineLocation('src/cpu.ts:12')).toBe('src/cpu.ts:12');
	});
});
