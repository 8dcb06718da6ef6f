import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {STUCK_CHECK_MS, StopRule} from '../../source/monitor/stop-rule.js';
import {StuckLoop} from '../../source/monitor/stuck-loop.js';
import {KILL_GRACE_MS, type ForcedKill, type StopSignal} from '../../source/protocol/events.js';

/** A signal sent, and whether to the script's whole process group. */
const to = (signal: NodeJS.Signals, group: boolean): string => `${signal}${group ? ' to the group' : ''}`;

describe('the stop rule', () => {
	let sent: string[];
	let forced: ForcedKill[];
	let rule: StopRule;
	let stuckNow: boolean;
	beforeEach(() => {
		vi.useFakeTimers();
		stuckNow = false;
		sent = [];
		forced = [];
		rule = new StopRule({signal: (signal, group = false) => sent.push(to(signal, group))});
		rule.attach({isStuck: () => stuckNow, stuckWithoutHandler: () => false, handledTimes: () => 0, endFor: () => {}, forcing: kill => forced.push(kill)});
	});
	afterEach(() => vi.useRealTimers());

	it('forwards the first Ctrl-C and kills on the second, to the processes the script started too, as a terminal would', () => {
		rule.deliver('SIGINT');
		expect(sent).toEqual(['SIGINT to the group']);
		vi.advanceTimersByTime(60_000);
		expect(sent).toEqual(['SIGINT to the group']);
		rule.deliver('SIGINT');
		expect(sent).toEqual(['SIGINT to the group', 'SIGKILL to the group']);
		expect(forced).toEqual([{after: 'SIGINT', because: 'again'}]);
	});

	// As `kill PID` sends it to node alone: its graceful shutdown takes as long as it takes (docker stop, Kubernetes and
	// systemd allow 10-30 s, then kill it themselves); the 2 s kill cut a 4 s drain short before.
	it('forwards a SIGTERM to the script alone and never kills it for the time it takes; a second one reaches its handler again, as under node', () => {
		rule.deliver('SIGTERM');
		vi.advanceTimersByTime(60_000);
		expect(sent).toEqual(['SIGTERM']);
		expect(forced).toEqual([]);
		// A supervisor's, or a `kill` loop's: node hands it to the script's handler again, which goes on draining.
		rule.deliver('SIGTERM');
		expect(sent).toEqual(['SIGTERM', 'SIGTERM']);
		expect(forced).toEqual([]);
		// Stuck in synchronous code, where no handler can run: the next one kills it, and says why.
		stuckNow = true;
		rule.deliver('SIGTERM');
		expect(sent).toEqual(['SIGTERM', 'SIGTERM', 'SIGKILL']);
		expect(forced).toEqual([{after: 'SIGTERM', because: 'again'}]);
	});

	it(`forwards a hangup to the group, as a terminal's would reach it, and kills it ${KILL_GRACE_MS} ms later, once: the terminal is gone`, () => {
		rule.deliver('SIGHUP');
		rule.deliver('SIGHUP');
		vi.advanceTimersByTime(KILL_GRACE_MS - 1);
		expect(sent).toEqual(['SIGHUP to the group', 'SIGHUP to the group']);
		vi.advanceTimersByTime(1);
		expect(sent).toEqual(['SIGHUP to the group', 'SIGHUP to the group', 'SIGKILL to the group']);
		expect(forced).toEqual([{after: 'SIGHUP', because: 'grace'}]);
	});

	it('quitting the dashboard sends a SIGTERM to the group, and its kill 2 s later', () => {
		rule.quit();
		// Said as it is sent, should the SIGTERM end the script.
		expect(forced).toEqual([{after: 'SIGTERM', because: 'quit'}]);
		vi.advanceTimersByTime(KILL_GRACE_MS);
		expect(sent).toEqual(['SIGTERM to the group', 'SIGKILL to the group']);
		expect(forced.at(-1)).toEqual({after: 'SIGTERM', because: 'quit'});
	});

	it('kills nothing once the script ended', () => {
		rule.deliver('SIGHUP');
		rule.dispose();
		vi.advanceTimersByTime(KILL_GRACE_MS);
		expect(sent).toEqual(['SIGHUP to the group']);
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
		rule.attach({
			isStuck: () => stuck.blocked,
			stuckWithoutHandler: signal => stuck.withoutHandlerFor(signal),
			handledTimes: signal => stuck.handledTimes(signal),
			endFor: signal => endedFor.push(signal),
			forcing: () => {},
		});
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

	it('leaves it to its own handler, as under node: a second Ctrl-C or SIGTERM, or the 2 s after a hangup, still end it', () => {
		stuck.see({type: 'block.start', t: 1, id: 1, task: null, detectedAt: 60, handles: ['SIGINT', 'SIGTERM', 'SIGHUP']});
		rule.deliver('SIGINT');
		rule.deliver('SIGTERM');
		vi.advanceTimersByTime(KILL_GRACE_MS);
		expect(sent).toEqual(['SIGINT', 'SIGTERM']);
		rule.deliver('SIGTERM');
		expect(sent).toEqual(['SIGINT', 'SIGTERM', 'SIGKILL']);
		rule.deliver('SIGHUP');
		vi.advanceTimersByTime(KILL_GRACE_MS);
		expect(endedFor).toEqual([]);
		expect(sent).toEqual(['SIGINT', 'SIGTERM', 'SIGKILL', 'SIGHUP', 'SIGKILL']);
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

	it('leaves a shutdown to finish once its handler took the signal, a process.once handler gone meanwhile, as under node', () => {
		rule.deliver('SIGTERM');
		stuck.see({type: 'signal', t: 5, signal: 'SIGTERM'});
		vi.advanceTimersByTime(STUCK_CHECK_MS);
		// Its handler, a once, is gone; what it does next blocks the loop.
		stuck.see({type: 'block.start', t: 6, id: 4, task: null, detectedAt: 60, handles: []});
		vi.advanceTimersByTime(10 * STUCK_CHECK_MS);
		expect(endedFor).toEqual([]);
		expect(sent).toEqual(['SIGTERM']);
		// The same signal delivered again, stuck, with no handler: node would end it.
		rule.deliver('SIGTERM');
		expect(sent).toEqual(['SIGTERM', 'SIGKILL']);
	});

	it('still ends a script stuck without a handler for a signal that came after its handler took an earlier one', () => {
		rule.deliver('SIGINT');
		stuck.see({type: 'signal', t: 5, signal: 'SIGINT'});
		rule.deliver('SIGHUP');
		stuck.see({type: 'block.start', t: 6, id: 4, task: null, detectedAt: 60, handles: []});
		vi.advanceTimersByTime(STUCK_CHECK_MS);
		expect(endedFor).toEqual(['SIGHUP']);
	});

	it('does not end a script whose block is over', () => {
		stuck.see({type: 'block.start', t: 1, id: 3, task: null, detectedAt: 60, handles: []});
		stuck.see({type: 'block.end', t: 90, id: 3, durationMs: 89, task: null, exact: false});
		rule.deliver('SIGINT');
		vi.advanceTimersByTime(10 * STUCK_CHECK_MS);
		expect(endedFor).toEqual([]);
	});
});
