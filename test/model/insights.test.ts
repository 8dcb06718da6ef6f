import {describe, expect, it} from 'vitest';
import {computeInsights, type FloatingPromiseInsight, type Insight, type InsightKind} from '../../source/model/insights.js';
import {summarize} from '../../source/model/summary.js';
import {IDS_PER_PROCESS, IDS_PER_THREAD, type ProtocolLine} from '../../source/protocol/events.js';
import {event, header, reduce} from '../helpers/events.js';
import {InsightSession, onOp, onPromise, onTask} from '../fixtures/insights/session.js';
import {FoldedTaskWriter} from '../../source/protocol/fold.js';

function ofKind<K extends InsightKind>(session: InsightSession, kind: K, options?: {blockThresholdMs?: number}): Array<Extract<Insight, {kind: K}>> {
	return computeInsights(session.state, options).filter((insight): insight is Extract<Insight, {kind: K}> => insight.kind === kind);
}

/**
 * main() awaits fetchA() (1 s), then a timer (2 s), then fetchC() (3 s); each
 * one created `gapMs` after the previous await resumed.
 */
function threeAwaitsInARow({dependent = [false, false, false], gapMs = 0.5} = {}) {
	const session = new InsightSession();
	const main = session.task(0, 'main()');
	const a = session.task(1, 'fetchA()', main);
	session.emit('task.end', {t: 1001, id: a}).awaits(main, onTask(a), {from: 1.2, ready: 1001, resumed: 1001.5, dependent: dependent[0]});
	const bStart = 1001.5 + gapMs;
	const b = session.timer(bStart, bStart + 2000, main);
	session.awaits(main, onOp(b), {from: bStart + 0.2, ready: bStart + 2000, resumed: bStart + 2000.5, dependent: dependent[1]});
	const cStart = bStart + 2000.5 + gapMs;
	const c = session.task(cStart, 'fetchC()', main);
	session.emit('task.end', {t: cStart + 3000, id: c}).awaits(main, onTask(c), {from: cStart + 0.2, ready: cStart + 3000, dependent: dependent[2]});
	session.emit('task.end', {t: cStart + 3001, id: main}).emit('exit', {t: cStart + 3002});
	return {session, ids: [main, a, b, c] as const};
}

