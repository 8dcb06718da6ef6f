import {copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {connect} from 'node:http2';
import {describe, expect, it} from 'vitest';
import {computeInsights} from '../../source/model/insights.js';
import {useDemoServer} from '../helpers/demo-server.js';
import {readRecording, recordRun} from '../helpers/recorded.js';
import {underNodeAndAsyncmon} from '../helpers/node-parity.js';
import {runCli, SCRIPTS, startCli} from '../helpers/run-cli.js';
import {dirWithScript, tempDir, tempFile, unreadableFile} from '../helpers/temp.js';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const noStackFromAsyncmon = (stderr: string) => expect(stderr).not.toMatch(/at .*dist\/(cli|preload|chunks|later)/);

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error('timed out');
		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

/** What the recording holds so far; nothing before it is created. */
function recorded(file: string): string {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}

function headerPid(file: string): number | undefined {
	const first = recorded(file).split('\n')[0];
	return first ? (JSON.parse(first) as {pid: number}).pid : undefined;
}

describe('bad input gets a clear message and the right exit code', () => {
	it('a missing script: one line, exit 1', async () => {
		const result = await runCli(['--plain', 'no-such-script.ts']);
		expect(result.code).toBe(1);
		expect(result.stderr).toBe("asyncmon: cannot find script 'no-such-script.ts'\n");
	});

	it('a directory, or a name without its extension: one line naming the file node would run, exit 1', async () => {
		const directory = tempDir();
		mkdirSync(join(directory, 'service'));
		writeFileSync(join(directory, 'service', 'index.js'), 'console.log(1);\n');
		writeFileSync(join(directory, 'app.js'), 'console.log(2);\n');
		const inDirectory = await runCli(['--plain', 'service'], {cwd: directory});
		expect([inDirectory.code, inDirectory.stderr]).toEqual([1, "asyncmon: 'service' is a directory: name the file to run (node would run service/index.js)\n"]);
		const withoutExtension = await runCli(['--plain', 'app'], {cwd: directory});
		expect([withoutExtension.code, withoutExtension.stderr]).toEqual([1, "asyncmon: cannot find script 'app': name the file to run (node would run app.js)\n"]);
	});

	it('a syntax error: file:line:col and a code frame on stderr, as node says it, exit 1, no stack', async () => {
		const result = await runCli(['--plain', 'syntax-error.ts']);
		expect(result.code).toBe(1);
		expect(result.stderr).toBe('asyncmon: syntax error in syntax-error.ts:2:17: Unexpected ";"\n2 | const broken = (;\n                    ^\n');
		expect(result.stdout).toBe('');
	});

	it("imports in a file Node loads as CommonJS: Node's words, where to fix it, and a code frame, exit 1, no stack", async () => {
		const directory = tempDir();
		writeFileSync(join(directory, 'package.json'), '{"type": "commonjs"}\n');
		for (const file of ['app.ts', 'app.js']) {
			writeFileSync(join(directory, file), "import {setTimeout as sleep} from 'node:timers/promises';\nawait sleep(1);\n");
			const result = await runCli(['--plain', file], {cwd: directory});
			expect(result.code).toBe(1);
			expect(result.stderr).toContain(
				`asyncmon: syntax error in ${file}:1:1: Cannot use import statement outside a module: Node loads ${file} as CommonJS (set "type": "module" in the nearest package.json, or use the .mjs or .mts extension)\n1 | import`,
			);
			noStackFromAsyncmon(result.stderr + result.stdout);
		}
	});

	it('an unhandled rejection: exit 1, the failure named with its location', async () => {
		const result = await runCli(['--plain', 'uncaught.ts']);
		expect(result.code).toBe(1);
		expect(result.stdout).toMatch(/✖ failed explode\(\) after [\d.]+ms: Error: boom uncaught\.ts:3:8/);
		expect(result.stdout).toContain('✖ Unhandled rejection: Error: boom at uncaught.ts:3:8');
		// The script's own report of its crash still reaches stderr, as under node.
		expect(result.stderr).toContain('Error: boom');
		noStackFromAsyncmon(result.stderr);
	});

	it('a thrown value that is no Error is said as node shows it, the unhandled rejection it ends in too', async () => {
		const cwd = tempDir();
		writeFileSync(
			join(cwd, 'thrown.cjs'),
			"async function load(id, password) {\n\tawait new Promise(resolve => setTimeout(resolve, 10));\n\tthrow {code: 42, id, password};\n}\nasync function main() {\n\tawait load(2, 'hunter2');\n}\nmain();\n",
		);
		const file = tempFile('thrown.ndjson');
		const result = await runCli(['--plain', '--record', file, 'thrown.cjs'], {cwd});
		expect(result.code).toBe(1);
		const said = "object: { code: 42, id: 2, password: REDACTED }";
		expect(result.stdout).toMatch(new RegExp(`✖ failed load\\(2, REDACTED\\) after [\\d.]+ms: ${escape(said)}`));
		expect(result.stdout).toContain(`✖ Unhandled rejection: ${said}`);
		expect(result.stdout).not.toContain('[object Object]');
		expect(result.stdout).not.toContain('#<Object>');
		expect(readFileSync(file, 'utf8')).not.toContain('hunter2');
	});

	it("the script's traps and getters never run from asyncmon's previews and error descriptions: same output and exit as under node", async () => {
		const {node, asyncmon, state} = await underNodeAndAsyncmon('hostile-values.cjs', [], SCRIPTS);
		expect(node.code).toBe(0);
		expect(node.stdout).toContain('traps seen: []');
		expect(asyncmon).toEqual(node);
		const named = [...state.nodes.values()].map(task => task.name);
		// A class whose name is a getter is nameless here; the fifth argument is cut, as any fifth is.
		expect(named).toEqual(expect.arrayContaining(['use({Proxy…}, ƒ)', 'use({Proxy…}, {Proxy…}, {…}, ƒ, …)', 'use({Proxy…})']));
		const failures = [...state.nodes.values()].filter(task => task.name.startsWith('thrower(')).map(task => `${task.name} ${task.error?.name}: ${task.error?.message}`);
		expect(failures).toEqual([
			'thrower("message") Error: undefined',
			'thrower("stack") Error: s',
			'thrower("revoked") object: <Revoked Proxy>',
			expect.stringMatching(/^thrower\("proxied"\) object: Error: proxied at thrower /),
			'thrower("cause") Error: with a revoked cause',
		]);
	});

	it('a top level that throws, awaiting a failed task or in its own code, ends failed with the error: its row is not left pending', async () => {
		const cwd = tempDir();
		writeFileSync(join(cwd, 'awaits.mjs'), "async function load(name) {\n\tawait new Promise(resolve => setTimeout(resolve, 20));\n\tthrow new Error('config missing: ' + name);\n}\nawait load('app.json');\n");
		writeFileSync(join(cwd, 'throws.cjs'), "throw new Error('sync top');\n");
		for (const [script, message] of [['awaits.mjs', 'config missing: app.json'], ['throws.cjs', 'sync top']] as const) {
			const {result, state} = await recordRun([script], {cwd});
			expect(result.code).toBe(1);
			const root = state.nodes.get(state.rootIds[0]!)!;
			expect(root).toMatchObject({kind: 'script', state: 'failed', error: {message}});
			expect(root.endMs).toBeGreaterThan(root.startMs);
		}
	});

	it('a top level that awaits a combination that rejects (Promise.any) fails as an uncaught exception, not a rejection nothing handled', async () => {
		const cwd = tempDir();
		writeFileSync(join(cwd, 'any.mjs'), "async function f(n) { await null; throw new Error('e' + n) }\nawait Promise.any([f(1), f(2)])\n");
		const {result, state} = await recordRun(['any.mjs'], {cwd});
		expect(result.code).toBe(1);
		expect(result.stdout).toContain('✖ Uncaught exception: AggregateError: All promises were rejected');
		expect(result.stdout).not.toContain('nothing handling it');
		expect(state.uncaught).toEqual([expect.objectContaining({origin: 'uncaughtException', error: expect.objectContaining({name: 'AggregateError'})})]);
	});

	it("a failure's causes are said with it: the task's line, the report, the recording", async () => {
		const file = tempFile('causes.ndjson');
		const result = await runCli(['--plain', '--record', file, 'cause-chain.cjs']);
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/✖ failed start\(\) after [\d.]+ms: Error: start failed; caused by TypeError: config unreadable; caused by SyntaxError: [^\n]*JSON/);
		const report = await runCli(['report', file]);
		expect(report.stdout).toContain('Error: start failed; caused by TypeError: config unreadable');
	});

	it('process.exit(7) is forwarded', async () => {
		const result = await runCli(['--plain', 'exit-code.ts']);
		expect(result.code).toBe(7);
		expect(result.stdout).toContain('leaving early');
		expect(result.stdout).toContain('Exited with code 7');
	});

	// TypeScript 7's tsc hands over to its native compiler so: the session ended on no task and no block, with nothing said.
	it("process.execve: the program it became runs and its exit code is forwarded; what came before is kept, and what it became is said", async () => {
		const cwd = dirWithScript('app.js', [
			'async function prepare() { await new Promise(resolve => setTimeout(resolve, 20)) }',
			"prepare().then(() => { console.log('before'); process.execve('/bin/sh', ['sh', '-c', 'echo after; exit 4']) })",
		]);
		const {result, state} = await recordRun(['app.js'], {cwd});
		expect(result.code).toBe(4);
		expect(result.stdout).toContain('before\nafter\n');
		expect(result.stderr).toContain("asyncmon: the script's process became /bin/sh (process.execve)");
		expect([...state.nodes.values()].find(node => node.name === 'prepare()')?.state).toBe('finished');
	});

	it('events lost on their way: said, and exit 5 though the script succeeded', async () => {
		const result = await runCli(['--plain', 'dropped-events.ts']);
		expect(result.stdout).toContain('said 3 events were dropped');
		expect(result.stdout).toContain('asyncmon dropped 3 events it could not keep up with');
		expect(result.code).toBe(5);
	});

	it('an unknown option of asyncmon is a usage error before the script', async () => {
		const result = await runCli(['--plain', '--block-threshold', '-5', 'gather.ts']);
		expect(result.code).toBe(1);
		expect(result.stderr).toBe('asyncmon: --block-threshold must be a positive number of milliseconds\n');
	});

	for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
		it(`${signal} to asyncmon is forwarded to the script; the recording is complete`, async () => {
			const file = tempFile('signal.ndjson');
			const run = startCli(['--plain', '--record', file, 'long-running.ts']);
			await waitFor(() => (recorded(file).includes('tick 3') ? true : undefined));
			run.child.kill(signal);
			const result = await run.result;
			expect(result.code).toBe(code);
			expect(result.stdout).toContain(`Killed by ${signal}`);
			const {state} = await readRecording(file);
			expect(state.exit).toMatchObject({signal});
			expect(state.output.map(o => o.text).join('')).toContain('tick 3');
		});
	}
});

