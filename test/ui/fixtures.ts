import type {ErrorInfo, Ms, ProtocolLine, StackFrame, WaitTarget} from '../../source/protocol/events.js';
import {apply} from '../../source/model/reducer.js';
import {createState, type ModelState} from '../../source/model/state.js';
import type {ModelSource} from '../../source/model/source.js';

export const STARTED_AT = 1_700_000_000_000;

/** A model fed event by event, notifying subscribers the way a live source does. */
export class FixtureSession implements ModelSource {
	readonly state: ModelState = createState();
	private readonly listeners = new Set<() => void>();

	constructor(script = 'app.ts') {
		this.emit({type: 'header', protocol: 1, script, argv: [], cwd: '/app', node: 'v24.21.0', pid: 42, startedAt: STARTED_AT, blockThresholdMs: 50, redacted: false});
	}

	subscribe(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	emit(line: ProtocolLine): this {
		apply(this.state, line);
		for (const listener of this.listeners) listener();
		return this;
	}

	/** A wall clock `nowMs` into the session, for views that read one. */
	clockAt(nowMs: Ms): () => number {
		return () => STARTED_AT + nowMs;
	}

	task(id: number, name: string, t: Ms, options: {parent?: number; loc?: string} = {}): this {
		return this.emit({type: 'task.start', t, id, parent: options.parent ?? null, kind: id === 1 && options.parent === undefined ? 'script' : 'task', name, loc: options.loc ?? `src/${name}.ts:1:1`});
	}

	await(id: number, t: Ms, on: WaitTarget, site: string | null = null, busy: Ms = 0): this {
		return this.emit({type: 'task.await', t, id, site, on, busy});
	}

	ready(id: number, t: Ms): this {
		return this.emit({type: 'task.ready', t, id});
	}

	resume(id: number, t: Ms, readyAt: Ms, totals: {wait: Ms; sched: Ms} = {wait: 0, sched: 0}): this {
		return this.emit({type: 'task.resume', t, id, readyAt, ...totals});
	}

	end(id: number, t: Ms, totals: {busy?: Ms; wait?: Ms; sched?: Ms; error?: ErrorInfo} = {}): this {
		const {busy = 0, wait = 0, sched = 0, error} = totals;
		return this.emit({type: 'task.end', t, id, ok: error === undefined, busy, wait, sched, awaits: 0, ...(error ? {error} : {})});
	}

	http(id: number, parent: number, t: Ms, method: string, url: string): this {
		return this.emit({type: 'op.start', t, id, parent, kind: 'http', name: `${method} ${url}`, http: {method, url}});
	}

	timer(id: number, parent: number, t: Ms, delayMs: number): this {
		return this.emit({type: 'op.start', t, id, parent, kind: 'timer', name: 'setTimeout', timer: {delayMs, repeat: false}});
	}

	opEnd(id: number, t: Ms, status?: number): this {
		return this.emit({type: 'op.end', t, id, ok: true, ...(status === undefined ? {} : {status})});
	}

	block(id: number, task: number | null, t: Ms, frames: StackFrame[] = []): this {
		this.emit({type: 'block.start', t, id, task, detectedAt: t + 50});
		return frames.length > 0 ? this.emit({type: 'block.stack', t: t + 60, id, frames}) : this;
	}

	blockEnd(id: number, task: number | null, t: Ms, durationMs: Ms): this {
		return this.emit({type: 'block.end', t, id, durationMs, task, exact: true});
	}

	output(t: Ms, text: string, stream: 'stdout' | 'stderr' = 'stdout'): this {
		return this.emit({type: 'output', t, stream, text});
	}

	exit(t: Ms, code: number | null, signal: string | null = null): this {
		return this.emit({type: 'exit', t, code, signal});
	}
}

/**
 * main (script) ─┬─ fetchUsers ── http GET /api/users (ttfb in progress)
 *                ├─ crunch (running, blocking the loop)
 *                └─ sleepy ── timer 1000ms
 * plus a finished `boot` and a failed `flaky`.
 */
export function busySession(): FixtureSession {
	return new FixtureSession('server.ts')
		.task(1, 'main', 0, {loc: 'server.ts:1:1'})
		.task(2, 'boot', 1, {parent: 1, loc: 'server.ts:3:1'})
		.end(2, 20, {busy: 19})
		.task(3, 'fetchUsers', 30, {parent: 1, loc: 'src/users.ts:14:3'})
		.http(10, 3, 31, 'GET', 'https://api.example.com/api/users?page=2')
		.await(3, 31, {kind: 'op', id: 10}, 'src/users.ts:15:5', 1)
		.emit({type: 'op.phase', t: 40, id: 10, phase: 'sent', queueMs: 2, connectMs: 7})
		.task(4, 'sleepy', 50, {parent: 1, loc: 'src/sleep.ts:2:1'})
		.timer(11, 4, 50, 1000)
		.await(4, 50, {kind: 'op', id: 11}, 'src/sleep.ts:3:3')
		.task(5, 'flaky', 60, {parent: 1, loc: 'src/flaky.ts:8:1'})
		.end(5, 90, {busy: 30, error: {name: 'TypeError', message: 'boom', stack: 'TypeError: boom\n    at flaky (src/flaky.ts:9:11)\n    at main (server.ts:4:1)'}})
		.await(1, 100, {kind: 'task', id: 3}, 'server.ts:5:3', 5)
		.task(6, 'crunch', 200, {parent: 1, loc: 'src/cpu.ts:12:1'})
		.block(1, 6, 200, [
			{fn: 'crunch', loc: 'src/cpu.ts:12:7'},
			{fn: 'hashAll', loc: 'src/cpu.ts:30:3'},
		])
		.emit({type: 'loop', t: 260, delayMs: 60, utilization: 1});
}

/** `count` leaf tasks under one script task, each with an HTTP request; a third finished. */
export function largeSession(count: number): FixtureSession {
	const session = new FixtureSession('load.ts').task(1, 'main', 0, {loc: 'load.ts:1:1'});
	for (let i = 0; i < count; i++) {
		const id = 2 + i * 2;
		const t = i * 0.5;
		session.task(id, `request-${i}`, t, {parent: 1, loc: `src/load.ts:${10 + (i % 50)}:3`});
		session.http(id + 1, id, t, 'GET', `https://api.example.com/item/${i}`);
		session.await(id, t, {kind: 'op', id: id + 1}, 'src/load.ts:11:5');
		if (i % 3 === 0) {
			session.opEnd(id + 1, t + 40, 200);
			session.resume(id, t + 41, t + 40, {wait: 40, sched: 1});
			session.end(id, t + 42, {busy: 1, wait: 40, sched: 1});
		}
	}
	return session;
}
