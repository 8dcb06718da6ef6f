import {closeSync, openSync, readFileSync} from 'node:fs';
import {once} from 'node:events';
import {Worker} from 'node:worker_threads';
import {setTimeout as sleep} from 'node:timers/promises';
import {describe, expect, it} from 'vitest';
import {LoopWatch} from '../../source/runtime/watchdog.js';
import {Task} from '../../source/runtime/tracker.js';
import type {BlockEndEvent} from '../../source/protocol/events.js';
import {epochNow, F64_EXCLUDED, F64_HEARTBEAT, F64_OPEN_BLOCK_START, I32_OPEN_BLOCK, I32_OPEN_BLOCK_SEEN_TASK, I32_OPEN_BLOCK_TASK, I32_PAUSED, I32_TASK, WATCH_BUFFER_BYTES, type WatchdogData} from '../../source/runtime/watchdog-layout.js';
import {tempFile} from '../helpers/temp.js';

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

describe('LoopWatch.longSlice, a block the watchdog told from the last beat', () => {
	/** A watch just past its beat, whose thread's wait for a CPU is what the test says it is. */
	function beaten(queued: {ms: number}): LoopWatch {
		const watch = loopWatch(50);
		(watch as unknown as {times: () => {runMs: number; queuedMs: number}}).times = () => ({runMs: Number.NaN, queuedMs: queued.ms});
		watch.entryStarted();
		return watch;
	}

	/**
	 * A task's stretch of 25 ms of its own that began now, which the watchdog told as a block from the beat (as it does
	 * for a stretch that began long after it, see silenceStart): the block's end, as the stretch closes it.
	 */
	function stretchToldFromBeat(watch: LoopWatch): BlockEndEvent {
		const task = new Task(7, null, null, undefined, 0);
		const stretchStart = performance.now();
		watch.running(task, stretchStart);
		const inside = watch as unknown as {f64: Float64Array; i32: Int32Array};
		inside.f64[F64_OPEN_BLOCK_START] = inside.f64[F64_HEARTBEAT]!;
		Atomics.store(inside.i32, I32_OPEN_BLOCK, 1);
		hold(25);
		const [end] = watch.longSlice(task, stretchStart, performance.now(), 0);
		return end as BlockEndEvent;
	}

	it('counts the wait for a CPU since the beat: a thread woken late on a busy machine waited before its stretch began', () => {
		const queued = {ms: 0};
		const watch = beaten(queued);
		// Its timer was due, and the thread ready to run, but the CPU was another's for 40 ms.
		hold(40);
		queued.ms += 40;
		const end = stretchToldFromBeat(watch);
		expect(end).toMatchObject({type: 'block.end', starved: true, queuedMs: 40});
	});

	it('leaves out the time the loop was idle: waiting for its next event is no part of a block', async () => {
		const watch = beaten({ms: 0});
		// The loop waits for a timer, idle (a machine too busy to run the beat in between).
		await new Promise(resolve => setTimeout(resolve, 60));
		const end = stretchToldFromBeat(watch);
		expect(end).toMatchObject({type: 'block.end', starved: true});
		expect(end.durationMs).toBeLessThan(50);
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

/** The real watchdog thread on a buffer of the test's: the loop silent for `silentForMs` (since its last beat), `task` running (0: none). */
function watchdogThread(task: number, {silentForMs = 500, thresholdMs = 50} = {}) {
	const buffer = new SharedArrayBuffer(WATCH_BUFFER_BYTES);
	const i32 = new Int32Array(buffer);
	const f64 = new Float64Array(buffer);
	const out = tempFile('watchdog.ndjson');
	const fd = openSync(out, 'w');
	const startedAt = epochNow() - 1000;
	f64[F64_HEARTBEAT] = epochNow() - silentForMs;
	i32[I32_TASK] = task;
	i32[I32_PAUSED] = 0;
	const thread = new Worker(new URL('../../dist/watchdog.js', import.meta.url), {workerData: {buffer, fd, thresholdMs, startedAt, cwd: process.cwd(), monitorPid: 0, idBase: 0} satisfies WatchdogData});
	type Line = {type: string; t: number; task?: number | null};
	const lines = (): Line[] => readFileSync(out, 'utf8').split('\n').filter(Boolean).map(line => JSON.parse(line));
	const line = async (type: string): Promise<Line> => {
		for (let waited = 0; !lines().some(line => line.type === type) && waited < 5000; waited += 10) await sleep(10);
		return lines().find(line => line.type === type)!;
	};
	/** The loop turns (`at`: when the beat says it did): the block is over. */
	const beat = (at = epochNow()): void => {
		f64[F64_HEARTBEAT] = at;
	};
	/** Epoch ms as the thread's lines give them. */
	const relative = (epoch: number): number => epoch - startedAt;
	const stop = async (): Promise<void> => {
		await thread.terminate();
		closeSync(fd);
	};
	return {i32, line, beat, relative, online: once(thread, 'online'), stop};
}

describe('the watchdog thread', () => {
	// A server under load: a block's end, seen at a poll made late (the thread waited for a CPU), named the task of the
	// stretch that ran after it, one that started 12 ms after the block ended (`a task not reported yet (#2791)`).
	it("names at a block's end the task it saw in the block, not the one running when it looks again", async () => {
		const watchdog = watchdogThread(5);
		try {
			expect(await watchdog.line('block.start')).toMatchObject({task: 5});
			// Left for the main thread's next flush, which puts that task in the stream (see Tracker.keepWhole), and the
			// task it sees in the block as it looks again.
			expect(Atomics.load(watchdog.i32, I32_OPEN_BLOCK_TASK)).toBe(5);
			for (let waited = 0; Atomics.load(watchdog.i32, I32_OPEN_BLOCK_SEEN_TASK) === 0 && waited < 5000; waited += 10) await sleep(10);
			expect(Atomics.load(watchdog.i32, I32_OPEN_BLOCK_SEEN_TASK)).toBe(5);
			// The loop turned, and the next stretch's task runs, in the same instant the thread looks.
			watchdog.i32[I32_TASK] = 9;
			watchdog.beat();
			expect(await watchdog.line('block.end')).toMatchObject({task: 5});
		} finally {
			await watchdog.stop();
		}
	});

	// A tester's loop of 2,000 awaits, then a first fetch() that loaded undici: the watchdog, late to a CPU, told the block as
	// the fetch ran and named the fetch's caller, the one it saw from then on; its first looks had found the loop's task.
	it("names at a block's end the task seen most through the silence, from its first look, and ends it no earlier than a task was seen at work", async () => {
		const watchdog = watchdogThread(0, {silentForMs: 0, thresholdMs: 300});
		try {
			await watchdog.online;
			watchdog.beat();
			watchdog.i32[I32_TASK] = 7;
			await sleep(280);
			watchdog.i32[I32_TASK] = 9;
			expect(await watchdog.line('block.start')).toMatchObject({task: 9});
			await sleep(40);
			const lastAtWork = epochNow();
			// A beat that says the loop turned 60 ms ago: the looks found task 9 at work since.
			watchdog.beat(lastAtWork - 60);
			const end = await watchdog.line('block.end');
			expect(end).toMatchObject({task: 7});
			expect(end.t).toBeGreaterThan(watchdog.relative(lastAtWork - 40));
		} finally {
			await watchdog.stop();
		}
	});

	// A library's lazy require() after an await of its own spun 300 ms, no task running; then the task awaiting the library
	// resumed, and the top level after it, before the loop turned: a look then blamed the whole block on the top level.
	it("names at a block's end no task when code of no task's ran most of it, though a task ran just before the loop turned", async () => {
		const watchdog = watchdogThread(0);
		try {
			expect(await watchdog.line('block.start')).toMatchObject({task: null});
			await sleep(300);
			watchdog.i32[I32_TASK] = 1;
			await sleep(15);
			watchdog.beat();
			expect(await watchdog.line('block.end')).toMatchObject({task: null});
			expect(Atomics.load(watchdog.i32, I32_OPEN_BLOCK_SEEN_TASK)).toBe(0);
		} finally {
			await watchdog.stop();
		}
	});
});
