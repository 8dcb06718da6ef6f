import {describe, expect, it} from 'vitest';
import {keepsAliveMessage} from '../../../source/present/insights/keeps-alive.js';

const ADVICE = 'Clear intervals, close servers and sockets when done, or unref() what should not keep it alive';

describe('keeps-alive in words', () => {
	it('names what held a process that sat idle, with the task that made each timer', () => {
		const timers = [
			{name: 'setInterval 1000ms', madeBy: {name: 'poll()', location: null}},
			{name: 'setTimeout 5000ms', madeBy: {name: 'retry()', location: 'app.ts:4:7'}},
			{name: 'setTimeout 9000ms', madeBy: null},
		];
		expect(keepsAliveMessage({kind: 'keeps-alive', idleMs: 5000, resources: {Timeout: 3, TCPServerWrap: 1}, servers: [], timers, taskIds: [99]})).toBe(
			'Nothing ran for 5.00s, yet the process stayed alive, held by 3 timers, 1 TCP server ' +
				'(setInterval 1000ms made by poll(); setTimeout 5000ms made by retry() at app.ts:4; setTimeout 9000ms made by the top level of the script). ' +
				ADVICE,
		);
	});

	it('names a server still listening, and where the script started it', () => {
		const servers = [{address: '127.0.0.1:3000', loc: 'server.ts:12:10'}];
		expect(keepsAliveMessage({kind: 'keeps-alive', idleMs: 3000, resources: {TCPServerWrap: 1}, servers, timers: [], taskIds: []})).toBe(
			`Nothing ran for 3.00s, yet the process stayed alive, held by 1 TCP server (a server listening on 127.0.0.1:3000 from server.ts:12). ${ADVICE}`,
		);
	});

	it("gives Node's own name for a resource it has no words for", () => {
		expect(keepsAliveMessage({kind: 'keeps-alive', idleMs: 3000, resources: {SomethingWrap: 2}, servers: [], timers: [], taskIds: []})).toBe(
			`Nothing ran for 3.00s, yet the process stayed alive, held by 2 SomethingWrap. ${ADVICE}`,
		);
	});

	it('held by a read of its terminal alone, it may be waiting for someone to answer a prompt: says so', () => {
		expect(keepsAliveMessage({kind: 'keeps-alive', idleMs: 2340, resources: {TTYWrap: 1}, servers: [], timers: [], taskIds: []})).toBe(
			'Nothing ran for 2.34s, yet the process stayed alive, held by 1 read of the terminal. ' +
				'If it asked a question, it waits for the answer; if not, close the readline interface or pause stdin when done',
		);
		expect(keepsAliveMessage({kind: 'keeps-alive', idleMs: 3000, resources: {TTYWrap: 1, Timeout: 1}, servers: [], timers: [], taskIds: []})).toBe(
			`Nothing ran for 3.00s, yet the process stayed alive, held by 1 read of the terminal, 1 timer. ${ADVICE}`,
		);
	});
});
