import {describe, expect, it} from 'vitest';
import {decodeLine} from '../../source/protocol/decode.js';
import type {AsyncmonEvent, FoldEvent, JoinedEvent, ProtocolLine} from '../../source/protocol/events.js';
import {FoldedTaskWriter} from '../../source/protocol/fold.js';
import {serializeBatch, serializeLine} from '../../source/protocol/encode.js';
import {AgentRetention, RETAINED_FINISHED, RETAINED_OTHER, RETAINED_PER_NODE} from '../../source/runtime/agent-retention.js';
import {summarize} from '../../source/model/summary.js';
import {event, header, reduce} from '../helpers/events.js';

function retain(lines: ProtocolLine[]): AgentRetention {
	const retention = new AgentRetention();
	for (const line of lines) retention.take(JSON.stringify(line));
	return retention;
}

/** The snapshot as a client reads it. */
function snapshotOf(retention: AgentRetention, t = 1000): ProtocolLine[] {
	return retention.snapshot(t).flatMap(text => {
		const lines = decodeLine(text);
		if (typeof lines === 'string') throw new Error(`${lines}: ${text}`);
		return lines;
	});
}

const joinedOf = (lines: ProtocolLine[]): JoinedEvent => lines.at(-1) as JoinedEvent;

/** A task `id` that starts, awaits a timer `id + 1` and ends at `t`. */
function finishedTask(id: number, t: number, name = `work(${id})`, ok = true): ProtocolLine[] {
	return [
		event('task.start', {t, id, name, parent: 1}),
		event('op.start', {t, id: id + 1, parent: id, kind: 'timer', name: 'sleep 1ms'}),
		event('task.await', {t, id, on: {kind: 'op', id: id + 1}}),
		event('op.end', {t: t + 1, id: id + 1}),
		event('task.resume', {t: t + 1, id, readyAt: t + 1}),
		event('task.end', {t: t + 2, id, ok, busy: 0.5, wait: 1, sched: 0.5}),
	];
}

