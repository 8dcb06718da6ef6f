import {expect, it} from 'vitest';
import {errorText} from '../../source/present/errors.js';

it('says an error and each of its causes, in order, on one line', () => {
	expect(errorText({name: 'Error', message: 'outer'})).toBe('Error: outer');
	expect(errorText({name: 'Error', message: 'outer', cause: {name: 'TypeError', message: 'middle', cause: {name: 'RangeError', message: 'root'}}})).toBe(
		'Error: outer; caused by TypeError: middle; caused by RangeError: root',
	);
});