describe('sequential-awaits', () => {
	it('flags independent operations awaited one after another, estimating sum minus max', () => {
		const {session, ids} = threeAwaitsInARow();
		expect(ofKind(session, 'sequential-awaits')).toEqual([
			{kind: 'sequential-awaits', taskName: 'main()', operations: 3, sequenceMs: 6000, longestMs: 3000, togetherMs: 3000, taskIds: [...ids], savesMs: 3000, calls: 1},
		]);
	});

	it('counts a wait on a call the script folded (named, never told) as a step, from the await to its resume', () => {
		const session = new InsightSession();
		const worker = session.task(0, 'worker()');
		let t = 1;
		// Four calls of getItem(), each 100 ms, each held and folded at the source: the awaits name them, the stream never tells them.
		for (let i = 0; i < 4; i++) {
			session.awaits(worker, {kind: 'task', id: 500 + i, name: 'getItem'}, {from: t, ready: t + 100, resumed: t + 100.1});
			t += 100.3;
		}
		session.emit('task.end', {t, id: worker}).emit('exit', {t: t + 1});
		expect(ofKind(session, 'sequential-awaits')).toEqual([expect.objectContaining({taskName: 'worker()', operations: 4, sequenceMs: expect.closeTo(400, 0), longestMs: expect.closeTo(100, 0)})]);
		// Unnamed, a task the reader never knew is no step.
		const unknown = new InsightSession();
		const other = unknown.task(0, 'worker()');
		t = 1;
		for (let i = 0; i < 4; i++) {
			unknown.awaits(other, {kind: 'task', id: 500 + i}, {from: t, ready: t + 100, resumed: t + 100.1});
			t += 100.3;
		}
		unknown.emit('task.end', {t, id: other}).emit('exit', {t: t + 1});
		expect(ofKind(unknown, 'sequential-awaits')).toEqual([]);
	});

	// A request handler that awaited two lookups in a row read one finding per request: 12 near-identical lines.
	it('gives one finding per function, its costliest call, with how many calls did so', () => {
		const session = new InsightSession();
		const root = session.task(0, 'server');
		let t = 1;
		let id = 1000;
		for (let i = 0; i < 12; i++) {
			const handler = id++;
			session.emit('task.start', {t, id: handler, parent: root, name: `handler(${i})`, loc: 'app.ts:3:1'});
			const wait = i === 5 ? 80 : 40;
			for (const name of ['getUser()', 'getOrg()']) {
				const step = id++;
				session.emit('task.start', {t: t + 0.1, id: step, parent: handler, name, loc: `app.ts:${name.length}:1`});
				session.emit('task.end', {t: t + wait, id: step, busy: 0.1}).awaits(handler, onTask(step), {from: t + 0.2, ready: t + wait, resumed: t + wait + 0.1});
				t += wait + 0.2;
			}
			session.emit('task.end', {t: t + 0.1, id: handler, busy: 0.3});
			t += 1;
		}
		expect(ofKind(session, 'sequential-awaits')).toEqual([expect.objectContaining({taskName: 'handler(5)', operations: 2, sequenceMs: expect.closeTo(160, 0), calls: 12})]);
	});

	it('counts computing steps on one thread as sequential still: no advice for CPU-bound calls, less saving for partly busy ones', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		let t = 1;
		// Four steps, each 400 ms of computing (busy) on one thread, awaited one after another.
		for (let i = 0; i < 4; i++) {
			const step = session.task(t, `step(${i})`, main);
			session.emit('task.end', {t: t + 400, id: step, busy: 390}).awaits(main, onTask(step), {from: t + 0.1, ready: t + 400, resumed: t + 400.1});
			t += 400.2;
		}
		expect(ofKind(session, 'sequential-awaits')).toEqual([]);
		// Two waits of 1 s, each with 300 ms of computing in it: together they would still take 1 s, saving 1 s.
		const mixed = new InsightSession();
		const job = mixed.task(0, 'job()');
		const first = mixed.task(1, 'fetchA()', job);
		mixed.emit('task.end', {t: 1001, id: first, busy: 300}).awaits(job, onTask(first), {from: 1.1, ready: 1001, resumed: 1001.1});
		const second = mixed.task(1001.2, 'fetchB()', job);
		mixed.emit('task.end', {t: 2001.2, id: second, busy: 300}).awaits(job, onTask(second), {from: 1001.3, ready: 2001.2, resumed: 2001.3});
		expect(ofKind(mixed, 'sequential-awaits')).toEqual([expect.objectContaining({operations: 2, sequenceMs: 2000, longestMs: 1000, togetherMs: 1000, savesMs: 1000})]);
	});

	it('counts the time computing steps were ready but waited to run (a crowded CPU) as no saving either', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		let t = 1;
		// Four steps of 200 ms computing, each after a 10 ms sleep whose resume then waited 40 ms for the thread.
		for (let i = 0; i < 4; i++) {
			const step = session.task(t, `step(${i})`, main);
			session.emit('task.end', {t: t + 250, id: step, busy: 200, sched: 40}).awaits(main, onTask(step), {from: t + 0.1, ready: t + 250, resumed: t + 250.1});
			t += 250.2;
		}
		// Sum minus max would call 750 ms savable; only the four 10 ms sleeps would overlap, 30 ms of 1 s, under the share.
		expect(ofKind(session, 'sequential-awaits')).toEqual([]);
	});

	// `const r = await fetch(url); await r.json()` five times: a body read of a few ms (one under 1 ms is folded by the
	// runtime, one over it sent) broke the run, and the advice counted 3 or 4 of the 5 requests, as the reads fell.
	it("counts a short wait on an unnamed promise between two steps (a response's body read) as part of the step before, a long one as a break", () => {
		const loop = (bodyReadMs: number) => {
			const session = new InsightSession();
			const seq = session.task(0, 'seq()');
			let t = 1;
			for (let i = 0; i < 5; i++) {
				const request = session.request(`http://127.0.0.1:4000/q/${i}`, {start: t, end: t + 100, status: 200, parent: seq});
				session.awaits(seq, onOp(request), {from: t + 0.1, ready: t + 100, resumed: t + 100.2});
				session.awaits(seq, onPromise, {from: t + 100.5, ready: t + 100.5 + bodyReadMs, resumed: t + 100.6 + bodyReadMs});
				t += 101 + bodyReadMs;
			}
			session.emit('task.end', {t, id: seq}).emit('exit', {t: t + 1});
			return ofKind(session, 'sequential-awaits');
		};
		expect(loop(3)).toEqual([expect.objectContaining({taskName: 'seq()', operations: 5})]);
		// A wait that long on what nothing names may be what the next request needs: each request stands alone.
		expect(loop(300)).toEqual([]);
	});

	it('stays silent for a polling loop that sleeps at one await site', () => {
		const session = new InsightSession();
		const poll = session.task(0, 'poll()');
		let t = 1;
		for (let i = 0; i < 5; i++) {
			const sleep = session.timer(t, t + 250, poll);
			session.awaits(poll, onOp(sleep), {from: t + 0.1, ready: t + 250, resumed: t + 250.2, site: 'poll.ts:4:3'});
			t += 250.5;
		}
		session.emit('task.end', {t, id: poll}).emit('exit', {t: t + 1});
		expect(ofKind(session, 'sequential-awaits')).toEqual([]);
	});

	it('stays silent when each await uses the result of the one before', () => {
		const {session} = threeAwaitsInARow({dependent: [false, true, true]});
		expect(ofKind(session, 'sequential-awaits')).toEqual([]);
	});

	it('starts a new run after a dependent await: only the independent pair is flagged', () => {
		const {session, ids} = threeAwaitsInARow({dependent: [false, true, false]});
		const [main, , b, c] = ids;
		expect(ofKind(session, 'sequential-awaits')).toEqual([
			expect.objectContaining({operations: 2, sequenceMs: 5000, longestMs: 3000, taskIds: [main, b, c], savesMs: 2000}),
		]);
	});

	it('gives one finding per task, for its costliest run, when a dependent await splits the awaits', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		let t = 1;
		const run = (durations: number[], dependentFirst: boolean): void => {
			for (const [i, duration] of durations.entries()) {
				const op = session.task(t, `fetch${t}()`, main);
				session.emit('task.end', {t: t + duration, id: op}).awaits(main, onTask(op), {from: t + 0.1, ready: t + duration, resumed: t + duration + 0.1, dependent: dependentFirst && i === 0});
				t += duration + 0.2;
			}
		};
		run([100, 100], false);
		run([500, 500, 500], true);
		session.emit('task.end', {t, id: main}).emit('exit', {t: t + 1});
		expect(ofKind(session, 'sequential-awaits').map(insight => insight.savesMs)).toEqual([1000]);
	});

	it('tells the runs of calls of one function side by side (resolvers each an N+1, or a pool of workers); the same call beside it, saying so', () => {
		const run = (names: string[]) => {
			const session = new InsightSession();
			const main = session.task(0, 'main()');
			for (const name of names) {
				const worker = session.task(0.5, name, main);
				let t = 1;
				for (let i = 0; i < 3; i++) {
					const request = session.task(t, `fetchOne(${i})`, worker);
					session.emit('task.end', {t: t + 100, id: request}).awaits(worker, onTask(request), {from: t + 0.1, ready: t + 100, resumed: t + 100.1});
					t += 100.2;
				}
				session.emit('task.end', {t, id: worker});
			}
			session.emit('task.end', {t: 400, id: main}).emit('exit', {t: 401});
			return ofKind(session, 'sequential-awaits');
		};
		// A pool's workers, started alike.
		expect(run(['worker(queue)', 'worker(queue)'])).toEqual([0, 1].map(() => expect.objectContaining({taskName: 'worker(queue)', operations: 3, alongside: true})));
		// Two requests' work side by side: no pool.
		const handlers = run(['handle(1)', 'handle(10)']);
		expect(handlers.map(insight => [insight.taskName, insight.alongside])).toEqual([
			['handle(1)', undefined],
			['handle(10)', undefined],
		]);
	});

	it('stays silent when the task did real work between the awaits', () => {
		const {session} = threeAwaitsInARow({gapMs: 200});
		expect(ofKind(session, 'sequential-awaits')).toEqual([]);
	});

	it('stays silent for awaits of tasks that were already running together', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const tasks = [1000, 2000, 3000].map((ms, i) => session.task(1, `request(${i})`, main));
		tasks.forEach((id, i) => session.emit('task.end', {t: 1 + (i + 1) * 1000, id}));
		session
			.awaits(main, onTask(tasks[0]!), {from: 1.5, ready: 1001, resumed: 1001.2})
			.awaits(main, onTask(tasks[1]!), {from: 1001.4, ready: 2001, resumed: 2001.2})
			.awaits(main, onTask(tasks[2]!), {from: 2001.4, ready: 3001, resumed: 3001.2});
		expect(ofKind(session, 'sequential-awaits')).toEqual([]);
	});

	/** `retrier` awaits each attempt, and a backoff timer of 100 ms, 200 ms… after each failed one; the last attempt succeeds. */
	function retryLoop(session: InsightSession, retrier: number, t: number, attempt: (t: number, ok: boolean) => number, attempts = 3): number {
		for (let i = 0; i < attempts; i++) {
			const ok = i === attempts - 1;
			const made = attempt(t, ok);
			session.awaits(retrier, session.state.nodes.get(made)!.kind === 'http' ? onOp(made) : onTask(made), {from: t + 0.1, ready: t + 150, resumed: t + 150.1});
			t += 150.2;
			if (ok) break;
			const backoff = session.timer(t, t + 100 * 2 ** i, retrier);
			session.awaits(retrier, onOp(backoff), {from: t + 0.1, ready: t + 100 * 2 ** i, resumed: t + 100 * 2 ** i + 0.1});
			t += 100 * 2 ** i + 0.2;
		}
		return t;
	}

	it('stays silent for a retry loop with backoff: each attempt repeats the failed request, after a timer', () => {
		const session = new InsightSession();
		const withRetry = session.task(0, 'withRetry()');
		const url = 'http://127.0.0.1:4000/flaky';
		const t = retryLoop(session, withRetry, 1, (start, ok) => session.request(url, {start, status: ok ? 200 : 503, end: start + 150, parent: withRetry}));
		session.emit('task.end', {t, id: withRetry}).emit('exit', {t: t + 1});
		expect(session.state.nodes.get(withRetry)!.awaits).toHaveLength(5);
		expect(ofKind(session, 'sequential-awaits')).toEqual([]);
	});

	it('stays silent for a retry helper that makes each attempt from a new call of one async function', () => {
		const session = new InsightSession();
		const withRetry = session.task(0, 'withRetry()');
		const t = retryLoop(session, withRetry, 1, (start, ok) => {
			const attempt = session.task(start, 'attempt()', withRetry);
			session.emit('task.end', {t: start + 150, id: attempt, ok});
			return attempt;
		});
		session.emit('task.end', {t, id: withRetry}).emit('exit', {t: t + 1});
		expect(ofKind(session, 'sequential-awaits')).toEqual([]);
	});

	it('still flags the independent operations before a retry, and only those', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const load = session.task(1, 'loadConfig()', main);
		session.emit('task.end', {t: 1001, id: load}).awaits(main, onTask(load), {from: 1.1, ready: 1001, resumed: 1001.1});
		const url = 'http://127.0.0.1:4000/flaky';
		const firstAttempt = session.request(url, {start: 1001.2, status: 503, end: 1151.2, parent: main});
		session.awaits(main, onOp(firstAttempt), {from: 1001.3, ready: 1151.2, resumed: 1151.3});
		const backoff = session.timer(1151.4, 1251.4, main);
		session.awaits(main, onOp(backoff), {from: 1151.5, ready: 1251.4, resumed: 1251.5});
		const retry = session.request(url, {start: 1251.6, status: 200, end: 1401.6, parent: main});
		session.awaits(main, onOp(retry), {from: 1251.7, ready: 1401.6, resumed: 1401.7});
		session.emit('task.end', {t: 1402, id: main}).emit('exit', {t: 1403});
		expect(ofKind(session, 'sequential-awaits')).toEqual([expect.objectContaining({operations: 2, taskIds: [main, load, firstAttempt], sequenceMs: 1150, longestMs: 1000})]);
	});

	// A poll of /status between other requests: the run before the poll ends at its first call, and a new one starts
	// at the repeat, which is then compared with what comes after it alone (not with the run it ended).
	it('starts a run again at a repeated request, and finds the repeats of the new run only', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const api = (path: string) => `http://127.0.0.1:4000/${path}`;
		let t = 1;
		const ids: number[] = [];
		for (const path of ['status', 'a', 'status', 'b', 'c', 'b']) {
			const request = session.request(api(path), {start: t, status: 200, end: t + 100, parent: main});
			session.awaits(main, onOp(request), {from: t + 0.1, ready: t + 100, resumed: t + 100.1});
			ids.push(request);
			t += 100.2;
		}
		session.emit('task.end', {t, id: main}).emit('exit', {t: t + 1});
		// status, a | status, b, c | b: the second status's run is cut at the repeated b, keeping status and b.
		expect(ofKind(session, 'sequential-awaits')).toEqual([expect.objectContaining({operations: 2, taskIds: [main, ids[2], ids[3]]})]);
	});

	// A fetch refused at once, a backoff, a fallback: the fallback waits on the first's failure, and the backoff is no
	// work to start together with anything (it was flagged: 'awaited 3 operations in sequence').
	it('stays silent for a backoff after a failed operation, and for what follows it', () => {
		const session = new InsightSession();
		const main = session.task(0, 'callDown()');
		const refused = session.request('http://127.0.0.1:59999/api', {start: 1, end: 30, parent: main});
		session.awaits(main, onOp(refused), {from: 1.1, ready: 30, resumed: 30.1});
		const backoff = session.timer(30.2, 130.2, main);
		session.awaits(main, onOp(backoff), {from: 30.3, ready: 130.2, resumed: 130.3, site: 'down.mjs:4:30'});
		const fallback = session.request('http://127.0.0.1:59998/api', {start: 130.4, status: 200, end: 230.4, parent: main});
		session.awaits(main, onOp(fallback), {from: 130.5, ready: 230.4, resumed: 230.5});
		session.emit('task.end', {t: 231, id: main}).emit('exit', {t: 232});
		expect(session.state.nodes.get(refused)!.state).toBe('failed');
		expect(ofKind(session, 'sequential-awaits')).toEqual([]);
	});

	// Waiting between requests to spare a server is sequential on purpose: started together, they would not be polite.
	it('stays silent for a crawl that sleeps between its requests at one await site', () => {
		const session = new InsightSession();
		const crawl = session.task(0, 'crawl()');
		let t = 1;
		for (let page = 1; page <= 4; page++) {
			const request = session.request(`http://127.0.0.1:4000/page/${page}`, {start: t, status: 200, end: t + 30, parent: crawl});
			session.awaits(crawl, onOp(request), {from: t + 0.1, ready: t + 30, resumed: t + 30.1, site: 'crawl.mjs:5:22'});
			const pause = session.timer(t + 30.2, t + 180.2, crawl);
			session.awaits(crawl, onOp(pause), {from: t + 30.3, ready: t + 180.2, resumed: t + 180.3, site: 'crawl.mjs:6:5'});
			t += 180.4;
		}
		session.emit('task.end', {t, id: crawl}).emit('exit', {t: t + 1});
		expect(ofKind(session, 'sequential-awaits')).toEqual([]);
	});

	it('ignores a loop of short sleeps (pacing) and waits on bare promises', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		let t = 1;
		for (let i = 0; i < 3; i++) {
			const op = session.timer(t, t + 5, main);
			session.awaits(main, onOp(op), {from: t + 0.1, ready: t + 5, resumed: t + 5.1});
			t += 5.2;
		}
		session.awaits(main, onPromise, {from: t, ready: t + 1000}).awaits(main, onPromise, {from: t + 1000.1, ready: t + 2000});
		expect(ofKind(session, 'sequential-awaits')).toEqual([]);
	});

	it('adds up a loop of short queries awaited one after another (N+1): none is worth a look, the 40 are', () => {
		const session = new InsightSession();
		const report = session.task(0, 'report()');
		let t = 1;
		for (let id = 1; id <= 40; id++) {
			const query = session.task(t, `getOrders(${id})`, report);
			session.emit('task.end', {t: t + 5, id: query, busy: 0.1}).awaits(report, onTask(query), {from: t + 0.05, ready: t + 5, resumed: t + 5.05, site: 'report.ts:8:40'});
			t += 5.1;
		}
		expect(ofKind(session, 'sequential-awaits')).toEqual([expect.objectContaining({taskName: 'report()', operations: 40, sequenceMs: expect.closeTo(200, 6), longestMs: expect.closeTo(5, 6)})]);
	});

	// Sequelize's N+1 of 10 queries read 'awaited 7 operations in sequence', then fewer: the ones answered in under
	// 1 ms broke the run in pieces, and the finding told the costliest piece.
	it('an N+1 loop with queries answered at once (a cache) is one run: the short ones are no step, and no break', () => {
		const session = new InsightSession();
		const report = session.task(0, 'nPlusOne()');
		let t = 1;
		for (let id = 1; id <= 10; id++) {
			const ms = id % 3 === 0 ? 0.5 : 8;
			const query = session.task(t, `postsFor(${id})`, report);
			session.emit('task.end', {t: t + ms, id: query, busy: 0.1}).awaits(report, onTask(query), {from: t + 0.05, ready: t + ms, resumed: t + ms + 0.05, site: 'seq.js:25:25'});
			t += ms + 0.1;
		}
		session.emit('task.end', {t, id: report}).emit('exit', {t: t + 1});
		expect(ofKind(session, 'sequential-awaits')).toEqual([expect.objectContaining({taskName: 'nPlusOne()', operations: 7, sequenceMs: expect.closeTo(56, 6)})]);
	});

	it("adds up a loop of queries awaited directly (`await pool.query()`, an N+1): a database peer's replies at one site; not a transaction's one-off ones", () => {
		const peer = {kind: 'peer', address: '127.0.0.1:5432'} as const;
		const loop = new InsightSession();
		const main = loop.task(0, 'main()');
		let t = 1;
		// Connecting first, at a site of its own: no step, and the run starts after it.
		loop.awaits(main, peer, {from: t, ready: t + 30, resumed: t + 30.05, site: 'app.ts:3:9'});
		t += 30.1;
		for (let id = 1; id <= 20; id++) {
			loop.awaits(main, peer, {from: t, ready: t + 11, resumed: t + 11.05, site: 'app.ts:5:40'});
			t += 11.1;
		}
		loop.emit('task.end', {t, id: main}).emit('exit', {t: t + 1});
		expect(ofKind(loop, 'sequential-awaits')).toEqual([expect.objectContaining({taskName: 'main()', operations: 20, sequenceMs: expect.closeTo(220, 6), longestMs: expect.closeTo(11, 6), taskIds: [main], peer: '127.0.0.1:5432'})]);

		// BEGIN, UPDATE, SELECT, COMMIT on one client: their order is the transaction's meaning.
		const transaction = new InsightSession();
		const relabel = transaction.task(0, 'relabel(3)');
		t = 1;
		for (const line of [4, 5, 6, 7]) {
			transaction.awaits(relabel, peer, {from: t, ready: t + 20, resumed: t + 20.05, site: `app.ts:${line}:9`});
			t += 20.1;
		}
		transaction.emit('task.end', {t, id: relabel}).emit('exit', {t: t + 1});
		expect(ofKind(transaction, 'sequential-awaits')).toEqual([]);

		// A transaction a turn, in a loop: each site comes back, but a run holds one query's replies, not a statement of each.
		const transactions = new InsightSession();
		const relabelAll = transactions.task(0, 'relabelAll()');
		t = 1;
		for (let turn = 0; turn < 5; turn++) {
			for (const line of [4, 5, 6]) {
				transactions.awaits(relabelAll, peer, {from: t, ready: t + 20, resumed: t + 20.05, site: `app.ts:${line}:9`});
				t += 20.1;
			}
		}
		transactions.emit('task.end', {t, id: relabelAll}).emit('exit', {t: t + 1});
		expect(ofKind(transactions, 'sequential-awaits')).toEqual([]);
	});

	it('takes no guess for an awaited operation: a library promise read as the first attempt of a retry, or as a generator\'s fetch', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		let t = 1;
		for (let i = 0; i < 3; i++) {
			const attempt = session.task(t, `getFlaky(${i})`, main);
			session.emit('task.end', {t: t + 100, id: attempt}).awaits(main, {kind: 'task', id: attempt, guess: true}, {from: t + 0.1, ready: t + 300, resumed: t + 300.1});
			t += 300.2;
		}
		expect(ofKind(session, 'sequential-awaits')).toEqual([]);
	});

	it("counts computing three calls down as the thread's too: two steps whose grandchildren spin save nothing", () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		let t = 1;
		for (let i = 0; i < 2; i++) {
			const step = session.task(t, `step(${i})`, main);
			const inner = session.task(t + 1, `inner(${i})`, step);
			const spin = session.task(t + 2, `spin(${i})`, inner);
			session.emit('task.end', {t: t + 500, id: spin, busy: 495});
			session.emit('task.end', {t: t + 500, id: inner}).emit('task.end', {t: t + 500, id: step}).awaits(main, onTask(step), {from: t + 0.1, ready: t + 500, resumed: t + 500.1});
			t += 500.2;
		}
		expect(ofKind(session, 'sequential-awaits')).toEqual([]);
	});
});

