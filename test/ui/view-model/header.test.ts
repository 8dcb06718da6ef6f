import {describe, expect, it} from 'vitest';
import {glyphs} from '../../../source/present/states.js';
import {headerLines, scriptStatus} from '../../../source/ui/view-model/header.js';
import type {AsyncmonEvent} from '../../../source/protocol/events.js';
import {event, reduce} from '../../helpers/events.js';

describe("the dashboard header's script status", () => {
	it('says who killed the script: asyncmon after a stop signal, for a stuck script, or the signal alone', () => {
		const exited = (exit: Record<string, unknown>) => scriptStatus(reduce([event('exit', {t: 5, code: null, signal: 'SIGKILL', ...exit})])).text;
		expect(exited({forced: {after: 'SIGTERM', because: 'again'}})).toBe('killed by SIGKILL (by asyncmon after SIGTERM)');
		expect(exited({stoppedFor: 'SIGINT'})).toBe('killed by SIGINT (stuck: SIGKILL)');
		expect(exited({})).toBe('killed by SIGKILL');
	});
});

describe("the dashboard header's uncaught errors", () => {
	const lines = (events: Parameters<typeof reduce>[0]): string[] =>
		headerLines({state: reduce(events), title: 'app.js', nowMs: 100, width: 160, ascii: false, glyphs: glyphs(false), viewPaused: false, replay: undefined, badge: []}).map(line => line.map(segment => segment.text).join(''));

	it('says what ended the script, though no task failed: an exception thrown in a timer callback has no row', () => {
		const error = {name: 'TypeError', message: "Cannot set properties of null (setting 'retries')", location: 'app.js:5:21'};
		const shown = lines([event('uncaught', {t: 50, origin: 'uncaughtException', error, task: null}), event('exit', {t: 51, code: 1})]);
		expect(shown).toContain("✖ Uncaught exception: TypeError: Cannot set properties of null (setting 'retries') at app.js:5:21");
	});

	it("shows the one that ended the process before those the script's own handler took, and how many more there were", () => {
		const handled = (message: string) => event('uncaught', {t: 10, origin: 'uncaughtException', error: {name: 'Error', message}, task: null, handled: true});
		const fatal = event('uncaught', {t: 30, origin: 'unhandledRejection', error: {name: 'Error', message: 'fatal'}, task: null});
		expect(lines([handled('first'), fatal, handled('later')])).toContain('✖ Unhandled rejection: Error: fatal (+2 more)');
		expect(lines([handled('first'), handled('later')])).toContain("⚠ Uncaught exception, handled by the script's process.on('uncaughtException'): Error: later (+1 more)");
		expect(lines([event('exit', {t: 51, code: 0})]).join('\n')).not.toContain('Uncaught');
	});
});

