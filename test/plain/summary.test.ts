import {describe, expect, it} from 'vitest';
import {apply} from '../../source/model/reducer.js';
import type {ModelState} from '../../source/model/state.js';
import {summaryLines} from '../../source/plain/summary.js';
import {paint} from '../../source/present/paint.js';
import type {AsyncmonEvent, ProtocolLine} from '../../source/protocol/events.js';
import {event, reduce} from '../helpers/events.js';

/** `count` short tasks under main(), each finished, with only `retained` kept in detail. */
function finishedTasks(count: number, retained: number) {
	const lines: AsyncmonEvent[] = [event('task.start', {t: 0, id: 1, name: 'main()', loc: 'a.ts:1:1'})];
	for (let i = 0; i < count; i++) {
		const id = 100 + i;
		lines.push(event('task.start', {t: i, id, parent: 1, name: 'work()', loc: 'a.ts:5:1'}), event('task.end', {t: i + 10, id, busy: 1, wait: 9, awaits: 1}));
	}
	// main() awaited them all together: their time, not its own.
	const tasks = Array.from({length: Math.min(count, 8)}, (_, i) => 100 + i);
	lines.push(event('task.await', {t: 20, id: 1, site: null, on: {kind: 'promise', tasks, taskCount: count}}), event('task.resume', {t: count + 20, id: 1, readyAt: count + 20, wait: count}));
	lines.push(event('task.end', {t: count + 20, id: 1, busy: 1, wait: count, awaits: 1}), event('exit', {t: count + 21}));
	return reduce(lines, {retention: {maxFinished: retained, maxAgeMs: Infinity}});
}

const summaryText = (state: ModelState): string[] => summaryLines(state, false).map(line => paint(line, 'none'));

