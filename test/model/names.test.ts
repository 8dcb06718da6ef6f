import {expect, it} from 'vitest';
import {functionName} from '../../source/model/names.js';

it('functionName drops the arguments, and keeps a name that is all parentheses', () => {
	expect(functionName('simulateRequest("a (b)", 1)')).toBe('simulateRequest');
	expect(functionName('Cache.get()')).toBe('Cache.get');
	expect(functionName('(weird)')).toBe('(weird)');
});
