import {existsSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {isScriptsBlock, mainThreadRunnable, mainThreadTimes, silenceStart, stallEnd, stallOf} from '../../source/runtime/stall.js';

/** How long after a beat a stretch may begin in a loop that turned (the watchdog's: two heartbeats). */
const TURN_MS = 20;

const THRESHOLD_MS = 50;

describe('a stall of the loop, and whose it was', () => {
	it('a thread that computed all along blocked the loop', () => {
		const stall = stallOf(300, 0, 2);
		expect(stall).toEqual({durationMs: 300, queuedMs: 2});
		expect(isScriptsBlock(stall, THRESHOLD_MS)).toBe(true);
	});

	it('a thread that waited for a CPU most of the stall was starved, not blocked', () => {
		expect(isScriptsBlock(stallOf(300, 0, 280), THRESHOLD_MS)).toBe(false);
	});

	it('a thread starved for part of a long stall still blocked the loop for its own share', () => {
		const stall = stallOf(300, 0, 200);
		expect(isScriptsBlock(stall, THRESHOLD_MS)).toBe(true);
		expect(stall.queuedMs).toBe(200);
	});

	it('a thread asleep in a synchronous call (readFileSync, execSync, Atomics.wait) blocked the loop: it waited for no CPU', () => {
		expect(isScriptsBlock(stallOf(300, 0, 0), THRESHOLD_MS)).toBe(true);
	});

	it("asyncmon's own hold on the thread (reading its stack) is no part of the block", () => {
		const stall = stallOf(130, 40, 0);
		expect(stall.durationMs).toBe(90);
		expect(isScriptsBlock(stallOf(80, 40, 0), THRESHOLD_MS)).toBe(false);
	});

	it('the wait for a CPU is at most the stall, and a reading that went backwards is none', () => {
		expect(stallOf(100, 0, 140).queuedMs).toBe(100);
		expect(stallOf(100, 0, -3).queuedMs).toBe(0);
	});

	it('where the system does not say how long the thread waited for a CPU, every stall is the script', () => {
		const stall = stallOf(300, 0, Number.NaN);
		expect(stall.queuedMs).toBeNaN();
		expect(isScriptsBlock(stall, THRESHOLD_MS)).toBe(true);
	});

	it('a stall reported while it lasted is closed with its wait for a CPU, and as starved when that wait made it', () => {
		const end = (stall: ReturnType<typeof stallOf>) => stallEnd({type: 'block.end', t: 300, id: 1, durationMs: stall.durationMs, task: null, exact: false}, stall, THRESHOLD_MS);
		expect(end(stallOf(300, 0, 20))).toEqual({type: 'block.end', t: 300, id: 1, durationMs: 300, task: null, exact: false, queuedMs: 20});
		expect(end(stallOf(300, 0, 280))).toMatchObject({queuedMs: 280, starved: true});
		expect(end(stallOf(300, 0, Number.NaN))).toEqual({type: 'block.end', t: 300, id: 1, durationMs: 300, task: null, exact: false});
	});

	it('a silence seen late counts the wait for a CPU from its start: a stretch that began and ended since the beat does not move it', () => {
		const beat = {at: 1000, queuedMs: 10};
		// The stretch that runs now began after the beat: the silence is its own, and so is its reading.
		expect(silenceStart(beat, {at: 1020, queuedMs: 12}, TURN_MS)).toEqual({at: 1020, queuedMs: 12});
		// No stretch runs now (0); the last reading, taken as a stretch began after most of the wait, is not the silence's.
		const seenLate = silenceStart(beat, {at: 0, queuedMs: 45}, TURN_MS);
		expect(seenLate).toEqual(beat);
		// 74 ms of silence of which the thread waited 40 for a CPU: starved, where the later reading would have made it a block.
		expect(isScriptsBlock(stallOf(74, 0, 50 - seenLate.queuedMs), THRESHOLD_MS)).toBe(false);
		expect(isScriptsBlock(stallOf(74, 0, 50 - 45), THRESHOLD_MS)).toBe(true);
	});

	it('a stretch that began long after the beat ran in a loop that had not turned: the silence is from the beat', () => {
		const beat = {at: 1000, queuedMs: 10};
		// A loop of awaits: each continuation is a stretch of its own, the latest 300 ms after the last beat.
		expect(silenceStart(beat, {at: 1300, queuedMs: 30}, TURN_MS)).toEqual(beat);
		expect(silenceStart(beat, {at: 1000 + TURN_MS + 1, queuedMs: 30}, TURN_MS)).toEqual(beat);
	});

	it("reads the main thread's times on a CPU and waiting for one, clocks that never go back, or NaN where the system keeps none", () => {
		const times = mainThreadTimes();
		const first = times();
		if (!existsSync(`/proc/self/task/${process.pid}/schedstat`)) {
			expect(first).toEqual({runMs: Number.NaN, queuedMs: Number.NaN});
			return;
		}
		let spun = 0;
		for (let i = 0; i < 20_000_000; i++) spun += i;
		const second = times();
		expect(spun).toBeGreaterThan(0);
		expect(first.queuedMs).toBeGreaterThanOrEqual(0);
		expect(second.runMs).toBeGreaterThan(first.runMs);
		expect(second.queuedMs).toBeGreaterThanOrEqual(first.queuedMs);
	});

	it('the main thread, running this test, is runnable where the system says', () => {
		expect(mainThreadRunnable()()).toBe(existsSync(`/proc/self/task/${process.pid}/stat`));
	});
});
