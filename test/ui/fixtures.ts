import {FakeSession} from '../helpers/events.js';

/**
 * main (script) ─┬─ fetchUsers ── http GET /api/users (ttfb in progress)
 *                ├─ crunch (running, blocking the loop)
 *                └─ sleepy ── timer 1000ms
 * plus a finished `boot` and a failed `flaky`.
 */
export function busySession(): FakeSession {
	const users = 'https://api.example.com/api/users?page=2';
	return new FakeSession({script: 'server.ts'})
		.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'server.ts:1:1'})
		.emit('task.start', {t: 1, id: 2, parent: 1, name: 'boot', loc: 'server.ts:3:1'})
		.emit('task.end', {t: 20, id: 2, busy: 19})
		.emit('task.start', {t: 30, id: 3, parent: 1, name: 'fetchUsers', loc: 'src/users.ts:14:3'})
		.emit('op.start', {t: 31, id: 10, parent: 3, kind: 'http', name: `GET ${users}`, http: {method: 'GET', url: users}})
		.emit('task.await', {t: 31, id: 3, on: {kind: 'op', id: 10}, site: 'src/users.ts:15:5', busy: 1})
		.emit('op.phase', {t: 40, id: 10, phase: 'sent', queueMs: 2, connectMs: 7})
		.emit('task.start', {t: 50, id: 4, parent: 1, name: 'sleepy', loc: 'src/sleep.ts:2:1'})
		.emit('op.start', {t: 50, id: 11, parent: 4, kind: 'timer', name: 'setTimeout', timer: {delayMs: 1000, repeat: false}})
		.emit('task.await', {t: 50, id: 4, on: {kind: 'op', id: 11}, site: 'src/sleep.ts:3:3'})
		.emit('task.start', {t: 60, id: 5, parent: 1, name: 'flaky', loc: 'src/flaky.ts:8:1'})
		.emit('task.end', {
			t: 90,
			id: 5,
			ok: false,
			busy: 30,
			error: {name: 'TypeError', message: 'boom', stack: 'TypeError: boom\n    at flaky (src/flaky.ts:9:11)\n    at main (server.ts:4:1)'},
		})
		.emit('task.await', {t: 100, id: 1, on: {kind: 'task', id: 3}, site: 'server.ts:5:3', busy: 5})
		.emit('task.start', {t: 200, id: 6, parent: 1, name: 'crunch', loc: 'src/cpu.ts:12:1'})
		.emit('block.start', {t: 200, id: 1, task: 6, detectedAt: 250})
		.emit('block.stack', {
			t: 260,
			id: 1,
			frames: [
				{fn: 'crunch', loc: 'src/cpu.ts:12:7'},
				{fn: 'hashAll', loc: 'src/cpu.ts:30:3'},
			],
		})
		.emit('loop', {t: 260, delayMs: 60, utilization: 1});
}

/** `count` leaf tasks under one script task, each with an HTTP request; a third finished. */
export function largeSession(count: number): FakeSession {
	const session = new FakeSession({script: 'load.ts'}).emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'load.ts:1:1'});
	for (let i = 0; i < count; i++) {
		const id = 2 + i * 2;
		const t = i * 0.5;
		const url = `https://api.example.com/item/${i}`;
		session.emit('task.start', {t, id, parent: 1, name: `request-${i}`, loc: `src/load.ts:${10 + (i % 50)}:3`});
		session.emit('op.start', {t, id: id + 1, parent: id, kind: 'http', name: `GET ${url}`, http: {method: 'GET', url}});
		session.emit('task.await', {t, id, on: {kind: 'op', id: id + 1}, site: 'src/load.ts:11:5'});
		if (i % 3 === 0) {
			session.emit('op.end', {t: t + 40, id: id + 1, status: 200});
			session.emit('task.resume', {t: t + 41, id, readyAt: t + 40, wait: 40, sched: 1});
			session.emit('task.end', {t: t + 42, id, busy: 1, wait: 40, sched: 1});
		}
	}
	return session;
}