describe('AgentRetention', () => {
	it('a snapshot is the header and every line of running and recent tasks, in the order they came, then `joined`', () => {
		const lines: ProtocolLine[] = [
			header(),
			event('task.start', {t: 0, id: 1, kind: 'script', name: 'app.ts'}),
			event('script.start', {t: 1}),
			...finishedTask(2, 10),
			event('task.start', {t: 20, id: 4, name: 'serve()', parent: 1}),
			event('task.await', {t: 21, id: 4, on: {kind: 'value'}}),
			event('block.start', {t: 22, id: 1, task: 4, detectedAt: 80}),
		];
		const retention = retain(lines);
		const snapshot = snapshotOf(retention, 100);
		expect(snapshot.slice(0, -1)).toEqual(lines);
		expect(joinedOf(snapshot)).toEqual({type: 'joined', t: 100, folded: {tasks: 0, failed: 0, taskTimeMs: 0, byName: {}, leaves: {count: 0, totalMs: 0, activeMs: 0}, activeMs: 0}, omitted: 0});
		expect({running: retention.running, finished: retention.finishedTasks}).toEqual({running: 1, finished: 1});
	});

	it('keeps a running task bounded: its start and its latest events, from an await on', () => {
		const lines: ProtocolLine[] = [header(), event('task.start', {t: 0, id: 2, name: 'loop()'})];
		for (let i = 1; i <= 1000; i++) {
			lines.push(event('task.await', {t: i, id: 2, on: {kind: 'value'}, busy: i}), event('task.resume', {t: i + 0.5, id: 2, readyAt: i}));
		}
		const snapshot = snapshotOf(retain(lines));
		const kept = snapshot.filter(line => line.type !== 'header' && line.type !== 'joined');
		expect(kept.length).toBeLessThanOrEqual(RETAINED_PER_NODE);
		expect(kept[0]).toEqual(lines[1]);
		expect(kept[1]!.type).toBe('task.await');
		expect(kept.at(-1)).toEqual(lines.at(-1));
		expect(joinedOf(snapshot).omitted).toBe(2000 - (kept.length - 1));
		// The model built from the snapshot has the task as it is now: running, with its latest busy time.
		const state = reduce(snapshot);
		expect(state.nodes.get(2)).toMatchObject({state: 'running', busyMs: 1000});
	});

	it('keeps the latest finished tasks; older ones fold into per-name totals, and the model counts them', () => {
		const lines: ProtocolLine[] = [header(), event('task.start', {t: 0, id: 1, kind: 'script', name: 'app.ts'})];
		const total = RETAINED_FINISHED + 500;
		// Each task has an op: tasks and ops both count towards the window.
		for (let i = 0; i < total; i++) lines.push(...finishedTask(10 + 2 * i, 10 + i, `work(${i})`, i % 10 !== 0));
		const retention = retain(lines);
		const snapshot = snapshotOf(retention, 1e6);
		const folded = joinedOf(snapshot).folded;
		expect(folded.tasks + snapshot.filter(line => line.type === 'task.end').length).toBe(total);
		expect(folded.byName['work()']).toEqual({count: folded.tasks, failed: folded.failed, totalMs: 2 * folded.tasks, busyMs: 0.5 * folded.tasks, waitMs: folded.tasks, name: 'work()', kind: 'task', loc: null});
		expect(folded.failed).toBe(Math.ceil(folded.tasks / 10));
		expect(snapshot.filter(line => line.type === 'task.end' || line.type === 'op.end')).toHaveLength(RETAINED_FINISHED);
		expect(retention.finishedTasks).toBe(total);

		const state = reduce(snapshot);
		expect(state.taskCounts.finished + state.taskCounts.failed).toBe(total);
		expect(state.taskCounts.failed).toBe(total / 10);
		expect(summarize(state).taskCount).toBe(total);
		expect(state.joinedMs).toBe(1e6);
	});

	it("adds only the leaves of what it folded to the task time: a client's concurrency is a reader's that saw every task", () => {
		// The server's top level set it up and was done: the requests come to its listener.
		const lines: ProtocolLine[] = [header(), event('task.start', {t: 0, id: 1, kind: 'script', name: 'server.ts'}), event('task.end', {t: 1, id: 1, busy: 1, wait: 0})];
		// Requests one after another, 4 ms each: the request, its handler and the call it awaits are one stretch.
		const requests = RETAINED_FINISHED;
		for (let i = 0; i < requests; i++) {
			const [id, t] = [10 + 3 * i, 10 + 5 * i];
			lines.push(
				event('task.start', {t, id, parent: 1, kind: 'server', name: `GET /users/${i}`, loc: null, http: {method: 'GET', url: `/users/${i}`}}),
				event('task.start', {t, id: id + 1, parent: id, name: 'handler()'}),
				event('task.start', {t, id: id + 2, parent: id + 1, name: `loadUser(${i})`}),
				event('task.await', {t, id: id + 1, on: {kind: 'task', id: id + 2}}),
				event('task.end', {t: t + 4, id: id + 2, busy: 0.5, wait: 3.5}),
				event('task.resume', {t: t + 4, id: id + 1, readyAt: t + 4}),
				event('task.end', {t: t + 4, id: id + 1, busy: 0.5, wait: 3.5}),
				event('task.end', {t: t + 4, id, status: 200, busy: 0.5, wait: 3.5}),
			);
		}
		const end = 10 + 5 * requests;
		const snapshot = snapshotOf(retain(lines), end);
		const {folded} = joinedOf(snapshot);
		expect(folded.tasks).toBeGreaterThan(requests);
		expect(folded.leaves).toEqual({count: folded.byName['loadUser()']!.count, totalMs: 4 * folded.byName['loadUser()']!.count, activeMs: 4 * folded.byName['loadUser()']!.count});
		const everyTask = summarize(reduce([...lines, event('exit', {t: end})]));
		const client = summarize(reduce([...snapshot, event('exit', {t: end})]));
		expect(client.taskCount).toBe(everyTask.taskCount);
		// But for the one request whose call was let go before its handler: the handler, kept alone, reads as a leaf.
		expect(Math.abs(client.taskTimeMs - everyTask.taskTimeMs)).toBeLessThanOrEqual(4);
		expect(client.concurrency).toBeCloseTo(everyTask.concurrency, 2);
		expect(client.concurrency).toBeLessThan(1);
	});

	it("counts a folded call's own time by the model's rule: its own while its ops were in flight, not while a task it started ran", () => {
		const lines: ProtocolLine[] = [header(), event('task.start', {t: 0, id: 1, kind: 'script', name: 'jobs.ts'}), event('task.end', {t: 1, id: 1, busy: 1, wait: 0})];
		const jobs = RETAINED_FINISHED;
		for (let i = 0; i < jobs; i++) {
			const [id, t] = [10 + 4 * i, 10 + 10 * i];
			lines.push(
				// `await Promise.all([helper(), sleep(2)])`: its own wait for 2 ms, while the timer runs; the helper's for 4 more.
				event('task.start', {t, id, parent: 1, name: `job(${i})`}),
				event('task.start', {t, id: id + 1, parent: id, name: `helper(${i})`}),
				event('op.start', {t, id: id + 2, parent: id, kind: 'timer', name: 'sleep 2ms'}),
				event('task.await', {t, id, on: {kind: 'promise', tasks: [id + 1], ops: [id + 2]}}),
				event('op.end', {t: t + 2, id: id + 2}),
				event('task.end', {t: t + 6, id: id + 1, busy: 6, wait: 0}),
				event('task.resume', {t: t + 6, id, readyAt: t + 6}),
				// Then a promise of unknown origin while a task it started runs (a reply it waits for): that task's time, 3 ms.
				event('task.start', {t: t + 6, id: id + 3, parent: id, name: `reply(${i})`}),
				event('task.await', {t: t + 6, id, on: {kind: 'promise'}}),
				event('task.end', {t: t + 8, id: id + 3, busy: 2, wait: 0}),
				event('task.resume', {t: t + 9, id, readyAt: t + 9}),
				event('task.end', {t: t + 9, id, busy: 0, wait: 9}),
			);
		}
		const end = 10 + 10 * jobs;
		const snapshot = snapshotOf(retain(lines), end);
		const {folded} = joinedOf(snapshot);
		expect(folded.byName['job()']!.count).toBeGreaterThan(jobs / 2);
		const everyTask = summarize(reduce([...lines, event('exit', {t: end})]));
		const client = summarize(reduce([...snapshot, event('exit', {t: end})]));
		expect(client.taskCount).toBe(everyTask.taskCount);
		// Each job 2 ms of its own, its helper 6, its reply 2: 10 ms in 10 ms.
		expect(everyTask.concurrency).toBeCloseTo(1, 1);
		expect(client.concurrency).toBeCloseTo(everyTask.concurrency, 2);
	});

	it("keeps the script's top level; folds requests by route and calls by place, the sites a reader's own folding makes", () => {
		const lines: ProtocolLine[] = [header(), event('task.start', {t: 0, id: 1, kind: 'script', name: 'server.ts', loc: null}), event('task.end', {t: 1, id: 1})];
		const requests = RETAINED_FINISHED;
		for (let i = 0; i < requests; i++) {
			const [id, t] = [10 + 2 * i, 10 + 5 * i];
			lines.push(
				event('task.start', {t, id, parent: 1, kind: 'server', name: `GET /users/${i}`, loc: null, http: {method: 'GET', url: `/users/${i}`}}),
				event('task.start', {t, id: id + 1, parent: id, name: `loadUser(${i})`, loc: 'server.ts:4:1'}),
				event('task.end', {t: t + 4, id: id + 1, busy: 0.5, wait: 3.5}),
				event('task.end', {t: t + 4, id, status: 200, busy: 0.5, wait: 3.5}),
			);
		}
		const snapshot = snapshotOf(retain(lines), 10 + 5 * requests);
		// The top level is kept, though it ended long before the requests the agent let go of.
		expect(snapshot.filter(line => 'id' in line && line.id === 1).map(line => line.type)).toEqual(['task.start', 'task.end']);
		const {folded} = joinedOf(snapshot);
		expect(Object.keys(folded.byName).sort()).toEqual(['GET /users/:id', 'loadUser() server.ts:4:1']);
		expect(folded.byName['GET /users/:id']).toMatchObject({kind: 'server', name: 'GET /users/:id', loc: null});
		// The client's model folds the rest of the requests into the same two sites as the agent's totals.
		const state = reduce(snapshot, {retention: {maxFinished: 10, maxAgeMs: Number.POSITIVE_INFINITY}});
		const sites = [...state.aggregated.sites.values()].map(site => `${site.kind} ${site.name} ${site.location}`);
		expect(sites.sort()).toEqual(['server GET /users/:id null', 'task loadUser() server.ts:4:1']);
		expect(summarize(state).taskCount).toBe(2 * requests);
	});

	// A busy service says `held` at every flush: a hundred a second pushed its blocks and notices out of the snapshot.
	it("keeps the latest `held` alone, in its place among the lines, and counts what it holds as running", () => {
		const lines: ProtocolLine[] = [header(), event('notice', {t: 1, message: 'big.js runs uninstrumented'})];
		for (let i = 0; i < 3 * RETAINED_OTHER; i++) lines.push(event('held', {t: 10 + i, tasks: 1 + (i % 5), http: 0}));
		lines.push(event('task.start', {t: 9, id: 7, parent: null, name: 'handle()', loc: 'app.ts:1:1'}));
		const retention = retain(lines);
		const snapshot = snapshotOf(retention);
		expect(snapshot.filter(line => line.type === 'notice')).toHaveLength(1);
		expect(snapshot.filter(line => line.type === 'held')).toEqual([lines.at(-2)]);
		// Told after it: one it counted, which the reader takes off its figure.
		expect(snapshot.findIndex(line => line.type === 'held')).toBeLessThan(snapshot.findIndex(line => line.type === 'task.start'));
		expect(retention.heldTasks).toBe((lines.at(-2) as {tasks: number}).tasks);
	});

	it('keeps the latest of the other events', () => {
		const lines: ProtocolLine[] = [header()];
		for (let i = 0; i < 3 * RETAINED_OTHER; i++) lines.push(event('notice', {t: i, message: `notice ${i}`}));
		const notices = snapshotOf(retain(lines)).filter(line => line.type === 'notice');
		expect(notices).toEqual(lines.slice(-RETAINED_OTHER));
	});
});

