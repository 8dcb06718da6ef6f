import {expect, it} from 'vitest';
import {functionName, taskSiteName} from '../../source/protocol/function-name.js';

it('functionName drops the arguments, and keeps a name that is all parentheses', () => {
	expect(functionName('simulateRequest("a (b)", 1)')).toBe('simulateRequest');
	expect(functionName('Cache.get()')).toBe('Cache.get');
	expect(functionName('(weird)')).toBe('(weird)');
});

it("taskSiteName is the function's name with empty parentheses, also for a callback named by its call", () => {
	expect(taskSiteName('getUser(42)')).toBe('getUser()');
	expect(taskSiteName("<app.get '/users/:id' callback>")).toBe("<app.get '/users/:id' callback>()");
});
