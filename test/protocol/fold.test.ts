import {describe, expect, it} from 'vitest';
import type {FoldEvent, HttpFoldEvent} from '../../source/protocol/events.js';
import {FOLD_FIELDS, FOLD_REQUEST_FIELDS, FoldedTaskWriter, forEachFoldedRequest, forEachFoldedTask, type FoldedRequest, type FoldedTask} from '../../source/protocol/fold.js';
import {roundMs} from '../../source/protocol/rounding.js';

function foldOf(t: number, tasks: FoldedTaskWriter, count: number): FoldEvent {
	return {type: 'fold', t, kind: 'task', name: 'tiny', loc: null, parent: null, leaf: true, count, totalMs: 0, busyMs: 0, waitMs: 0, tasks: tasks.text()};
}

describe('a fold line’s packed tasks', () => {
	it('read back each task’s start and end as its own events would have given them (to the microsecond), and busy and wait', () => {
		const t = 1234.5678;
		const writer = new FoldedTaskWriter(t);
		const written = [
			[1000.0004, 1000.0009, 0.0004, 0],
			[1000.0009, 1000.25, 0.1, 0.149],
			[1234.5678, 1234.5678, 0, 0],
		] as const;
		for (const [start, end, busy, wait] of written) writer.add(start, end, busy, wait);
		const read: FoldedTask[] = [];
		expect(forEachFoldedTask(foldOf(roundMs(t), writer, 3), task => read.push({...task}))).toBe(true);
		written.forEach(([start, end, busy, wait], i) => {
			expect(read[i]!.startMs).toBe(roundMs(start));
			expect(read[i]!.startMs + read[i]!.totalMs).toBeCloseTo(roundMs(end), 9);
			expect(read[i]!.busyMs).toBeCloseTo(busy, 3);
			expect(read[i]!.waitMs).toBeCloseTo(wait, 3);
		});
		// The first ended exactly as the second started: still one after the other.
		expect(read[0]!.startMs + read[0]!.totalMs).toBeLessThanOrEqual(read[1]!.startMs);
	});

	it('grows past its first buffer, and is refused when its count disagrees with what it holds', () => {
		const writer = new FoldedTaskWriter(0);
		for (let i = 0; i < 1000; i++) writer.add(-i, -i + 0.5, 0.5, 0);
		const fold = foldOf(0, writer, 1000);
		expect(Buffer.from(fold.tasks, 'base64')).toHaveLength(1000 * FOLD_FIELDS * 4);
		let seen = 0;
		expect(forEachFoldedTask(fold, () => seen++)).toBe(true);
		expect(seen).toBe(1000);
		expect(forEachFoldedTask({...fold, count: 999}, () => {})).toBe(false);
	});
});

describe('a fold line from an untrusted recording', () => {
	it('is refused when its packed times hold a character that is not base64', () => {
		const writer = new FoldedTaskWriter(0);
		for (let i = 0; i < 3; i++) writer.add(-i, -i + 0.5, 0.5, 0);
		const fold = foldOf(0, writer, 3);
		const spoiled = {...fold, tasks: `${fold.tasks.slice(0, 8)}*${fold.tasks.slice(9)}`};
		expect(forEachFoldedTask(spoiled, () => {})).toBe(false);
	});
});

describe('a fold.http line’s packed requests', () => {
	const lineOf = (t: number, writer: FoldedTaskWriter, count: number): HttpFoldEvent => ({type: 'fold.http', t, method: 'GET', url: 'http://api.test/x', loc: null, parent: null, count, totalMs: 0, requests: writer.text()});

	it('read back each request’s start, end, time in a pool’s queue and phases, to the microsecond, and the phases it did not reach as absent', () => {
		const written: FoldedRequest[] = [
			{startMs: 10.0004, totalMs: 5.25, pooledMs: 1.5, queueMs: 0.25, connectMs: 0.125, ttfbMs: 3, downloadMs: 0.375},
			// Sent on a connection it had (no pool's queue), and ended as its headers came (no body).
			{startMs: 12, totalMs: 1, queueMs: 0, connectMs: 0, ttfbMs: 1, downloadMs: 0},
			{startMs: 13, totalMs: 0.5},
		];
		const writer = new FoldedTaskWriter(20);
		for (const request of written) writer.addRequest(request);
		const read: FoldedRequest[] = [];
		expect(forEachFoldedRequest(lineOf(20, writer, 3), request => read.push(request))).toBe(true);
		expect(read).toHaveLength(3);
		written.forEach((request, i) => {
			expect(read[i]!.startMs).toBe(roundMs(request.startMs));
			expect(read[i]!.totalMs).toBeCloseTo(request.totalMs, 3);
			for (const phase of ['pooledMs', 'queueMs', 'connectMs', 'ttfbMs', 'downloadMs'] as const) {
				if (request[phase] === undefined) expect(read[i]![phase]).toBeUndefined();
				else expect(read[i]![phase]).toBeCloseTo(request[phase], 6);
			}
		});
	});

	it('is refused when its count disagrees with what it holds, or it holds a character that is not base64', () => {
		const writer = new FoldedTaskWriter(0);
		for (let i = 0; i < 3; i++) writer.addRequest({startMs: -i, totalMs: 0.5});
		const line = lineOf(0, writer, 3);
		expect(Buffer.from(line.requests, 'base64')).toHaveLength(3 * FOLD_REQUEST_FIELDS * 4);
		expect(forEachFoldedRequest({...line, count: 2}, () => {})).toBe(false);
		expect(forEachFoldedRequest({...line, requests: `${line.requests.slice(0, 8)}*${line.requests.slice(9)}`}, () => {})).toBe(false);
		// A fold line's reader, given a request line's packed times, finds them no whole number of tasks.
		expect(forEachFoldedTask(foldOf(0, writer, 3), () => {})).toBe(false);
	});
});
