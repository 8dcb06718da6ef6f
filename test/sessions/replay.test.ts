import {setImmediate as nextTurn} from 'node:timers/promises';
import {describe, expect, it} from 'vitest';
import type {ProtocolLine} from '../../source/protocol/events.js';
import {buildReport} from '../../source/model/summary.js';
import {cloneState, createState, LIVE_RETENTION, type ModelState} from '../../source/model/state.js';
import {apply} from '../../source/model/reducer.js';
import type {ReplayControls} from '../../source/model/source.js';
import {DRAWING_SHARE} from '../../source/model/frame-pace.js';
import {FRAME_MS, loadReplay, MAX_SPEED, MIN_SPEED, READ_NOTIFY_MS, ReplayEngine} from '../../source/sessions/replay.js';
import {MAX_CHECKPOINTS} from '../../source/sessions/replay-checkpoints.js';
import {ReplayIndex} from '../../source/sessions/replay-index.js';
import {SessionFileError} from '../../source/sessions/reader.js';
import {serialize} from 'node:v8';
import {ManualClock} from './manual-clock.js';
import {header, reduce} from '../helpers/events.js';
import {tempFile} from '../helpers/temp.js';
import {serializeLine} from '../../source/protocol/encode.js';
import {writeFileSync} from 'node:fs';
import {THREE_REQUESTS_FILE, threeRequestsEvents} from './session-fixtures.js';

/** A replay keeps what the live dashboard kept. */
const LIVE = {retention: LIVE_RETENTION};

const lines = threeRequestsEvents();

/** The live state at `ms`: every line that had arrived by then, in file order. */
function liveStateAt(ms: number, recorded: readonly ProtocolLine[] = lines): ModelState {
	const arrived: ProtocolLine[] = [];
	let latest = 0;
	for (const line of recorded) {
		if (line.type !== 'header') latest = Math.max(latest, line.t);
		if (latest > ms) break;
		arrived.push(line);
	}
	return reduce(arrived, LIVE);
}

function expectSameAsLive(replay: ReplayEngine, ms: number): void {
	const live = liveStateAt(ms);
	expect(replay.positionMs).toBe(ms);
	expect(buildReport(replay.state)).toEqual(buildReport(live));
	expect(replay.state.taskCounts).toEqual(live.taskCounts);
	expect(replay.state).toEqual(live);
}

/** 3,000 tasks a millisecond apart, each waiting 5 ms on a timer: 12,002 events, one a line, read in 7 slices. */
const MANY_TASKS: ProtocolLine[] = [header(), {type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'many.ts', loc: null}];
for (let i = 0; i < 3000; i++) {
	const id = 2 + i;
	MANY_TASKS.push(
		{type: 'task.start', t: i, id, parent: 1, kind: 'task', name: `job(${i})`, loc: 'many.ts:3:1'},
		{type: 'task.await', t: i, id, site: 'many.ts:4:3', on: {kind: 'promise'}, busy: 0.1},
		{type: 'task.resume', t: i + 5, id, readyAt: i + 5, wait: 5, sched: 0},
		{type: 'task.end', t: i + 5, id, ok: true, busy: 0.2, wait: 5, sched: 0, awaits: 1},
	);
}

function manyTasksFile(): string {
	const file = tempFile('many.ndjson');
	writeFileSync(file, MANY_TASKS.map(line => serializeLine(line)).join(''));
	return file;
}

/** Lets the recording be read in the background, a slice a turn of the event loop, to its end. */
async function untilRead(replay: ReplayEngine): Promise<void> {
	while (replay.indexing !== null) await nextTurn();
}

function pausedReplay(checkpointEvery = 7): {replay: ReplayEngine; clock: ManualClock} {
	const clock = new ManualClock();
	return {replay: new ReplayEngine(lines, {clock, paused: true, checkpointEvery}), clock};
}

