import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, realpathSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {taskNamed} from '../helpers/recorded.js';
import {type Outcome, underNodeAndAsyncmon} from '../helpers/node-parity.js';
import type {ReportTask, SessionReport} from '../../source/model/summary.js';
import {ROOT} from '../helpers/run-cli.js';
import {tempDir} from '../helpers/temp.js';

const PROGRAMS = fileURLToPath(new URL('../fixtures/realworld', import.meta.url));
const VITEST_SUITE = join(PROGRAMS, 'vitest-suite');

/** npm's own CLI script: beside the node that runs the tests (a Node install's lib/node_modules), or the npm on PATH. */
function npmCli(): string {
	const besideNode = join(dirname(process.execPath), '../lib/node_modules/npm/bin/npm-cli.js');
	if (existsSync(besideNode)) return besideNode;
	const onPath = spawnSync('sh', ['-c', 'command -v npm'], {encoding: 'utf8'}).stdout.trim();
	const cli = onPath && realpathSync(onPath);
	if (!cli?.endsWith('.js')) throw new Error(`npm's cli.js not found (npm on PATH: ${onPath || 'none'})`);
	return cli;
}

/** A project with its dependencies in node_modules (which git does not keep), and npm's cache and logs beside it. */
function npmProject(): {project: string; npmArgs: string[]} {
	const project = tempDir();
	const json = (path: string, value: unknown) => {
		mkdirSync(dirname(join(project, path)), {recursive: true});
		writeFileSync(join(project, path), JSON.stringify(value));
	};
	json('package.json', {name: 'corpus-app', version: '1.0.0', private: true, dependencies: {'left-pad': '^1.3.0', '@corpus/util': '2.0.0'}});
	json('node_modules/left-pad/package.json', {name: 'left-pad', version: '1.3.0'});
	json('node_modules/@corpus/util/package.json', {name: '@corpus/util', version: '2.0.0', dependencies: {'left-pad': '^1.0.0'}});
	const npmHome = tempDir();
	const npmArgs = [`--cache=${npmHome}/cache`, `--logs-dir=${npmHome}/logs`, `--userconfig=${npmHome}/npmrc`, '--logs-max=0', '--no-update-notifier'];
	return {project, npmArgs};
}

