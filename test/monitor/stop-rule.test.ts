import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {KILL_GRACE_MS, STUCK_CHECK_MS, StopRule} from '../../source/monitor/stop-rule.js';
import {StuckLoop} from '../../source/monitor/stuck-loop.js';
import type {StopSignal} from '../../source/protocol/events.js';

/** A signal sent, and whether to the script's whole process group. */
const to = (signal: NodeJS.Signals, group: boolean): string => `${signal}${group ? ' to the group' : ''}`;

describe('the stop rule', () => {
	let sent: string[];
	let rule: StopRule;
	beforeEach(() => {
		vi.useFakeTimers();
		sent = [];
		rule = new StopRule({signal: (signal, group = false) => sent.push(to(signal, group))});
	});
	afterEach(() => vi.useRealTimers());

	it('forwards the first Ctrl-C and kills on the second, to the processes the script started too, as a terminal would', () => {
		rule.deliver('SIGINT');
		expect(sent).toEqual(['SIGINT to the group']);
		vi.advanceTimersByTime(60_000);
		expect(sent).toEqual(['SIGINT to the group']);
		rule.deliver('SIGINT');
		expect(sent).toEqual(['SIGINT to the group', 'SIGKILL to the group']);
	});

	for (const [signal, group] of [['SIGTERM', false], ['SIGHUP', true]] as const) {
		it(`forwards ${signal} and kills ${KILL_GRACE_MS} ms later, once, ${group ? 'to the group, as a terminal hanging up would' : 'to the script alone, as `kill PID` would'}`, () => {
			rule.deliver(signal);
			rule.deliver(signal);
			vi.advanceTimersByTime(KILL_GRACE_MS - 1);
			expect(sent).toEqual([to(signal, group), to(signal, group)]);
			vi.advanceTimersByTime(1);
			expect(sent).toEqual([to(signal, group), to(signal, group), to('SIGKILL', group)]);
		});
	}

	it('sends a SIGTERM to the group when asked (quitting the dashboard), and its kill too', () => {
		rule.deliver('SIGTERM', true);
		vi.advanceTimersByTime(KILL_GRACE_MS);
		expect(sent).toEqual(['SIGTERM to the group', 'SIGKILL to the group']);
	});

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

describe('the stop rule, for a script stuck in synchronous code', () => {
	let sent: NodeJS.Signals[];
	let endedFor: StopSignal[];
	let stuck: StuckLoop;
	let rule: StopRule;
	beforeEach(() => {
		vi.useFakeTimers();
		sent = [];
		endedFor = [];
		stuck = new StuckLoop();
		rule = new StopRule({signal: signal => sent.push(signal)});
		rule.attach({stuckWithoutHandler: signal => stuck.withoutHandlerFor(signal), endFor: signal => endedFor.push(signal)});
	});
	afterEach(() => {
		rule.dispose();
		vi.useRealTimers();
	});

	it('ends it at once for a signal it does not handle, which node would have ended it with', () => {
		stuck.see({type: 'block.start', t: 1, id: 1, task: null, detectedAt: 60, handles: ['SIGTERM']});
		rule.deliver('SIGINT');
		expect(sent).toEqual(['SIGINT']);
		expect(endedFor).toEqual(['SIGINT']);
	});

	it('leaves it to its own handler, as under node: a second Ctrl-C, or the 2 s after a SIGTERM, still end it', () => {
		stuck.see({type: 'block.start', t: 1, id: 1, task: null, detectedAt: 60, handles: ['SIGINT', 'SIGTERM']});
		rule.deliver('SIGINT');
		rule.deliver('SIGTERM');
		vi.advanceTimersByTime(KILL_GRACE_MS);
		expect(endedFor).toEqual([]);
		expect(sent).toEqual(['SIGINT', 'SIGTERM', 'SIGKILL']);
	});

	it('sees a block its watchdog reports after the signal came, and none that ended', () => {
		rule.deliver('SIGHUP');
		vi.advanceTimersByTime(STUCK_CHECK_MS);
		expect(endedFor).toEqual([]);
		stuck.see({type: 'block.start', t: 1, id: 2, task: null, detectedAt: 60, handles: []});
		vi.advanceTimersByTime(STUCK_CHECK_MS);
		expect(endedFor).toEqual(['SIGHUP']);
		// Once only.
		vi.advanceTimersByTime(10 * STUCK_CHECK_MS);
		expect(endedFor).toEqual(['SIGHUP']);
	});

	it('a later signal the script does not handle is looked for too, once one it handles came first', () => {
		rule.deliver('SIGINT');
		rule.deliver('SIGTERM');
		stuck.see({type: 'block.start', t: 1, id: 5, task: null, detectedAt: 60, handles: ['SIGINT']});
		vi.advanceTimersByTime(STUCK_CHECK_MS);
		expect(endedFor).toEqual(['SIGTERM']);
	});

	it('does not end a script whose block is over', () => {
		stuck.see({type: 'block.start', t: 1, id: 3, task: null, detectedAt: 60, handles: []});
		stuck.see({type: 'block.end', t: 90, id: 3, durationMs: 89, task: null, exact: false});
		rule.deliver('SIGINT');
		vi.advanceTimersByTime(10 * STUCK_CHECK_MS);
		expect(endedFor).toEqual([]);
	});
});
