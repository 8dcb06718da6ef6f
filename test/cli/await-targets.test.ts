import {writeFileSync} from 'node:fs';
import {createServer, type AddressInfo, type Server} from 'node:net';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {ReportAwaitTarget, SessionReport} from '../../source/model/summary.js';
import type {OpStartEvent} from '../../source/protocol/events.js';
import {useDemoServer} from '../helpers/demo-server.js';
import {recordApp, recordedLines, recordRun, sentRequest, taskNamed} from '../helpers/recorded.js';
import {SCRIPTS} from '../helpers/run-cli.js';
import {dirWithPackage, tempDir} from '../helpers/temp.js';

/** What the task awaited, site by site in the order of its lines. */
function targets(report: SessionReport, name: string): ReportAwaitTarget[][] {
	const sites = taskNamed(report, name).awaitSites;
	const line = (site: string | null): number => Number(site?.split(':').at(-2));
	return [...sites].sort((a, b) => line(a.site) - line(b.site)).map(site => site.on);
}

const idsOf = (report: SessionReport, name: string): number[] => report.tasks.filter(task => task.name === name).map(task => task.id);

/** A TCP server on 127.0.0.1 that answers each write after 30 ms, as a database answers a query. */
function useEchoServer(): () => number {
	let echo: Server;
	beforeAll(async () => {
		// A script that exits with its echo still due resets the connection: the echo's late write fails, and no test is about that.
		echo = createServer(socket => socket.on('error', () => {}).on('data', data => setTimeout(() => socket.write(data), 30)));
		await new Promise<void>(resolve => echo.listen(0, '127.0.0.1', resolve));
	});
	afterAll(() => new Promise<void>(resolve => echo.close(() => resolve())));
	return () => (echo.address() as AddressInfo).port;
}

