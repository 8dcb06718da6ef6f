import {describe, expect, it} from 'vitest';
import {LoopWatch} from '../../source/runtime/watchdog.js';
import {Task} from '../../source/runtime/tracker.js';
import {F64_EXCLUDED, I32_PAUSED, WATCH_BUFFER_BYTES} from '../../source/runtime/watchdog-layout.js';

/** The thread held, asleep: the script's own time, even on a machine so busy that a spin would wait for a CPU (starved, no block). */
const hold = (ms: number): void => {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

function loopWatch(thresholdMs: number): LoopWatch {
	// The buffer as startWatchdog leaves it, with no thread on it: the main thread's half alone.
	const watchdog = new SharedArrayBuffer(WATCH_BUFFER_BYTES);
	new Int32Array(watchdog)[I32_PAUSED] = 1;
	return new LoopWatch({
		watchdog,
		thresholdMs,
		cwd: process.cwd(),
		ownDirectory: '/nowhere',
		idBase: 0,
		// No heartbeats of its own while the test runs: the test says when the loop turns.
		setInterval: (() => ({unref() {}})) as unknown as typeof setInterval,
	});
}

describe('LoopWatch.longSlice, the main thread measuring a block exactly', () => {
	it('measures a slice past the threshold as one block, from its start to its end', () => {
		const watch = loopWatch(50);
		const task = new Task(7, null, null, undefined, 0);
		const start = performance.now();
		hold(100);
		const events = watch.longSlice(task, start, performance.now(), 0);
		expect(events.map(event => event.type)).toEqual(['block.start', 'block.end']);
		expect(events[0]).toMatchObject({t: start, task: 7});
	});

	it('never measures from before a beat: time before the loop turned is no part of the slice, however its start was kept', () => {
		const watch = loopWatch(50);
		const task = new Task(7, null, null, undefined, 0);
		const start = performance.now();
		hold(80);
		// The entry's code begins (a beat): what came before was module loading, not the slice.
		watch.entryStarted();
		const afterBeat = performance.now();
		hold(5);
		expect(watch.longSlice(task, start, performance.now(), 0)).toEqual([]);
		hold(100);
		const events = watch.longSlice(task, start, performance.now(), 0);
		expect(events[0]).toMatchObject({type: 'block.start', task: 7});
		expect((events[0] as {t: number}).t).toBeGreaterThanOrEqual(afterBeat - 1);
	});
});

describe('LoopWatch.excluded, work that is no block of the script\'s', () => {
	const excludedSoFar = (watch: LoopWatch): number => (watch as unknown as {f64: Float64Array}).f64[F64_EXCLUDED]!;

	it('pauses the watchdog while it runs; with a least time, leaves work quicker than it to the script', () => {
		const watch = loopWatch(50);
		watch.entryStarted();
		const paused = (watch as unknown as {i32: Int32Array}).i32;
		watch.excluded(() => expect(Atomics.load(paused, I32_PAUSED)).toBe(1), 2);
		expect(Atomics.load(paused, I32_PAUSED)).toBe(0);
		expect(excludedSoFar(watch)).toBe(0);
		watch.excluded(() => hold(10), 2);
		expect(excludedSoFar(watch)).toBeGreaterThanOrEqual(10);
		// With none, all of it is excluded, however short.
		const before = excludedSoFar(watch);
		watch.excluded(() => hold(1));
		expect(excludedSoFar(watch)).toBeGreaterThanOrEqual(before + 1);
	});
});

describe('LoopWatch.measureRequires, a block that was loading modules', () => {
	it('says so on its end when half of it or more was spent in require(), outermost calls counted once', () => {
		const watch = loopWatch(50);
		watch.entryStarted();
		const loaded: string[] = [];
		const modules = {
			require(this: unknown, id: string): unknown {
				loaded.push(id);
				// A module whose top level requires another, then spins: the time is counted once.
				if (id === 'outer') modules.require('inner');
				hold(id === 'outer' ? 60 : 20);
				return id;
			},
		};
		watch.measureRequires(modules);
		const task = new Task(7, null, null, undefined, 0);
		const start = performance.now();
		expect(modules.require('outer')).toBe('outer');
		hold(20);
		const [, end] = watch.longSlice(task, start, performance.now(), 0);
		expect(loaded).toEqual(['outer', 'inner']);
		expect(end).toMatchObject({type: 'block.end', loading: true});
		// The next block, no require in it: its own code.
		const next = performance.now();
		hold(80);
		expect(watch.longSlice(task, next, performance.now(), 0).at(-1)).not.toHaveProperty('loading');
	});
});
