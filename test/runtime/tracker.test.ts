import {writeFileSync} from 'node:fs';
import {createRequire, syncBuiltinESMExports} from 'node:module';
import {join} from 'node:path';
import timers from 'node:timers';
import {afterAll, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import type {AsyncmonEvent, HeaderEvent, OpStartEvent, TaskAwaitEvent, TaskEndEvent, TaskResumeEvent, TaskStartEvent} from '../../source/protocol/events.js';
import type {EventSink, KeptStarts} from '../../source/runtime/event-sink.js';
import {instrumentTimers} from '../../source/runtime/ops/timers.js';
import {SiteTable} from '../../source/runtime/site-table.js';
import {NONE_FOLDED, type IsFolded} from '../../source/runtime/span-folder.js';
import {Tracker} from '../../source/runtime/tracker.js';
import {tempDir} from '../helpers/temp.js';
import {instrument, RUNTIME_GLOBAL, type SiteRegistry} from '../../source/runtime/transform.js';
import {instrumentPromiseCombinators} from '../../source/runtime/wait-targets.js';

/**
 * The surface of EventSink that Tracker uses. Events are recorded as they
 * are pushed, and keep absolute `performance.now()` times (the real sink
 * shifts them at flush); `full` makes every push say the buffer is full.
 */
class RecordingSink {
	readonly events: Array<AsyncmonEvent | HeaderEvent> = [];
	full = false;
	flushes = 0;
	/** When each flush began (performance.now()). */
	readonly flushedAt: number[] = [];
	push(event: AsyncmonEvent | HeaderEvent): boolean {
		this.events.push(event);
		return this.full;
	}
	/** Which calls whose start is the last event fold as they end (their start taken back), as the real sink's allowance may say. */
	foldsEnded: (start: TaskStartEvent) => boolean = () => false;
	foldEnded(id: number): boolean {
		const last = this.events.at(-1);
		if (last?.type !== 'task.start' || last.id !== id || !this.foldsEnded(last)) return false;
		this.events.pop();
		return true;
	}
	/** Which calls start silent, their start unbuffered until something names them (see Tracker.reveal). */
	silentSites: (site: string) => boolean = () => false;
	startsSilent(site: string): boolean {
		return this.silentSites(site);
	}
	/** Tasks sent whole, never folded (see EventSink.keepWhole). */
	readonly keptWhole: number[] = [];
	keepWhole(id: number): void {
		this.keptWhole.push(id);
	}
	/** Silent calls that ended and folded, with their starts. */
	readonly foldedSilently: TaskStartEvent[] = [];
	foldSilent(start: TaskStartEvent): boolean {
		this.foldedSilently.push(start);
		return true;
	}
	/** Folds nothing else: `beforeWrite` names every task. */
	flush(beforeWrite?: (isFolded: IsFolded, kept: KeptStarts) => void): void {
		this.flushes++;
		this.flushedAt.push(performance.now());
		beforeWrite?.(NONE_FOLDED, NOTHING_KEPT);
	}
	drain(): void {}
	/** How long the script's output waited for the monitor, in all (see Tracker.writeToMonitor). */
	heldMs = 0;
	heldBack(ms: number): void {
		this.heldMs += ms;
	}
}

/** A flush that keeps nothing for the next one. */
const NOTHING_KEPT: KeptStarts = {from: Number.POSITIVE_INFINITY, has: () => false};

const SCRIPT = 'script.js';
const sink = new RecordingSink();
const sites = new SiteTable(SCRIPT, '/work/app');
let tracker: Tracker;
let slices: Array<{task: number; start: number; end: number}> = [];
/** Tasks the watchdog's thread named as blocks began, for the next flushes to take. */
const toldTasks: number[] = [];

const registry: SiteRegistry = {
	addFunction: site => sites.addFunction({name: site.name, loc: `${SCRIPT}:${site.line}:${site.column + 1}`}),
	addAwait: site => sites.addAwait({loc: `${SCRIPT}:${site.line}:${site.column + 1}`, dependent: site.dependent}),
	addDroppedCall: site => sites.addDroppedCall(`${SCRIPT}:${site.line}:${site.column + 1}`),
};

const BLOCK_THRESHOLD_MS = 4;

const saved = {
	timers: {setTimeout: timers.setTimeout, setInterval: timers.setInterval, clearTimeout: timers.clearTimeout, clearInterval: timers.clearInterval},
	global: {setTimeout: globalThis.setTimeout, setInterval: globalThis.setInterval, clearTimeout: globalThis.clearTimeout, clearInterval: globalThis.clearInterval},
	combinators: {all: Promise.all, allSettled: Promise.allSettled, race: Promise.race, any: Promise.any},
};

beforeAll(() => {
	tracker = new Tracker({
		sink: sink as unknown as EventSink,
		sites,
		runtimeDirectory: '/nonexistent/asyncmon/dist',
		watch: {
			thresholdMs: BLOCK_THRESHOLD_MS,
			running() {},
			longSlice(task, start, end) {
				slices.push({task: task.id, start, end});
				return [];
			},
			takeHeldMs: () => 0,
			takeToldTasks: () => toldTasks.splice(0),
			entryStarted() {},
			excluded: fn => fn(),
		},
	});
	(globalThis as Record<string, unknown>)[RUNTIME_GLOBAL] = tracker;
	// The real timer instrumentation: timers become ops owned by the current task.
	instrumentTimers(tracker);
	instrumentPromiseCombinators(tracker.promiseTargets);
});

afterAll(() => {
	Object.assign(timers, saved.timers);
	Object.assign(globalThis, saved.global);
	syncBuiltinESMExports();
	Object.assign(Promise, saved.combinators);
	delete (globalThis as Record<string, unknown>)[RUNTIME_GLOBAL];
});

let mark = 0;
beforeEach(() => {
	mark = sink.events.length;
	slices = [];
});

/** Events pushed since the current test began. */
/** The events since the test began, as a flush would write them (task names get their arguments there); a mid-burst flush, so no wait is shown early. */
const recent = (): AsyncmonEvent[] => {
	tracker.flush('burst');
	return sink.events.slice(mark) as AsyncmonEvent[];
};
const ofType = <T extends AsyncmonEvent['type']>(type: T): Array<Extract<AsyncmonEvent, {type: T}>> =>
	recent().filter((event): event is Extract<AsyncmonEvent, {type: T}> => event.type === type);

function startOf(name: string): TaskStartEvent {
	const found = ofType('task.start').find(event => event.name === name);
	if (!found) throw new Error(`no task.start named ${name}; have ${ofType('task.start').map(e => e.name).join(', ')}`);
	return found;
}
const endOf = (id: number): TaskEndEvent => ofType('task.end').find(event => event.id === id)!;
const awaitsOf = (id: number): TaskAwaitEvent[] => ofType('task.await').filter(event => event.id === id);
const resumesOf = (id: number): TaskResumeEvent[] => ofType('task.resume').filter(event => event.id === id);

const tmp = tempDir();
const requireFile = createRequire(join(tmp, 'index.cjs'));
let fileCount = 0;

/**
 * Instruments a CommonJS-style snippet (ending in `return {...}`) and loads it
 * from a real .cjs file, as user code is: the runtime tells user code from
 * library code by the caller's file.
 */
function load<T = Record<string, (...args: any[]) => Promise<any>>>(code: string): T {
	const out = instrument({code, sourceType: 'commonjs', registry});
	const file = join(tmp, `script${fileCount++}.cjs`);
	writeFileSync(file, `module.exports = (function () {${out.code}\n})();\n`);
	return requireFile(file) as T;
}

const HELPERS = 'const sleep = (ms, value) => new Promise(resolve => setTimeout(() => resolve(value), ms));\n';

describe('Tracker driven by instrumented code', () => {
	it('starts with the root task for the script', () => {
		const start = sink.events.find((event): event is TaskStartEvent => event.type === 'task.start' && event.id === tracker.root.id)!;
		expect(start).toMatchObject({parent: null, kind: 'script', name: SCRIPT, loc: `${SCRIPT}:1:1`});
	});

	it('names tasks like calls, links parents, and attributes timers to the task that created them', async () => {
		const {main} = load(`${HELPERS}
async function simulateRequest(name, ms) {
	await new Promise(resolve => setTimeout(resolve, ms));
	return name;
}
async function main() {
	const results = await Promise.all([simulateRequest("request-A", 30), simulateRequest("request-B", 60)]);
	return results;
}
return {main};`);
		expect(await main!()).toEqual(['request-A', 'request-B']);

		const mainStart = startOf('main()');
		expect(mainStart.parent).toBe(tracker.root.id);
		expect(mainStart.kind).toBe('task');
		expect(mainStart.loc).toBe(`${SCRIPT}:7:1`);
		const a = startOf('simulateRequest("request-A", 30)');
		const b = startOf('simulateRequest("request-B", 60)');
		expect(a.parent).toBe(mainStart.id);
		expect(b.parent).toBe(mainStart.id);
		expect(a.loc).toBe(`${SCRIPT}:3:1`);

		// Each request's timer is an op it owns, and its await is on that op.
		const timers = ofType('op.start').filter(op => op.kind === 'timer');
		const timerOf = (task: number): OpStartEvent => timers.find(op => op.parent === task)!;
		expect(timerOf(a.id)).toMatchObject({name: 'setTimeout 30ms', timer: {delayMs: 30, repeat: false}});
		expect(timerOf(b.id)).toMatchObject({name: 'setTimeout 60ms', timer: {delayMs: 60, repeat: false}});
		expect(awaitsOf(a.id)).toEqual([expect.objectContaining({on: {kind: 'op', id: timerOf(a.id).id}, site: `${SCRIPT}:4:2`})]);
		expect(awaitsOf(b.id)[0]!.on).toEqual({kind: 'op', id: timerOf(b.id).id});
		// main awaits the combination of the two tasks' promises.
		expect(awaitsOf(mainStart.id)[0]!.on).toEqual({kind: 'promise', tasks: [a.id, b.id]});

		// Totals: busy is small, wait is about the delay.
		const endA = endOf(a.id);
		expect(endA).toMatchObject({ok: true, awaits: 1});
		expect(endA.busy).toBeLessThan(20);
		// libuv times the 25 ms timer on its millisecond loop clock, which may lag performance.now() by under 1 ms: a CI run read 24.67.
		expect(endA.wait).toBeGreaterThanOrEqual(24);
		expect(endA.wait).toBeLessThan(30 + 200);
		expect(endA.sched).toBeGreaterThanOrEqual(0);
		const endB = endOf(b.id);
		expect(endB.wait).toBeGreaterThanOrEqual(55);
		const endMain = endOf(mainStart.id);
		expect(endMain.ok).toBe(true);
		expect(endMain.wait).toBeGreaterThanOrEqual(55);
		expect(endMain.busy).toBeLessThan(20);
		expect(endMain.t).toBeGreaterThanOrEqual(endB.t);
		// Ordered: start before await before resume before end.
		const order = recent().filter(event => 'id' in event && event.id === a.id).map(event => event.type);
		expect(order).toEqual(['task.start', 'task.await', 'task.resume', 'task.end']);
	});

	it('resume events carry readyAt and running totals', async () => {
		const {waitsTwice} = load(`${HELPERS}
async function waitsTwice() {
	await sleep(20);
	await sleep(20);
}
return {waitsTwice};`);
		await waitsTwice!();
		const task = startOf('waitsTwice()');
		const resumes = resumesOf(task.id);
		expect(resumes.length).toBe(2);
		for (const resume of resumes) {
			expect(resume.readyAt).toBeLessThanOrEqual(resume.t);
			expect(resume.sched).toBeGreaterThanOrEqual(0);
		}
		expect(resumes[0]!.wait).toBeGreaterThanOrEqual(15);
		expect(resumes[1]!.wait).toBeGreaterThanOrEqual(35);
		const end = endOf(task.id);
		expect(end.awaits).toBe(2);
		expect(end.wait).toBeGreaterThanOrEqual(resumes[1]!.wait);
	});

	it('marks an await that depends on an earlier await', async () => {
		const {chain} = load(`${HELPERS}
async function chain() {
	const first = await sleep(5, 'x');
	const second = await sleep(5, first + 'y');
	await sleep(5);
	return second;
}
return {chain};`);
		expect(await chain!()).toBe('xy');
		const awaits = awaitsOf(startOf('chain()').id);
		expect(awaits.map(a => a.dependent === true)).toEqual([false, true, false]);
	});

	it('ends a failed task with error info', async () => {
		const {fails} = load(`${HELPERS}
async function fails(reason) {
	await sleep(5);
	throw new TypeError(reason);
}
return {fails};`);
		await expect(fails!('bad input')).rejects.toThrow('bad input');
		const end = endOf(startOf('fails("bad input")').id);
		expect(end.ok).toBe(false);
		expect(end.error).toMatchObject({name: 'TypeError', message: 'bad input'});
		expect(end.error!.stack).toContain('bad input');
	});

	it('a task that catches its rejected await goes on and ends ok', async () => {
		const {recovers} = load(`${HELPERS}
async function recovers() {
	try {
		await sleep(10).then(() => { throw new Error('nope'); });
	} catch (error) {
		await sleep(10);
		return 'recovered';
	}
}
return {recovers};`);
		expect(await recovers!()).toBe('recovered');
		const task = startOf('recovers()');
		const end = endOf(task.id);
		expect(end).toMatchObject({ok: true, awaits: 2});
		expect(end.wait).toBeGreaterThanOrEqual(15);
		expect(resumesOf(task.id).length).toBe(2);
	});

	it('folds awaits shorter than 1 ms and emits longer ones', async () => {
		const {quick, slow} = load(`${HELPERS}
async function quick() {
	await 1;
	await null;
	await Promise.resolve();
}
async function slow() {
	await sleep(15);
}
return {quick, slow};`);
		await quick!();
		await slow!();
		const quickTask = startOf('quick()');
		expect(awaitsOf(quickTask.id)).toEqual([]);
		expect(resumesOf(quickTask.id)).toEqual([]);
		// The totals still count every await.
		expect(endOf(quickTask.id)).toMatchObject({ok: true, awaits: 3});
		const slowTask = startOf('slow()');
		expect(awaitsOf(slowTask.id).length).toBe(1);
		expect(resumesOf(slowTask.id).length).toBe(1);
	});

	it('a quick call the sink folds as it ends sends no end, and the calls sent around it are named with their own arguments', async () => {
		const {loop} = load(`
async function cached(key) {
	return key;
}
async function fresh(key) {
	return key;
}
async function loop() {
	for (let i = 0; i < 4; i++) await (i % 2 ? fresh(i) : cached(i));
}
return {loop};`);
		sink.foldsEnded = start => start.name.startsWith('cached');
		try {
			await loop!();
		} finally {
			sink.foldsEnded = () => false;
		}
		const starts = ofType('task.start');
		expect(starts.map(start => start.name)).toEqual(['loop()', 'fresh(1)', 'fresh(3)']);
		// Only the calls sent end in the stream; loop() awaited all four.
		expect(ofType('task.end').map(end => end.id).sort()).toEqual(starts.map(start => start.id).sort());
		expect(endOf(startOf('loop()').id)).toMatchObject({ok: true, awaits: 4});
	});

	it('a full sink is flushed before a call starts, not in its first slice: asyncmon\'s pause is no part of the call\'s time', async () => {
		const {cached} = load(`
async function cached(key) {
	return key;
}
return {cached};`);
		const before = sink.flushedAt.length;
		sink.full = true;
		try {
			await cached!(1);
		} finally {
			sink.full = false;
		}
		const flushedAt = sink.flushedAt.slice(before);
		const start = startOf('cached(1)');
		const end = endOf(start.id);
		expect(flushedAt.filter(t => t <= start.t).length).toBeGreaterThan(0);
		expect(flushedAt.filter(t => t > start.t && t < end.t)).toEqual([]);
	});

	it('a call folded as it ended counts toward a full sink: a flood of them is flushed mid-burst, as their events would be', async () => {
		const {cached} = load(`
async function cached(key) {
	return key;
}
return {cached};`);
		sink.foldsEnded = () => true;
		const flushes = sink.flushes;
		try {
			sink.full = true;
			await cached!(1);
		} finally {
			sink.full = false;
			sink.foldsEnded = () => false;
		}
		// One flush before it started, another once it folded.
		expect(sink.flushes).toBe(flushes + 2);
	});

	/** Starts a task that waits 30 ms on a timer; `finished` resolves once it has, and checks its await and resume were emitted once each. */
	/** `calledAt`: before the task began waiting. */
	function waitingTask(): {id: number; calledAt: number; finished: () => Promise<void>} {
		const {waiter} = load(`${HELPERS}
async function waiter() {
	await sleep(30);
}
return {waiter};`);
		const calledAt = performance.now();
		const done = waiter!();
		const id = startOf('waiter()').id;
		return {
			id,
			calledAt,
			async finished() {
				await done;
				expect(awaitsOf(id).length).toBe(1);
				expect(resumesOf(id).length).toBe(1);
			},
		};
	}

	it('a flush forced mid-burst emits the await of a task still waiting once it has lasted 1 ms, and only once', async () => {
		// The clock stands still, then moves 2 ms: a busy machine's pauses between the lines must not age the wait.
		const clock = vi.spyOn(performance, 'now');
		const begun = performance.now();
		let task: ReturnType<typeof waitingTask>;
		try {
			clock.mockReturnValue(begun);
			task = waitingTask();
			// Too fresh to show: it may still fold away.
			expect(awaitsOf(task.id).length).toBe(0);
			clock.mockReturnValue(begun + 2);
			tracker.flush('burst');
			expect(awaitsOf(task.id).length).toBe(1);
		} finally {
			clock.mockRestore();
		}
		await task.finished();
	});

	it('a flush between callbacks emits every task still waiting, however fresh: the monitor is exact should the loop block next', async () => {
		const task = waitingTask();
		tracker.flush();
		expect(awaitsOf(task.id).length).toBe(1);
		await task.finished();
	});

	it('a sink that says it is full is flushed at once, mid-burst', async () => {
		const task = waitingTask();
		const flushes = sink.flushes;
		sink.full = true;
		try {
			tracker.emit({type: 'output', t: performance.now(), stream: 'stdout', text: 'x'});
		} finally {
			sink.full = false;
		}
		const flushedBy = performance.now();
		expect(sink.flushes).toBe(flushes + 1);
		// Mid-burst: a wait younger than a millisecond may still fold away, so it is not shown yet. (A loaded machine
		// may take that long to get here: a wait that old is shown.)
		const shown = sink.events.filter((event): event is TaskAwaitEvent => event.type === 'task.await' && event.id === task.id);
		for (const wait of shown) expect(flushedBy - wait.t).toBeGreaterThanOrEqual(1);
		if (flushedBy - task.calledAt < 1) expect(shown).toEqual([]);
		await task.finished();
	});

	it('awaiting a non-promise value is a `value` wait', async () => {
		const {valueWait} = load(`
async function valueWait() {
	const start = performance.now();
	while (performance.now() - start < 2) {}
	return await 42;
}
return {valueWait};`);
		expect(await valueWait!()).toBe(42);
		const end = endOf(startOf('valueWait()').id);
		expect(end.busy).toBeGreaterThanOrEqual(1.5);
	});

	it('a task started from a timer callback is a child of the task that set the timer', async () => {
		const {parent} = load(`${HELPERS}
async function child() {
	await sleep(5);
}
async function parent() {
	setTimeout(() => { child(); }, 5);
	await sleep(30);
}
return {parent};`);
		await parent!();
		expect(startOf('child()').parent).toBe(startOf('parent()').id);
	});

	it('a task returning a promise stays pending until it settles', async () => {
		const {passthrough} = load(`${HELPERS}
async function passthrough() {
	return sleep(25, 'late');
}
return {passthrough};`);
		expect(await passthrough!()).toBe('late');
		const start = startOf('passthrough()');
		const end = endOf(start.id);
		expect(end.ok).toBe(true);
		// Its 20 ms timer, on libuv's millisecond loop clock (see the 25 ms one above).
		expect(end.t - start.t).toBeGreaterThanOrEqual(19);
		expect(end.wait).toBeGreaterThanOrEqual(19);
	});

	it('reports a slice past the block threshold to the watch, measured exactly', async () => {
		const {busy} = load(`${HELPERS}
async function busy() {
	const start = performance.now();
	while (performance.now() - start < 5) {}
	await sleep(5);
}
return {busy};`);
		await busy!();
		const id = startOf('busy()').id;
		const first = slices.find(slice => slice.task === id)!;
		expect(first.end - first.start).toBeGreaterThanOrEqual(4.5);
	});

	it('a stretch that calls many short tasks without yielding is one long slice, measured whole', async () => {
		const {stretch} = load(`${HELPERS}
async function tick(i) {
	return i;
}
async function stretch() {
	await sleep(1);
	const start = performance.now();
	while (performance.now() - start < 6) tick(0);
}
return {stretch};`);
		await stretch!();
		const id = startOf('stretch()').id;
		// One slice spans the whole stretch. A pause of the process between two calls (a GC, a preempted CPU) longer
		// than this test's 4 ms threshold is a long slice of its own, inside that one: the machine's, not a cut.
		const whole = slices.filter(slice => slice.end - slice.start >= 5.5);
		expect(whole).toHaveLength(1);
		for (const part of slices) expect(part.start >= whole[0]!.start && part.end <= whole[0]!.end).toBe(true);
		// The stretch's: stretch() ran most of it, unless such a pause inside one tick() made that call's piece the
		// longest (its code is what ran, as far as the thread can tell): one of the calls stretch() made, after it.
		expect(whole[0]!.task).toBeGreaterThanOrEqual(id);
	});

	it('a task resuming after a wait of a flush interval flushes first, its resume in that flush: one that goes on computing is seen running', async () => {
		const {compute} = load(`${HELPERS}
async function compute() {
	await sleep(15);
	const until = performance.now() + 3;
	while (performance.now() < until);
}
return {compute};`);
		tracker.flush('burst');
		const before = sink.flushedAt.length;
		// As in a worker thread (this tracker is the script's main thread's, whose watchdog tells its blocks).
		tracker.flushesOnLongWaits = true;
		try {
			await compute!();
		} finally {
			tracker.flushesOnLongWaits = false;
		}
		const flushedAt = sink.flushedAt.slice(before);
		const id = startOf('compute()').id;
		const [resume] = resumesOf(id);
		const end = endOf(id);
		// A flush came after the resume was told and before the computing ended: nothing else (no timer) flushed here.
		expect(flushedAt.some(t => t >= resume!.t && t < end.t - 2)).toBe(true);
	});

	it("asyncmon's own work inside a slice (writing events, compiling) is no part of the task's busy time, nor a block", async () => {
		const {busyWithOwnWork} = load(`${HELPERS}
async function busyWithOwnWork() {
	const start = performance.now();
	globalThis.__ownWork(() => {
		while (performance.now() - start < 30) {}
	});
	await sleep(1);
}
return {busyWithOwnWork};`);
		(globalThis as Record<string, unknown>).__ownWork = (fn: () => void) => tracker.ownWork(fn);
		try {
			await busyWithOwnWork!();
		} finally {
			delete (globalThis as Record<string, unknown>).__ownWork;
		}
		const task = startOf('busyWithOwnWork()');
		// Counted, the 30 ms would be in both. A loaded machine may still stall the task itself for a few ms (a slice past
		// this file's 4 ms threshold): its own time, not asyncmon's.
		expect(endOf(task.id).busy).toBeLessThan(15);
		for (const slice of slices.filter(slice => slice.task === task.id)) expect(slice.end - slice.start).toBeLessThan(15);
	});

	it("a write of output that waited for the monitor is held back, told as backpressure, not busy time nor a block; a quick one is the script's own", async () => {
		const {prints} = load(`${HELPERS}
async function prints() {
	globalThis.__write(30);
	for (let i = 0; i < 20; i++) globalThis.__write(0);
	await sleep(1);
}
return {prints};`);
		const before = sink.heldMs;
		// A write that waits 30 ms for its pipe, then quick ones.
		(globalThis as Record<string, unknown>).__write = (waitMs: number) =>
			tracker.writeToMonitor(() => {
				const start = performance.now();
				while (performance.now() - start < waitMs) {}
			});
		try {
			await prints!();
		} finally {
			delete (globalThis as Record<string, unknown>).__write;
		}
		const task = startOf('prints()');
		expect(sink.heldMs - before).toBeGreaterThanOrEqual(30);
		expect(endOf(task.id).busy).toBeLessThan(15);
		for (const slice of slices.filter(slice => slice.task === task.id)) expect(slice.end - slice.start).toBeLessThan(15);
		// Quick writes stay the script's: held back counts only the one that waited (and what a loaded machine added to it).
		expect(sink.heldMs - before).toBeLessThan(45);
	});

	// Guards a fixed bug, where a non-native thenable (a query builder, a promise from another
	// realm or library) is treated like a plain value: `w` marks the task
	// ready at once, so the whole time it waited is counted as scheduling
	// delay (sched) instead of wait, and the target is `value`.
	it('counts the time awaiting a thenable as waiting, not scheduling delay', async () => {
		const {thenable} = load(`
async function thenable() {
	await {then(resolve) { setTimeout(resolve, 40); }};
}
return {thenable};`);
		await thenable!();
		const end = endOf(startOf('thenable()').id);
		expect(end.wait + end.sched).toBeGreaterThanOrEqual(35);
		expect(end.wait).toBeGreaterThanOrEqual(35);
		expect(end.sched).toBeLessThan(10);
	});

	// Guards a fixed bug, where task.start's `name` is a lazy getter that formats the live
	// `arguments` object when the event is serialized (at the next flush, up
	// to 50 ms later). In sloppy-mode (CommonJS) code parameters are aliased
	// to `arguments`, so a task that reassigns a parameter before the flush is
	// shown with the new value: `countdown(3)` appears as `countdown(0)`.
	it('names a task with the arguments it was called with, even if it reassigns its parameters', async () => {
		const {countdown} = load(`
async function countdown(n) {
	while (n > 0) {
		n--;
		await null;
	}
}
return {countdown};`);
		await countdown!(3);
		expect(ofType('task.start').map(event => event.name)).toContain('countdown(3)');
	});

	// Last, so that its thousand tasks' garbage is collected after the tests that time slices, not during them.
	it('a flush looks only at tasks that began waiting since the last one: a wait it showed leaves its list', async () => {
		const {held} = load(`
async function held(gate) {
	await gate;
}
return {held};`);
		tracker.flush();
		let open!: () => void;
		const gate = new Promise<void>(resolve => (open = resolve));
		const tasks = Array.from({length: 1000}, () => held!(gate));
		expect(tracker.pendingAwaitCount).toBe(1000);
		tracker.flush();
		expect(tracker.pendingAwaitCount).toBe(0);
		const shown = sink.events.length;
		// The 1,000 tasks still wait; their awaits are in the stream, and the next flush neither looks at them nor repeats them.
		tracker.flush();
		expect(sink.events.length).toBe(shown);
		open();
		await Promise.all(tasks);
		const ids = new Set(ofType('task.start').filter(event => event.name.startsWith('held(')).map(event => event.id));
		expect(ids.size).toBe(1000);
		expect(ofType('task.await').filter(event => ids.has(event.id))).toHaveLength(1000);
		expect(ofType('task.resume').filter(event => ids.has(event.id))).toHaveLength(1000);
	});
});

describe('Tracker: silent calls, folded as they end unless something names them', () => {
	/** Runs `run` with every call starting silent, as a call of a site whose allowance is spent does (`sites`: only those). */
	const silently = async <T>(run: () => Promise<T>, sites: (site: string) => boolean = () => true): Promise<T> => {
		sink.silentSites = sites;
		try {
			return await run();
		} finally {
			sink.silentSites = () => false;
		}
	};

	it('a quick call starts silent: nothing of it is buffered, and its start reaches the fold as it ends, with its parent, time and place; one as long as a block is sent', async () => {
		const {wave} = load(`
async function hotWork(i) {
	await null;
	return i;
}
async function wave() {
	// One after another: a pause of the machine (a GC) long enough to make calls as long as a block makes one so, not all.
	for (let i = 0; i < 20; i++) await hotWork(i);
}
return {wave};`);
		const folded = sink.foldedSilently.length;
		await silently(() => wave!(), site => /:2:1$/.test(site));
		const wave_ = startOf('wave()');
		// Calls at line 2 of other tests' files, ending meanwhile (a timer of theirs), may be silent too.
		const calls = sink.foldedSilently.slice(folded).filter(call => call.parent === wave_.id);
		expect(calls.every(call => call.name === 'hotWork' && call.kind === 'task' && call.t >= wave_.t && call.loc?.endsWith(':2:1'))).toBe(true);
		// None of their events is in the stream: not a start, an await, a resume or an end.
		const ids = new Set(calls.map(call => call.id));
		expect(recent().filter(event => 'id' in event && ids.has(event.id as number))).toEqual([]);
		// The others lasted as long as a block (a loaded machine's pause): the watchdog may name them, so they are sent whole.
		const sent = ofType('task.start').filter(start => start.parent === wave_.id);
		expect(calls.length + sent.length).toBe(20);
		for (const start of sent) expect(endOf(start.id).t - start.t).toBeGreaterThanOrEqual(BLOCK_THRESHOLD_MS);
		expect(calls.length).toBeGreaterThan(0);
		expect(endOf(wave_.id)).toMatchObject({ok: true});
	});

	it('a silent call that starts a timer is held with it, and goes into the stream whole as it ends: its start, with its arguments, before the timer\'s', async () => {
		const {nap} = load(`
async function nap(ms) {
	await new Promise(resolve => setTimeout(resolve, ms));
}
return {nap};`);
		await silently(() => nap!(2));
		const events = recent();
		const start = events.findIndex(event => event.type === 'task.start' && event.name === 'nap(2)');
		const timer = events.findIndex(event => event.type === 'op.start' && event.kind === 'timer');
		expect(start).toBeGreaterThanOrEqual(0);
		expect(timer).toBeGreaterThan(start);
		const id = (events[start] as TaskStartEvent).id;
		expect((events[timer] as OpStartEvent).parent).toBe(id);
		expect(endOf(id)).toMatchObject({ok: true, awaits: 1});
	});

	/**
	 * worker() awaits nap(30), a silent call (its site's allowance spent) that starts a timer, so it is held; a flush 3 ms
	 * in shows worker()'s wait. Returns the flush's events, that wait, and worker()'s promise.
	 */
	const workerAwaitingHeldNap = async () => {
		const {worker} = load(`
async function nap(ms) {
	await new Promise(resolve => setTimeout(resolve, ms));
	return ms;
}
async function worker() {
	return await nap(30);
}
return {worker};`);
		const {running} = await silently(async () => {
			const call = {running: worker!()};
			await new Promise(resolve => setTimeout(resolve, 3));
			tracker.flush('recent');
			return call;
		}, site => /:2:1$/.test(site));
		const shown = recent();
		const wait = shown.find((event): event is TaskAwaitEvent => event.type === 'task.await' && event.id === startOf('worker()').id)!;
		return {shown, wait, running};
	};

	it("a silent call held with the timer it started stays out of the stream while it runs; its caller's await, shown at a flush, names its function", async () => {
		const {shown, wait, running} = await workerAwaitingHeldNap();
		expect(wait.on).toMatchObject({kind: 'task', name: 'nap'});
		// Held: neither the call nor its timer is in the stream yet.
		expect(shown.some(event => event.type === 'task.start' && event.name.startsWith('nap'))).toBe(false);
		expect(shown.some(event => event.type === 'op.start' && event.name === 'setTimeout 30ms')).toBe(false);
		await running;
		tracker.flush();
		// Ended, it goes into the stream whole, to fold there: its start (the id the await named), its timer, its end.
		const start = startOf('nap(30)');
		expect(start.id).toBe((wait.on as {id: number}).id);
		expect(recent().some(event => event.type === 'op.start' && event.name === 'setTimeout 30ms' && event.parent === start.id)).toBe(true);
		expect(endOf(start.id)).toMatchObject({ok: true, awaits: 1});
	});

	it("a held call a block's start named (told by the watchdog's thread) goes into the stream at the next flush, kept whole", async () => {
		const {wait, running} = await workerAwaitingHeldNap();
		const napId = (wait.on as {id: number}).id;
		toldTasks.push(napId);
		tracker.flush('recent');
		// Let go though still running, its start (named, with its arguments) and its timer in the stream.
		expect(startOf('nap(30)').id).toBe(napId);
		expect(recent().some(event => event.type === 'op.start' && event.name === 'setTimeout 30ms' && event.parent === napId)).toBe(true);
		expect(sink.keptWhole).toContain(napId);
		await running;
		tracker.flush();
		expect(endOf(napId)).toMatchObject({ok: true});
	});

	it('a silent call that fails is revealed and ends failed, with its error', async () => {
		const {boom} = load(`
async function boom(n) {
	await null;
	throw new Error('no ' + n);
}
return {boom};`);
		await expect(silently(() => boom!(7))).rejects.toThrow('no 7');
		const start = startOf('boom(7)');
		expect(endOf(start.id)).toMatchObject({ok: false, error: {message: 'no 7'}});
	});

	it('a silent call that another task awaits is revealed before that await names it; its own parent\'s await does not reveal it', async () => {
		const {outer} = load(`
async function hold(ms) {
	await new Promise(resolve => globalThis.__release = resolve);
	return ms;
}
async function outer() {
	const pending = hold(1);
	return await waiter(pending);
}
async function waiter(promise) {
	return await promise;
}
return {outer};`);
		// waiter() awaits hold(), a call of outer()'s, not its own: the wait, shown at the flush, names hold(), which is in the stream first.
		const done = await silently(async () => {
			const running = outer!();
			await new Promise(resolve => setTimeout(resolve, 3));
			tracker.flush('recent');
			return {running};
		}, site => /:2:1$/.test(site));
		(globalThis as {__release?: () => void}).__release!();
		await done.running;
		const events = recent();
		const holdStart = events.findIndex(event => event.type === 'task.start' && event.name === 'hold(1)');
		const waiter = startOf('waiter({Promise…})');
		const waiterAwait = events.findIndex(event => event.type === 'task.await' && event.id === waiter.id);
		expect(holdStart).toBeGreaterThanOrEqual(0);
		expect(waiterAwait).toBeGreaterThan(holdStart);
		expect((events[waiterAwait] as TaskAwaitEvent).on).toMatchObject({kind: 'task', id: (events[holdStart] as TaskStartEvent).id});
	});

	it('a silent call still running when a timer flush comes 10 ms after its start is revealed, waiting; a younger one is not yet', async () => {
		// It waits on no op of its own (which would reveal it at once).
		const {idle} = load(`
async function idle(gate) {
	return await gate;
}
return {idle};`);
		let open!: () => void;
		const gate = new Promise<void>(resolve => (open = resolve));
		const {running} = await silently(async () => {
			const call = {running: idle!(gate)};
			tracker.flush('recent');
			expect(ofType('task.start').some(event => event.name.startsWith('idle('))).toBe(false);
			await new Promise(resolve => setTimeout(resolve, 15));
			tracker.flush('recent');
			return call;
		});
		const start = startOf('idle({Promise…})');
		expect(awaitsOf(start.id)).toHaveLength(1);
		open();
		await running;
		expect(endOf(start.id)).toMatchObject({ok: true});
	});
});

describe('Tracker: what an await waits on, known from the awaited promise', () => {
	const onOf = (name: string): TaskAwaitEvent['on'][] => awaitsOf(startOf(name).id).map(event => event.on);
	const timerOps = (): OpStartEvent[] => ofType('op.start').filter(op => op.kind === 'timer');

	it('a direct call: the task it started', async () => {
		const {main} = load(`${HELPERS}
async function child() { await sleep(5); }
async function main() { await child(); }
return {main};`);
		await main!();
		expect(onOf('main()')).toEqual([{kind: 'task', id: startOf('child()').id}]);
	});

	it('an interval started before `await new Promise(…)` is no guess of it: a heartbeat is nothing the promise waits for', async () => {
		const {main} = load(`
async function main() {
	const heartbeat = setInterval(() => {}, 5);
	const job = await new Promise(resolve => setTimeout(() => resolve(42), 10));
	clearInterval(heartbeat);
	const next = await new Promise(resolve => { const beat = setInterval(() => {}, 5); setTimeout(() => { clearInterval(beat); resolve(job); }, 12); });
	return next;
}
return {main};`);
		expect(await main!()).toBe(42);
		const [, first, , second] = timerOps().filter(op => op.parent === startOf('main()').id);
		expect(onOf('main()')).toEqual([{kind: 'op', id: first!.id}, {kind: 'op', id: second!.id}]);
	});

	it('a call made earlier, awaited after other awaits: still that task, not what the slice started', async () => {
		const {main} = load(`${HELPERS}
async function child() { await sleep(20); }
async function main() {
	const pending = child();
	await sleep(5);
	await pending;
}
return {main};`);
		await main!();
		const [timer] = timerOps().filter(op => op.parent === startOf('main()').id);
		expect(onOf('main()')).toEqual([{kind: 'op', id: timer!.id}, {kind: 'task', id: startOf('child()').id}]);
	});

	// examples/07-cpu-bound.ts: the ticks start in a callback of `map`, a slice before the `Promise.all`.
	it('Promise.all of tasks started in an earlier slice: all of them; the sleep between: its timer', async () => {
		const {main} = load(`
const {setTimeout: nap} = globalThis.${RUNTIME_GLOBAL}.userTimersPromises; // a user file's node:timers/promises
async function tick(ms) { await nap(ms); }
async function main() {
	const ticks = [10, 20, 30].map(ms => tick(ms));
	await nap(5);
	await Promise.all(ticks);
}
return {main};`);
		await main!();
		const main_ = startOf('main()').id;
		const ticks = ofType('task.start').filter(event => event.parent === main_).map(event => event.id);
		const sleep = ofType('op.start').find(op => op.parent === main_)!;
		expect(sleep).toMatchObject({name: 'sleep 5ms'});
		expect(onOf('main()')).toEqual([{kind: 'op', id: sleep.id}, {kind: 'promise', tasks: ticks}]);
		expect(ticks).toHaveLength(3);
	});

	it('Promise.race of a task and a timer: both, the first of them', async () => {
		const {main} = load(`${HELPERS}
async function slow() { await sleep(50); }
async function main() { await Promise.race([slow(), sleep(5)]); }
return {main};`);
		await main!();
		const main_ = startOf('main()').id;
		const timer = timerOps().find(op => op.parent === main_)!;
		expect(onOf('main()')).toEqual([{kind: 'promise', tasks: [startOf('slow()').id], ops: [timer.id], first: 'race'}]);
	});

	it('more tasks than a target lists: the first 8, and how many', async () => {
		const {main} = load(`${HELPERS}
async function item(ms) { await sleep(ms); }
async function main() {
	const items = [];
	for (let i = 0; i < 12; i++) items.push(item(5));
	await Promise.allSettled(items);
}
return {main};`);
		await main!();
		const [on] = onOf('main()');
		expect(on).toMatchObject({kind: 'promise', taskCount: 12});
		expect(on?.kind === 'promise' && on.tasks).toHaveLength(8);
	});

	it('a timer: `new Promise` around setTimeout is that timer, even after other work in the slice', async () => {
		const {main} = load(`
async function other() {}
async function main() {
	other();
	await new Promise(resolve => setTimeout(resolve, 5));
}
return {main};`);
		await main!();
		const timer = timerOps().find(op => op.parent === startOf('main()').id)!;
		expect(timer).toMatchObject({timer: {delayMs: 5}});
		expect(onOf('main()')).toEqual([{kind: 'op', id: timer.id}]);
	});

	it('a promise whose executor started nothing, settled by something else: what the slice started, marked a guess', async () => {
		const {main} = load<{main: (later: (resolve: () => void) => void) => Promise<void>}>(`
async function other() { await new Promise(resolve => setTimeout(resolve, 20)); }
async function main(later) {
	const started = other();
	await new Promise(resolve => later(resolve));
	await started;
}
return {main};`);
		// Resolved by a timer asyncmon does not see: no op of the script's.
		await main(resolve => saved.global.setTimeout(resolve, 10));
		const other = startOf('other()').id;
		expect(onOf('main(ƒ)')).toEqual([{kind: 'task', id: other, guess: true}, {kind: 'task', id: other}]);
	});

	it("a library's promise, with one timer of the script's started beside it: the timer only a guess, whose firing does not make the task ready", async () => {
		const {main} = load<{main: (later: (ms: number) => Promise<string>) => Promise<string>}>(`
async function main(later) {
	const p = later(60);
	setTimeout(() => {}, 5);
	return await p;
}
return {main};`);
		// The library's own timer is no op of the script's: it settles on something asyncmon does not see.
		await main(ms => new Promise(resolve => saved.global.setTimeout(() => resolve('done'), ms)));
		const timer = timerOps().find(op => op.parent === startOf('main(ƒ)').id)!;
		expect(onOf('main(ƒ)')).toEqual([{kind: 'op', id: timer.id, guess: true}]);
		// It waited the library's 60 ms, not the timer's 5 then as long ready to run.
		const end = endOf(startOf('main(ƒ)').id);
		expect(end.wait).toBeGreaterThanOrEqual(50);
		expect(end.sched).toBeLessThan(20);
	});

	it('a promise of unknown origin: what the slice started, marked a guess', async () => {
		const {main} = load<{main: (outside: () => Promise<void>) => Promise<void>}>(`
async function other() { await new Promise(resolve => setTimeout(resolve, 5)); }
async function main(outside) {
	other();
	await outside();
}
return {main};`);
		// Made by code asyncmon does not instrument, on a timer it does not see (a library's).
		await main(() => new Promise(resolve => saved.global.setTimeout(resolve, 10)));
		expect(onOf('main(ƒ)')).toEqual([{kind: 'task', id: startOf('other()').id, guess: true}]);
	});
});

describe('Tracker: the top level hands the thread back to the event loop', () => {
	it('the idle time after the entry module ends is no part of the next stretch', async () => {
		const own = new RecordingSink();
		const ownSites = new SiteTable(SCRIPT, '/work/app');
		const longSlices: Array<{task: number; start: number; end: number}> = [];
		const running: Array<number | null> = [];
		const top = new Tracker({
			sink: own as unknown as EventSink,
			sites: ownSites,
			runtimeDirectory: '/nonexistent/asyncmon/dist',
			watch: {
				thresholdMs: BLOCK_THRESHOLD_MS,
				running: task => running.push(task?.id ?? null),
				takeHeldMs: () => 0,
				takeToldTasks: () => [],
				longSlice(task, start, end) {
					longSlices.push({task: task.id, start, end});
					return [];
				},
				entryStarted() {},
				excluded: fn => fn(),
			},
		});
		const main = ownSites.addFunction({name: 'main', loc: `${SCRIPT}:1:1`});
		const sleepSite = ownSites.addAwait({loc: `${SCRIPT}:2:3`, dependent: false});
		// `main().catch(…)` in a CommonJS entry: main() suspends, the module ends, the loop sits idle.
		top.entryStarted();
		const task = top.e(main, []);
		const slept = new Promise(resolve => setTimeout(resolve, 3 * BLOCK_THRESHOLD_MS));
		top.w(task, slept, sleepSite);
		top.rootDone();
		expect(running.at(-1)).toBeNull();
		top.r(task, await slept);
		top.l(task);
		expect(longSlices).toEqual([]);
	});

	it("a followed process's main module tells the watch it started and hands the thread back, but its process lives on", () => {
		const own = new RecordingSink();
		const calls: string[] = [];
		const lane = new Tracker({
			sink: own as unknown as EventSink,
			sites: new SiteTable(SCRIPT, '/work/app'),
			runtimeDirectory: '/nonexistent/asyncmon/dist',
			watch: {
				thresholdMs: BLOCK_THRESHOLD_MS,
				running: task => calls.push(`running ${task?.id ?? null}`),
				takeHeldMs: () => 0,
				takeToldTasks: () => [],
				longSlice: () => [],
				entryStarted: () => calls.push('entryStarted'),
				excluded: fn => fn(),
			},
			thread: {id: 0, name: 'pid 42: node child.js', startedBy: 7, lane: {firstId: 1e12 + 1, process: {pid: 42, command: 'node child.js'}}},
		});
		lane.entryStarted();
		lane.rootDone();
		// The watch learns the root runs from the entry's first line, then that nothing runs once its top level is done.
		expect(calls.slice(-3)).toEqual(['running 1000000000001', 'entryStarted', 'running null']);
		// No script.start, and no end of the process's root: its parent reports that.
		expect(own.events.map(event => event.type)).toEqual(['task.start']);
	});
});
