import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {taskNamed} from '../helpers/recorded.js';
import {underNodeAndAsyncmon} from '../helpers/node-parity.js';

const PROGRAMS = fileURLToPath(new URL('../fixtures/realworld', import.meta.url));

describe('real programs run as under node', () => {
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
});