describe('recordings', () => {
	const server = useDemoServer();

	it('stay readable after the script is killed with SIGKILL, and are private (0600)', async () => {
		const file = tempFile('killed.ndjson');
		const run = startCli(['--plain', '--record', file, 'long-running.ts']);
		const pid = await waitFor(() => headerPid(file));
		await waitFor(() => (recorded(file).includes('tick 5') ? true : undefined));
		process.kill(pid, 'SIGKILL');
		const result = await run.result;
		expect(result.code).toBe(137);
		expect(statSync(file).mode & 0o777).toBe(0o600);
		const {state, report} = await readRecording(file);
		expect(state.exit).toMatchObject({code: null, signal: 'SIGKILL'});
		expect(report.tasks.find(t => t.name === 'forever()')?.state).toBe('pending');
		expect(state.output.map(o => o.text).join('')).toContain('tick 5');
		const report2 = await runCli(['report', file, '--format', 'json']);
		expect(report2.code).toBe(0);
		expect(JSON.parse(report2.stdout)).toMatchObject({signal: 'SIGKILL', exitCode: null});
	});

	it('redact URL credentials and token-like query values unless --no-redact', async () => {
		const secretUrl = server.url.replace('http://', 'http://alice:s3cret@') + '/delay/1?token=abc123&page=2';
		const script = 'fetch-url.ts';
		const redacted = tempFile('redacted.ndjson');
		const kept = tempFile('kept.ndjson');
		expect((await runCli(['--plain', '--record', redacted, script], {env: {TARGET_URL: secretUrl}})).code).toBe(0);
		expect((await runCli(['--plain', '--no-redact', '--record', kept, script], {env: {TARGET_URL: secretUrl}})).code).toBe(0);
		const redactedText = readFileSync(redacted, 'utf8');
		expect(redactedText).not.toContain('s3cret');
		expect(redactedText).not.toContain('abc123');
		expect(redactedText).toContain('token=REDACTED&page=2');
		expect(readFileSync(kept, 'utf8')).toContain('token=abc123');
	});

	it('pass arguments, working directory and environment through', async () => {
		const result = await runCli(['--plain', 'passthrough.ts', '--port', '3000', 'x'], {env: {PASSTHROUGH_VALUE: 'kept'}});
		expect(result.code).toBe(0);
		const line = result.stdout.split('\n').find(l => l.startsWith('{'))!;
		expect(JSON.parse(line)).toEqual({args: ['--port', '3000', 'x'], cwd: expect.stringMatching(/test\/fixtures\/scripts$/), env: 'kept'});
	});
});

