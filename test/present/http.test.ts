import {describe, expect, it} from 'vitest';
import {httpStatusColor, httpStatusText, servedOutcome, taskLabel} from '../../source/present/http.js';
import {event, reduce} from '../helpers/events.js';

describe('requests in words', () => {
	const state = reduce([
		event('task.start', {t: 0, id: 1, parent: null, kind: 'task', name: 'main()', loc: null}),
		event('task.start', {t: 1, id: 2, parent: 1, kind: 'server', name: 'GET /users/7', loc: null, http: {method: 'GET', url: '/users/7'}}),
	]);

	it('marks a task that is a request a server received, in Unicode and in ASCII, and no other task', () => {
		expect(taskLabel(state.nodes.get(2)!, false)).toBe('⇠ GET /users/7');
		expect(taskLabel(state.nodes.get(2)!, true)).toBe('<- GET /users/7');
		expect(taskLabel(state.nodes.get(1)!, false)).toBe('main()');
	});

	it("says how a received request ended: its status, or that its client left", () => {
		expect(servedOutcome({method: 'GET', url: '/', status: 404, aborted: false}, '3ms')).toBe('404 in 3ms');
		expect(servedOutcome({method: 'GET', url: '/', aborted: true}, '3ms')).toBe('aborted by the client after 3ms');
	});

	it('gives a status cell its code, ERR for a network error, GONE for a client that left', () => {
		expect(httpStatusText({status: 201}, false)).toBe('201');
		expect(httpStatusText({}, true)).toBe('ERR');
		expect(httpStatusText({aborted: true}, true)).toBe('GONE');
		expect(httpStatusText({}, false)).toBe('');
		expect([httpStatusColor({status: 404}, false), httpStatusColor({status: 500}, true), httpStatusColor({status: 200}, false)]).toEqual(['yellow', 'red', undefined]);
	});
});