/** crunch() blocks 100..1500 ms; five ticks become ready at 200..600 ms and resume only after it. */
function blockedTicks(blockMs = 1400, thresholdMs = 100) {
	const session = new InsightSession(thresholdMs);
	const main = session.task(0, 'main()');
	const crunch = session.task(100, 'crunch(1500)', main);
	session.block(100, blockMs, crunch, {fn: 'crunch', loc: 'cpu.ts:12:3'});
	const end = 100 + blockMs;
	const ticks = [200, 300, 400, 500, 600].map((due, i) => {
		const tick = session.task(10, `tick(${i + 1})`, main);
		const timer = session.timer(10, due, tick);
		session.awaits(tick, onOp(timer), {from: 10.5, ready: due, resumed: Math.max(due, end) + i * 0.1});
		return tick;
	});
	// Ready only after the block ended: not delayed by it.
	const late = session.task(10, 'late()', main);
	session.awaits(late, onOp(session.timer(10, end + 100, late)), {from: 10.5, ready: end + 100});
	return {session, crunch, ticks, late};
}

describe('blocked-loop', () => {
	it('names the blocking function and the tasks it kept waiting', () => {
		const {session, crunch, ticks} = blockedTicks();
		expect(ofKind(session, 'blocked-loop')).toEqual([
			{
				kind: 'blocked-loop',
				block: session.state.blocks[0],
				durationMs: 1400,
				blocks: 1,
				totalMs: 1400,
				delayedTasks: 5,
				longestDelayMs: 1300,
				taskIds: [crunch, ...ticks],
				savesMs: 1300,
			},
		]);
	});

	it('makes one finding of the blocks at one place, the longest, with how many there were and their time in all; the longest place first', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const handlers = [100, 300, 500].map(t => session.task(t, 'handle()', main));
		const report = session.task(700, 'report()', main);
		// Above the session's threshold of 100 ms, each.
		session.block(100, 160, handlers[0]!, {fn: 'crunch', loc: 'cpu.ts:12:3'});
		session.block(300, 190, handlers[1]!, {fn: 'crunch', loc: 'cpu.ts:12:3'});
		session.block(500, 170, handlers[2]!, {fn: 'crunch', loc: 'cpu.ts:12:3'});
		session.block(700, 300, report, {fn: 'render', loc: 'report.ts:4:1'});
		const found = ofKind(session, 'blocked-loop');
		expect(found.map(insight => [insight.block.location, insight.durationMs, insight.blocks, insight.totalMs])).toEqual([
			['report.ts:4:1', 300, 1, 300],
			['cpu.ts:12:3', 190, 3, 520],
		]);
		expect(found[1]!.block).toBe(session.state.blocks[1]);
		expect(found[1]!.taskIds).toEqual([handlers[1], handlers[0], handlers[2]]);
	});

	it('counts a task that two blocks at one place kept waiting once', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const ticker = session.task(1, 'ticker()', main);
		const other = session.task(1, 'other()', main);
		session.block(100, 200, session.task(100, 'handle(1)', main), {fn: 'crunch', loc: 'cpu.ts:12:3'});
		session.block(400, 200, session.task(400, 'handle(2)', main), {fn: 'crunch', loc: 'cpu.ts:12:3'});
		// The ticker is kept waiting by both blocks, the other task by the second only.
		session.awaits(ticker, onOp(session.timer(1, 150, ticker)), {from: 2, ready: 150, resumed: 300.1});
		session.awaits(ticker, onOp(session.timer(301, 450, ticker)), {from: 301, ready: 450, resumed: 600.1});
		session.awaits(other, onOp(session.timer(1, 500, other)), {from: 2, ready: 500, resumed: 600.2});
		const [finding] = ofKind(session, 'blocked-loop');
		expect(finding).toMatchObject({blocks: 2, totalMs: 400, delayedTasks: 2});
	});

	it('takes the blocks of one function as one place wherever in it their stacks were read; an anonymous function\'s by its line', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const handlers = [100, 300, 500, 700, 900].map(t => session.task(t, 'handle()', main));
		// Stacks read at three columns of crunch's loop, and at the next line of it.
		session.block(100, 160, handlers[0]!, {fn: 'crunch', loc: 'cpu.ts:11:3'});
		session.block(300, 190, handlers[1]!, {fn: 'crunch', loc: 'cpu.ts:11:22'});
		session.block(500, 170, handlers[2]!, {fn: 'crunch', loc: 'cpu.ts:12:10'});
		session.block(700, 120, handlers[3]!, {fn: '<anonymous>', loc: 'cpu.ts:30:5'});
		session.block(900, 110, handlers[4]!, {fn: '<anonymous>', loc: 'cpu.ts:40:5'});
		expect(ofKind(session, 'blocked-loop').map(insight => [insight.block.location, insight.blocks, insight.totalMs])).toEqual([
			['cpu.ts:11:22', 3, 520],
			['cpu.ts:30:5', 1, 120],
			['cpu.ts:40:5', 1, 110],
		]);
	});

	/** Blocks of main(), each `[start, duration, the call of Node's its stack was read in]`, its own frame `frame`. */
	const blocksInCalls = (frame: {fn: string; loc: string}, blocks: Array<[number, number, {fn: string; loc: string}]>): InsightSession => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		for (const [start, durationMs, callee] of blocks) {
			const id = 100 + start;
			session.emit('block.start', {t: start, id, task: main, detectedAt: start + 50});
			session.emit('block.stack', {t: start + 1, id, frames: [frame], callee});
			session.emit('block.end', {t: start + durationMs, id, durationMs, task: main});
		}
		return session;
	};

	it("takes a function's blocks in two calls of Node's as two places, each with its own advice to come", () => {
		const session = blocksInCalls({fn: 'main', loc: 'sync.js:7:3'}, [
			[100, 150, {fn: 'wait', loc: 'Atomics'}],
			[400, 300, {fn: 'execSync', loc: 'node:child_process'}],
			[800, 200, {fn: 'execSync', loc: 'node:child_process'}],
		]);
		expect(ofKind(session, 'blocked-loop').map(insight => [insight.block.callee?.fn, insight.blocks, insight.totalMs])).toEqual([
			['execSync', 2, 500],
			['wait', 1, 150],
		]);
	});

	// A hash loop's stacks were read in createHash() one time, digest() the next: one function's blocks, three findings.
	it("takes a function's blocks read in calls of Node's with no advice of their own as one place: the function's own work", () => {
		const session = blocksInCalls({fn: 'spin', loc: 'hash.js:5:35'}, [
			[100, 150, {fn: 'update', loc: 'node:crypto'}],
			[400, 300, {fn: 'digest', loc: 'node:crypto'}],
			[800, 200, {fn: 'createHash', loc: 'node:crypto'}],
		]);
		expect(ofKind(session, 'blocked-loop').map(insight => [insight.blocks, insight.totalMs, insight.durationMs])).toEqual([[3, 650, 300]]);
	});

	it('stays silent for a block shorter than the session threshold', () => {
		const {session} = blockedTicks(50, 100);
		expect(ofKind(session, 'blocked-loop')).toEqual([]);
	});

	it('lets the options override the session threshold, and leaves out waiting tasks when none were ready', () => {
		const {session, crunch} = blockedTicks(50, 100);
		expect(ofKind(session, 'blocked-loop', {blockThresholdMs: 20})).toEqual([
			{kind: 'blocked-loop', block: session.state.blocks[0], durationMs: 50, blocks: 1, totalMs: 50, delayedTasks: 0, longestDelayMs: null, taskIds: [crunch]},
		]);
	});
});

