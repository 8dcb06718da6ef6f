import {describe, expect, it} from 'vitest';
import type {ProtocolLine} from '../../source/protocol/events.js';
import {buildReport} from '../../source/model/summary.js';
import {LIVE_RETENTION, type ModelState} from '../../source/model/state.js';
import type {ReplayControls} from '../../source/model/source.js';
import {FRAME_MS, loadReplay, MAX_SPEED, MIN_SPEED, ReplayEngine} from '../../source/sessions/replay.js';
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

	it('loads a recording file', async () => {
		const {replay, warnings} = await loadReplay(THREE_REQUESTS_FILE, {clock: new ManualClock(), paused: true});
		expect(warnings).toEqual([]);
		replay.seekEnd();
		expect(replay.state).toEqual(reduce(lines, LIVE));
	});

	it('reads a long recording once, making its checkpoints as it goes; a seek either way starts from the nearest', async () => {
		// 3,000 tasks a millisecond apart, each waiting 5 ms on a timer: 12,002 events, one a line.
		const long: ProtocolLine[] = [header(), {type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'many.ts', loc: null}];
		for (let i = 0; i < 3000; i++) {
			const id = 2 + i;
			long.push(
				{type: 'task.start', t: i, id, parent: 1, kind: 'task', name: `job(${i})`, loc: 'many.ts:3:1'},
				{type: 'task.await', t: i, id, site: 'many.ts:4:3', on: {kind: 'promise'}, busy: 0.1},
				{type: 'task.resume', t: i + 5, id, readyAt: i + 5, wait: 5, sched: 0},
				{type: 'task.end', t: i + 5, id, ok: true, busy: 0.2, wait: 5, sched: 0, awaits: 1},
			);
		}
		const file = tempFile('many.ndjson');
		writeFileSync(file, long.map(line => serializeLine(line)).join(''));
		const {replay} = await loadReplay(file, {clock: new ManualClock(), paused: true});
		// Forward past checkpoints, back, and forward again.
		for (const ms of [3004, 1500, 2999.5, 10, 2200]) {
			replay.step(ms - replay.positionMs);
			expect(buildReport(replay.state)).toEqual(buildReport(liveStateAt(ms, long)));
		}
		replay.dispose();
	});
});
