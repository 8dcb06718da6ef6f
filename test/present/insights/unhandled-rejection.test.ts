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

	it("ends a message's own full stop before the advice: no `.;` (Node's words for a rejection with an object, say)", () => {
		const error = {name: 'UnhandledPromiseRejection', message: 'The promise rejected with the reason "#<Object>".'};
		expect(unhandledRejectionMessage({kind: 'unhandled-rejection', error, taskName: null, taskIds: []})).toBe(
			'A promise rejected with nothing handling it: UnhandledPromiseRejection: The promise rejected with the reason "#<Object>"; await it or add .catch() where it is created',
		);
	});

	// The summary said the script's handler took it, and this said nothing handled it (the fixes' check, ue.js).
	it("says so when only the script's process-level handler took it (process.on('unhandledRejection'), or 'uncaughtException'), and how many times", () => {
		const error = {name: 'Error', message: 'async boom', location: 'ue.js:5:9'};
		expect(unhandledRejectionMessage({kind: 'unhandled-rejection', error, taskName: 'boom()', taskIds: [2], handled: true})).toBe(
			"A promise rejected with nothing handling it but the script's own process-level handler in boom(): Error: async boom (ue.js:5); await it or add .catch() where it is created",
		);
		expect(unhandledRejectionMessage({kind: 'unhandled-rejection', error, taskName: 'boom()', taskIds: [2], handled: true, count: 1920})).toMatch(/ in boom\(\), 1,920 times: Error: async boom/);
	});
});