describe('real programs run as under node', () => {
	it('a script that blocks, then calls process.exit() at once, exits as under node: no wait for the watchdog\'s debugger session', async () => {
		for (let run = 0; run < 3; run++) {
			const {node, asyncmon} = await underNodeAndAsyncmon('block-then-exit.mjs', [], PROGRAMS);
			expect(node).toEqual({code: 0, stdout: 'computed\n', stderr: ''});
			expect(asyncmon).toEqual(node);
		}
	});

	it("output written from a process 'exit' listener, as npm writes its last error line, arrives as under node", async () => {
		const {node, asyncmon} = await underNodeAndAsyncmon('exit-listener.cjs', [], PROGRAMS);
		expect(node).toEqual({code: 1, stdout: 'main done\nstdout from an exit listener\n', stderr: 'stderr from an exit listener, code 1\n'});
		expect(asyncmon).toEqual(node);
	});

	it("no-semicolon CommonJS with 'use strict' directives: same output and exit code, and its tasks seen", async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('no-semicolons.cjs', [], PROGRAMS);
		expect(node).toEqual({code: 0, stdout: 'a:strict b:strict\n', stderr: 'to stderr\n'});
		expect(asyncmon).toEqual(node);
		expect(taskNamed(report, 'fetchLabel("a", 20)').state).toBe('finished');
	});

	it("a TypeScript script and its workers read Node's process.features.typescript and execArgv as under node, though asyncmon's process strips no types", async () => {
		const {node, asyncmon} = await underNodeAndAsyncmon('typescript-features.ts', [], PROGRAMS);
		expect(node).toEqual({code: 0, stdout: 'script strip execArgv []\nworker strip\n', stderr: ''});
		expect(asyncmon).toEqual(node);
	});

	it('child_process.fork() with the default execArgv: the child starts as under node, and execArgv reads []', async () => {
		const {node, asyncmon} = await underNodeAndAsyncmon('fork-parent.mjs', [], PROGRAMS);
		expect(node.code).toBe(0);
		expect(node.stdout).toBe('parent execArgv []\nchild execArgv []\nparent got {"answer":42} child exit 0\n');
		expect(asyncmon).toEqual(node);
	});

	it('cluster.fork(): the worker serves as under node', async () => {
		const {node, asyncmon} = await underNodeAndAsyncmon('cluster.cjs', [], PROGRAMS);
		expect(node.code).toBe(0);
		expect(node.stdout).toBe('primary execArgv []\nprimary got listening, execArgv []\nworker exited\n');
		expect(asyncmon).toEqual(node);
	});

	it("npm's own CLI, run as the script: `npm ls --all` prints the tree as under node, and the report has its file reads", async () => {
		const {project, npmArgs} = npmProject();
		const {node, asyncmon, report} = await underNodeAndAsyncmon(npmCli(), ['ls', '--all', ...npmArgs], project);
		expect(node).toEqual({
			code: 0,
			stdout: `corpus-app@1.0.0 ${project}\n├─┬ @corpus/util@2.0.0\n│ └── left-pad@1.3.0 deduped\n└── left-pad@1.3.0\n\n`,
			stderr: '',
		});
		expect(asyncmon).toEqual(node);
		expect(report.exitCode).toBe(0);
		const fileOps = report.tasks.filter(task => task.kind === 'fs').map(op => op.name);
		expect(fileOps).toEqual(expect.arrayContaining(['readdir node_modules', 'readdir @corpus', 'lstat left-pad', 'lstat util']));
	});

	it("a vitest run of a small suite, vitest's CLI as the script: the same results and exit code 1 for its failing test, its test tasks in its workers' lanes, and no block of theirs", async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon(VITEST, ['run'], VITEST_SUITE);
		expect(node).toEqual({
			code: 1,
			stdout: [
				"failed strings.spec.mjs > whispers, and fails: expected 'HUSH!' to be 'hush' // Object.is equality",
				'passed math.spec.mjs > math > adds after a wait',
				'passed math.spec.mjs > math > adds many at once',
				'passed strings.spec.mjs > shouts\n',
			].join('\n'),
			stderr: '',
		});
		expect(asyncmon).toEqual(node);
		expect(report.exitCode).toBe(1);
		// Each test's async callback is a task of the worker process that ran its file, with the helpers it awaited under it.
		const math = testTasks(report, 'math.spec.mjs');
		expect(math.map(({test, under}) => [test.name, test.location, test.state, under])).toEqual([
			["<it 'adds after a wait' callback>()", 'math.spec.mjs:10:26', 'finished', ['slowSum(2, 3) math.spec.mjs:4:1']],
			["<it 'adds many at once' callback>()", 'math.spec.mjs:14:26', 'finished', ['slowSum(1, 1) math.spec.mjs:4:1', 'slowSum(2, 2) math.spec.mjs:4:1']],
		]);
		const strings = testTasks(report, 'strings.spec.mjs');
		expect(strings.map(({test, under}) => [test.location, test.state, under])).toEqual([
			['strings.spec.mjs:9:14', 'finished', ['shout("hi") strings.spec.mjs:4:1']],
			['strings.spec.mjs:13:27', 'failed', ['shout("hush") strings.spec.mjs:4:1']],
		]);
		expect(strings[1]!.test.error).toMatchObject({name: 'AssertionError', message: "expected 'HUSH!' to be 'hush' // Object.is equality"});
		for (const {lane} of [...math, ...strings]) expect(lane.name).toMatch(/^pid \d+: node \S*vitest\/dist\/workers\/forks\.js$/);
		// The tests only wait: a fork's loop may block loading vitest (its top level), never in a test or what it awaits.
		expect(report.blocks.filter(block => block.process && block.taskId !== block.process.taskId)).toEqual([]);
	});

	// vitest's threads pool gives its workers Node options of their own, and terminates each as its file is done.
	it.each([
		['forks', 'process', /^pid \d+: node \S*vitest\/dist\/workers\/forks\.js$/],
		['threads', 'worker', /^worker thread #\d+$/],
	])("vitest's default reporter on failing tests, their files instrumented in its %s: the same output, code frames and stack positions as under node", async (pool, laneKind, laneName) => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon(VITEST, ['run', '--config', 'default-reporter.config.mjs', `--pool=${pool}`], VITEST_SUITE);
		expect(node.code).toBe(1);
		// The failing assertion's position, its code frame's caret under `toBe`, and a helper's throw after an await with the test's frame below it.
		expect(node.stderr).toContain(' ❯ bank.spec.ts:11:19\n');
		expect(node.stderr).toContain('     11|   expect(balance).toBe(40);\n       |                   ^\n');
		expect(node.stderr).toContain(' ❯ loadAccount accounts.ts:10:30\n');
		expect(node.stderr).toContain(' ❯ bank.spec.ts:15:3\n');
		expect(withoutTimings(asyncmon)).toEqual(withoutTimings(node));
		const tests = testTasks(report, 'bank.spec.ts');
		expect(tests.map(({test, under}) => [test.location, test.state, under])).toEqual([
			['bank.spec.ts:5:25', 'finished', ['loadAccount("ann") accounts.ts:8:8']],
			['bank.spec.ts:9:29', 'failed', ['transfer("al", "bob", 5) accounts.ts:14:8']],
			['bank.spec.ts:14:33', 'failed', ['loadAccount("ghost") accounts.ts:8:8']],
		]);
		expect(taskNamed(report, 'loadAccount("ghost")')).toMatchObject({state: 'failed', error: {message: 'no account named ghost', location: 'accounts.ts:10:30'}});
		const lane = tests[0]!.lane;
		expect(tests.every(test => test.lane === lane)).toBe(true);
		// Ended: vitest stops a fork with SIGTERM, and terminates a thread (its lane sends what it holds first).
		expect(lane).toMatchObject({kind: laneKind, endMs: expect.any(Number), name: expect.stringMatching(laneName)});
	});
});