/** Records a script that stays alive with nothing to do, until the runtime says so; then stops it with SIGTERM. */
async function recordUntilAlive(script: string) {
	const file = tempFile('alive.ndjson');
	const run = startCli(['--plain', '--record', file, script]);
	await waitFor(() => (recorded(file).includes('"type":"alive"') ? true : undefined));
	run.child.kill('SIGTERM');
	const result = await run.result;
	return {result, ...(await readRecording(file))};
}

describe('what the runtime notices for the insights', () => {
	it('a dropped promise and a process kept alive by an interval, with what holds it', async () => {
		const {result, state} = await recordUntilAlive('dropped-and-alive.ts');
		expect(result.code).toBe(143);
		expect(state.floating).toHaveLength(1);
		expect(state.floating[0]).toMatchObject({site: 'dropped-and-alive.ts:7:2'});
		expect(state.nodes.get(state.floating[0]!.taskId!)!.name).toBe('save(1)');
		expect(state.keptAlive?.resources).toEqual({Timeout: 1});
		expect(result.stdout).toContain('→ save(1) was called without await at dropped-and-alive.ts:7 in main()');
		expect(result.stdout).toMatch(/→ Nothing ran for \d\.\d\ds, yet the process stayed alive, held by 1 timer \(setInterval 1000ms made by the top level of the script\)/);
		expect(result.stdout).not.toContain('save(3) was called');
	});

	it('a process kept alive after its timers spun is idle from the last spin, not from its start', async () => {
		const {result, state} = await recordUntilAlive('spin-in-timers-then-idle.js');
		expect(result.code).toBe(143);
		expect(state.blocks).toHaveLength(2);
		const lastSpinEnd = state.blocks[1]!.endMs!;
		// Timer callbacks are no tasks: the loop's work says they ran.
		expect(state.keptAlive!.idleSince).toBeGreaterThanOrEqual(lastSpinEnd);
		expect(state.keptAlive!.t - state.keptAlive!.idleSince).toBeGreaterThanOrEqual(2000);
		expect(result.stdout).toMatch(/→ Nothing ran for \d\.\d\ds, yet the process stayed alive, held by 1 timer \(setInterval 1000ms/);
	});

	it('a process whose listener printed is idle from its last line, not from its start', async () => {
		const {result, state} = await recordUntilAlive('prints-then-idle.cjs');
		expect(result.code).toBe(143);
		expect(result.stdout).toContain('message again');
		const lastLine = state.output.find(line => line.text.includes('message again'))!;
		expect(state.keptAlive!.idleSince).toBeGreaterThanOrEqual(lastLine.t - 1);
		expect(state.keptAlive!.t - state.keptAlive!.idleSince).toBeGreaterThanOrEqual(2000);
	});

	// Its requests are no tasks (the README's limits), but it served: a service waits for the next, as an http one does.
	it('an HTTP/2 service that served others gets no advice to close it, however long it waits', async () => {
		const file = tempFile('alive.ndjson');
		const run = startCli(['--plain', '--record', file, 'http2-service.mjs']);
		const port = await waitFor(() => /"listening on port (\d+)/.exec(recorded(file))?.[1]);
		const session = connect(`http://127.0.0.1:${port}`);
		const answer = await new Promise<string>(resolve => {
			let body = '';
			const stream = session.request({':path': '/ping'}).setEncoding('utf8');
			stream.on('data', chunk => (body += chunk));
			stream.on('end', () => resolve(body));
		});
		session.close();
		expect(answer).toBe('pong');
		await waitFor(() => (recorded(file).includes('"type":"alive"') ? true : undefined));
		run.child.kill('SIGTERM');
		const result = await run.result;
		const {state} = await readRecording(file);
		expect(state.keptAlive?.servers).toEqual([{address: `127.0.0.1:${port}`, loc: 'http2-service.mjs:9:8', connections: 1}]);
		expect(computeInsights(state).map(insight => insight.kind)).not.toContain('keeps-alive');
		expect(result.stdout).not.toContain('close servers');
	});

	it('a process kept alive by a server nobody closed names the server and where the script started it', async () => {
		const {result, state} = await recordUntilAlive('server-left-open.ts');
		const port = /from port (\d+)/.exec(result.stdout)?.[1];
		expect(port).toBeDefined();
		// It accepted a connection, its own fetch's: no service for that.
		expect(state.keptAlive?.servers).toEqual([{address: `127.0.0.1:${port}`, loc: 'server-left-open.ts:5:43', connections: 1}]);
		expect(result.stdout).toMatch(new RegExp(`held by 1 TCP server[^(]*\\(a server listening on 127\\.0\\.0\\.1:${port} from server-left-open\\.ts:5\\)`));
	});
});

it('an import that cannot be found: one line naming it, exit 1', async () => {
	const result = await runCli(['--plain', 'missing-import.ts']);
	expect(result.code).toBe(1);
	// After node's own report of it, on stderr as well.
	expect(result.stderr).toMatch(/^asyncmon: error in missing-import\.ts: Cannot find package 'no-such-package-anywhere' imported from \S+missing-import\.ts\n$/m);
	expect(result.stdout).not.toContain('asyncmon: error');
	expect(result.stdout).not.toContain('Unhandled rejection');
});

it("a require that cannot be found: node's stack, down to the script's line, with no frame or line of asyncmon's", async () => {
	const result = await runCli(['--plain', 'missing-require.cjs']);
	expect(result.code).toBe(1);
	const frames = result.stderr.split('\n').filter(line => line.startsWith('    at '));
	// Within Node's limit of ten frames, the script's own among them, as under node (Node 22's path to it is shorter).
	expect(frames.length).toBeLessThanOrEqual(10);
	expect(frames.filter(frame => /^ {4}at Object\.<anonymous> \(\S+missing-require\.cjs:3:1\)( \{)?$/.test(frame))).toHaveLength(1);
	expect(frames.filter(frame => frame.includes('/dist/') || frame.includes('customization_hooks'))).toEqual([]);
	// Nor is a line of asyncmon's quoted above the error, where node quotes its resolver's.
	expect(result.stderr).not.toContain('/dist/');
	expect(result.stderr).toMatch(/^Error: Cannot find module 'no-such-package-anywhere'$/m);
	expect(result.stderr).toMatch(/^asyncmon: error in missing-require\.cjs: Cannot find module 'no-such-package-anywhere'$/m);
});

// What the script logs of an error is what node logs: a callback's frame was `__asyncmon.r.__asyncmon.w.pRetry`.
it("the script's own stack traces name its functions as node does, asyncmon's calls around them left out", async () => {
	const cwd = dirWithScript('stacks.js', [
		"const retry = (fn) => { try { fn() } catch (error) { console.log(error.stack.split('\\n')[1].trim().split(' ')[1]) } }",
		'async function job() {',
		"  await retry(() => { throw new Error('x') }, {retries: 0})",
		"  retry(() => { throw new Error('y') }, {retries: 0})",
		'}',
		'job()',
	]);
	const {node, asyncmon} = await underNodeAndAsyncmon('stacks.js', [], cwd);
	expect(node.stdout).toBe('retry.retries\nretry.retries\n');
	expect(asyncmon.stdout).toBe(node.stdout);
});

// node:test says where a failing test was registered from the call's own position, unmapped: `3:46` where node said `3:1`.
it('node:test reports a failing test at the line and column node reports it', async () => {
	const cwd = dirWithScript('sum.test.mjs', [
		"import {describe, test} from 'node:test'",
		"import assert from 'node:assert/strict'",
		"test('adds', async () => { await new Promise(resolve => setTimeout(resolve, 1)); assert.equal(1 + 1, 3) })",
		"describe('sums', () => { test.skip('later', () => {}); test('subtracts', () => assert.equal(2 - 1, 0)) })",
	]);
	const {node, asyncmon} = await underNodeAndAsyncmon('sum.test.mjs', [], cwd);
	// The spec reporter's `test at file:line:col`, or TAP's `location: '/path/file:line:col'` (Node 22's to a pipe).
	const places = (stdout: string): string[] => [...stdout.matchAll(/(?:test at |location: '\S*\/)(sum\.test\.mjs:\d+:\d+)/g)].map(match => match[1]!);
	expect(places(node.stdout)).toEqual(expect.arrayContaining(['sum.test.mjs:3:1', 'sum.test.mjs:4:56']));
	expect(places(asyncmon.stdout)).toEqual(places(node.stdout));
	expect(asyncmon.code).toBe(node.code);
});

// An entry that awaits a call that throws: which of its lines made the call was missing from the trace.
it("an error a module's top-level await rethrows has the stack node gives it, the module's frame and all", async () => {
	const cwd = dirWithScript('entry.mjs', [
		// An immediate, not a timer: asyncmon's flush timer (every 10 ms), due with a timer of the script's, has the promise
		// callbacks run between the two, under Node's runNextTicks frame (a difference the README's limits say; not this test's).
		"async function c() { await new Promise(r => setImmediate(r)); throw new Error('deep') }",
		'async function b() { await c() }',
		'try { await b() } catch (error) { console.log(error.stack) }',
	]);
	const {node, asyncmon} = await underNodeAndAsyncmon('entry.mjs', [], cwd);
	const lastFrame = (stack: string): string => stack.trimEnd().split('\n').at(-1)!;
	expect(lastFrame(node.stdout)).toMatch(/^ {4}at async file:\/\/\S+entry\.mjs:3:7$/);
	// Written as node writes it, at the same place: the module's file:// URL, its top level no `<anonymous> (…)`.
	expect(asyncmon.stdout).toBe(node.stdout);
});

// A script that finds its caller's directory in its own stack, as some ES modules do, threw a TypeError: its frames
// read `<anonymous> (/path/app.mjs:7:13)`, where node writes `file:///path/app.mjs:7:13`.
it('a script that reads its caller from its own stack finds it as under node', async () => {
	const cwd = dirWithScript('caller.mjs', [
		"import {fileURLToPath} from 'node:url'",
		"import path from 'node:path'",
		'function callerDir() {',
		"\tconst line = new Error().stack.split('\\n')[2]",
		'\treturn path.dirname(fileURLToPath(/(file:\\/\\/[^:]+):\\d+:\\d+/.exec(line)[1]))',
		'}',
		"console.log('caller dir', callerDir() === path.dirname(fileURLToPath(import.meta.url)))",
		// An immediate, not a timer, for the reason the test above gives.
		"async function later() { await new Promise(r => setImmediate(r)); return new Error('x').stack.split('\\n').slice(1, 3).join('|') }",
		'console.log(await later())',
	]);
	const {node, asyncmon} = await underNodeAndAsyncmon('caller.mjs', [], cwd);
	expect(node.stdout).toMatch(/^caller dir true\n {4}at later \(file:\/\/\S+caller\.mjs:8:\d+\)\|/);
	expect(asyncmon).toEqual(node);
});

// process.exit(NaN) threw its RangeError with a frame `at process.exit (file:///…/dist/chunks/….js)` between Node's
// and the script's: asyncmon's wrapper of process.exit. So did an already aborted signal's error of events.once().
it("an error thrown inside a Node function asyncmon wraps has node's stack: no frame of asyncmon's", async () => {
	const cwd = dirWithScript('wrapped.mjs', [
		"import {once, EventEmitter} from 'node:events'",
		'const aborted = AbortSignal.abort()',
		"try { await once(new EventEmitter(), 'never', {signal: aborted}) } catch (error) { console.log(error.stack) }",
		'setTimeout(() => process.exit(Number(process.argv[2])), 5)',
	]);
	const {node, asyncmon} = await underNodeAndAsyncmon('wrapped.mjs', ['not-a-number'], cwd);
	expect(node.code).toBe(1);
	expect(node.stderr).toMatch(/^RangeError \[ERR_OUT_OF_RANGE\]/m);
	expect(asyncmon.stderr).toBe(node.stderr);
	expect(asyncmon.code).toBe(node.code);
	// The stack holds one frame fewer of the script's, within Node's limit: asyncmon's was captured, then left out.
	expect(asyncmon.stdout).not.toContain('/dist/');
	expect(asyncmon.stdout.split('\n')[0]).toBe(node.stdout.split('\n')[0]);
});

describe('usage errors', () => {
	it('say what to do in one line, exit 1', async () => {
		const cases: Array<[string[], RegExp]> = [
			[[], /^asyncmon: name a script to run, e\.g\. asyncmon app\.ts/],
			[['--bogus', 'gather.ts'], /^asyncmon: unknown option --bogus/],
			[['report'], /^asyncmon: name a recording: asyncmon report <file>$/],
			[['demo', 'nope'], /^asyncmon: no demo called 'nope'; try: asyncmon demo --list$/],
			[['report', 'x.ndjson', '--format', 'pdf'], /^asyncmon: --format must be one of "text", "md", .* \(got "pdf"\)$/],
			[['--plain', '--fail-on-block', 'NaN', 'gather.ts'], /^asyncmon: --fail-on-block must be a number of milliseconds, 0 or more$/],
			[['--plain', '--fail-on-block', '-5', 'gather.ts'], /^asyncmon: --fail-on-block must be a number of milliseconds, 0 or more$/],
			[['--fail-on-block=-5', 'gather.ts'], /^asyncmon: --fail-on-block must be a number of milliseconds, 0 or more$/],
			// Its number forgotten, the option takes the script for it: said, not "name a script".
			[['--plain', '--fail-on-block', 'gather.ts'], /^asyncmon: --fail-on-block takes a value, and read 'gather\.ts' as it: give its value, then the script/],
			// A file option without its file would record nothing, silently.
			[['--record', '--plain', 'gather.ts'], /^asyncmon: --record needs a file name/],
			[['--plain', '--record=', 'gather.ts'], /^asyncmon: --record needs a file name/],
			[['report', '../sessions/three-requests.ndjson', '-o', ''], /^asyncmon: -o needs a file name/],
			// yargs would take a bare --retain for its default.
			[['report', '../sessions/three-requests.ndjson', '--retain'], /^asyncmon: Not enough arguments following: retain/],
			// The range --help gives, not a speed quietly clamped into it.
			[['replay', '--plain', '--speed', '1000', '../sessions/three-requests.ndjson'], /^asyncmon: --speed must be a number from 0\.25 to 64 \(2: twice as fast\); got 1000$/],
			[['replay', '--plain', '--speed', '0.01', '../sessions/three-requests.ndjson'], /^asyncmon: --speed must be a number from 0\.25 to 64 .*; got 0\.01$/],
			[['replay', '--plain', '--speed', 'fast', '../sessions/three-requests.ndjson'], /^asyncmon: --speed must be a number from 0\.25 to 64 \(2: twice as fast\)$/],
		];
		for (const [args, message] of cases) {
			const result = await runCli(args);
			expect(result.code).toBe(1);
			expect(result.stderr.trim().split('\n')).toHaveLength(1);
			expect(result.stderr.trim()).toMatch(message);
		}
	});
});

it("a top-level await in a CommonJS TypeScript file: node's syntax error, quoting the line as the user wrote it", async () => {
	const directory = dirWithScript('main.ts', ['async function main(): Promise<number> { return 1 }', 'await main(await main());']);
	writeFileSync(join(directory, 'package.json'), '{"type": "commonjs"}\n');
	const {node, asyncmon} = await underNodeAndAsyncmon('main.ts', [], directory);
	expect(node.code).toBe(1);
	expect(node.stderr).toContain('\nawait main(await main());\n^^^^^\n');
	expect(asyncmon.code).toBe(1);
	expect(asyncmon.stderr).toContain('\nawait main(await main());\n^^^^^\n');
	expect(asyncmon.stderr).not.toContain('__asyncmon');
});

it('an unreadable recording: one line, exit 1', async () => {
	const file = unreadableFile('private.ndjson', join(SCRIPTS, '../sessions/three-requests.ndjson'));
	expect(() => readFileSync(file)).toThrow(/EACCES/);
	for (const command of ['report', 'replay']) {
		const result = await runCli([command, file]);
		expect(result.stderr).toBe(`asyncmon: cannot read recording '${file}': permission denied\n`);
		expect(result.code).toBe(1);
	}
});

it('`--` ends asyncmon\'s options: a script whose name starts with a dash runs', async () => {
	const directory = tempDir();
	copyFileSync(join(SCRIPTS, 'gather.ts'), join(directory, '-x.ts'));
	for (const args of [['--plain', '--', '-x.ts'], ['--plain', '--record=r.ndjson', '--', '-x.ts']]) {
		const result = await runCli(args, {cwd: directory});
		expect(result.stderr).toBe('');
		expect(result.stdout).toMatch(/All done in/);
		expect(result.code).toBe(0);
	}
});

it('a process the script leaves behind holding its output does not keep asyncmon waiting', async () => {
	const started = Date.now();
	const result = await runCli(['--plain', 'daemon.mjs']);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('spawned a daemon');
	expect(result.stdout).toMatch(/All done in [\d.]+ms/);
	expect(Date.now() - started).toBeLessThan(3000);
});

it('a busy script that exits abruptly loses no event: the writer thread is drained at exit', async () => {
	const {result, file, report} = await recordRun(['many-tasks.ts']);
	expect(result.code).toBe(0);
	// Every call of work() is there, finished: one by one, or among the quick calls the script folded.
	const works = report.tasks.filter(task => task.name.startsWith('work('));
	const folded = report.folded?.sites.find(site => site.name === 'work()');
	expect(works.length + (folded?.count ?? 0)).toBe(30_000);
	expect(folded?.failed ?? 0).toBe(0);
	expect(works.every(task => task.state === 'finished')).toBe(true);
	expect(report.tasks.filter(task => task.name.startsWith('wave(') && task.state === 'finished')).toHaveLength(30);
	expect(recorded(file).endsWith('\n')).toBe(true);
});

// It read '✖ Uncaught exception: RangeError…' in red, as a crash, for a program whose handler took the error and
// which then ended by itself with its own exit code.
it("an error the script's own uncaughtException handler takes is said as handled, not as a crash; the rest of the run is as under node", async () => {
	const directory = dirWithScript('handled.js', [
		'async function job(n) {',
		'  await new Promise(resolve => setTimeout(resolve, 20 * n))',
		"  if (n === 2) setTimeout(() => { throw new RangeError('exploded in job 2') }, 5)",
		'  await new Promise(resolve => setTimeout(resolve, 100))',
		'  return n',
		'}',
		"process.on('uncaughtException', error => { console.error('handler saw', error.message); process.exitCode = 7 })",
		"Promise.all([job(1), job(2), job(3)]).then(done => console.log('all', done.join(',')))",
	]);
	const file = tempFile('handled.ndjson');
	const result = await runCli(['--plain', '--record', file, 'handled.js'], {cwd: directory});
	expect(result.code).toBe(7);
	expect(result.stdout).toContain('all 1,2,3');
	expect(result.stderr).toContain('handler saw exploded in job 2');
	expect(result.stdout).toContain("⚠ Uncaught exception, handled by the script's process.on('uncaughtException'): RangeError: exploded in job 2");
	expect(result.stdout).not.toContain('✖ Uncaught exception');
	const {state} = await readRecording(file);
	expect(state.uncaught).toEqual([expect.objectContaining({origin: 'uncaughtException', handled: true})]);
});

it("rejections the script's own process.on('unhandledRejection') takes are told, handled, and one told many times is counted, not listed again", async () => {
	const directory = dirWithScript('rejections.mjs', [
		'let seen = 0',
		"process.on('unhandledRejection', () => { seen++ })",
		"async function fail(i) { await null; throw new Error('job failed') }",
		'for (let i = 0; i < 50; i++) fail(i)',
		'await new Promise(resolve => setTimeout(resolve, 50))',
		"console.log('seen', seen)",
	]);
	const file = tempFile('rejections.ndjson');
	const result = await runCli(['--plain', '--record', file, 'rejections.mjs'], {cwd: directory});
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('seen 50');
	expect(result.stdout).toContain("⚠ Unhandled rejection, handled by the script's own handler ×50: Error: job failed at rejections.mjs:3:");
	expect(result.stdout).toMatch(/A promise rejected with nothing handling it but the script's own process-level handler in fail\(0\), 50 times: Error: job failed/);
	const {state} = await readRecording(file);
	expect(state.uncaught).toEqual([expect.objectContaining({origin: 'unhandledRejection', handled: true, count: 50})]);
});
