import {describe, expect, it} from 'vitest';
import {chromeTrace, formatChromeTrace, LOOP_TID, MAIN_THREAD_TID, nestSlices, type Slice, type TraceEvent} from '../../source/sessions/format-chrome-trace.js';
import {IDS_PER_PROCESS} from '../../source/protocol/events.js';
import {event, reduce} from '../helpers/events.js';
import {threeRequestsEvents} from './session-fixtures.js';

const trace = chromeTrace(reduce(threeRequestsEvents()));
const events = trace.traceEvents;
const asyncOf = (cat: string, id: number): TraceEvent[] => events.filter(e => e.cat === cat && e.id === String(id));

describe('chrome-trace format', () => {
	it('is the Perfetto JSON object, and every event has the fields its phase requires', () => {
		expect(JSON.parse(formatChromeTrace(reduce(threeRequestsEvents())))).toEqual(trace);
		expect(trace.displayTimeUnit).toBe('ms');
		for (const event of events) {
			expect(typeof event.name).toBe('string');
			expect(event.pid).toBe(4242);
			if (event.ph === 'M') continue;
			expect(Number.isInteger(event.ts), JSON.stringify(event)).toBe(true);
			if (event.ph === 'X') expect(event.dur).toBeGreaterThanOrEqual(0);
			if (event.ph === 'b' || event.ph === 'e' || event.ph === 'n') {
				expect(event.cat).toBeTruthy();
				expect(event.id).toMatch(/^\d+$/);
			}
			if (event.ph === 'X' || event.ph === 'i' || event.ph === 'C') expect(event.tid).toBeTypeOf('number');
			if (event.ph === 'C') expect(Object.values(event.args!).every(v => typeof v === 'number')).toBe(true);
		}
	});

	it('names the process and its threads with metadata events', () => {
		const names = events.filter(e => e.ph === 'M').map(e => [e.name, e.tid, e.args!.name]);
		expect(names).toContainEqual(['process_name', undefined, 'node examples/three-requests.ts']);
		expect(names).toContainEqual(['thread_name', MAIN_THREAD_TID, 'main thread (JS)']);
	});

	it('uses microseconds: a 1000 ms timer spans 1,000,000 µs', () => {
		const [begin, end] = asyncOf('timer', 6);
		expect(begin).toMatchObject({ph: 'b', name: 'setTimeout 1000ms', ts: 650});
		expect(end).toMatchObject({ph: 'e', ts: 1_000_800});
		const block = events.find(e => e.ph === 'X' && e.cat === 'block')!;
		expect(block).toMatchObject({ts: 1_001_000, dur: 250_000, name: 'blocked 250ms'});
		expect(events.find(e => e.ph === 'i')).toMatchObject({name: 'block detected', ts: 1_051_000, s: 'p'});
	});

	it('matches every b with an e on the same cat + id, properly nested, ending no earlier', () => {
		const open = new Map<string, TraceEvent[]>();
		for (const event of events) {
			const key = `${event.cat}/${event.id}`;
			if (event.ph === 'b') open.set(key, [...(open.get(key) ?? []), event]);
			if (event.ph === 'e') {
				const stack = open.get(key)!;
				const begin = stack.pop()!;
				expect(begin.name).toBe(event.name);
				expect(event.ts).toBeGreaterThanOrEqual(begin.ts!);
			}
		}
		expect([...open.values()].flat()).toEqual([]);
	});

	it('closes tasks still pending at the end at the session end', () => {
		const lines = threeRequestsEvents();
		const cut = lines.slice(0, lines.findIndex(l => l.type === 'task.end' && l.id === 4));
		const partial = chromeTrace(reduce(cut)).traceEvents;
		const ends = partial.filter(e => e.ph === 'e' && e.cat === 'task' && e.id === '4');
		expect(ends).toEqual([expect.objectContaining({ts: 3_001_000, args: {state: 'pending at session end'}})]);
		expect(partial.filter(e => e.ph === 'b').length).toBe(partial.filter(e => e.ph === 'e').length);
	});

	it('nests HTTP phases inside the request, in order', () => {
		const request = asyncOf('http', 9).map(e => [e.ph, e.name, e.ts]);
		expect(request).toEqual([
			['b', 'GET api.example.com/items', 1300],
			['b', 'queue', 2500],
			['e', 'queue', 5000],
			['b', 'connect', 5000],
			['e', 'connect', 25_000],
			['b', 'ttfb', 25_000],
			['e', 'ttfb', 85_000],
			['b', 'download', 85_000],
			['e', 'download', 125_000],
			['e', 'GET api.example.com/items', 125_000],
		]);
	});

	it('links each parent to each child with one flow: source before target, same bind_id', () => {
		const sources = events.filter(e => e.flow_out);
		const targets = events.filter(e => e.flow_in);
		// every node but the script root has a parent: 10 links
		expect(sources).toHaveLength(10);
		expect(targets.map(t => t.bind_id).sort()).toEqual(sources.map(s => s.bind_id).sort());
		for (const target of targets) {
			const source = sources.find(s => s.bind_id === target.bind_id)!;
			expect(target.ph).toBe('b');
			expect(target.id).toBe(String(target.bind_id));
			expect(source.ph).toBe('n');
			expect(source.ts).toBeLessThanOrEqual(target.ts!);
			expect(events.indexOf(source)).toBeLessThan(events.indexOf(target));
		}
		const mainToA = sources.find(s => s.bind_id === 3)!;
		expect(mainToA).toMatchObject({cat: 'task', id: '2', name: 'started simulateRequest("request-A", 1000)'});
	});

	it('puts running slices on the main thread, properly nested', () => {
		const running = events.filter(e => e.ph === 'X' && e.cat === 'running');
		expect(running.every(e => e.tid === MAIN_THREAD_TID)).toBe(true);
		expect(running.find(e => e.args!.task === 3 && e.ts === 1_001_000)).toMatchObject({dur: 250_500});
		const sorted = [...running].sort((a, b) => a.ts! - b.ts! || b.dur! - a.dur!);
		const open: TraceEvent[] = [];
		for (const slice of sorted) {
			while (open.length && open.at(-1)!.ts! + open.at(-1)!.dur! <= slice.ts!) open.pop();
			if (open.length) expect(slice.ts! + slice.dur!).toBeLessThanOrEqual(open.at(-1)!.ts! + open.at(-1)!.dur!);
			open.push(slice);
		}
	});

	it("puts a followed process's blocks on a track of that process's, the script's on the loop's", () => {
		const lane = IDS_PER_PROCESS + 1;
		const {traceEvents} = chromeTrace(
			reduce([
				...threeRequestsEvents(),
				event('task.start', {t: 5, id: lane, parent: 1, kind: 'process', name: 'pid 42: node child.js', loc: null, process: {pid: 42, command: 'node child.js'}}),
				{type: 'block.start', t: 10, id: IDS_PER_PROCESS + 1, task: lane, detectedAt: 70},
				{type: 'block.end', t: 200, id: IDS_PER_PROCESS + 1, durationMs: 190, task: lane, exact: true},
			]),
		);
		const blocks = traceEvents.filter(e => e.ph === 'X' && e.cat === 'block');
		const childTrack = blocks.find(e => e.args!.task === lane)!.tid!;
		expect(childTrack).not.toBe(LOOP_TID);
		expect(blocks.filter(e => e.args!.task !== lane).every(e => e.tid === LOOP_TID)).toBe(true);
		expect(traceEvents).toContainEqual(expect.objectContaining({name: 'thread_name', tid: childTrack, args: {name: 'pid 42: node child.js: event loop blocks'}}));
	});

	it('has counters for tasks in flight and loop delay', () => {
		const counters = events.filter(e => e.ph === 'C');
		// The three requests at once: leaf tasks, as the report's maxInFlight counts them (not the script, nor main()).
		expect(Math.max(...counters.filter(c => c.name === 'tasks in flight').map(c => c.args!.tasks as number))).toBe(3);
		expect(counters.find(c => c.name === 'loop delay (ms)' && c.ts === 1_500_000)!.args).toEqual({ms: 240.5});
	});
});

describe('nestSlices', () => {
	const slice = (name: string, startUs: number, endUs: number): Slice => ({tid: 1, name, cat: 'running', startUs, endUs, args: {}});
	const spans = (slices: Slice[]): Array<[string, number, number]> => slices.map(s => [s.name, s.startUs, s.endUs]);

	it('keeps nested and sequential slices as they are', () => {
		const input = [slice('parent', 0, 100), slice('child', 10, 20), slice('next', 100, 150)];
		expect(spans(nestSlices(input))).toEqual([['parent', 0, 100], ['child', 10, 20], ['next', 100, 150]]);
	});

	it('trims the earlier slice when the later one lies mostly after it', () => {
		expect(spans(nestSlices([slice('a', 0, 105), slice('b', 100, 200)]))).toEqual([['a', 0, 100], ['b', 100, 200]]);
	});

	it('trims the later slice when it lies mostly inside the earlier one', () => {
		expect(spans(nestSlices([slice('a', 0, 100), slice('b', 50, 102)]))).toEqual([['a', 0, 100], ['b', 50, 100]]);
	});
});
