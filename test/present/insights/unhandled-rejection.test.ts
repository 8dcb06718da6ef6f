import {describe, expect, it} from 'vitest';
import {unhandledRejectionMessage} from '../../../source/present/insights/unhandled-rejection.js';

describe('unhandled-rejection in words', () => {
	it('gives the error with its task and line', () => {
		const error = {name: 'TypeError', message: 'boom', location: 'app.ts:3:9'};
		expect(unhandledRejectionMessage({kind: 'unhandled-rejection', error, taskName: 'loadUser(7)', taskIds: [1]})).toBe(
			'A promise rejected with nothing handling it in loadUser(7): TypeError: boom (app.ts:3); await it or add .catch() where it is created',
		);
	});

	it('says less when neither the task nor the location is known', () => {
		expect(unhandledRejectionMessage({kind: 'unhandled-rejection', error: {name: 'Error', message: 'late'}, taskName: null, taskIds: []})).toBe(
			'A promise rejected with nothing handling it: Error: late; await it or add .catch() where it is created',
		);
	});
});