const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');

/** vitest's report of durations and its start time, which differ from run to run. */
function withoutTimings(outcome: Outcome): Outcome {
	const steady = (text: string) => text.replace(/\d+(\x1b\[2m)?ms/g, 'Nms').replace(/(Start at|Duration) .*/g, '$1 …');
	return {...outcome, stdout: steady(outcome.stdout), stderr: steady(outcome.stderr)};
}

/**
 * The async test callbacks (anonymous functions, named by the call of `it` they were given to) of one test file, in the order of their lines: each with the
 * tasks it started (name and location) and the lane (a followed process or a worker thread) it ran in.
 */
function testTasks(report: SessionReport, file: string) {
	const byId = new Map(report.tasks.map(task => [task.id, task]));
	const laneOf = (task: ReportTask): ReportTask => (task.kind === 'process' || task.kind === 'worker' ? task : laneOf(byId.get(task.parentId!)!));
	return report.tasks
		.filter(task => /^<it '.*' callback>\(\)$/.test(task.name) && task.location?.startsWith(`${file}:`))
		.sort((a, b) => Number(a.location!.split(':')[1]) - Number(b.location!.split(':')[1]))
		.map(test => ({
			test,
			lane: laneOf(test),
			under: report.tasks
				.filter(task => task.parentId === test.id && task.kind === 'task')
				.map(task => `${task.name} ${task.location}`)
				.sort(),
		}));
}