describe("a followed process's block", () => {
	it("keeps only that process's tasks waiting, not the script's", () => {
		const {session, ticks} = blockedTicks();
		const lane = IDS_PER_PROCESS + 1;
		session.emit('task.start', {t: 50, id: lane, parent: null, kind: 'process', name: 'pid 42: node child.js', loc: null, process: {pid: 42, command: 'node child.js'}});
		session.emit('task.start', {t: 60, id: lane + 1, parent: lane, name: 'childCrunch()'});
		// The child blocks its own loop over the same span as the script's block.
		session.emit('block.start', {t: 100, id: IDS_PER_PROCESS + 1, task: lane + 1, detectedAt: 150});
		session.emit('block.end', {t: 1500, id: IDS_PER_PROCESS + 1, durationMs: 1400, task: lane + 1});
		const [script, child] = ofKind(session, 'blocked-loop');
		expect(script).toMatchObject({delayedTasks: 5, taskIds: [expect.any(Number), ...ticks]});
		expect(child).toMatchObject({durationMs: 1400, blocks: 1, totalMs: 1400, delayedTasks: 0, longestDelayMs: null, taskIds: [lane + 1]});
	});

	it('does not hold up the loop beside the script\'s worker threads', () => {
		const session = new InsightSession();
		for (const [id, start] of [[1, 0], [2, 10]] as const) {
			session.emit('task.start', {t: start, id: id * IDS_PER_THREAD + 1, kind: 'worker', name: `worker thread #${id}`, thread: id});
			session.emit('task.end', {t: start + 1500, id: id * IDS_PER_THREAD + 1, busy: 1500});
		}
		session.emit('block.start', {t: 100, id: IDS_PER_PROCESS + 1, task: null, detectedAt: 150});
		session.emit('block.end', {t: 600, id: IDS_PER_PROCESS + 1, durationMs: 500, task: null});
		expect(ofKind(session, 'parallelism')).toEqual([expect.objectContaining({workers: 2, loopBlocked: false})]);
		session.block(700, 300, null);
		expect(ofKind(session, 'parallelism')).toEqual([expect.objectContaining({workers: 2, loopBlocked: true})]);
	});
});

