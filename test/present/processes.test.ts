import {describe, expect, it} from 'vitest';
import {exitOutcome, exitStatusText, forcedText, processLabel} from '../../source/present/processes.js';
import {reduce, event} from '../helpers/events.js';

describe('processes', () => {
	it('words how a child process ended', () => {
		expect(exitOutcome({code: 0, signal: null})).toBe('exited 0');
		expect(exitOutcome({code: 3, signal: null})).toBe('exited with code 3');
		expect(exitOutcome({code: null, signal: 'SIGKILL'})).toBe('killed by SIGKILL');
		expect(exitOutcome(undefined)).toBe('ended');
	});

	it('fits the exit in the status column', () => {
		expect(exitStatusText({code: 0, signal: null})).toBe('0');
		expect(exitStatusText({code: 127, signal: null})).toBe('127');
		expect(exitStatusText({code: null, signal: 'SIGTERM'})).toBe('TERM');
	});

	it("names a child op with its pid, when it has one", () => {
		const state = reduce([
			event('op.start', {t: 1, id: 2, parent: null, kind: 'child', name: 'ls -l', process: {pid: 99, command: 'ls -l'}}),
			event('op.start', {t: 1, id: 3, parent: null, kind: 'child', name: 'nosuch', process: {command: 'nosuch'}}),
		]);
		expect(processLabel(state.nodes.get(2)!)).toBe('ls -l (pid 99)');
		expect(processLabel(state.nodes.get(3)!)).toBe('nosuch');
	});

	it("says why asyncmon sent the script SIGKILL after a stop signal, and nothing when it did not", () => {
		expect(forcedText({forced: {after: 'SIGINT', because: 'again'}})).toBe('asyncmon ended it with SIGKILL at a second Ctrl-C (SIGINT)');
		expect(forcedText({forced: {after: 'SIGTERM', because: 'again'}})).toBe('asyncmon ended it with SIGKILL at a second SIGTERM');
		expect(forcedText({forced: {after: 'SIGHUP', because: 'grace'}})).toBe('asyncmon ended it with SIGKILL: it was still running 2.00s after SIGHUP');
		expect(forcedText({forced: {after: 'SIGTERM', because: 'quit'}, signal: 'SIGKILL'})).toBe('asyncmon ended it with SIGKILL: it was still running 2.00s after the dashboard was quit (SIGTERM)');
		expect(forcedText({forced: {after: 'SIGTERM', because: 'quit'}, signal: 'SIGTERM'})).toBe('the dashboard was quit: asyncmon sent it SIGTERM, which ended it');
		expect(forcedText({})).toBeNull();
	});
});
