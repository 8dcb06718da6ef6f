import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {KILL_GRACE_MS, StopRule} from '../../source/monitor/stop-rule.js';

describe('the stop rule', () => {
	let sent: NodeJS.Signals[];
	let rule: StopRule;
	beforeEach(() => {
		vi.useFakeTimers();
		sent = [];
		rule = new StopRule({signal: signal => sent.push(signal)});
	});
	afterEach(() => vi.useRealTimers());

	it('forwards the first Ctrl-C and kills on the second', () => {
		rule.deliver('SIGINT');
		expect(sent).toEqual(['SIGINT']);
		vi.advanceTimersByTime(60_000);
		expect(sent).toEqual(['SIGINT']);
		rule.deliver('SIGINT');
		expect(sent).toEqual(['SIGINT', 'SIGKILL']);
	});

	for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
		it(`forwards ${signal} and kills ${KILL_GRACE_MS} ms later, once`, () => {
			rule.deliver(signal);
			rule.deliver(signal);
			vi.advanceTimersByTime(KILL_GRACE_MS - 1);
			expect(sent).toEqual([signal, signal]);
			vi.advanceTimersByTime(1);
			expect(sent).toEqual([signal, signal, 'SIGKILL']);
		});
	}

	it('kills nothing once the script ended', () => {
		rule.deliver('SIGTERM');
		rule.dispose();
		vi.advanceTimersByTime(KILL_GRACE_MS);
		expect(sent).toEqual(['SIGTERM']);
	});
});

describe('the stop rule, when the script shares the terminal', () => {
	it('forwards no Ctrl-C, which the terminal gave the script already, and kills on the second', () => {
		const sent: NodeJS.Signals[] = [];
		const rule = new StopRule({signal: signal => sent.push(signal)}, true);
		rule.deliver('SIGINT');
		expect(sent).toEqual([]);
		rule.deliver('SIGINT');
		expect(sent).toEqual(['SIGKILL']);
	});
});