describe('concurrency', () => {
	it("gives the seed's figure for requests run together", () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const requests = [1000, 3000, 2000].map((ms, i) => session.task(0, `simulateRequest("request-${'ABC'[i]}", ${ms})`, main));
		[1000, 3000, 2000].forEach((ms, i) => session.emit('task.end', {t: ms, id: requests[i]!, wait: ms}));
		// main() waits on its requests: their time, counted once.
		session.awaits(main, {kind: 'promise', tasks: requests}, {from: 0, ready: 3000});
		session.emit('task.end', {t: 3000, id: main, wait: 3000}).emit('exit', {t: 3000});
		expect(ofKind(session, 'concurrency')).toEqual([{kind: 'concurrency', tasks: 4, workers: 0, activeMs: 6000, durationMs: 3000, concurrency: 2, taskIds: [main, ...requests]}]);
	});

	it("counts a task's own waits once it started tasks: a call that awaited a quick helper, then slept, is busy", () => {
		const session = new InsightSession();
		// Three jobs run together: each awaits a helper for 1 ms, then sleeps 900 ms.
		const jobs = [0, 1, 2].map(i => session.task(0, `job(${i})`));
		for (const job of jobs) {
			const helper = session.task(0, 'helper()', job);
			session.awaits(job, {kind: 'task', id: helper}, {from: 0, ready: 1});
			session.emit('task.end', {t: 1, id: helper, wait: 1});
			session.awaits(job, {kind: 'op', id: session.timer(1, 901, job)}, {from: 1, ready: 901});
			session.emit('task.end', {t: 901, id: job, wait: 901});
		}
		session.emit('exit', {t: 901});
		// 3 × 900 ms of sleep and 3 × 1 ms of helpers: 3.0×, not the helpers' 0.0×.
		expect(ofKind(session, 'concurrency')).toMatchObject([{tasks: 6, activeMs: 2703, durationMs: 901, concurrency: 3}]);
	});

	it("counts the summary's tasks, as the line above it does: a request served, whose handler's time is counted, is one", () => {
		const session = new InsightSession();
		for (const at of [0, 10]) {
			session.emit('task.start', {t: at, id: 100 + at, parent: null, kind: 'server', name: 'GET /users/7', loc: null});
			const handler = session.task(at, '<app.get callback>()', 100 + at);
			session.awaits(handler, {kind: 'op', id: session.timer(at, at + 500, handler)}, {from: at, ready: at + 500});
			session.emit('task.end', {t: at + 500, id: handler, wait: 500}).emit('task.end', {t: at + 501, id: 100 + at, wait: 501});
		}
		session.emit('exit', {t: 520});
		expect(ofKind(session, 'concurrency')).toMatchObject([{tasks: summarize(session.state).taskCount}]);
		expect(summarize(session.state).taskCount).toBe(4);
	});

	it('counts a wait on tasks and a worker thread together as theirs, and a wait on the worker alone as its own', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const beat = session.task(0, 'heartbeat()', main);
		session.emit('task.start', {t: 0, id: 50, parent: main, kind: 'worker', name: 'worker thread #1'});
		session.awaits(beat, {kind: 'op', id: session.timer(0, 1000, beat)}, {from: 0, ready: 1000});
		session.awaits(main, {kind: 'promise', tasks: [beat], others: 1}, {from: 0, ready: 1000});
		for (const id of [beat, 50]) session.emit('task.end', {t: 1000, id, wait: 1000});
		// Then main() awaits a promise of unknown origin for 500 ms: its own wait.
		session.awaits(main, {kind: 'promise', others: 1}, {from: 1000, ready: 1500});
		session.emit('task.end', {t: 1500, id: main, wait: 1500}).emit('exit', {t: 1500});
		expect(ofKind(session, 'concurrency')).toMatchObject([{tasks: 2, workers: 1, activeMs: 2500}]);
	});

	it('counts worker threads apart from the tasks, as the summary counts no worker among its tasks', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const requests = [session.task(0, 'get(1)', main), session.task(0, 'get(2)', main)];
		session.emit('task.start', {t: 0, id: 50, parent: main, kind: 'worker', name: 'worker thread #1'});
		for (const id of [...requests, 50]) session.emit('task.end', {t: 1000, id, wait: 1000});
		session.awaits(main, {kind: 'promise', tasks: requests, others: 1}, {from: 0, ready: 1000});
		session.emit('task.end', {t: 1000, id: main, wait: 1000}).emit('exit', {t: 1000});
		expect(ofKind(session, 'concurrency')).toMatchObject([{tasks: 3, workers: 1, activeMs: 3000}]);
		expect(summarize(session.state).taskCount).toBe(3);
	});

	it('counts no time a task spent ready while the loop ran another: CPU-bound tasks started together read 1.0×', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		// Three 1 s computations started at once run one after another: the second is ready for 1 s, the third for 2 s.
		const crunches = [0, 1, 2].map(i => session.task(0, `crunch(${i})`, main));
		crunches.forEach((id, i) => session.emit('task.end', {t: (i + 1) * 1000, id, busy: 1000, sched: i * 1000}));
		session.awaits(main, {kind: 'promise', tasks: crunches}, {from: 0, ready: 3000});
		session.emit('task.end', {t: 3000, id: main, wait: 3000}).emit('exit', {t: 3000});
		expect(summarize(session.state).concurrency).toBe(1);
		expect(summarize(session.state).taskTimeMs).toBe(6000);
	});

	it('stays silent with a single task', () => {
		const session = new InsightSession();
		session.emit('task.end', {t: 1000, id: session.task(0, 'main()')}).emit('exit', {t: 1000});
		expect(ofKind(session, 'concurrency')).toEqual([]);
	});
});

describe('unhandled-rejection', () => {
	it('reports a rejection nothing handled, with its task and location', () => {
		const session = new InsightSession();
		const load = session.task(0, 'loadUser(7)');
		const error = {name: 'TypeError', message: 'boom', location: 'app.ts:3:9'};
		session.emit('uncaught', {t: 5, origin: 'unhandledRejection', error, task: load}).emit('exit', {t: 6, code: 1});
		expect(ofKind(session, 'unhandled-rejection')).toEqual([{kind: 'unhandled-rejection', error, taskName: 'loadUser(7)', taskIds: [load]}]);
	});

	it("says when the script's own uncaughtException handler took it", () => {
		const session = new InsightSession();
		const boom = session.task(0, 'boom()');
		const error = {name: 'Error', message: 'async boom'};
		session.emit('uncaught', {t: 5, origin: 'unhandledRejection', error, task: boom, handled: true}).emit('exit', {t: 6, code: 0});
		expect(ofKind(session, 'unhandled-rejection')).toEqual([{kind: 'unhandled-rejection', error, taskName: 'boom()', taskIds: [boom], handled: true}]);
	});

	it('stays silent for an uncaught exception', () => {
		const session = new InsightSession();
		session.emit('uncaught', {t: 5, origin: 'uncaughtException', error: {name: 'Error', message: 'thrown'}, task: null}).emit('exit', {t: 6, code: 1});
		expect(ofKind(session, 'unhandled-rejection')).toEqual([]);
	});
});