describe('replay engine', () => {
	it('implements the dashboard replay controls', () => {
		const controls: ReplayControls = pausedReplay().replay;
		expect(controls.durationMs).toBe(3002.5);
		expect(controls.positionMs).toBe(0);
		expect(controls.speed).toBe(1);
	});

	it('starts at 0 with what had happened by then', () => {
		const {replay} = pausedReplay();
		expectSameAsLive(replay, 0);
		expect(replay.state.header?.script).toBe('examples/three-requests.ts');
		expect(replay.state.nodes.size).toBe(1);
	});

	it('seeking backwards rebuilds exactly the live state at that moment', () => {
		for (const checkpointEvery of [1, 7, 1000]) {
			const {replay} = pausedReplay(checkpointEvery);
			replay.seekEnd();
			expectSameAsLive(replay, 3002.5);
			expect(replay.state).toEqual(reduce(lines, LIVE));
			for (const back of [-1000, -1000, -500.5]) {
				const target = replay.positionMs + back;
				replay.step(back);
				expectSameAsLive(replay, target);
			}
			replay.step(2000);
			expectSameAsLive(replay, 2502);
			replay.seekStart();
			expectSameAsLive(replay, 0);
		}
	});

	it('keeps checkpoints pristine: the same seek twice gives the same state', () => {
		const {replay} = pausedReplay(5);
		replay.seekEnd();
		replay.step(-2000);
		const first = structuredClone(replay.state);
		replay.seekEnd();
		replay.step(-2000);
		expect(replay.state).toEqual(first);
	});

	it('plays in real time by event time, and pauses at the end', () => {
		const clock = new ManualClock();
		const replay = new ReplayEngine(lines, {clock});
		expect(replay.paused).toBe(false);
		clock.advance(1000);
		expect(replay.positionMs).toBeCloseTo(1000, 6);
		expect(replay.state.nodes.get(6)?.state).toBe('waiting'); // the 1000 ms timer ends at 1000.8
		clock.advance(FRAME_MS);
		expect(replay.positionMs).toBeCloseTo(1000 + FRAME_MS, 6);
		expect(replay.state.nodes.get(6)?.state).toBe('finished');
		clock.advance(5000);
		expect(replay.positionMs).toBe(3002.5);
		expect(replay.paused).toBe(true);
		expect(replay.state).toEqual(reduce(lines, LIVE));
		expect(clock.pendingTimers).toBe(0);
		replay.togglePause(); // at the end: plays again from the start
		expect(replay.positionMs).toBe(0);
		expect(replay.paused).toBe(false);
		replay.dispose();
	});

	it('pause stops the clock; resume continues from there', () => {
		const clock = new ManualClock();
		const replay = new ReplayEngine(lines, {clock});
		clock.advance(300);
		replay.togglePause();
		expect(replay.paused).toBe(true);
		const at = replay.positionMs;
		expect(at).toBeCloseTo(300, 6);
		clock.advance(2000);
		expect(replay.positionMs).toBe(at);
		replay.togglePause();
		clock.advance(200);
		expect(replay.positionMs).toBeCloseTo(500, 6);
		replay.dispose();
	});

	it('faster and slower double and halve the speed, within 0.25x..64x', () => {
		const clock = new ManualClock();
		const replay = new ReplayEngine(lines, {clock});
		// Pausing brings the position up to the clock, between frames too.
		const positionAfter = (ms: number): number => {
			clock.advance(ms);
			replay.togglePause();
			const position = replay.positionMs;
			replay.togglePause();
			return position;
		};
		expect(positionAfter(100)).toBeCloseTo(100, 6);
		replay.faster();
		expect(replay.speed).toBe(2);
		expect(positionAfter(100)).toBeCloseTo(300, 6);
		replay.slower();
		replay.slower();
		expect(replay.speed).toBe(0.5);
		expect(positionAfter(200)).toBeCloseTo(400, 6);
		for (let i = 0; i < 20; i++) replay.faster();
		expect(replay.speed).toBe(MAX_SPEED);
		for (let i = 0; i < 20; i++) replay.slower();
		expect(replay.speed).toBe(MIN_SPEED);
		replay.dispose();
	});

	it('step moves by the given time, clamped to the session', () => {
		const {replay} = pausedReplay();
		replay.step(1000);
		expect(replay.positionMs).toBe(1000);
		replay.step(-5000);
		expect(replay.positionMs).toBe(0);
		replay.step(99_999);
		expect(replay.positionMs).toBe(3002.5);
		expect(replay.paused).toBe(true);
	});

	it('notifies subscribers at most about 15 times a second', () => {
		const clock = new ManualClock();
		const replay = new ReplayEngine(lines, {clock, paused: true});
		let notifications = 0;
		const unsubscribe = replay.subscribe(() => notifications++);
		for (let i = 0; i < 100; i++) replay.step(1); // a burst of key presses
		expect(notifications).toBe(1);
		clock.advance(FRAME_MS);
		expect(notifications).toBe(2); // the burst's final state is delivered
		replay.togglePause();
		clock.advance(1000);
		expect(notifications).toBeGreaterThanOrEqual(14);
		expect(notifications).toBeLessThanOrEqual(2 + 16);
		unsubscribe();
		clock.advance(1000);
		expect(notifications).toBeLessThanOrEqual(2 + 16);
		replay.dispose();
	});

	// A replay's frames cost what a live run's do: played at 15 a second, a big recording took up to 46 % of a core.
	it('notifies less often once its frames are costly, as a live source does', () => {
		const clock = new ManualClock();
		const replay = new ReplayEngine(lines, {clock});
		const heard: number[] = [];
		const unsubscribe = replay.subscribe(() => heard.push(clock.now()));
		for (let frame = 0; frame < 40; frame++) replay.frameDrawn(40);
		expect(replay.redrawIntervalMs).toBeCloseTo(40 / DRAWING_SHARE, 0);
		heard.length = 0;
		for (let step = 0; step < 100; step++) clock.advance(FRAME_MS);
		expect(heard.length).toBeGreaterThan(1);
		for (let i = 1; i < heard.length; i++) expect(heard[i]! - heard[i - 1]!).toBeGreaterThanOrEqual(40 / DRAWING_SHARE - 1e-6);
		unsubscribe();
		replay.dispose();
	});

	it('loads a recording file', async () => {
		const {replay, warnings} = await loadReplay(THREE_REQUESTS_FILE, {clock: new ManualClock(), paused: true});
		// Small enough to be read in the first slice.
		expect(replay.indexing).toBeNull();
		expect(warnings()).toEqual([]);
		replay.seekEnd();
		expect(replay.state).toEqual(reduce(lines, LIVE));
	});

	it('reads a long recording once, making its checkpoints as it goes; a seek either way starts from the nearest', async () => {
		const {replay} = await loadReplay(manyTasksFile(), {clock: new ManualClock(), paused: true, checkpointEvery: 1000});
		await untilRead(replay);
		// Forward past checkpoints, back, and forward again.
		for (const ms of [3004, 1500, 2999.5, 10, 2200]) {
			replay.step(ms - replay.positionMs);
			expect(buildReport(replay.state)).toEqual(buildReport(liveStateAt(ms, MANY_TASKS)));
		}
		replay.dispose();
	});

	it('opens before the recording is read: what is read so far plays, each moment exactly as a full read shows it', async () => {
		const {replay} = await loadReplay(manyTasksFile(), {clock: new ManualClock(), paused: true, checkpointEvery: 1000});
		// The first slice only: the rest is read a slice a turn of the event loop.
		expect(replay.indexing).toBeGreaterThanOrEqual(0);
		expect(replay.indexing).toBeLessThan(1);
		expect(replay.durationMs).toBeGreaterThan(0);
		expect(replay.durationMs).toBeLessThan(1000);
		expect(replay.state.header).toEqual(header());
		const early = replay.durationMs / 2;
		replay.step(early);
		expect(replay.state).toEqual(liveStateAt(early, MANY_TASKS));
		// The end of what is read: the state there is whole (events that share its instant are in).
		replay.step(replay.durationMs);
		expect(replay.positionMs).toBe(replay.durationMs);
		expect(replay.state).toEqual(liveStateAt(replay.positionMs, MANY_TASKS));
		let reads = 0;
		while (replay.indexing !== null) {
			const before = replay.indexing;
			await nextTurn();
			if (replay.indexing !== null) expect(replay.indexing).toBeGreaterThanOrEqual(before);
			reads++;
		}
		expect(reads).toBeGreaterThan(2);
		expect(replay.durationMs).toBe(3004);
		replay.seekEnd();
		expect(replay.state).toEqual(reduce(MANY_TASKS, LIVE));
		replay.dispose();
	});

	it('a seek past what is read goes as far as is read, and on as more is: End lands on the real end, a step where it asked', async () => {
		const toEnd = (await loadReplay(manyTasksFile(), {clock: new ManualClock(), paused: true, checkpointEvery: 1000})).replay;
		toEnd.seekEnd();
		const first = toEnd.positionMs;
		expect(first).toBe(toEnd.durationMs);
		expect(first).toBeLessThan(3004);
		expect(toEnd.state).toEqual(liveStateAt(first, MANY_TASKS));
		// It follows the reading: at the end of what is read each time it looks.
		await nextTurn();
		await nextTurn();
		expect(toEnd.positionMs).toBeGreaterThan(first);
		expect(toEnd.positionMs).toBe(toEnd.durationMs);
		expect(toEnd.state).toEqual(liveStateAt(toEnd.positionMs, MANY_TASKS));
		await untilRead(toEnd);
		expect(toEnd.positionMs).toBe(3004);
		expect(toEnd.state).toEqual(reduce(MANY_TASKS, LIVE));
		toEnd.dispose();

		const stepped = (await loadReplay(manyTasksFile(), {clock: new ManualClock(), paused: true, checkpointEvery: 1000})).replay;
		stepped.step(2500);
		expect(stepped.positionMs).toBe(stepped.durationMs);
		await untilRead(stepped);
		expect(stepped.positionMs).toBe(2500);
		expect(stepped.state).toEqual(liveStateAt(2500, MANY_TASKS));
		stepped.dispose();
	});

	it('playing catches up with the reading: it waits there, never past what is read, and plays on', async () => {
		const clock = new ManualClock();
		const {replay} = await loadReplay(manyTasksFile(), {clock, speed: MAX_SPEED, checkpointEvery: 1000});
		clock.advance(1000); // 64 s of the recording: far past what is read
		expect(replay.paused).toBe(false);
		expect(replay.positionMs).toBe(replay.durationMs);
		expect(replay.state).toEqual(liveStateAt(replay.positionMs, MANY_TASKS));
		await untilRead(replay);
		clock.advance(1000);
		expect(replay.positionMs).toBe(3004);
		expect(replay.paused).toBe(true);
		expect(replay.state).toEqual(reduce(MANY_TASKS, LIVE));
		replay.dispose();
	});

	it('while it waits for the reading, it draws only what changed: what is read at most 4 times a second, no frame held still', async () => {
		const clock = new ManualClock();
		const {replay} = await loadReplay(manyTasksFile(), {clock, checkpointEvery: 1000});
		let notified = 0;
		replay.subscribe(() => notified++);
		replay.seekEnd();
		// The seek is drawn; then, playing but held at the end of what is read until more is, its frames have nothing new.
		clock.advance(1000);
		expect(notified).toBe(1);
		let elapsed = 0;
		while (replay.indexing !== null) {
			clock.advance(50);
			elapsed += 50;
			await nextTurn();
		}
		clock.advance(FRAME_MS);
		expect(replay.positionMs).toBe(3004);
		expect(notified).toBeGreaterThan(1);
		// The seek; one a READ_NOTIFY_MS at most; the last once it is all read, and the pause at its end.
		expect(notified).toBeLessThanOrEqual(1 + Math.ceil(elapsed / READ_NOTIFY_MS) + 2);
		replay.dispose();
	});

	it('stops reading when disposed', async () => {
		const {replay} = await loadReplay(manyTasksFile(), {clock: new ManualClock(), paused: true});
		const read = replay.indexing;
		replay.dispose();
		for (let i = 0; i < 20; i++) await nextTurn();
		expect(replay.indexing).toBe(read);
	});

	it('plays what was read before a corrupt line, and says why it ends there', async () => {
		const file = tempFile('corrupt.ndjson');
		const before = MANY_TASKS.slice(0, 6000);
		writeFileSync(file, `${before.map(line => serializeLine(line)).join('')}{"type":"task.ready"}\n${MANY_TASKS.slice(6000).map(line => serializeLine(line)).join('')}`);
		const loaded = await loadReplay(file, {clock: new ManualClock(), paused: true});
		await untilRead(loaded.replay);
		expect(loaded.replay.readProblem).toMatch(/corrupt\.ndjson:6001: corrupt line .*use --lenient/);
		expect(loaded.problem()).toBeInstanceOf(SessionFileError);
		loaded.replay.seekEnd();
		expect(loaded.replay.state).toEqual(reduce(before, LIVE));
		// Playing at the end starts over, as at the end of a whole recording.
		loaded.replay.togglePause();
		expect(loaded.replay.positionMs).toBe(0);
		loaded.replay.dispose();
	});
});