describe("the dashboard header's counts", () => {
	// `+ 2 processes running  82,716 of them …`, cut at 140 columns, read as the processes'.
	it('says how many of the tasks done were folded in words of their own, before the lanes running beside them', () => {
		const lane = 1_000_000_000_001;
		const state = reduce([
			event('task.start', {t: 0, id: 1, kind: 'script', name: 'app.js', loc: null}),
			event('task.start', {t: 1, id: lane, parent: 1, kind: 'process', name: 'pid 42: node worker.js', loc: null, process: {pid: 42, command: 'node worker.js'}}),
			event('task.start', {t: 2, id: lane + 1, parent: lane, kind: 'task', name: 'work()', loc: 'worker.js:1:1'}),
		]);
		state.aggregated.tasks = 82_716;
		const counts = headerLines({state, title: 'app.js', nowMs: 100, width: 160, ascii: false, glyphs: glyphs(false), viewPaused: false, replay: undefined, badge: []})[1]!.map(segment => segment.text).join('');
		expect(counts).toMatch(/in flight {2}82,716 done folded into per-site rows {2}\+ 1 process running$/);
	});

	// A tester's pool at 160 columns: `… http 32 in flight, 17 failed  326 done folde`: the newest count, cut.
	it('shortens the folded rows\' words with the counts\' until the line fits, rather than cut the fold count off', () => {
		const events = [event('task.start', {t: 0, id: 1, kind: 'script', name: 'app.js', loc: null})];
		for (let id = 2; id < 40; id++) events.push(event('task.start', {t: 1, id, parent: 1, kind: 'task', name: 'getItem()', loc: 'app.js:4:1'}));
		const state = reduce(events);
		state.taskCounts.finished = 3_126;
		state.taskCounts.failed = 33;
		state.held.tasks = 25;
		state.aggregated.tasks = 1_288;
		state.httpFailed = 33;
		const counts = (width: number): string => headerLines({state, title: 'app.js', nowMs: 100, width, ascii: false, glyphs: glyphs(false), viewPaused: false, replay: undefined, badge: []})[1]!.map(segment => segment.text).join('');
		expect(counts(160)).toBe('▶ 1  ⏸ 37  ⏫ 0  ✔ 3,126  ✖ 33   + 25 new  concurrency 38.6×  http 0 in flight, 33 failed  1,288 folded');
		expect(counts(100)).toBe('▶ 1 ⏸ 37 ⏫ 0 ✔ 3,126 ✖ 33  + 25 new conc 38.6×  http 0 in flight, 33 failed  1,288 folded');
		// At 80 columns the states none is in and the concurrency give way, not the fold count.
		// The tasks held back keep a word: a bare `+ 25` after the failed count read as part of it.
		expect(counts(80)).toBe('▶ 1 ⏸ 37 ✔ 3,126 ✖ 33  + 25 new  http 0 in flight, 33 failed  1,288 folded');
		for (const width of [100, 80]) expect(counts(width).length).toBeLessThanOrEqual(width);
	});
});

describe("the dashboard header's counts once the script was killed", () => {
	// A tester's piscina pool killed by SIGINT: `⏸ 36  … + 2 worker threads running`, the workers gone; at 80 columns a
	// bare `⏸ 4`, which read as tasks still waiting.
	it('says in words, however narrow, that the tasks left were interrupted, and that no lane runs any more', () => {
		const lane = 1_000_000_000_001;
		const events: AsyncmonEvent[] = [
			event('task.start', {t: 0, id: 1, kind: 'script', name: 'pool.js', loc: null}),
			event('task.start', {t: 1, id: lane, parent: 1, kind: 'worker', name: 'worker 1', loc: null}),
		];
		for (let id = 2; id < 6; id++) events.push(event('task.start', {t: 1, id, parent: 1, kind: 'task', name: 'run()', loc: 'pool.js:4:1'}), event('task.await', {t: 2, id, on: {kind: 'promise'}}));
		events.push(event('exit', {t: 50, code: null, signal: 'SIGINT'}));
		const state = reduce(events);
		state.taskCounts.finished = 26_036;
		const counts = (width: number): string => headerLines({state, title: 'pool.js', nowMs: 100, width, ascii: false, glyphs: glyphs(false), viewPaused: false, replay: undefined, badge: []})[1]!.map(segment => segment.text).join('');
		expect(counts(160)).toContain('⏸ 4 interrupted by SIGINT');
		expect(counts(60)).toContain('⏸ 4 interrupted');
		for (const width of [160, 60]) expect(counts(width)).not.toContain('running');
	});
});

describe("the dashboard header's loop status", () => {
	it("names a block of no task's, read in a library's loading under main()'s async context, as main()'s, with what it loaded from", () => {
		const state = reduce([
			event('task.start', {t: 0, id: 1, kind: 'script', name: 'main.mjs', loc: null}),
			event('task.start', {t: 1, id: 2, parent: 1, kind: 'task', name: 'main()', loc: 'main.mjs:2:1'}),
			event('block.start', {t: 10, id: 1, task: null, detectedAt: 112}),
			event('block.stack', {t: 120, id: 1, frames: [], loading: true, module: 'node_modules/lazyfw/index.js:1:95', task: 2}),
		]);
		const shown = headerLines({state, title: 'main.mjs', nowMs: 310, width: 160, ascii: false, glyphs: glyphs(false), viewPaused: false, replay: undefined, badge: []})
			.map(line => line.map(segment => segment.text).join(''))
			.join('\n');
		expect(shown).toContain('BLOCKED 300ms by main() (loading modules from node_modules/lazyfw/index.js)');
	});
});