describe('the plain summary', () => {
	it('says when finished tasks were folded into totals, and counts them in the figures', () => {
		const folded = summaryText(finishedTasks(5000, 100));
		expect(folded[0]).toMatch(/^All done in 5\.02s · 5,001 tasks · 50\.0s running or waiting/);
		expect(folded.join('\n')).toMatch(/[\d,]+ finished tasks and ops were folded into 1 per-site total to bound memory \(kept one by one: the latest 100\)/);
	});

	it('says nothing of it when every task is kept', () => {
		expect(summaryText(finishedTasks(50, 100)).join('\n')).not.toContain('folded');
	});

	it('names the processes the script started that still ran when it ended, which go on as under node', () => {
		const lane = 1_000_000_000_001;
		const lines: AsyncmonEvent[] = [
			event('task.start', {t: 0, id: 1, kind: 'script', name: 'app.js', loc: 'app.js:1:1'}),
			event('task.start', {t: 5, id: lane, parent: 1, kind: 'process', name: 'pid 42: node child.js', loc: null, process: {pid: 42, command: 'node child.js'}}),
			event('op.start', {t: 6, id: 2, parent: 1, kind: 'child', name: 'sleep 60', process: {pid: 43, command: 'sleep 60'}}),
			event('op.start', {t: 7, id: 3, parent: 1, kind: 'child', name: 'true', process: {pid: 44, command: 'true'}}),
			event('op.end', {t: 8, id: 3, ok: true, exit: {code: 0, signal: null}}),
			event('exit', {t: 900, code: null, signal: 'SIGTERM'}),
		];
		expect(summaryText(reduce(lines)).join('\n')).toContain('2 processes the script started were still running when it ended, and go on as under node: pid 42 (node child.js), pid 43 (sleep 60)');
		// Before the end (a session cut short), nothing is said of them.
		expect(summaryText(reduce(lines.slice(0, -1))).join('\n')).not.toContain('still running');
	});

	// A cluster's worker SIGKILLed mid-run was in no line of the summary, and the report listed beside it, as failures, the
	// workers that went down with the Ctrl-C that ended the script (gone with their ends not seen: no claim).
	it('names the followed processes that failed, and not those gone with their ends not seen', () => {
		const killed = 1_000_000_000_001;
		const gone = 2_000_000_000_001;
		const lines: AsyncmonEvent[] = [
			event('task.start', {t: 0, id: 1, kind: 'script', name: 'cluster.js', loc: 'cluster.js:1:1'}),
			event('task.start', {t: 5, id: killed, parent: 1, kind: 'process', name: 'pid 42: node cluster.js', loc: null, process: {pid: 42, command: 'node cluster.js'}}),
			event('task.start', {t: 6, id: gone, parent: 1, kind: 'process', name: 'pid 43: node cluster.js', loc: null, process: {pid: 43, command: 'node cluster.js'}}),
			event('task.end', {t: 300, id: killed, ok: false, error: {name: 'ProcessExit', message: 'killed by SIGKILL'}, exit: {code: null, signal: 'SIGKILL'}}),
			event('task.end', {t: 890, id: gone, ok: false, error: {name: 'ProcessGone', message: 'gone, its end not seen: the process that started it exited first'}, exit: {code: null, signal: null}}),
			event('exit', {t: 900, code: null, signal: 'SIGINT'}),
		];
		const text = summaryText(reduce(lines)).join('\n');
		expect(text).toContain('1 followed process failed: pid 42 (node cluster.js) killed by SIGKILL');
		expect(text).not.toContain('pid 43');
	});

	it('says how long asyncmon held the script back while the monitor caught up, and not when it kept up', () => {
		const state = finishedTasks(50, 100);
		expect(summaryText(state).join('\n')).not.toContain('held the script back');
		apply(state, {type: 'backpressure', t: 10, heldMs: 120});
		apply(state, {type: 'backpressure', t: 30, heldMs: 80.5});
		expect(summaryText(state)).toContain(
			"asyncmon held the script back 201ms in all while the monitor caught up with its events and output; no event was lost, and no task's busy time includes it",
		);
	});

	it('counts failed HTTP requests: a network error or a 5xx', () => {
		const lines: AsyncmonEvent[] = [event('task.start', {t: 0, id: 1, name: 'main()'})];
		for (const [id, end] of [[2, {ok: true, status: 500}], [3, {ok: true, status: 200}], [4, {ok: false}]] as const) {
			lines.push(event('op.start', {t: 1, id, parent: 1, kind: 'http', name: 'GET /', http: {method: 'GET', url: 'http://127.0.0.1/'}}), event('op.end', {t: 2, id, ...end}));
		}
		lines.push(event('task.end', {t: 3, id: 1, busy: 1, wait: 2}), event('exit', {t: 3}));
		expect(summaryText(reduce(lines))).toContain('HTTP sent: 3 requests, at most 3 in flight, 2 failed (a network error, a 5xx status or a gRPC error)');
	});

	// The agent of a service joined late keeps no count of the requests it sent before: 1,820 read as the service's whole life.
	it('says the requests sent are counted since the client joined, in a session that joined a running service', () => {
		const lines: ProtocolLine[] = [event('task.start', {t: 0, id: 1, name: 'main()'}), {type: 'joined', t: 1, folded: {tasks: 0, failed: 0, taskTimeMs: 0, byName: {}}, omitted: 0}];
		lines.push(event('op.start', {t: 2, id: 2, parent: 1, kind: 'http', name: 'GET /', http: {method: 'GET', url: 'http://127.0.0.1/'}}), event('op.end', {t: 3, id: 2, ok: true, status: 200}));
		expect(summaryText(reduce(lines))).toContain('HTTP sent: 1 request since this client joined, at most 1 in flight');
	});

	it("says how many requests the script's servers received and how many failed, a server's answer to HTTP sent", () => {
		const lines: AsyncmonEvent[] = [event('task.start', {t: 0, id: 1, kind: 'script', name: 'server.ts'})];
		for (const [id, status] of [[10, 200], [11, 500], [12, 200]] as const) {
			lines.push(event('task.start', {t: 1, id, parent: 1, kind: 'server', name: 'GET /', http: {method: 'GET', url: '/'}}), event('task.end', {t: 2, id, ok: true, status}));
		}
		lines.push(event('exit', {t: 3, code: 0, signal: null}));
		const text = summaryText(reduce(lines));
		expect(text).toContain("HTTP received: 3 requests, 1 failed (a 5xx status, the client gone first, or the server's own end)");
		expect(text.some(line => line.startsWith('HTTP sent'))).toBe(false);
	});

	// A tester's Fastify server: `HTTP received: 13,391 requests, 2662 failed`, and the report's tables alike.
	it('writes its counts of requests in thousands as every other count is', () => {
		const lines: AsyncmonEvent[] = [event('task.start', {t: 0, id: 1, kind: 'script', name: 'server.ts'})];
		for (let id = 10; id < 2_510; id++) lines.push(event('task.start', {t: 1, id, parent: 1, kind: 'server', name: 'GET /', http: {method: 'GET', url: '/'}}), event('task.end', {t: 2, id, ok: true, status: id % 2 === 0 ? 500 : 200}));
		lines.push(event('exit', {t: 3, code: 0, signal: null}));
		const state = reduce(lines);
		expect(summaryText(state).join('\n')).toContain('HTTP received: 2,500 requests, 1,250 failed (a 5xx status');
	});

	it('says tasks a signal cut short were interrupted, and gives no never-settled advice about them', () => {
		const lines: AsyncmonEvent[] = [
			event('task.start', {t: 0, id: 1, name: 'serve()'}),
			event('task.await', {t: 1, id: 1, on: {kind: 'promise'}}),
			event('exit', {t: 500, code: null, signal: 'SIGINT'}),
		];
		const text = summaryText(reduce(lines)).join('\n');
		expect(text).toContain('1 task interrupted by SIGINT before settling');
		expect(text).not.toContain('never settled');
	});

	it('says tasks an uncaught exception cut short, as it killed the process: requests in flight at a crash are not left as if pending', () => {
		const lines: AsyncmonEvent[] = [
			event('task.start', {t: 0, id: 1, name: 'handle()'}),
			event('task.await', {t: 1, id: 1, on: {kind: 'promise'}}),
			event('uncaught', {t: 100, origin: 'uncaughtException', error: {name: 'Error', message: 'crash in timer'}}),
			event('exit', {t: 101, code: 1}),
		];
		const text = summaryText(reduce(lines)).join('\n');
		expect(text).toContain('1 task cut short by the uncaught exception before settling');
		expect(text).not.toContain('never settled');
	});

	it('keeps a code frame on its lines, caret in place, with no escape from a crafted recording', () => {
		const state = reduce([
			event('fatal', {t: 1, kind: 'syntax', message: 'Unexpected \x1b]2;x\x07";"', loc: 'a.ts:2:17', frame: '2 | const broken = (;\x1b[2J\r\n                    ^'}),
			event('exit', {t: 2, code: 1}),
		]);
		expect(summaryText(state)).toEqual(['asyncmon: syntax error in a.ts:2:17: Unexpected ";"', '2 | const broken = (;\n                    ^']);
	});

	it('names the signal that ended the script sanitized', () => {
		const state = finishedTasks(1, 100);
		apply(state, event('exit', {t: 40, code: null, signal: 'SIG\x1b]2;x\x07TERM'}));
		expect(summaryText(state)[0]).toMatch(/^Killed by SIGTERM after/);
	});
});

describe('the plain summary of a client of a running service', () => {
	it('says the client left, not that the service stopped', () => {
		const state = reduce([
			event('task.start', {t: 0, id: 1, name: 'handle()', loc: 'a.ts:1:1'}),
			event('joined', {t: 5, folded: {tasks: 0, failed: 0, taskTimeMs: 0, byName: {}}, omitted: 0}),
			event('task.end', {t: 9, id: 1, busy: 1, wait: 8, awaits: 1}),
		]);
		expect(summaryText(state)[0]).toMatch(/^Left the running service after /);
	});
});
