import {describe, expect, it} from 'vitest';
import {compareText} from '../../source/model/text-order.js';

describe('compareText', () => {
	it('orders by code units, the same whatever the locale: capitals first, accented letters after the plain ones', () => {
		expect(['b', 'é', 'B', 'a', 'e', 'a'].sort(compareText)).toEqual(['B', 'a', 'a', 'b', 'e', 'é']);
		expect(compareText('api.example.com', 'api.example.com')).toBe(0);
	});
});
