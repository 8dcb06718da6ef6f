import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {underNodeAndAsyncmon} from '../helpers/node-parity.js';
import {runCli, SCRIPTS} from '../helpers/run-cli.js';
import {dirWithScript} from '../helpers/temp.js';

const FOR_AWAIT = join(SCRIPTS, 'for-await');

describe('`for await` loops', () => {
	it('wait at each turn: two readers of child processes’ output block nothing and wait on their streams', async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('readers.mjs', [], FOR_AWAIT);
		expect(node).toEqual({code: 0, stdout: "[ 'a 5', 'b 5' ]\n", stderr: ''});
		expect(asyncmon).toEqual(node);
		// Each loop ran for about a second, nearly all of it waiting for the next chunk (it read as one 1.4 s block).
		// The top level starting two Node processes may itself hold the loop past the threshold on a loaded machine
		// (seen once: 51.5 ms in CI): that is no block of the loops.
		const readers = report.tasks.filter(task => task.name.startsWith('read('));
		expect(readers).toHaveLength(2);
		expect(report.blocks.filter(block => readers.some(reader => reader.id === block.taskId))).toEqual([]);
		const blockedMs = report.blocks.reduce((total, block) => total + block.durationMs, 0);
		expect(blockedMs).toBeLessThan(Math.min(...readers.map(reader => reader.waitMs)) / 10);
		for (const reader of readers) {
			expect(reader.state).toBe('finished');
			expect(reader.waitMs).toBeGreaterThan(700);
			expect(reader.busyMs).toBeLessThan(reader.waitMs / 4);
		}
	});

	it('run as under node in every form: labels, no braces, break, throw, return, sync iterables, and what is not iterable', async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('forms.mjs', [], FOR_AWAIT);
		expect(node.code).toBe(0);
		expect(node.stdout).toContain("TypeError: 42 is not async iterable");
		expect(node.stdout).toContain("Cannot read properties of undefined (reading 'Symbol(Symbol.asyncIterator)')");
		expect(asyncmon).toEqual(node);
		expect(report.tasks.filter(task => task.kind === 'task' && task.state !== 'finished')).toEqual([]);
		expect(report.blocks).toEqual([]);
	});

	it("wait on the iterator's own promise: what the task started before is only probably what settles it", async () => {
		const {node, asyncmon} = await underNodeAndAsyncmon('promised-iterator.mjs', [], FOR_AWAIT);
		expect(node).toEqual({code: 0, stdout: 'got 1\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		const plain = await runCli(['--plain', 'promised-iterator.mjs'], {cwd: FOR_AWAIT});
		expect(plain.stdout).toMatch(/⏸ await {2}main\(\) on probably timer 50ms {2}promised-iterator\.mjs:9:\d+/);
	});

	it("wait on events.on()'s items: the event, known", async () => {
		const {node, asyncmon} = await underNodeAndAsyncmon('events-on.mjs', [], FOR_AWAIT);
		expect(node).toEqual({code: 0, stdout: 'got 1\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		const plain = await runCli(['--plain', 'events-on.mjs'], {cwd: FOR_AWAIT});
		expect(plain.stdout).toMatch(/⏸ await {2}main\(\) on event 'tick' of EventEmitter {2}events-on\.mjs:7:\d+/);
	});
});

// The loop looks up its iterator's return() as it is left early, not as it starts: a cleanup set up once the
// iterator started producing was skipped, and a `return` getter was read by a loop that completed.
it("looks up the iterator's return() as the loop is left, as node does: a late cleanup runs, a getter is read only then", async () => {
	const directory = dirWithScript('late-return.mjs', [
		'const late = {[Symbol.asyncIterator]() { const it = { async next() { it.return = async () => { console.log("cleanup"); return {done: true} }; return {value: 1, done: false} } }; return it }}',
		'async function readOne() { for await (const v of late) { console.log("got", v); break } }',
		'const it = {i: 0, async next() { return {value: this.i, done: this.i++ >= 1} }}',
		'Object.defineProperty(it, "return", { get() { console.log("return read"); return undefined } })',
		'async function readAll() { for await (const v of {[Symbol.asyncIterator]: () => it}) console.log("v", v) }',
		'await readOne()',
		'await readAll()',
		'console.log("done")',
	]);
	const {node, asyncmon} = await underNodeAndAsyncmon('late-return.mjs', [], directory);
	expect(node.stdout).toBe('got 1\ncleanup\nv 0\ndone\n');
	expect(asyncmon).toEqual(node);
});