describe('never-settled', () => {
	function hangingSession() {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const forever = session.task(1, 'waitForever()', main);
		session.emit('task.await', {t: 2, id: forever, site: 'app.ts:5:3', on: onPromise}).emit('task.await', {t: 3, id: main, site: 'app.ts:9:9', on: onTask(forever)});
		const done = session.task(1, 'quick()', main);
		session.emit('task.end', {t: 4, id: done});
		return {session, main, forever};
	}

	it('lists the tasks still waiting at exit and what each waited on', () => {
		const {session, main, forever} = hangingSession();
		session.emit('exit', {t: 10, code: 13});
		expect(ofKind(session, 'never-settled')).toEqual([
			{
				kind: 'never-settled',
				exitMs: 10,
				pending: [
					{name: 'main()', wait: {on: onTask(forever), site: 'app.ts:9:9', since: 3}},
					{name: 'waitForever()', wait: {on: onPromise, site: 'app.ts:5:3', since: 2}},
				],
				taskIds: [main, forever],
			},
		]);
	});

	it("carries the script's process.exit() that cut them off, and where it was called", () => {
		const {session, main, forever} = hangingSession();
		session.emit('script.exit', {t: 9, code: 2, exitCall: {site: 'app.ts:12:11'}}).emit('exit', {t: 10, code: 2});
		expect(ofKind(session, 'never-settled')).toEqual([expect.objectContaining({exitCall: {site: 'app.ts:12:11'}, taskIds: [main, forever]})]);
		// A process that ended by itself carries no call.
		const dry = hangingSession().session;
		dry.emit('script.exit', {t: 9, code: 0}).emit('exit', {t: 10, code: 0});
		expect(ofKind(dry, 'never-settled')[0]).not.toHaveProperty('exitCall');
	});

	it('stays silent while the process is still running', () => {
		expect(ofKind(hangingSession().session, 'never-settled')).toEqual([]);
	});

	it('stays silent when an error nothing handled killed the process: it cut them short, and it is the finding', () => {
		const {session} = hangingSession();
		session.emit('uncaught', {t: 8, origin: 'unhandledRejection', error: {name: 'ReplyError', message: 'WRONGTYPE'}, task: null}).emit('exit', {t: 10, code: 1});
		expect(ofKind(session, 'never-settled')).toEqual([]);
		expect(ofKind(session, 'unhandled-rejection')).toHaveLength(1);
	});

	it('stays silent when every task settled', () => {
		const session = new InsightSession();
		session.emit('task.end', {t: 5, id: session.task(0, 'main()')}).emit('exit', {t: 6});
		expect(ofKind(session, 'never-settled')).toEqual([]);
	});
});

