import {mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {recordApp, recordRun, taskNamed} from '../helpers/recorded.js';
import {recordedOutput, runNode, underNodeAndAsyncmon, underNodeAndAsyncmonBytes} from '../helpers/node-parity.js';
import {runCli, SCRIPTS} from '../helpers/run-cli.js';
import {tempDir} from '../helpers/temp.js';
import type {ReportBlock, ReportTask, SessionReport} from '../../source/model/summary.js';
import {laneSlotOf} from '../../source/protocol/events.js';

const CHILDREN = join(SCRIPTS, 'child-processes');

function lanes(report: SessionReport): ReportTask[] {
	return report.tasks.filter(task => task.kind === 'process');
}

function laneNamed(report: SessionReport, ending: string): ReportTask {
	const lane = lanes(report).find(task => task.name.endsWith(ending));
	if (!lane) throw new Error(`no lane ending ${ending}; lanes: ${lanes(report).map(task => task.name).join(', ')}`);
	return lane;
}

/** The tasks whose parent is `parent`, by name. */
function childrenOf(report: SessionReport, parent: ReportTask): string[] {
	return report.tasks
		.filter(task => task.parentId === parent.id)
		.map(task => task.name)
		.sort();
}

/** What talker.mjs writes, byte for byte. */
function talked(role: string): {stdout: Buffer; stderr: Buffer} {
	return {
		stdout: Buffer.concat([Buffer.from(`${role}: hello, wörld ✓\n☃ snow\n`), Buffer.from([0xff, 0xfe, 0x00, 0x0a]), Buffer.from(`${role}: last words`)]),
		stderr: Buffer.from(`${role}: to stderr\n`),
	};
}

/** talker.mjs's lines, as a report gives them. */
function talkedLines(role: string): Array<{stream: string; text: string}> {
	return [
		{stream: 'stdout', text: `${role}: hello, wörld ✓`},
		{stream: 'stdout', text: '☃ snow'},
		{stream: 'stdout', text: '\uFFFD\uFFFD\u0000'},
		{stream: 'stderr', text: `${role}: to stderr`},
		{stream: 'stdout', text: `${role}: last words`},
	];
}

describe('child processes, followed', () => {
	it('fork, cluster.fork and spawn of process.execPath: each child is a lane under the task that started it, with its own tasks, and its output is as under node', async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('children.mjs', [], CHILDREN);
		expect(node.code).toBe(0);
		expect(node.stdout).toContain('forked child computed 2,4 with execArgv []\n');
		expect(node.stdout).toContain('clustered child computed 2,4 with execArgv []\n');
		expect(node.stdout).toContain('forked child exited 0 options {"silent":false}\n');
		expect(asyncmon).toEqual(node);
		for (const [role, startedBy] of [
			['forked', 'forkChild()'],
			['spawned', 'spawnChild()'],
			['clustered', 'clusterWorker()'],
		] as const) {
			const lane = laneNamed(report, `child.mjs ${role}`);
			expect(lane.parentId).toBe(taskNamed(report, startedBy).id);
			expect(lane.name).toMatch(new RegExp(`^pid \\d+: node .*child\\.mjs ${role}$`));
			const printed = [`${role} child computed 2,4 with execArgv []`, `${role} child to stderr`];
			const output = {bytes: Buffer.byteLength(printed.map(line => `${line}\n`).join('')), lines: 2, lastLines: [{stream: 'stdout', text: printed[0]}, {stream: 'stderr', text: printed[1]}]};
			expect(lane.process).toEqual({pid: expect.any(Number), command: expect.stringMatching(/^node .*child\.mjs/), exit: {code: 0, signal: null}, output});
			expect(lane.name).toContain(`pid ${lane.process!.pid}:`);
			expect(lane.state).toBe('finished');
			expect(childrenOf(report, lane)).toEqual(['childWork()']);
			const work = report.tasks.find(task => task.parentId === lane.id)!;
			expect(work.state).toBe('finished');
			expect(childrenOf(report, work)).toEqual(['step(1)', 'step(2)']);
		}
		// Each process numbers its ids in a range of its own.
		const ids = report.tasks.map(task => task.id);
		expect(new Set(ids).size).toBe(ids.length);
	});

	it("a nested fork: the grandchild's lane sits under its parent process's task", async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('nested.mjs', [], CHILDREN);
		expect(node).toEqual({code: 0, stdout: 'generation 2 done\ngeneration 1 done\ngeneration 0 done\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		const child = laneNamed(report, 'nested.mjs 1');
		const grandchild = laneNamed(report, 'nested.mjs 2');
		const forks = report.tasks.filter(task => task.name === 'forkNext(1)' || task.name === 'forkNext(2)');
		expect(child.parentId).toBe(forks.find(task => task.name === 'forkNext(1)')!.id);
		// forkNext(2) runs in the child's lane: the grandchild hangs under it.
		const forkInChild = forks.find(task => task.name === 'forkNext(2)')!;
		expect(report.tasks.find(task => task.id === forkInChild.parentId)!.name).toBe('generation(1)');
		expect(grandchild.parentId).toBe(forkInChild.id);
		expect(childrenOf(report, grandchild)).toEqual(['generation(2)']);
		for (const lane of [child, grandchild]) expect(lane.process!.exit).toEqual({code: 0, signal: null});
	});

	it("a child the script kills with SIGKILL mid-run: its lane ends as the script asked, not failed, says the signal, and its unfinished tasks end with it", async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('killed.mjs', [], CHILDREN);
		expect(node).toEqual({code: 0, stdout: 'child ended null SIGKILL\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		const lane = laneNamed(report, 'killed.mjs child');
		expect(lane.parentId).toBe(taskNamed(report, 'killChild()').id);
		expect(lane.state).toBe('finished');
		expect(lane.process!.exit).toEqual({code: null, signal: 'SIGKILL', byScript: true});
		expect(lane.error).toBeUndefined();
		const waiting = taskNamed(report, 'waitForever()');
		expect(waiting.parentId).toBe(lane.id);
		expect(waiting.state).toBe('failed');
		expect(waiting.error?.message).toBe('cut short: the script stopped its process (SIGKILL)');
		// Nothing of the lane is left running.
		const inLane = report.tasks.filter(task => task.id > lane.id && task.id < lane.id + 1e12);
		expect(inLane.length).toBeGreaterThan(1);
		for (const task of inLane) expect(task.state).not.toBe('pending');
	});

	it('a Node child killed before it could say it runs is still there: its lane, from what its parent saw, ended by its kill', async () => {
		const {result, report} = await recordRun(['child-processes/killed-at-once.mjs']);
		expect(result.stdout).toContain('child ended null SIGKILL\n');
		expect(result.stdout).toMatch(/✔ done {3}pid \d+: node -e .+ stopped by the script \(SIGKILL\) after /);
		expect(lanes(report)).toHaveLength(1);
		const [lane] = lanes(report);
		expect(lane).toMatchObject({parentId: taskNamed(report, 'killAtOnce()').id, state: 'finished'});
		expect(lane!.name).toMatch(/^pid \d+: node -e /);
		expect(lane!.process!.exit).toEqual({code: null, signal: 'SIGKILL', byScript: true});
	});

	it("a Node child the script signals with process.kill(child.pid) is stopped by it, as with child.kill()", async () => {
		const {result, report} = await recordApp([
			"const {spawn} = require('node:child_process')",
			"const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'})",
			"child.once('spawn', () => setTimeout(() => process.kill(child.pid, 'SIGTERM'), 100))",
			"child.on('exit', (code, signal) => console.log('child ended', code, signal))",
		]);
		expect(result.stdout).toContain('child ended null SIGTERM\n');
		const [lane] = lanes(report);
		expect(lane).toMatchObject({state: 'finished'});
		expect(lane!.process!.exit).toEqual({code: null, signal: 'SIGTERM', byScript: true});
	});

	// "Concurrency is not parallelism": a parent that only waits for its fork read 1.9×, the child's 1 s counted twice.
	it("a call awaiting a promise its fork's exit settles counts the fork's task once: nothing overlapped", async () => {
		const directory = tempDir();
		writeFileSync(join(directory, 'child.js'), 'async function work() { await new Promise(r => setTimeout(r, 400)) }\nwork()\n');
		const {result, report} = await recordApp(
			[
				"const {fork} = require('node:child_process')",
				'async function runChild() {',
				"  await new Promise(r => fork(__dirname + '/child.js').on('exit', r))",
				'}',
				'runChild()',
			],
			directory,
		);
		expect(result.code).toBe(0);
		expect(taskNamed(report, 'work()').state).toBe('finished');
		expect(report.summary.concurrency).toBeLessThanOrEqual(1.05);
	});

	// "Which worker crashed, and why": a fork that died of an error read only `exited with code 1`.
	it("a followed process that dies of an error nothing caught fails with that error, its exit beside it; the script's run is not a crash", async () => {
		const directory = tempDir();
		writeFileSync(join(directory, 'child.js'), "setTimeout(function tick() { throw new Error('child blew up') }, 50)\n");
		const {result, report, state} = await recordApp(
			[
				"const {fork} = require('node:child_process')",
				"fork(__dirname + '/child.js', {stdio: 'ignore'}).on('exit', code => console.log('child exited', code))",
			],
			directory,
		);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('child exited 1\n');
		expect(result.stdout).toMatch(/✖ uncaught exception in pid \d+: Error: child blew up child\.js:1:\d+/);
		expect(result.stdout).toMatch(/✖ failed pid \d+: node \S+child\.js exited with code 1 after \S+: Error: child blew up child\.js:1:\d+/);
		const [lane] = lanes(report);
		expect(lane).toMatchObject({state: 'failed', error: {name: 'Error', message: 'child blew up', location: expect.stringMatching(/^child\.js:1:\d+$/)}});
		expect(lane!.process!.exit).toEqual({code: 1, signal: null});
		// The script itself did not crash.
		expect(state.uncaught).toEqual([]);
	});

	it('a Node child that a signal of no kill() of the script ends has failed: killed by it', async () => {
		const {result, report} = await recordApp([
			"const {spawn} = require('node:child_process')",
			"const child = spawn(process.execPath, ['-e', \"setTimeout(() => process.kill(process.pid, 'SIGKILL'), 50)\"], {stdio: 'ignore'})",
			"child.on('exit', (code, signal) => console.log('child ended', code, signal))",
		]);
		expect(result.stdout).toContain('child ended null SIGKILL\n');
		const [lane] = lanes(report);
		expect(lane).toMatchObject({state: 'failed', error: {name: 'ProcessExit', message: 'killed by SIGKILL'}});
		expect(lane!.process!.exit).toEqual({code: null, signal: 'SIGKILL'});
		expect(lane!.endMs! - lane!.startMs).toBeGreaterThanOrEqual(0);
	});

	it('a program that is not Node is an op: its command (redacted), pid and exit code, awaited by the task that started it', async () => {
		const {result, state, report, file} = await recordRun(['child-processes/shell-exit.mjs']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('shell exited 3\n');
		const op = report.tasks.find(task => task.kind === 'child')!;
		const command = 'sh -c exit 3 sh https://REDACTED:REDACTED@example.com/?token=REDACTED';
		expect(op.name).toBe(command);
		expect(op.parentId).toBe(taskNamed(report, 'runShell()').id);
		expect(op.process).toEqual({pid: expect.any(Number), command, exit: {code: 3, signal: null}});
		expect(op.state).toBe('failed');
		expect(op.error).toEqual({name: 'ProcessExit', message: 'exited with code 3'});
		// `once(shell, 'exit')`, an event of the process: the process's op, known.
		expect(taskNamed(report, 'runShell()').awaitSites).toContainEqual(expect.objectContaining({on: [{kind: 'op', id: op.id}]}));
		// Plain mode says how it ended.
		expect(result.stdout).toContain(`child  ${command} (pid ${op.process!.pid}) exited with code 3 in `);
		expect(readFileSync(file, 'utf8')).not.toContain('hunter2');
		expect(state.nodes.get(op.id)!.endMs).not.toBeNull();
	});

	it('children started synchronously, and through util.promisify, are followed or ops too, and their callers get what node gives them', async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('sync-and-promised.mjs', [], CHILDREN);
		expect(node.code).toBe(0);
		expect(node.stdout).toContain('spawnSync 0 synchronous child computed 2,4 with execArgv []\n');
		expect(node.stdout).toContain('execFile promised child computed 2,4 with execArgv [] | promised child to stderr\n');
		expect(asyncmon).toEqual(node);
		expect(laneNamed(report, 'child.mjs synchronous').parentId).toBe(taskNamed(report, 'startSync()').id);
		expect(laneNamed(report, 'child.mjs promised').parentId).toBe(taskNamed(report, 'startPromised()').id);
		for (const role of ['synchronous', 'promised']) expect(childrenOf(report, laneNamed(report, `child.mjs ${role}`))).toEqual(['childWork()']);
		// util.promisify(execFile)'s promise waits on the process, a followed one or an op.
		expect(taskNamed(report, 'startPromised()').awaitSites.map(site => site.on)).toEqual([[{kind: 'tasks', ids: [laneNamed(report, 'child.mjs promised').id]}]]);
		const shell = report.tasks.find(task => task.kind === 'child')!;
		expect(shell.process).toEqual({pid: expect.any(Number), command: 'sh -c exit 2', exit: {code: 2, signal: null}});
		expect(shell.parentId).toBe(taskNamed(report, 'startSync()').id);
		expect(node.stdout).toContain('exec one\npromised exec two\n');
		const shells = report.tasks.filter(task => task.kind === 'child' && task.parentId === taskNamed(report, 'startShell()').id);
		expect(shells.map(task => task.process!.command).sort()).toEqual(['echo one', 'sleep 0.05; echo two']);
		const promisedShell = shells.find(task => task.process!.command === 'sleep 0.05; echo two')!;
		expect(taskNamed(report, 'startShell()').awaitSites.map(site => site.on)).toContainEqual([{kind: 'op', id: promisedShell.id}]);
	});

	// npm runs a package's scripts so: `sh -c "node server.js"`. The shell was an op, and the Node process it ran unwatched.
	it('a Node process a shell runs for its -c line (npm run) is followed, as one spawned directly', async () => {
		const directory = tempDir();
		writeFileSync(join(directory, 'kid.cjs'), "async function kidWork() { await new Promise(resolve => setTimeout(resolve, 20)); console.log('kid done'); }\nkidWork();\n");
		writeFileSync(join(directory, 'main.cjs'), "const {spawn} = require('node:child_process');\nasync function startShell() { await new Promise(resolve => spawn('sh', ['-c', 'node kid.cjs'], {stdio: 'inherit'}).on('exit', resolve)); }\nstartShell();\n");
		const {result, report} = await recordRun(['main.cjs'], {cwd: directory});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('kid done');
		const lane = laneNamed(report, 'sh -c node kid.cjs');
		expect(lane.parentId).toBe(taskNamed(report, 'startShell()').id);
		expect(childrenOf(report, lane)).toEqual(['kidWork()']);
	});

	// npm runs `"lint": "eslint src"` so, with the package's node_modules/.bin first on the PATH it gives; npx runs a bin so too.
	it("a package's bin a shell runs by its name on the child's PATH is followed, as is one spawned by its name", async () => {
		const directory = tempDir();
		const bin = join(directory, 'node_modules/.bin');
		mkdirSync(bin, {recursive: true});
		// A workspace's own tool, linked as npm links a bin: its code is the user's, so its tasks are seen too.
		mkdirSync(join(directory, 'tools'));
		writeFileSync(join(directory, 'tools/greet.js'), "#!/usr/bin/env node\nasync function greet() { await new Promise(resolve => setTimeout(resolve, 20)); console.log('hello from greet', process.argv.slice(2).join(' ')); }\ngreet();\n", {mode: 0o755});
		symlinkSync('../../tools/greet.js', join(bin, 'greet'));
		writeFileSync(join(bin, 'shelly'), '#!/bin/sh\necho shelly\n', {mode: 0o755});
		writeFileSync(
			join(directory, 'main.cjs'),
			[
				"const {spawn} = require('node:child_process');",
				"const env = {...process.env, PATH: `${__dirname}/node_modules/.bin:${process.env.PATH}`};",
				"const run = (command, args) => new Promise(resolve => spawn(command, args, {stdio: 'inherit', env}).on('exit', resolve));",
				"async function lint() { await run('sh', ['-c', 'greet shell']); await run('greet', ['direct']); await run('sh', ['-c', 'shelly']); }",
				'lint();',
			].join('\n'),
		);
		const {result, report} = await recordRun(['main.cjs'], {cwd: directory});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('hello from greet shell');
		expect(result.stdout).toContain('hello from greet direct');
		expect(result.stdout).toContain('shelly');
		expect(childrenOf(report, laneNamed(report, 'sh -c greet shell'))).toEqual(['greet()']);
		expect(childrenOf(report, laneNamed(report, 'greet direct'))).toEqual(['greet()']);
		// A shell script is no Node process: an op of the script's, no lane.
		expect(report.tasks.filter(task => task.name.includes('shelly')).map(task => task.kind)).toEqual(['child']);
	});

	// `asyncmon npm run start`, `asyncmon nest start`: a command, not a file here, whose file on the PATH is a Node script.
	it('runs a command on the PATH whose file is a Node script, shown by its name; another program is no script', async () => {
		const bin = tempDir();
		writeFileSync(join(bin, 'greet'), "#!/usr/bin/env node\nasync function greet() { await new Promise(resolve => setTimeout(resolve, 10)); console.log('hello from greet', process.argv.slice(2).join(' ')); }\ngreet();\n", {mode: 0o755});
		writeFileSync(join(bin, 'shelly'), '#!/bin/sh\necho shelly\n', {mode: 0o755});
		const env = {PATH: `${bin}:${process.env.PATH}`};
		const {result, report} = await recordRun(['greet', 'world'], {env, cwd: tempDir()});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('hello from greet world');
		expect(taskNamed(report, 'greet()').state).toBe('finished');
		const other = await runCli(['--plain', 'shelly'], {env, cwd: tempDir()});
		expect(other).toMatchObject({code: 1, stderr: "asyncmon: cannot find script 'shelly'\n"});
	});

	it("a child whose code does not parse: Node says so, as under node, and the session is not the child's syntax error", async () => {
		const {node, asyncmon, report, state} = await underNodeAndAsyncmon('broken.mjs', [], CHILDREN);
		expect(node).toEqual({code: 0, stdout: "status 1 SyntaxError: Unexpected token ';'\n", stderr: ''});
		expect(asyncmon).toEqual(node);
		expect(state.fatal).toBeNull();
		expect(laneNamed(report, 'broken-child.mjs').process!.exit).toEqual({code: 1, signal: null});
	});

	it('a worker thread made from a string appears as a worker, like one made from a file', async () => {
		const {result, report} = await recordRun(['child-processes/eval-worker.mjs']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('eval worker says 6\n');
		const worker = report.tasks.find(task => task.kind === 'worker')!;
		expect(worker.name).toMatch(/^worker thread #\d+$/);
		expect(worker.parentId).toBe(taskNamed(report, 'startEvalWorker()').id);
		expect(worker.state).toBe('finished');
		// Its timer is its own.
		expect(report.tasks.find(task => task.kind === 'timer' && task.parentId === worker.id)).toBeDefined();
	});

	it('plain mode shows the lane: its start, its tasks and how it ended', async () => {
		const {result} = await recordRun(['child-processes/nested.mjs']);
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/▶ start {2}pid \d+: node \S*nested\.mjs 1\n/);
		expect(result.stdout).toMatch(/✔ done {3}pid \d+: node \S*nested\.mjs 2 exited 0 after \d/);
		expect(result.stdout).toMatch(/▶ start {2}generation\(2\)/);
	});

	it("a child whose output its parent reads through pipes: the script's output is node's, byte for byte, and the child's own lines are its lane's", async () => {
		const {node, asyncmon, monitored, report, file} = await underNodeAndAsyncmonBytes('piped-talker.mjs', [], CHILDREN);
		expect(node.code).toBe(0);
		expect(node.stdout.toString()).toContain('[child] piped: hello, wörld ✓\n');
		expect(asyncmon).toEqual(node);
		const lane = laneNamed(report, 'talker.mjs piped');
		expect(lane.process!.output).toEqual({bytes: talked('piped').stdout.length + talked('piped').stderr.length, lines: 5, lastLines: talkedLines('piped')});
		expect(await recordedOutput(file, lane.id)).toEqual(talked('piped'));
		// Plain mode printed the parent's relay of each line, and nothing more of the child's.
		expect(monitored.stdout.split('piped: hello, wörld ✓')).toHaveLength(2);
		expect(monitored.stdout).toMatch(/pid \d+: node \S*talker\.mjs piped exited 0 after \S+, wrote 5 lines, 72B\n/);
	});

	it("a child sharing the script's stdout and stderr: its bytes are the script's output once, as under node, and attributed to its lane", async () => {
		const {node, asyncmon, monitored, report, file} = await underNodeAndAsyncmonBytes('inherited-talker.mjs', [], CHILDREN);
		expect(node.code).toBe(0);
		expect(node.stdout.subarray(0, talked('inherited').stdout.length)).toEqual(talked('inherited').stdout);
		expect(asyncmon).toEqual(node);
		const lane = laneNamed(report, 'talker.mjs inherited');
		expect(await recordedOutput(file, lane.id)).toEqual(talked('inherited'));
		expect(lane.process!.output).toEqual({bytes: 84, lines: 5, lastLines: talkedLines('inherited')});
		expect(monitored.stdout.split('inherited: hello, wörld ✓')).toHaveLength(2);
		expect(monitored.stderr.split('inherited: to stderr')).toHaveLength(2);
		// The text report's tables say it too.
		const text = await runCli(['report', file]);
		expect(text.stdout).toMatch(/Child processes\n.* +output +started by\n.*\nnode .* +yes +exited 0 +\S+ +5 lines, 84B +runInherited\(\)\n/);
		expect(text.stdout).toMatch(/Last output of child processes\n(.*\n){2}(pid \d+: node .* +stdout +.*\n){3}pid \d+: .* +stderr +inherited: to stderr\n.* +stdout +inherited: last words\n/);
	});

	it("after a child sharing the script's stdout wrote to it, plain mode still prints each of the script's lines whole, between its own", async () => {
		const {result} = await recordApp([
			"const {spawnSync} = require('node:child_process')",
			"spawnSync('printf', ['child\\\\n'], {stdio: 'inherit'})",
			'async function main() {',
			"\tfor (let i = 0; i < 3; i++) { console.log('line number ' + i); await new Promise(resolve => setTimeout(resolve, 40)) }",
			'}',
			'main()',
		]);
		expect(result.code).toBe(0);
		const lines = result.stdout.split('\n');
		expect(lines).toContain('child');
		// Cut where the child's 6 bytes ended (`line num`, then `ber 0`) before.
		for (const i of [0, 1, 2]) expect(lines).toContain(`line number ${i}`);
	});

	it('a chatty child: its lane knows how much it wrote and its last lines, but its copy is bounded, and no event is lost', async () => {
		const {result, report, file} = await recordRun(['child-processes/chatty.mjs']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('chatty child exited 0\n');
		const lane = laneNamed(report, 'chatty.mjs child');
		const output = lane.process!.output!;
		expect(output.bytes).toBe(20_000 * 100);
		expect(output.lines).toBe(20_000);
		expect(output.lastLines.at(-1)).toEqual({stream: 'stdout', text: `chatter 20000 ${'.'.repeat(85)}`});
		expect(output.lastLines.map(line => Number(line.text.slice(8, 13)))).toEqual(Array.from({length: output.lastLines.length}, (_, i) => 20_001 - output.lastLines.length + i));
		const copied = await recordedOutput(file, lane.id);
		expect(copied.stdout.length).toBeLessThan(64 * 1024);
		expect(report.tasks.find(task => task.name === 'chatter()')!.state).toBe('finished');
	});

	it('--no-follow: the children run as under node, unwatched, and nothing listens for them; a followed run leaves no socket behind', async () => {
		const runtimeDirectory = tempDir();
		const env = {XDG_RUNTIME_DIR: runtimeDirectory};
		const {result, report} = await recordRun(['--no-follow', 'child-processes/nested.mjs'], {env});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('generation 0 done\n');
		expect(lanes(report)).toEqual([]);
		expect(report.tasks.map(task => task.name)).not.toContain('generation(1)');
		expect(readdirSync(runtimeDirectory)).toEqual([]);
		const followed = await recordRun(['child-processes/nested.mjs'], {env});
		expect(lanes(followed.report)).toHaveLength(2);
		expect(readdirSync(runtimeDirectory)).toEqual([]);
	});

	it("a child's block is its own: in its lane, with its function and location and an id of its own beside the script's block; the report lists it under the process; a child that only loads modules has none; output and exit code as under node", async () => {
		const node = await runNode('blocking.mjs', [], CHILDREN);
		expect(node).toEqual({code: 0, stdout: 'busy child crunched true\nbusy-child.mjs exited 3\nloading child loaded its modules (a table) function\nloading-child.mjs exited 0\n', stderr: ''});
		const {result, file, state, report} = await recordRun(['child-processes/blocking.mjs']);
		expect(result.code).toBe(node.code);
		const output = await recordedOutput(file);
		expect({stdout: output.stdout.toString(), stderr: output.stderr.toString()}).toEqual({stdout: node.stdout, stderr: node.stderr});

		const busy = laneNamed(report, 'busy-child.mjs');
		const crunch = taskNamed(report, 'crunch()');
		expect(crunch.parentId).toBe(busy.id);
		const pid = busy.process!.pid;
		// Plain mode names the process whose loop it held, the function and where.
		expect(result.stdout).toMatch(new RegExp(`loop of pid ${pid} \\(node \\S*busy-child\\.mjs\\) was blocked for \\d+ms by crunch\\(\\) child-processes/busy-child\\.mjs:6:\\d+\\n`));
		expect(result.stdout).toMatch(/→ crunch\(\) at child-processes\/busy-child\.mjs:6 blocked the event loop of pid \d+ \(node \S*busy-child\.mjs\) for /);

		// The child's block and the script's, each in its own process's range of ids.
		expect(state.blocks).toHaveLength(2);
		const childBlock = state.blocks.find(block => block.taskId === crunch.id)!;
		const scriptBlock = state.blocks.find(block => block.taskId === taskNamed(report, 'parentCrunch()').id)!;
		expect(childBlock.id).not.toBe(scriptBlock.id);
		expect(laneSlotOf(childBlock.id)).toBe(laneSlotOf(busy.id));
		expect(laneSlotOf(scriptBlock.id)).toBe(0);
		expect(childBlock.location).toMatch(/^child-processes\/busy-child\.mjs:6:\d+$/);
		expect(childBlock.frames[0]?.fn).toBe('crunch');

		// The JSON report puts the block under its process; the script's own block has no process.
		const json = JSON.parse((await runCli(['report', file, '--format', 'json'])).stdout) as SessionReport;
		const byTask = (id: number): ReportBlock => json.blocks.find(block => block.taskId === id)!;
		expect(byTask(crunch.id).process).toEqual({taskId: busy.id, pid, command: busy.process!.command});
		expect(byTask(crunch.id).stack[0]).toMatch(/^crunch \(child-processes\/busy-child\.mjs:6:\d+\)$/);
		expect(byTask(scriptBlock.taskId!)).not.toHaveProperty('process');
		// The text report says whose loop each block held.
		const text = (await runCli(['report', file])).stdout;
		expect(text).toMatch(new RegExp(`pid ${pid} +crunch\\(\\)`));
		expect(text).toMatch(/the script +parentCrunch\(\)/);

		// Loading modules, however long, is no block of the child's.
		const loading = laneNamed(report, 'loading-child.mjs');
		expect(json.blocks.filter(block => block.process?.taskId === loading.id)).toEqual([]);
	});

	it("a CommonJS child's block in its entry's require() is said to be loading modules, as the script's is: not code to look for", async () => {
		const {result, state} = await recordRun(['child-processes/requiring.mjs']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('requiring child loaded true');
		expect(result.stdout).toContain('requiring child exited 0');
		const lane = [...state.nodes.values()].find(node => node.kind === 'process')!;
		const blocks = state.blocks.filter(block => block.processId === lane.id);
		expect(blocks).toEqual([expect.objectContaining({loading: true})]);
		expect(result.stdout).toMatch(/blocked the event loop of pid \d+ \(node \S*requiring-child\.cjs\) for \d+ms[^\n]*; it was loading modules \(require or import\)/);
	});

	it('a child with no main module (`node -e code arg`) is watched from its start, and --fail-on-block counts its block', async () => {
		const {result, report} = await recordRun(['--fail-on-block', '100', 'child-processes/eval-blocking.mjs']);
		expect(result.code).toBe(3);
		expect(result.stderr).toMatch(/^asyncmon: --fail-on-block 100: the loop of pid \d+ \(node -e .*\) was blocked for [\d.]+m?s by its top level at \[eval\]:1:\d+\n/m);
		expect(result.stdout).toContain('eval child typescript\n');
		const lane = laneNamed(report, 'typescript');
		expect(report.blocks.filter(block => block.process?.taskId === lane.id)).toEqual([expect.objectContaining({taskId: lane.id})]);
		// Told while it lasts; it ends with the process, whose loop never turns again.
		expect(result.stdout).toMatch(/BLOCKED event loop of pid \d+ \(node -e .*\) blocked for over \d+ms by its top level/);
	});
});
