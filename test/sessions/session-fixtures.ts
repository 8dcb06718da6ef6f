import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import type {AsyncmonEvent, ProtocolLine} from '../../source/protocol/events.js';
import {header} from '../helpers/events.js';

const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/sessions/', import.meta.url));
export const THREE_REQUESTS_FILE = join(FIXTURES_DIR, 'three-requests.ndjson');

const LOC = 'examples/three-requests.ts';

/**
 * The seed example: a script runs `main`, which starts three
 * `simulateRequest` tasks (timers of 1000, 3000 and 2000 ms) and three HTTP
 * requests, then waits for all of them. request-A blocks the loop for 250 ms
 * after its timer; request-B fails; one HTTP request gets a 500. Its events
 * are written out whole, in the runtime's field order: the checked-in
 * recording is these lines, byte for byte, as protocol 1 wrote them.
 */
export function threeRequestsEvents(): ProtocolLine[] {
	const requests: Array<{task: number; timer: number; label: string; delay: number; startAt: number}> = [
		{task: 3, timer: 6, label: 'A', delay: 1000, startAt: 0.6},
		{task: 4, timer: 7, label: 'B', delay: 3000, startAt: 0.9},
		{task: 5, timer: 8, label: 'C', delay: 2000, startAt: 1.1},
	];
	const events: AsyncmonEvent[] = [
		{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: LOC, loc: `${LOC}:1:1`},
		{type: 'task.start', t: 0.5, id: 2, parent: 1, kind: 'task', name: 'main', loc: `${LOC}:12:1`},
	];
	for (const r of requests) {
		events.push(
			{type: 'task.start', t: r.startAt, id: r.task, parent: 2, kind: 'task', name: `simulateRequest("request-${r.label}", ${r.delay})`, loc: `${LOC}:3:1`},
			{type: 'op.start', t: r.startAt + 0.05, id: r.timer, parent: r.task, kind: 'timer', name: `setTimeout ${r.delay}ms`, loc: `${LOC}:4:9`, timer: {delayMs: r.delay, repeat: false}},
			{type: 'task.await', t: r.startAt + 0.1, id: r.task, site: `${LOC}:4:3`, on: {kind: 'op', id: r.timer}, busy: 0.1},
		);
	}
	events.push(
		{type: 'op.start', t: 1.3, id: 9, parent: 2, kind: 'http', name: 'GET api.example.com/items', loc: `${LOC}:14:3`, http: {method: 'GET', url: 'https://api.example.com/items'}},
		{type: 'op.start', t: 1.35, id: 10, parent: 2, kind: 'http', name: 'POST api.example.com/login', loc: `${LOC}:15:3`, http: {method: 'POST', url: 'https://api.example.com/login'}},
		{type: 'op.start', t: 1.4, id: 11, parent: 2, kind: 'http', name: 'GET cdn.example.net/logo.png', loc: `${LOC}:16:3`, http: {method: 'GET', url: 'https://cdn.example.net/logo.png'}},
		{type: 'task.await', t: 1.5, id: 2, site: `${LOC}:17:3`, on: {kind: 'promise', tasks: [3, 4, 5], ops: [9, 10, 11]}, busy: 1.0},
		{type: 'task.await', t: 1.6, id: 1, site: `${LOC}:20:1`, on: {kind: 'task', id: 2}, busy: 0.9},
		{type: 'op.phase', t: 25, id: 9, phase: 'sent', queueMs: 2.5, connectMs: 20},
		{type: 'op.phase', t: 27, id: 10, phase: 'sent', queueMs: 24, connectMs: 0},
		{type: 'op.phase', t: 40, id: 11, phase: 'sent', queueMs: 1, connectMs: 36},
		{type: 'op.phase', t: 85, id: 9, phase: 'headers', status: 200},
		{type: 'op.phase', t: 90, id: 10, phase: 'headers', status: 500},
		{type: 'op.end', t: 95, id: 10, ok: true, status: 500, bytes: 120},
		{type: 'op.phase', t: 110, id: 11, phase: 'headers', status: 200},
		{type: 'op.end', t: 125, id: 9, ok: true, status: 200, bytes: 5120},
		{type: 'op.end', t: 410, id: 11, ok: true, status: 200, bytes: 48_000},
		{type: 'loop', t: 500, delayMs: 1.2, utilization: 0.02},
		{type: 'op.end', t: 1000.8, id: 6, ok: true, lateMs: 0.15},
		{type: 'task.ready', t: 1000.8, id: 3},
		{type: 'task.resume', t: 1001, id: 3, readyAt: 1000.8, wait: 1000.1, sched: 0.2},
		{type: 'block.start', t: 1001, id: 1, task: 3, detectedAt: 1051},
		{type: 'block.stack', t: 1052, id: 1, frames: [{fn: 'parseBody', loc: `${LOC}:6:5`}, {fn: 'simulateRequest', loc: `${LOC}:5:3`}]},
		{type: 'loop', t: 1000, delayMs: 1.1, utilization: 0.03},
		{type: 'block.end', t: 1251, id: 1, durationMs: 250, task: 3, exact: true},
		{type: 'output', t: 1251.2, stream: 'stdout', text: 'request-A done\n'},
		{type: 'task.end', t: 1251.5, id: 3, ok: true, busy: 250.6, wait: 1000.1, sched: 0.2, awaits: 1},
		{type: 'loop', t: 1500, delayMs: 240.5, utilization: 0.6},
		{type: 'op.end', t: 2001.2, id: 8, ok: true, lateMs: 0.05},
		{type: 'task.ready', t: 2001.2, id: 5},
		{type: 'task.resume', t: 2001.3, id: 5, readyAt: 2001.2, wait: 2000.1, sched: 0.1},
		{type: 'output', t: 2001.4, stream: 'stdout', text: 'request-C done\n'},
		{type: 'task.end', t: 2001.5, id: 5, ok: true, busy: 0.3, wait: 2000.1, sched: 0.1, awaits: 1},
		{type: 'loop', t: 2000, delayMs: 1.0, utilization: 0.01},
		{type: 'loop', t: 2500, delayMs: 1.0, utilization: 0.01},
		{type: 'op.end', t: 3000.95, id: 7, ok: true, lateMs: 0.05},
		{type: 'task.ready', t: 3000.95, id: 4},
		{type: 'task.resume', t: 3001, id: 4, readyAt: 3000.95, wait: 2999.9, sched: 0.05},
		{type: 'task.end', t: 3001.2, id: 4, ok: false, error: {name: 'Error', message: 'request-B failed: upstream <503> | "busy"', location: `${LOC}:7:11`}, busy: 0.3, wait: 2999.9, sched: 0.05, awaits: 1},
		{type: 'task.ready', t: 3001.2, id: 2},
		{type: 'task.resume', t: 3001.3, id: 2, readyAt: 3001.2, wait: 2999.7, sched: 0.1},
		{type: 'task.end', t: 3001.6, id: 2, ok: true, busy: 1.3, wait: 2999.7, sched: 0.1, awaits: 1},
		{type: 'task.ready', t: 3001.6, id: 1},
		{type: 'task.resume', t: 3001.7, id: 1, readyAt: 3001.6, wait: 3000, sched: 0.1},
		{type: 'task.end', t: 3001.9, id: 1, ok: true, busy: 1.1, wait: 3000, sched: 0.1, awaits: 1},
		{type: 'exit', t: 3002.5, code: 0, signal: null},
	);
	// Written by protocol 1, every event an object: it stays readable.
	return [header({protocol: 1, script: LOC, cwd: '/work/app', node: 'v24.21.0', pid: 4242, startedAt: 1_790_000_000_000}), ...events];
}

export function toNdjson(lines: readonly unknown[]): string {
	return lines.map(line => JSON.stringify(line)).join('\n') + '\n';
}

export function writeTemp(dir: string, name: string, content: string): string {
	const path = join(dir, name);
	writeFileSync(path, content);
	return path;
}