describe('http', () => {
	const host = '127.0.0.1:4000';
	const url = (path: string) => `http://${host}${path}`;

	it('reports queueing for a connection, with the number of connections actually used', () => {
		const session = new InsightSession();
		for (let i = 0; i < 4; i++) session.request(url(`/delay/500?${i}`), {start: 0, status: 200, end: 500, client: 'node:http'});
		const queued = [4, 5, 6, 7].map(i => session.request(url(`/delay/500?${i}`), {start: 0, queueMs: 500, status: 200, end: 1000, client: 'node:http'}));
		session.emit('exit', {t: 1001});
		expect(ofKind(session, 'http')).toEqual([
			{kind: 'http', finding: 'connection-queueing', host, averageQueueMs: 250, requests: 8, queued: 4, queuedAverageMs: 500, longestQueueMs: 500, connections: 4, client: 'node:http', taskIds: queued},
		]);
	});

	it('counts as waiting only the requests sent as another ended: the first of a fan-out, a few ms late on new or idle connections, did not wait', () => {
		const session = new InsightSession();
		// Two connections: the first two requests take 6 and 3 ms to be sent (a connection's set-up), the next two wait for them.
		session.request(url('/q/0'), {start: 0, queueMs: 6, status: 200, end: 60, client: 'node:http'});
		session.request(url('/q/1'), {start: 0, queueMs: 3, status: 200, end: 60, client: 'node:http'});
		const waited = [2, 3].map(i => session.request(url(`/q/${i}`), {start: 0, queueMs: 60, status: 200, end: 120, client: 'node:http'}));
		session.emit('exit', {t: 121});
		expect(ofKind(session, 'http')).toEqual([
			{kind: 'http', finding: 'connection-queueing', host, averageQueueMs: 32.25, requests: 4, queued: 2, queuedAverageMs: 60, longestQueueMs: 60, connections: 2, client: 'node:http', taskIds: waited},
		]);
	});

	// axios on an http.Agent, then an undici Pool of 2, to one host: the Pool's wait went unsaid (axios's 8
	// connections hid it), or was blamed on maxSockets with axios's figure.
	it('tells queueing per client library: each keeps its own connections, and its limit is set its own way', () => {
		const session = new InsightSession();
		for (let i = 0; i < 8; i++) session.request(url(`/a/${i}`), {start: 0, queueMs: 2, status: 200, end: 100, client: 'node:http'});
		session.request(url('/b/0'), {start: 200, status: 200, end: 300, client: 'undici'});
		session.request(url('/b/1'), {start: 200, status: 200, end: 300, client: 'undici'});
		const waited = [2, 3].map(i => session.request(url(`/b/${i}`), {start: 200, queueMs: 100, status: 200, end: 400, client: 'undici'}));
		session.emit('exit', {t: 401});
		const insights = ofKind(session, 'http');
		expect(insights).toEqual([
			{kind: 'http', finding: 'connection-queueing', host, averageQueueMs: 50, requests: 4, queued: 2, queuedAverageMs: 100, longestQueueMs: 100, connections: 2, client: 'undici', sharedHost: true, taskIds: waited},
		]);
	});

	it('says how many requests to the host were folded, whose waits its figures leave out', () => {
		const session = new InsightSession();
		for (let i = 0; i < 4; i++) session.request(url(`/delay/500?${i}`), {start: 0, status: 200, end: 500, client: 'node:http'});
		const queued = [4, 5, 6, 7].map(i => session.request(url(`/delay/500?${i}`), {start: 0, queueMs: 500, status: 200, end: 1000, client: 'node:http'}));
		// 30 more the script's process folded: quick ones, after them.
		const writer = new FoldedTaskWriter(1100);
		for (let i = 0; i < 30; i++) writer.addRequest({startMs: 1001 + i, totalMs: 2, queueMs: 0, connectMs: 0, ttfbMs: 2, downloadMs: 0});
		session.emit('fold.http', {t: 1100, method: 'GET', url: url('/quick/0'), client: 'node:http', loc: null, parent: null, count: 30, totalMs: 60, requests: writer.text()});
		// And 12 through undici, kept: a second client to the host, whose folded requests are none.
		for (let i = 0; i < 12; i++) session.request(url(`/u/${i}`), {start: 1200, status: 200, end: 1201, client: 'undici'});
		session.emit('exit', {t: 1301});
		expect(ofKind(session, 'http')).toEqual([
			{kind: 'http', finding: 'connection-queueing', host, averageQueueMs: 250, requests: 8, queued: 4, queuedAverageMs: 500, longestQueueMs: 500, connections: 4, client: 'node:http', sharedHost: true, folded: 30, taskIds: queued},
		]);
		expect(session.state.aggregated.hosts.get(host)).toMatchObject({requests: 30, byClient: {'node:http': 30}});
	});

	it('stays silent about queueing when requests were sent at once', () => {
		const session = new InsightSession();
		for (let i = 0; i < 8; i++) session.request(url(`/delay/500?${i}`), {start: 0, status: 200, end: 500});
		session.emit('exit', {t: 501});
		expect(ofKind(session, 'http')).toEqual([]);
	});

	it('stays silent about queueing when there were never more requests than connections: the time before sending went elsewhere', () => {
		const session = new InsightSession();
		// 20 requests, 20 connections: each took 25 ms to be sent (a new connection's set-up), none waited for a free one.
		for (let i = 0; i < 20; i++) session.request(url(`/users/${i}`), {start: 0, queueMs: 25, status: 200, end: 60});
		session.emit('exit', {t: 61});
		expect(ofKind(session, 'http')).toEqual([]);
	});

	it('gives error and retry rates per host', () => {
		const session = new InsightSession();
		const failed = session.request(url('/flaky'), {start: 0, status: 500, end: 100});
		const retry = session.request(url('/flaky'), {start: 110, status: 200, end: 200});
		session.request(url('/json'), {start: 0, status: 200, end: 50});
		const reset = session.request(url('/other'), {start: 0, end: 30});
		session.emit('exit', {t: 300});
		expect(ofKind(session, 'http')).toEqual([
			{kind: 'http', finding: 'failures', host, requests: 4, failures: 2, retries: 1, taskIds: [failed, reset, retry]},
		]);
	});

	it('does not count a concurrent request for the same URL as a retry', () => {
		const session = new InsightSession();
		session.request(url('/flaky'), {start: 0, status: 500, end: 100});
		session.request(url('/flaky'), {start: 50, status: 200, end: 150});
		session.emit('exit', {t: 200});
		expect(ofKind(session, 'http')).toEqual([expect.objectContaining({finding: 'failures', requests: 2, failures: 1, retries: 0})]);
	});

	it('does not count first attempts of different tasks as retries: six probes of a dead port', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const probes = [0, 1, 2, 3, 4, 5].map(i => {
			const probe = session.task(i * 10, `probe(${i})`, main);
			session.request(url('/health'), {start: i * 10 + 1, end: i * 10 + 3, parent: probe});
			session.emit('task.end', {t: i * 10 + 4, id: probe});
			return probe;
		});
		session.emit('task.end', {t: 61, id: main}).emit('exit', {t: 62});
		expect(probes).toHaveLength(6);
		expect(ofKind(session, 'http')).toEqual([expect.objectContaining({finding: 'failures', requests: 6, failures: 6, retries: 0})]);
	});

	it('counts the failed requests folded past the retention window too, and tells retries among those kept', () => {
		const lines: ProtocolLine[] = [header(), event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts'})];
		// 300 calls of probe(), each one request to a dead port, one after another.
		for (let i = 0; i < 300; i++) {
			const [task, op, t] = [10 + 2 * i, 11 + 2 * i, 10 * i];
			lines.push(
				event('task.start', {t, id: task, parent: 1, name: `probe(${i})`}),
				event('op.start', {t: t + 1, id: op, parent: task, kind: 'http', name: 'GET /health', http: {method: 'GET', url: url('/health')}}),
				event('op.end', {t: t + 2, id: op, ok: false, error: {name: 'Error', message: 'connect ECONNREFUSED'}}),
				event('task.end', {t: t + 3, id: task, ok: true, busy: 1, wait: 2}),
			);
		}
		const state = reduce([...lines, event('exit', {t: 3000})], {retention: {maxFinished: 20, maxAgeMs: Infinity}});
		const [failures] = computeInsights(state).filter(insight => insight.kind === 'http');
		expect(failures).toMatchObject({finding: 'failures', host, requests: 300, failures: 300, retries: 0});
		expect((failures as {retriesAmong?: number}).retriesAmong).toBeLessThan(300);
	});

	it('counts a request its task repeats after it failed as a retry, and not one another task makes', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const retrier = session.task(1, 'withRetry()', main);
		const failed = session.request(url('/flaky'), {start: 2, status: 503, end: 100, parent: retrier});
		const retry = session.request(url('/flaky'), {start: 200, status: 200, end: 300, parent: retrier});
		const other = session.task(310, 'report()', main);
		session.request(url('/flaky'), {start: 311, status: 200, end: 400, parent: other});
		session.emit('exit', {t: 401});
		expect(ofKind(session, 'http')).toEqual([
			{kind: 'http', finding: 'failures', host, requests: 3, failures: 1, retries: 1, taskIds: [failed, retry]},
		]);
	});

	it('does not count a URL its task requests again after going through others as a retry', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const client = session.task(1, 'client(3)', main);
		const paths = ['/a', '/boom', '/b', '/c', '/boom', '/d'];
		const made = paths.map((path, i) => session.request(url(path), {start: 10 + i * 20, status: path === '/boom' ? 500 : 200, end: 25 + i * 20, parent: client}));
		session.emit('exit', {t: 200});
		expect(ofKind(session, 'http')).toEqual([{kind: 'http', finding: 'failures', host, requests: 6, failures: 2, retries: 0, taskIds: [made[1], made[4]]}]);
	});

	it('counts the attempts of a retry helper, each a new call of one async function, as retries', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const retrier = session.task(1, 'withRetry(fetchUser)', main);
		const attempts = [503, 503, 200].map((status, i) => {
			const attempt = session.task(i * 200 + 2, 'attempt()', retrier);
			const request = session.request(url('/user'), {start: i * 200 + 3, status, end: i * 200 + 100, parent: attempt});
			session.emit('task.end', {t: i * 200 + 101, id: attempt});
			return request;
		});
		session.emit('exit', {t: 601});
		expect(ofKind(session, 'http')).toEqual([
			{kind: 'http', finding: 'failures', host, requests: 3, failures: 2, retries: 2, taskIds: attempts},
		]);
	});

	it('names the slowest of several hosts, not counting our own queueing', () => {
		const session = new InsightSession();
		session.request('http://fast.test/a', {start: 0, status: 200, end: 100});
		session.request('http://fast.test/b', {start: 0, queueMs: 5, status: 200, end: 105});
		const slow = session.request('https://slow.test/a', {start: 0, status: 200, end: 800});
		session.emit('exit', {t: 900});
		expect(ofKind(session, 'http')).toEqual([
			{kind: 'http', finding: 'slowest-host', host: 'slow.test', averageMs: 800, next: {host: 'fast.test', averageMs: 100}, taskIds: [slow]},
		]);
	});

	it('does not time a host by a request that ended unsent: given up in a pool queue, the host never saw it', () => {
		const session = new InsightSession();
		session.request('http://fast.test/a', {start: 0, status: 200, end: 100});
		session.request('http://other.test/a', {start: 0, status: 200, end: 50});
		session.emit('op.start', {t: 0, id: 99, parent: null, kind: 'http', name: 'GET /b', http: {method: 'GET', url: 'http://fast.test/b', queue: {ahead: 0, inFlight: 1}}});
		session.emit('op.end', {t: 900, id: 99, ok: false, error: {name: 'TimeoutError', message: 'The operation was aborted due to timeout'}});
		session.emit('exit', {t: 901});
		expect(ofKind(session, 'http').find(insight => insight.finding === 'slowest-host')).toMatchObject({host: 'fast.test', averageMs: 100});
	});

	it('calls no host the slowest for a few milliseconds, nor for a request with no answer (a long poll aborted after 8 s)', () => {
		const close = new InsightSession();
		close.request('http://a.test/x', {start: 0, status: 200, end: 41});
		close.request('http://b.test/x', {start: 0, status: 200, end: 40});
		close.emit('exit', {t: 100});
		expect(ofKind(close, 'http')).toEqual([]);
		const aborted = new InsightSession();
		aborted.request('http://a.test/poll', {start: 0, end: 8000});
		aborted.request('http://a.test/x', {start: 0, status: 200, end: 40});
		aborted.request('http://b.test/x', {start: 0, status: 200, end: 45});
		aborted.emit('exit', {t: 8100});
		expect(ofKind(aborted, 'http').filter(insight => insight.finding === 'slowest-host')).toEqual([]);
	});
});

describe('computeInsights', () => {
	it('finds nothing to change in a clean run of one task', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		session.awaits(main, onOp(session.timer(0.5, 1000.5, main)), {from: 0.6, ready: 1000.5});
		session.emit('task.end', {t: 1001, id: main}).emit('exit', {t: 1002});
		expect(computeInsights(session.state)).toEqual([]);
	});

	it('puts crashes and hangs before lost time', () => {
		const {session} = threeAwaitsInARow();
		session.emit('uncaught', {t: 7000, origin: 'unhandledRejection', error: {name: 'Error', message: 'late'}, task: null});
		// Nothing overlapped, so the concurrency figure is left out.
		expect(computeInsights(session.state).map(insight => insight.kind)).toEqual(['unhandled-rejection', 'sequential-awaits']);
	});

	it('leaves out the concurrency figure when tasks ran one after another', () => {
		const {session} = threeAwaitsInARow();
		expect(computeInsights(session.state).map(insight => insight.kind)).not.toContain('concurrency');
	});
});

describe('floating-promise', () => {
	it('names the dropped task, where it was called and by whom', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const save = session.task(1, 'save(1)', main);
		session.emit('floating', {t: 1, task: save, by: main, site: 'app.ts:6:2'});
		expect(ofKind(session, 'floating-promise')).toEqual([
			{kind: 'floating-promise', task: {name: 'save(1)', failed: false}, callerName: 'main()', site: 'app.ts:6:2', taskIds: [save]},
		]);
	});

	it('tells a task that failed from one its process ended before it settled (a followed process that exited or was killed)', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const save = session.task(1, 'save(1)', main);
		const tick = session.task(2, 'tick()', main);
		session.emit('floating', {t: 1, task: save, by: main, site: 'app.ts:6:2'}).emit('floating', {t: 1, task: tick, by: main, site: 'app.ts:7:2'});
		session.emit('task.end', {t: 5, id: save, ok: false, error: {name: 'Error', message: 'disk full'}});
		session.emit('task.end', {t: 9, id: tick, ok: false, error: {name: 'ProcessExit', message: 'killed by SIGKILL'}});
		const [failed, cutShort] = ofKind(session, 'floating-promise') as FloatingPromiseInsight[];
		expect(failed!.task).toEqual({name: 'save(1)', failed: true});
		expect(cutShort!.task).toEqual({name: 'tick()', failed: false, cutShort: true});
	});

	it('stays silent when every promise was awaited', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		const save = session.task(1, 'save(1)', main);
		session.emit('task.end', {t: 20, id: save}).awaits(main, onTask(save), {from: 1, ready: 20, resumed: 20.1});
		expect(ofKind(session, 'floating-promise')).toEqual([]);
	});
});