describe('replay index and checkpoints', () => {
	it('applies an event only once a later one arrives after it: its state is the state at its frontier', () => {
		const index = new ReplayIndex(null);
		const events: ProtocolLine[] = [
			header(),
			{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null},
			{type: 'task.start', t: 5, id: 2, parent: 1, kind: 'task', name: 'a()', loc: null},
			{type: 'task.start', t: 5, id: 3, parent: 1, kind: 'task', name: 'b()', loc: null},
			{type: 'task.end', t: 7, id: 2, ok: true, busy: 0, wait: 0, sched: 0, awaits: 0},
		];
		for (const line of events.slice(0, 4)) index.take(line);
		// The two at t=5 wait: a third might still come.
		expect([index.applied, index.frontierMs, index.state.nodes.size]).toEqual([2, 0, 1]);
		index.take(events[4]!);
		expect([index.applied, index.frontierMs]).toEqual([4, 5]);
		expect(index.state).toEqual(reduce(events.slice(0, 4)));
		index.finish();
		expect([index.applied, index.frontierMs, index.complete]).toEqual([5, 7, true]);
	});

	it('keeps at most MAX_CHECKPOINTS, compact, each restoring exactly the state at its point with the retention applied', () => {
		const retention = {maxFinished: 100, maxAgeMs: Infinity};
		const index = new ReplayIndex(retention, 100);
		for (const line of MANY_TASKS) index.take(line);
		index.finish();
		const {count, bytes, every} = index.checkpoints.size;
		// 120 checkpoints' worth of events: every other one dropped, twice, as they passed the limit.
		expect(count).toBeLessThanOrEqual(MAX_CHECKPOINTS);
		expect(count).toBeGreaterThanOrEqual(MAX_CHECKPOINTS / 2);
		expect(every).toBe(400);
		// Compressed: each a fraction of a state serialized as it is (its histograms aside), at the retention's full size.
		expect(bytes / count).toBeLessThan(serialize({...index.state, aggregated: {...index.state.aggregated, sites: new Map(), hosts: new Map()}}).length / 4);
		for (let applied = 0; applied <= MANY_TASKS.length; applied += 997) {
			const checkpoint = index.checkpoints.nearest(applied);
			if (!checkpoint) continue;
			expect(applied - checkpoint.applied).toBeLessThan(every);
			const restored = index.checkpoints.restore(checkpoint);
			const expected = reduce(MANY_TASKS.slice(0, checkpoint.applied), {retention});
			// Copied alike (the interval arrays trimmed to what is used, the histograms rebuilt), they are the same.
			expect(cloneState(restored)).toEqual(cloneState(expected));
			expect(buildReport(restored)).toEqual(buildReport(expected));
			// The window, the batch folded at a time (256 at least), the few tasks under way.
			expect(restored.nodes.size).toBeLessThanOrEqual(retention.maxFinished + 256 + 10);
		}
	});

	it('restores the folded intervals of a checkpoint taken before they were settled', () => {
		// Five minutes of calls 100 ms apart, each 150 ms long: two in flight at a time, then one longer call beside them.
		const lines: ProtocolLine[] = [header(), {type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'long.ts', loc: null}];
		for (let i = 0; i < 3000; i++) {
			const t = 1 + i * 100;
			lines.push({type: 'task.start', t, id: 10 + 2 * i, parent: 1, kind: 'task', name: 'call()', loc: 'long.ts:2:1'});
			if (i > 0) lines.push({type: 'task.end', t, id: 8 + 2 * i, ok: true, busy: 1, wait: 149, sched: 0, awaits: 1});
			if (i === 2500) lines.push({type: 'task.start', t: t + 10, id: 9, parent: 1, kind: 'task', name: 'longer()', loc: 'long.ts:5:1'});
		}
		const retention = {maxFinished: 100, maxAgeMs: Infinity};
		const settling = (state: ModelState): ModelState => {
			state.aggregated.leafIntervals.settleAt = 500;
			return state;
		};
		const index = new ReplayIndex(retention, 200);
		settling(index.state);
		for (const line of lines) index.take(line);
		index.finish();
		expect(index.state.aggregated.leafIntervals.settledUntil).toBeGreaterThan(0);
		const checkpoints = [0, 1000, 3000, 5000, lines.length].map(applied => index.checkpoints.nearest(applied)).filter(checkpoint => checkpoint !== undefined);
		expect(checkpoints.length).toBeGreaterThan(3);
		for (const checkpoint of checkpoints) {
			const restored = index.checkpoints.restore(checkpoint);
			const expected = settling(createState({retention}));
			for (const line of lines.slice(0, checkpoint.applied)) apply(expected, line);
			expect(cloneState(restored)).toEqual(cloneState(expected));
			expect(buildReport(restored).summary.maxInFlight).toBe(buildReport(expected).summary.maxInFlight);
		}
	});
});
