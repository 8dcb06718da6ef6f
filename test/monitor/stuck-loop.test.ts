import {describe, expect, it} from 'vitest';
import {StuckLoop} from '../../source/monitor/stuck-loop.js';

describe('the stuck loop, as the script watchdog reports it', () => {
	it('is stuck from a reported block start to its end, without a handler for what the script does not listen to', () => {
		const stuck = new StuckLoop();
		expect(stuck.withoutHandlerFor('SIGINT')).toBe(false);
		stuck.see({type: 'block.start', t: 10, id: 7, task: 3, detectedAt: 70, handles: ['SIGTERM']});
		expect(stuck.withoutHandlerFor('SIGINT')).toBe(true);
		expect(stuck.withoutHandlerFor('SIGTERM')).toBe(false);
		// Another block's end, a followed process's, say, changes nothing.
		stuck.see({type: 'block.end', t: 90, id: 8, durationMs: 80, task: null, exact: false});
		expect(stuck.withoutHandlerFor('SIGINT')).toBe(true);
		// Claimed and measured by the main thread at its end.
		stuck.see({type: 'block.end', t: 120, id: 7, durationMs: 110, task: 3, exact: true});
		expect(stuck.withoutHandlerFor('SIGINT')).toBe(false);
	});

	it('counts the runs of the script\'s own handler for each stop signal', () => {
		const stuck = new StuckLoop();
		expect(stuck.handledTimes('SIGTERM')).toBe(0);
		stuck.see({type: 'signal', t: 10, signal: 'SIGTERM'});
		stuck.see({type: 'signal', t: 20, signal: 'SIGTERM'});
		expect(stuck.handledTimes('SIGTERM')).toBe(2);
		expect(stuck.handledTimes('SIGINT')).toBe(0);
	});

	it('takes no block from a recording older than the handles field as stuck', () => {
		const stuck = new StuckLoop();
		stuck.see({type: 'block.start', t: 10, id: 1, task: null, detectedAt: 70});
		expect(stuck.withoutHandlerFor('SIGINT')).toBe(false);
	});
});