describe('keeps-alive', () => {
	it('names what held a process that sat idle, with the task that made each timer', () => {
		const session = new InsightSession();
		const poll = session.task(0, 'poll()');
		session.emit('op.start', {t: 1, id: 99, parent: poll, kind: 'timer', name: 'setInterval 1000ms', timer: {delayMs: 1000, repeat: true}});
		session.emit('task.end', {t: 2, id: poll});
		session.emit('alive', {t: 2100, idleSince: 2, resources: {Timeout: 1, TCPServerWrap: 1}}).emit('exit', {t: 5002});
		expect(ofKind(session, 'keeps-alive')).toEqual([
			{
				kind: 'keeps-alive',
				idleMs: 5000,
				resources: {Timeout: 1, TCPServerWrap: 1},
				servers: [],
				timers: [{name: 'setInterval 1000ms', madeBy: {name: 'poll()', location: null}}],
				taskIds: [99],
			},
		]);
	});

	it('names a server still listening, and where the script started it', () => {
		const session = new InsightSession();
		session.emit('task.end', {t: 2, id: session.task(0, 'main()')});
		session.emit('alive', {t: 2100, idleSince: 2, resources: {TCPServerWrap: 1}, servers: [{address: '127.0.0.1:3000', loc: 'server.ts:12:10'}]}).emit('exit', {t: 3002});
		expect(ofKind(session, 'keeps-alive')).toEqual([
			{
				kind: 'keeps-alive',
				idleMs: 3000,
				resources: {TCPServerWrap: 1},
				servers: [{address: '127.0.0.1:3000', loc: 'server.ts:12:10'}],
				timers: [],
				taskIds: [],
			},
		]);
	});

	it('stays silent while a task awaits something: a long sleep is quiet, not held for no reason', () => {
		const session = new InsightSession();
		const request = session.task(0, 'simulateRequest("request-B", 3000)');
		session.emit('op.start', {t: 1, id: 99, parent: request, kind: 'timer', name: 'sleep 3000ms', timer: {delayMs: 3000, repeat: false}});
		session.emit('alive', {t: 2100, idleSince: 2, resources: {Timeout: 1}});
		session.emit('op.end', {t: 3001, id: 99, ok: true});
		session.emit('task.end', {t: 3002, id: request}).emit('exit', {t: 3003});
		expect(ofKind(session, 'keeps-alive')).toEqual([]);
	});

	it('stays silent when work came after the quiet: a server idle between requests was waiting for them', () => {
		const session = new InsightSession();
		session.emit('task.end', {t: 2, id: session.task(0, 'main()')});
		session.emit('alive', {t: 2100, idleSince: 2, resources: {TCPServerWrap: 1}, servers: [{address: '127.0.0.1:3000', loc: 'server.ts:12:10'}]});
		session.emit('task.end', {t: 3900, id: session.task(3895, 'handle()')}).emit('exit', {t: 4400, code: null, signal: 'SIGINT'});
		expect(ofKind(session, 'keeps-alive')).toEqual([]);
	});

	it('stays silent for a service: one that received requests waits for the next, however long none comes', () => {
		const session = new InsightSession();
		session.emit('task.end', {t: 2, id: session.task(0, 'main()')});
		session.emit('task.start', {t: 10, id: 50, parent: 1, kind: 'server', name: 'GET /users/1', loc: null, http: {method: 'GET', url: '/users/1'}});
		session.emit('task.end', {t: 12, id: 50, status: 200});
		session.emit('alive', {t: 2100, idleSince: 12, resources: {TCPServerWrap: 1}, servers: [{address: '127.0.0.1:3000', loc: 'server.ts:12:10'}]});
		session.emit('exit', {t: 44_000, code: null, signal: 'SIGINT'});
		expect(ofKind(session, 'keeps-alive')).toEqual([]);
	});

	it('still names a server the script asked itself and forgot to close: requests of its own make no service', () => {
		const session = new InsightSession();
		const main = session.task(0, 'main()');
		session.emit('op.start', {t: 5, id: 40, parent: main, kind: 'http', name: 'GET /', http: {method: 'GET', url: 'http://127.0.0.1:3000/'}});
		session.emit('task.start', {t: 6, id: 50, parent: 1, kind: 'server', name: 'GET /', loc: null, http: {method: 'GET', url: '/'}});
		session.emit('task.end', {t: 8, id: 50, status: 200}).emit('op.end', {t: 9, id: 40, status: 200}).emit('task.end', {t: 10, id: main});
		session.emit('alive', {t: 2100, idleSince: 10, resources: {TCPServerWrap: 1}, servers: [{address: '127.0.0.1:3000', loc: 'server.ts:12:10'}]});
		session.emit('exit', {t: 3010, code: null, signal: 'SIGINT'});
		expect(ofKind(session, 'keeps-alive')).toHaveLength(1);
	});

	it('stays silent when the process never sat idle', () => {
		const session = new InsightSession();
		session.emit('task.end', {t: 5, id: session.task(0, 'main()')}).emit('exit', {t: 6});
		expect(ofKind(session, 'keeps-alive')).toEqual([]);
	});
});

describe('parallelism', () => {
	function workers(secondStart: number) {
		const session = new InsightSession();
		for (const [id, start] of [[1, 0], [2, secondStart]] as const) {
			session.emit('task.start', {t: start, id: id * 1000, kind: 'worker', name: `worker thread #${id}`, thread: id});
			session.emit('task.end', {t: start + 1500, id: id * 1000, busy: 1500});
		}
		return session.emit('exit', {t: secondStart + 1600});
	}

	it('measures worker threads busy at the same time', () => {
		expect(ofKind(workers(10), 'parallelism')).toEqual([
			{kind: 'parallelism', workers: 2, busyMs: 3000, wallMs: 1510, parallelism: 3000 / 1510, loopBlocked: false, taskIds: [1000, 2000]},
		]);
	});

	it("counts the busy time of the tasks a worker ran, not only its own top level", () => {
		const session = new InsightSession();
		for (const [id, start] of [[1, 0], [2, 10]] as const) {
			const worker = id * 1000;
			session.emit('task.start', {t: start, id: worker, kind: 'worker', name: `worker thread #${id}`, thread: id});
			session.emit('task.start', {t: start + 5, id: worker + 1, parent: worker, name: 'job()'});
			for (const i of [0, 1]) {
				session.emit('task.start', {t: start + 10 + i * 720, id: worker + 2 + i, parent: worker + 1, name: `step(${i})`});
				session.emit('task.end', {t: start + 10 + i * 720 + 710, id: worker + 2 + i, busy: 700, wait: 10});
			}
			session.emit('task.end', {t: start + 1460, id: worker + 1, busy: 1, wait: 1450});
			session.emit('task.end', {t: start + 1500, id: worker, busy: 12});
		}
		session.emit('exit', {t: 1600});
		expect(ofKind(session, 'parallelism')).toEqual([
			{kind: 'parallelism', workers: 2, busyMs: 2 * (12 + 1 + 700 + 700), wallMs: 1510, parallelism: 2826 / 1510, loopBlocked: false, taskIds: [1000, 2000]},
		]);
	});

	it('counts a worker started by a worker on its own thread, once', () => {
		const session = new InsightSession();
		session.emit('task.start', {t: 0, id: 1000, kind: 'worker', name: 'worker thread #1', thread: 1});
		session.emit('task.start', {t: 10, id: 2000, parent: 1000, kind: 'worker', name: 'worker thread #2', thread: 2});
		session.emit('task.end', {t: 1500, id: 2000, busy: 1400});
		session.emit('task.end', {t: 1510, id: 1000, busy: 1400});
		session.emit('exit', {t: 1600});
		expect(ofKind(session, 'parallelism')).toEqual([expect.objectContaining({workers: 2, busyMs: 2800, wallMs: 1510})]);
	});

	it('stays silent when the workers ran one after the other', () => {
		expect(ofKind(workers(1500), 'parallelism')).toEqual([]);
	});
});