describe('protocol 2 lines', () => {
	it('keeps a span line (a task that started and ended in one flush) as the finished task it is', () => {
		const retention = new AgentRetention();
		retention.take(serializeLine(header()).trimEnd());
		const lines = [event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null}), event('task.start', {t: 1, id: 2, name: 'work(2)', parent: 1}), event('task.end', {t: 2, id: 2, ok: false})];
		for (const text of serializeBatch(lines as AsyncmonEvent[]).trimEnd().split('\n')) retention.take(text);
		expect(retention.finishedTasks).toBe(1);
		// A request the service received counts as a task, as the dashboard counts it.
		retention.take(serializeLine(event('task.start', {t: 3, id: 5, parent: 1, kind: 'server', name: 'GET /', loc: null})).trimEnd());
		expect(retention.running).toBe(1);
		const snapshot = snapshotOf(retention);
		expect(snapshot.filter(line => line.type === 'task.start' || line.type === 'task.end').map(line => line.type)).toEqual(['task.start', 'task.start', 'task.end', 'task.start']);
	});

	it("names a callback's site as the client's model does: what the agent folded and what the client folds later are one row", () => {
		const callback = '<map callback>';
		const lines: ProtocolLine[] = [header(), event('task.start', {t: 0, id: 1, kind: 'script', name: 'app.ts'})];
		const before = RETAINED_FINISHED + 100;
		for (let i = 0; i < before; i++) lines.push(...finishedTask(10 + 2 * i, 10 + i, callback));
		const snapshot = snapshotOf(retain(lines), 1e6);
		// After the join the client sees as many again, and folds them beyond its own window.
		const after: ProtocolLine[] = [];
		for (let i = 0; i < 200; i++) after.push(...finishedTask(1e6 + 2 * i, 1e6 + i, callback));
		const state = reduce([...snapshot, ...after], {retention: {maxFinished: 10, maxAgeMs: Infinity}});
		const sites = [...state.aggregated.sites.values()].filter(site => site.kind === 'task');
		expect(sites.map(site => site.name)).toEqual(['<map callback>()']);
		const keptWhole = [...state.nodes.values()].filter(node => node.kind === 'task' && node.name === callback).length;
		expect(sites[0]!.count).toBe(before + 200 - keptWhole);
	});

	it('counts quick calls folded at the source (a fold line) into their name’s totals, which the client’s model counts', () => {
		const retention = new AgentRetention();
		retention.take(serializeLine(header()).trimEnd());
		const tasks = new FoldedTaskWriter(10);
		for (let i = 0; i < 5; i++) tasks.add(i, i + 0.5, 0.5, 0);
		const fold: FoldEvent = {type: 'fold', t: 10, kind: 'task', name: 'tiny', loc: 'app.ts:2:1', parent: null, leaf: true, count: 5, totalMs: 2.5, busyMs: 2.5, waitMs: 0, tasks: tasks.text()};
		retention.take(serializeLine(fold).trimEnd());
		expect(retention.finishedTasks).toBe(5);
		const joined = joinedOf(snapshotOf(retention));
		expect(joined.folded.byName['tiny() app.ts:2:1']).toEqual({count: 5, failed: 0, totalMs: 2.5, busyMs: 2.5, waitMs: 0, name: 'tiny()', kind: 'task', loc: 'app.ts:2:1'});
		expect(joined.folded.leaves).toEqual({count: 5, totalMs: 2.5, activeMs: 2.5});
		expect(summarize(reduce(snapshotOf(retention))).taskCount).toBe(5);
	});
});