describe('what a task waits on, known from the awaited promise, end to end', () => {
	const server = useDemoServer();
	const echoPort = useEchoServer();

	it('each form of await: a call, Promise.all of tasks, a race, timers, an HTTP request, a socket, and a guess where nothing is known', async () => {
		const {result, report} = await recordRun(['await-forms.ts'], {env: {TARGET_URL: server.url, ECHO_PORT: String(echoPort())}});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('done');
		const byParent = (parent: string, name: string): number[] => {
			const id = taskNamed(report, parent).id;
			return report.tasks.filter(task => task.parentId === id && task.name === name).map(task => task.id);
		};

		expect(targets(report, 'directCall()')).toEqual([[{kind: 'tasks', ids: byParent('directCall()', 'child(20)')}]]);
		const children = ['child(20)', 'child(30)', 'child(40)'].flatMap(name => byParent('allOfTasks()', name));
		expect(children).toHaveLength(3);
		// The sleep between is its timer, not the three tasks the slice started; the Promise.all is all three.
		expect(targets(report, 'allOfTasks()')).toEqual([[{kind: 'timer', delayMs: 10}], [{kind: 'tasks', ids: children}]]);
		expect(targets(report, 'race()')).toEqual([[{kind: 'tasks', ids: byParent('race()', 'child(200)')}, {kind: 'timer', delayMs: 20}]]);
		// Settled by its timer, the first of the two: said so, not as though it waited on both, the timer by name.
		expect(result.stdout).toMatch(/⏸ await {2}race\(\) on the first of 1 task \+ timer 20ms /);
		expect(targets(report, 'timers()')).toEqual([[{kind: 'timer', delayMs: 20}], [{kind: 'timer', delayMs: 25}]]);

		const request = report.tasks.find(task => task.parentId === taskNamed(report, 'http()').id && task.kind === 'http')!;
		expect(request.http).toMatchObject({method: 'GET', status: 200});
		expect(targets(report, 'http()')[0]).toEqual([{kind: 'op', id: request.id}]);

		// For the reply to what it wrote: the peer. Before, for the connection (seen if it took 1 ms): nothing written yet, the socket's event.
		const socket = targets(report, 'socket()');
		expect(socket.at(-1)).toEqual([{kind: 'peer', address: `127.0.0.1:${echoPort()}`}]);
		for (const connecting of socket.slice(0, -1)) expect(connecting).toEqual([{kind: 'event', event: 'connect', source: 'Socket'}]);

		// A timer started beside a query is its timeout: the reply is what the task waits on.
		expect(targets(report, 'queryWithTimeout()').at(-1)).toEqual([{kind: 'peer', address: `127.0.0.1:${echoPort()}`}]);
		// Tasks started before the query and kept aside: the reply to the write that came last, not "probably 2 tasks".
		expect(targets(report, 'backgroundThenQuery()')[1]).toEqual([{kind: 'peer', address: `127.0.0.1:${echoPort()}`}]);
		// Promise.all of a client's replies, promises of unknown origin, after writes to one peer: that peer, not "3 promises".
		expect(targets(report, 'pipelined()').at(-1)).toEqual([{kind: 'peer', address: `127.0.0.1:${echoPort()}`}]);
		// A request that gave the script a promise of its own, left to run: the unknown promise awaited after it is only probably it.
		const background = report.tasks.find(task => task.parentId === taskNamed(report, 'leftToRun()').id && task.kind === 'http')!;
		expect(targets(report, 'leftToRun()').at(-1)).toEqual([{kind: 'op', id: background.id, guess: true}]);

		// A library's request started a tick after the await, on a node:http socket: the request, not its socket's peer.
		const later = report.tasks.filter(task => task.parentId === taskNamed(report, 'httpLater()').id && task.kind === 'http');
		expect(later.map(request => request.http)).toMatchObject([{method: 'GET', status: 200}, {method: 'GET', status: 200}]);
		expect(targets(report, 'httpLater()')).toEqual([[{kind: 'promise'}], [{kind: 'promise'}]]);

		const unknown = targets(report, 'unknown()');
		expect(unknown[0]).toEqual([{kind: 'timer', delayMs: 5}]);
		expect(unknown[1]).toEqual([{kind: 'tasks', ids: byParent('unknown()', 'child(1)'), guess: true}]);
		expect(idsOf(report, 'child(1)')).toHaveLength(1);
	});

	it("an emitter's or a stream's event names the event and the emitter: once, on, readline, a stream's for await, pipeline, finished", async () => {
		const cwd = tempDir();
		writeFileSync(join(cwd, 'lines.txt'), 'one\ntwo\nthree\n');
		const {result, report} = await recordRun([join(SCRIPTS, 'await-events.ts')], {cwd, env: {LINES_FILE: 'lines.txt'}});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('ticks 2, lines 3, chunks 3');
		const event = (name: string, source: string): ReportAwaitTarget => ({kind: 'event', event: name, source});
		// Each await of the task (a for await's, each time round) waits on that one event.
		const waitedOn = (task: string): ReportAwaitTarget[] => [...new Map(targets(report, task).flat().map(target => [JSON.stringify(target), target])).values()];
		expect(waitedOn('onceReady({EventEmitter…})')).toEqual([event('ready', 'EventEmitter')]);
		expect(waitedOn('eachTick({EventEmitter…})')).toEqual([event('tick', 'EventEmitter')]);
		expect(waitedOn('readLines()')).toEqual([event('line', 'readline (ReadStream lines.txt)')]);
		expect(waitedOn('readChunks({Readable…})')).toEqual([event('data', 'Readable')]);
		expect(waitedOn('copy()')).toEqual([event('finish', 'WriteStream lines.txt.copy')]);
		expect(waitedOn('drained()')).toEqual([event('finish', 'WriteStream lines.txt.out')]);
		// An emitter that is an op of its own: the op. One that is not: its event, not the request the slice started before.
		const request = report.tasks.find(task => task.parentId === taskNamed(report, 'requestThenOnce()').id && task.kind === 'http')!;
		expect(waitedOn('requestThenOnce()')).toEqual([{kind: 'op', id: request.id}]);
		expect(waitedOn(report.tasks.find(task => task.name.startsWith('webSocketThenOnce('))!.name)).toEqual([event('error', 'WebSocket')]);
		expect(result.stdout).toMatch(/⏸ await {2}onceReady\(\{EventEmitter…\}\) on event 'ready' of EventEmitter {2}\S*await-events\.ts:\d+:\d+/);
		// A race of events: each of them, not "2 promises"; of the socket the task wrote to, the peer's reply.
		expect(waitedOn('readyOrFailed({EventEmitter…})')).toEqual([event('ready', 'EventEmitter'), event('failed', 'EventEmitter')]);
		expect(result.stdout).toMatch(/⏸ await {2}readyOrFailed\(\{EventEmitter…\}\) on the first of events 'ready', 'failed' of EventEmitter {2}/);
		const replyOrError = report.tasks.find(task => task.name.startsWith('replyOrError('))!.name;
		expect(targets(report, replyOrError).at(-1)).toEqual([{kind: 'peer', address: expect.stringMatching(/^127\.0\.0\.1:\d+$/)}]);
	});

	it("each item of a for await over a stream of the readable-stream package (split2, through2) is its 'data'", async () => {
		// Such a stream: an emitter with a _readableState and an async iterator of its own, not Node's.
		const directory = dirWithPackage('legacy-stream', {
			'index.js': [
				"const {EventEmitter} = require('node:events')",
				'module.exports = class LegacyStream extends EventEmitter {',
				'\tconstructor (items) { super(); this._readableState = {}; this.items = items }',
				'\tasync * [Symbol.asyncIterator] () { for (const item of this.items) { await new Promise(resolve => setTimeout(resolve, 20)); yield item } }',
				'}',
			].join('\n'),
		});
		const {result, report} = await recordApp(["const LegacyStream = require('legacy-stream')", "async function rows () { const got = []; for await (const row of new LegacyStream(['a', 'b'])) got.push(row); console.log(got.join(',')) }", 'rows()'], directory);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('a,b');
		expect([...new Set(targets(report, 'rows()').flat().map(target => JSON.stringify(target)))]).toEqual([JSON.stringify({kind: 'event', event: 'data', source: 'LegacyStream'})]);
	});

	// superagent's requests and knex's queries are such thenables: their work starts in the job that calls their then().
	it("a lazy thenable's request, awaited at its function's first await, is that function's, and names its wait", async () => {
		const {result, report} = await recordApp([
			"const http = require('node:http')",
			"const lazyGet = url => ({ then (resolve, reject) { http.get(url, res => { res.resume(); res.on('end', () => resolve(res.statusCode)) }).on('error', reject) } })",
			`async function inner () { return await lazyGet(${JSON.stringify(`${server.url}/delay/100`)}) }`,
			"async function outer () { console.log('status', await inner()) }",
			'outer()',
		]);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('status 200');
		const request = report.tasks.find(task => task.kind === 'http')!;
		expect(request.parentId).toBe(taskNamed(report, 'inner()').id);
		expect(result.stdout).toMatch(/⏸ await {2}inner\(\) on GET \/delay\/100/);
	});

	it('plain mode tells a request written on a kept-alive connection as sending, the one that opened it as connecting', async () => {
		const {result, report} = await recordRun(['kept-alive.ts'], {env: {TARGET_URL: server.url}});
		expect(result.code).toBe(0);
		expect(result.stdout.match(/status 200 200/g)).toHaveLength(3);
		// Each client opened one connection, for its first request.
		const requests = report.tasks.filter(task => task.kind === 'http');
		expect(requests.map(task => sentRequest(task).phases.connectMs! > 0)).toEqual([true, true, false, false, false, false]);
		expect(result.stdout).toMatch(/⏸ await {2}nodeGet\(0\) on GET \/delay\/30\?node=0 · connecting/);
		expect(result.stdout).toMatch(/⏸ await {2}viaUndici\(.*\) on GET \/delay\/30\?undici=0 · connecting/);
		for (const i of [1, 2]) {
			expect(result.stdout).toMatch(new RegExp(`⏸ await {2}nodeGet\\(${i}\\) on GET /delay/30\\?node=${i} · sending`));
			expect(result.stdout).toMatch(new RegExp(`⏸ await {2}viaUndici\\(.*\\) on GET /delay/30\\?undici=${i} · sending`));
		}
	});

	it("a request a framework's promise holds (its dispatcher is no code of the script's) waits on its handler's task, a guess", async () => {
		const directory = dirWithPackage('fake-framework', {
			'index.js': 'exports.wrap = handler => async (req, res) => { await Promise.resolve(); const body = await handler(req); res.end(JSON.stringify(body)) }\n',
		});
		const {result} = await recordApp(
			[
				"const http = require('node:http')",
				"const fw = require('fake-framework')",
				"const {setTimeout: sleep} = require('node:timers/promises')",
				'async function findCats (req) { await sleep(100); return {url: req.url} }',
				'const server = http.createServer(fw.wrap(findCats))',
				"server.listen(0, '127.0.0.1', async () => { const res = await fetch(`http://127.0.0.1:${server.address().port}/cats`); console.log(res.status, await res.text()); server.close() })",
			],
			directory,
		);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('200 {"url":"/cats"}');
		expect(result.stdout).toMatch(/⏸ await {2}GET \/cats on probably task #\d+ findCats\(/);
	});

	it("plain mode names no timer a library set after handing over its promise: a pipeline waiting on a slow sink is no 1 ms sleep of its source", async () => {
		const {result} = await recordApp([
			"const {setTimeout: sleep} = require('node:timers/promises')",
			"const {pipeline} = require('node:stream/promises')",
			"const {Readable, Writable} = require('node:stream')",
			"async function * gen () { await sleep(1); yield 'a' }",
			'async function run () { await pipeline(Readable.from(gen()), new Writable({write (chunk, encoding, done) { setTimeout(done, 300) }})) }',
			"run().then(() => console.log('done'))",
		]);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('done');
		expect(result.stdout).toMatch(/⏸ await {2}run\(\) on event 'finish' of Writable/);
		expect(result.stdout).not.toMatch(/⏸ await {2}run\(\) on timer/);
	});

	it("plain mode names the request a library's promise waits on, though the library starts it a tick after the await (as got does)", async () => {
		// Not the script's code (in node_modules): its promise is of unknown origin, its request made on the next tick.
		const directory = dirWithPackage('later-get', {
			'index.js': "const http = require('node:http')\nmodule.exports = url => new Promise((resolve, reject) => process.nextTick(() => http.get(url, res => { res.resume(); res.on('end', () => resolve(res.statusCode)) }).on('error', reject)))\n",
		});
		const {result} = await recordApp(["const laterGet = require('later-get')", 'async function fetchOne(url) { const status = await laterGet(url); return status }', `fetchOne(${JSON.stringify(`${server.url}/delay/200`)}).then(status => console.log('status', status))`], directory);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('status 200');
		expect(result.stdout).toMatch(/⏸ await {2}fetchOne\(.*\) on GET \/delay\/200/);
	});
});

it("a library's promise after it called the script's async function twice is a guess over both calls, not the last one for certain", async () => {
	// Code that is not the script's (not instrumented: in node_modules) calls back twice at once, as async's mapLimit does.
	const directory = dirWithPackage('two-at-once', {'index.js': 'module.exports = fn => Promise.all([fn(0), fn(1)]).then(values => values);\n'});
	const {result, report} = await recordApp(
		[
			"const twoAtOnce = require('two-at-once')",
			'const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))',
			'async function work(i) { await sleep(50 * (i + 1)) }',
			'async function main() { await twoAtOnce(async i => work(i)) }',
			'main()',
		],
		directory,
	);
	expect(result.code).toBe(0);
	const callbacks = report.tasks.filter(task => task.parentId === taskNamed(report, 'main()').id).map(task => task.id);
	expect(callbacks).toHaveLength(2);
	expect(targets(report, 'main()')).toEqual([[{kind: 'tasks', ids: callbacks, guess: true}]]);
});

it("a promise a call of Node's or a library's gave, awaited at once, is only probably the timer the slice set beside it (a timeout guard)", async () => {
	const {result, report} = await recordApp([
		"const {EventEmitter} = require('node:events')",
		"const {promisify} = require('node:util')",
		'const bus = new EventEmitter()',
		'async function guarded() {',
		"\tconst guard = setTimeout(() => console.log('guard fired'), 5000)",
		"\tawait promisify(done => bus.once('ready', () => done(null)))()",
		'\tclearTimeout(guard)',
		'}',
		"setTimeout(() => bus.emit('ready'), 50)",
		'guarded()',
	]);
	expect(result.code).toBe(0);
	expect(result.stdout).not.toContain('guard fired');
	expect(targets(report, 'guarded()')).toEqual([[{kind: 'timer', delayMs: 5000, guess: true}]]);
	expect(result.stdout).toMatch(/⏸ await {2}guarded\(\) on probably timer 5\.00s/);
});

it("the script's own promise that never settles is only probably the timer started after it was made", async () => {
	const {result, report} = await recordApp([
		'async function main() {',
		'\tconst never = new Promise(() => {})',
		"\tsetTimeout(() => { console.log('exiting'); process.exit(0) }, 100)",
		'\tawait never',
		'}',
		'main()',
	]);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('exiting');
	expect(result.stdout).toMatch(/⏸ await {2}main\(\) on probably timer 100ms/);
	expect(result.stdout).toMatch(/cut off 1 task still waiting: main\(\) was probably waiting on timer 100ms at app\.js:4/);
	expect(taskNamed(report, 'main()').state).toBe('pending');
});

it("Promise.all of a library's promises is those promises, counted, not a guess naming a task the slice started and did not await", async () => {
	const directory = dirWithPackage('later', {'index.js': 'module.exports = ms => new Promise(resolve => setTimeout(() => resolve(ms), ms));\n'});
	const {result, report} = await recordApp(
		[
			"const later = require('later')",
			'async function side() { await new Promise(resolve => setTimeout(resolve, 300)) }',
			'async function main() {',
			'\tconst background = side()',
			'\tconst values = await Promise.all([1, 2, 3].map(n => later(50 + n)))',
			"\tconsole.log('values', values.join())",
			'\tawait background',
			'}',
			'main()',
		],
		directory,
	);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('values 51,52,53');
	expect(result.stdout).toMatch(/⏸ await {2}main\(\) on 3 promises /);
	expect(targets(report, 'main()')[0]).toEqual([{kind: 'promise'}]);
});

it("the script's own new Promise whose resolve or reject, or a listener calling them, it gave an emitter waits on that event: a child process's exit and a worker's (named as such), a stream's finish, an emitter's event past the timer guarding it, a server's listening", async () => {
	const {result, report} = await recordApp([
		"const {fork} = require('node:child_process')",
		"const {createWriteStream} = require('node:fs')",
		"const {EventEmitter} = require('node:events')",
		"const http = require('node:http')",
		"const {Worker, isMainThread} = require('node:worker_threads')",
		"if (process.argv[2] === 'child' || !isMainThread) setTimeout(() => {}, 80)",
		'else main()',
		'async function thread() {',
		"\tawait new Promise(resolve => new Worker(__filename).on('exit', resolve))",
		'}',
		'async function child() {',
		"\tconst c = fork(__filename, ['child'])",
		"\tawait new Promise(resolve => c.on('exit', resolve))",
		'}',
		'async function stream() {',
		"\tconst out = createWriteStream(require('node:path').join(require('node:os').tmpdir(), 'asyncmon-finish-' + process.pid))",
		"\tout.end('x')",
		"\tawait new Promise((resolve, reject) => out.on('finish', resolve).on('error', reject))",
		'}',
		'async function guarded() {',
		'\tconst bus = new EventEmitter()',
		"\tsetTimeout(() => bus.emit('ready'), 60)",
		'\tawait new Promise((resolve, reject) => {',
		"\t\tconst guard = setTimeout(() => reject(new Error('timed out')), 5000)",
		"\t\tbus.once('ready', resolve)",
		"\t\tbus.once('ready', () => clearTimeout(guard))",
		'\t})',
		'}',
		'async function listening() {',
		'\tconst server = http.createServer()',
		"\tawait new Promise(resolve => server.listen(0, '127.0.0.1', resolve))",
		'\tserver.close()',
		'}',
		'async function wrapped() {',
		'\tconst bus = new EventEmitter()',
		"\tsetTimeout(() => bus.emit('done'), 30)",
		"\tawait new Promise(resolve => bus.once('done', () => resolve()))",
		'}',
		'async function main() {',
		'\tawait child()',
		'\tawait stream()',
		'\tawait guarded()',
		'\tawait listening()',
		'\tawait wrapped()',
		'\tawait thread()',
		"\tconsole.log('all done')",
		'}',
	]);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('all done');
	const forked = report.tasks.find(task => task.kind === 'process')!;
	expect(forked).toBeDefined();
	expect(targets(report, 'child()')).toEqual([[{kind: 'tasks', ids: [forked.id]}]]);
	expect(result.stdout).toMatch(/⏸ await {2}child\(\) on pid \d+: node \S*app\.js child /);
	const worker = report.tasks.find(task => task.kind === 'worker')!;
	expect(targets(report, 'thread()')).toEqual([[{kind: 'tasks', ids: [worker.id]}]]);
	expect(result.stdout).toMatch(/⏸ await {2}thread\(\) on worker thread #\d+ /);
	expect(targets(report, 'stream()')).toEqual([[{kind: 'event', event: 'finish', source: expect.stringMatching(/^WriteStream .*asyncmon-finish-\d+$/)}]]);
	// Either may settle it: the event, or the guard's timer the executor set.
	expect(result.stdout).toMatch(/⏸ await {2}guarded\(\) on timer 5\.00s \+ event 'ready' of EventEmitter/);
	expect(targets(report, 'guarded()')).toEqual([[{kind: 'timer', delayMs: 5000}, {kind: 'event', event: 'ready', source: 'EventEmitter'}]]);
	expect(targets(report, 'listening()')).toEqual([[{kind: 'event', event: 'listening', source: 'Server'}]]);
	// A listener of its own that calls resolve: that event too, not the timer that emits it.
	expect(targets(report, 'wrapped()')).toEqual([[{kind: 'event', event: 'done', source: 'EventEmitter'}]]);
});

it("a promise's then, catch or finally whose callback starts nothing stands for what the promise did: a request's, a call's; one whose callback starts a request is still a guess", async () => {
	const {result, report} = await recordApp([
		"const http = require('node:http')",
		"const server = http.createServer((req, res) => setTimeout(() => res.end(JSON.stringify({path: req.url})), 60))",
		"server.listen(0, '127.0.0.1', async () => {",
		'\tconst base = `http://127.0.0.1:${server.address().port}`',
		"\tasync function one() { return (await fetch(base + '/one').then(r => { if (!r.ok) throw new Error(r.statusText); return r.json() }).catch(() => null)).path }",
		"\tasync function both() { return (await Promise.all([1, 2].map(i => fetch(base + '/p/' + i).then(r => r.json())))).length }",
		'\tasync function load(id) { await new Promise(resolve => setTimeout(resolve, 40)); return id }',
		'\tasync function picked() { return await load(7).then(id => id * 2) }',
		"\tasync function next() { return await fetch(base + '/a').then(() => fetch(base + '/b')).then(r => r.status) }",
		'\tconst slowBody = {json: () => new Promise(resolve => setTimeout(() => resolve(5), 50))}',
		'\tasync function settledFirst() { return await Promise.resolve(slowBody).then(r => r.json()) }',
		"\tconsole.log(await one(), await both(), await picked(), await next(), await settledFirst())",
		'\tserver.close()',
		'})',
	]);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('/one 2 14 200 5');
	const requestsUnder = (parent: string): number[] => report.tasks.filter(task => task.parentId === taskNamed(report, parent).id && task.kind === 'http').map(task => task.id);
	expect(targets(report, 'one()')).toEqual([[{kind: 'op', id: requestsUnder('one()')[0]}]]);
	expect(result.stdout).toMatch(/⏸ await {2}one\(\) on GET \/one/);
	expect(new Set(targets(report, 'both()')[0])).toEqual(new Set(requestsUnder('both()').map(id => ({kind: 'op', id}))));
	expect(result.stdout).toMatch(/⏸ await {2}both\(\) on GET \/p\/1 \+ GET \/p\/2/);
	const loaded = report.tasks.find(task => task.parentId === taskNamed(report, 'picked()').id && task.name === 'load(7)')!;
	expect(targets(report, 'picked()')).toEqual([[{kind: 'tasks', ids: [loaded.id]}]]);
	// Waiting on /b too, which its callback starts: not the first request for sure, a guess from the slice (the request
	// it started, or, where the fetch wrote to its socket in the slice, as Node 22.19's does, that socket's peer).
	const [next] = targets(report, 'next()')[0]!;
	expect(next).toEqual(next!.kind === 'peer' ? {kind: 'peer', address: expect.stringMatching(/^127\.0\.0\.1:\d+$/)} : {kind: 'op', id: requestsUnder('next()')[0], guess: true});
	// A settled value's chain waits on its callback: not "a value", ready at once.
	expect(targets(report, 'settledFirst()')[0]![0]!.kind).not.toBe('value');
	expect(taskNamed(report, 'settledFirst()').awaitSites[0]!.waitMs).toBeGreaterThanOrEqual(40);
});

it('the promises of an async function that Array.map called are its calls, each, not a guess from the slice: a Promise.all of them, and one awaited alone', async () => {
	const {result, report} = await recordApp([
		'async function load(id) { await new Promise(resolve => setTimeout(resolve, 40 + id * 10)); return id }',
		'async function few() { return (await Promise.all([1, 2, 3].map(load))).join() }',
		'async function many() { return (await Promise.all(Array.from({length: 12}, (_, i) => i + 1).map(load))).length }',
		'async function inTurn() {',
		'\tconst pending = [1, 2].map(load)',
		'\tfor (const promise of pending) await promise',
		'}',
		'async function main() {',
		"\tconsole.log('few', await few())",
		"\tconsole.log('many', await many())",
		'\tawait inTurn()',
		'}',
		'main()',
	]);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('few 1,2,3');
	expect(result.stdout).toContain('many 12');
	const loadsUnder = (parent: string): number[] => report.tasks.filter(task => task.parentId === taskNamed(report, parent).id && task.name.startsWith('load(')).map(task => task.id);
	expect(targets(report, 'few()')).toEqual([[{kind: 'tasks', ids: loadsUnder('few()')}]]);
	expect(result.stdout).toMatch(/⏸ await {2}few\(\) on 3 tasks /);
	// Past the 8 a combination lists, counted.
	expect(targets(report, 'many()')).toEqual([[{kind: 'tasks', ids: loadsUnder('many()').slice(0, 8), count: 12}]]);
	const [first, second] = loadsUnder('inTurn()');
	expect(new Set(taskNamed(report, 'inTurn()').awaitSites[0]!.on)).toEqual(new Set([{kind: 'tasks', ids: [first]}, {kind: 'tasks', ids: [second]}]));
});

it("a node:http request its agent queued (maxSockets) waits on the queue, said as queued with how many were in flight, then leaves it", async () => {
	const {result, file} = await recordApp([
		"const http = require('node:http')",
		'const server = http.createServer((req, res) => setTimeout(() => res.end("ok"), 60))',
		"server.listen(0, '127.0.0.1', async () => {",
		'  const agent = new http.Agent({keepAlive: true, maxSockets: 2})',
		'  const get = i => new Promise((resolve, reject) => http.get({host: "127.0.0.1", port: server.address().port, path: "/item/" + i, agent}, res => { res.resume(); res.on("end", resolve) }).on("error", reject))',
		'  async function getOne (i) { await get(i); return i }',
		'  console.log((await Promise.all([1, 2, 3, 4].map(getOne))).join(","))',
		'  agent.destroy(); server.close()',
		'})',
	]);
	expect(result.code, result.stderr).toBe(0);
	expect(result.stdout).toContain('1,2,3,4');
	const lines = recordedLines(file);
	const starts = lines.filter((line): line is OpStartEvent => line.type === 'op.start' && line.kind === 'http');
	const queues = Object.fromEntries(starts.map(start => [start.http!.url.replace(/^.*\/item\//, ''), start.http!.queue ?? null]));
	expect(queues).toEqual({1: null, 2: null, 3: {ahead: 0, inFlight: 2}, 4: {ahead: 1, inFlight: 2}});
	const dequeued = new Set(lines.filter(line => line.type === 'op.dequeued').map(line => (line as {id: number}).id));
	expect(starts.filter(start => start.http!.queue).every(start => dequeued.has(start.id))).toBe(true);
	expect(result.stdout).toMatch(/⏸ await {2}getOne\(3\) on GET \/item\/3 · queued \S+ \(2 in flight\)/);
	expect(result.stdout).toMatch(/↳ http {3}GET http:\/\/127\.0\.0\.1:\d+\/item\/4 200 in \S+ queue (\d{2,}|\d+\.\d)\S*ms/);
});
