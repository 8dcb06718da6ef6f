import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, realpathSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {taskNamed} from '../helpers/recorded.js';
import {underNodeAndAsyncmon} from '../helpers/node-parity.js';
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

	it("a vitest run of a small suite, vitest's CLI as the script: the same results and exit code 1 for its failing test", async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon(join(ROOT, 'node_modules/vitest/vitest.mjs'), ['run'], VITEST_SUITE);
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
	});
});
