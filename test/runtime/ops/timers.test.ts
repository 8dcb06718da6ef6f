import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {BlockEndEvent, OpEndEvent, OpStartEvent} from '../../../source/protocol/events.js';
import {recordedLines} from '../../helpers/recorded.js';
import {underNodeAndAsyncmon} from '../../helpers/node-parity.js';
import {runCli, SCRIPTS} from '../../helpers/run-cli.js';
import {tempDir} from '../../helpers/temp.js';

/** A project whose own files sleep through `node:timers/promises` (imported, and required), as does a library it uses. */
function sleepingProject(): string {
	const project = tempDir();
	const file = (path: string, text: string) => {
		mkdirSync(join(project, path, '..'), {recursive: true});
		writeFileSync(join(project, path), text);
	};
	file(
		'node_modules/slow-lib/index.js',
		"const {setTimeout: pause} = require('node:timers/promises');\nexports.settle = async () => { await pause(7); return 'settled'; };\n",
	);
	file('node_modules/slow-lib/package.json', JSON.stringify({name: 'slow-lib', main: 'index.js'}));
	file(
		'naps.cjs',
		[
			"const timers = require('node:timers/promises');",
			"exports.nap = async () => { await timers.setTimeout(11); await timers.scheduler.wait(13); return Object.keys(timers).join(','); };",
			'',
		].join('\n'),
	);
	file(
		'main.mjs',
		[
			"import {setTimeout as sleep} from 'node:timers/promises';",
			"import {createRequire} from 'node:module';",
			"import {settle} from 'slow-lib';",
			"const {nap} = createRequire(import.meta.url)('./naps.cjs');",
			'async function main() { await sleep(5, 0); console.log(await nap(), await settle()); }',
			'await main();',
			'',
		].join('\n'),
	);
	return project;
}

describe('timers', () => {
	it("are ops that end fired or cleared, in each of Node's ways to clear one, and stacks made in their callbacks read as under node", async () => {
		const {node, asyncmon, file} = await underNodeAndAsyncmon('timers.cjs', [], SCRIPTS);
		expect(node.code).toBe(0);
		// The callback as `Timeout._onTimeout`, then Node's own listOnTimeout: no frame of asyncmon's between.
		expect(node.stdout.match(/ {4}at Timeout\._onTimeout \(.*\n {4}at listOnTimeout \(node:internal\/timers/g)).toHaveLength(2);
		expect(asyncmon).toEqual(node);

		const lines = recordedLines(file);
		const timers = lines.filter((line): line is OpStartEvent => line.type === 'op.start' && line.kind === 'timer');
		expect(timers.map(timer => timer.name)).toEqual([...Array.from({length: 5}, () => 'setTimeout 5ms'), 'setInterval 2ms', 'setTimeout 20ms']);
		const ends = new Map(lines.filter((line): line is OpEndEvent => line.type === 'op.end').map(end => [end.id, end]));
		const outcome = (timer: OpStartEvent): string => (ends.get(timer.id)?.cancelled ? 'cleared' : ends.has(timer.id) ? 'fired' : 'open');
		expect(timers.map(outcome)).toEqual(['fired', 'fired', 'cleared', 'cleared', 'cleared', 'cleared', 'fired']);
		const interval = timers[5]!;
		expect(lines.filter(line => line.type === 'op.fire' && line.id === interval.id)).toHaveLength(3);
	});

	it("a loop over node:timers/promises' setInterval: an interval op that fires at each tick and ends as the loop leaves; each wait is on it", async () => {
		const {node, asyncmon, file} = await underNodeAndAsyncmon('interval-iterator.mjs', [], SCRIPTS);
		expect(node).toEqual({code: 0, stdout: 'ticks 3\nstopped AbortError\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		const lines = recordedLines(file);
		const intervals = lines.filter((line): line is OpStartEvent => line.type === 'op.start' && line.kind === 'timer' && line.timer?.repeat === true);
		expect(intervals.map(op => [op.name, op.timer])).toEqual([
			['setInterval 20ms', {delayMs: 20, repeat: true}],
			['setInterval 15ms', {delayMs: 15, repeat: true}],
		]);
		const [ticking, aborted] = intervals;
		expect(lines.filter(line => line.type === 'op.fire' && line.id === ticking!.id)).toHaveLength(3);
		for (const op of [ticking!, aborted!]) expect(lines.find(line => line.type === 'op.end' && line.id === op.id)).toMatchObject({ok: true, cancelled: true});
		const ticker = lines.find(line => line.type === 'task.start' && line.name === 'ticker()') as {id: number};
		const awaits = lines.filter(line => line.type === 'task.await' && line.id === ticker.id);
		expect(awaits.length).toBeGreaterThan(0);
		expect(awaits.every(line => line.type === 'task.await' && line.on.kind === 'op' && line.on.id === ticking!.id)).toBe(true);
	});

	it("the user's own sleeps from node:timers/promises are ops, imported or required (which gets node's module object); a library's are not", async () => {
		const {node, asyncmon, file} = await underNodeAndAsyncmon('main.mjs', [], sleepingProject());
		expect(node).toEqual({code: 0, stdout: 'setTimeout,setImmediate,setInterval,scheduler settled\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		const timers = recordedLines(file).filter((line): line is OpStartEvent => line.type === 'op.start' && line.kind === 'timer');
		expect(timers.map(timer => timer.name)).toEqual(['sleep 5ms', 'sleep 11ms', 'sleep 13ms']);
	});
});

describe('immediates', () => {
	it('a block in a setImmediate callback is the task that scheduled it (a request whose handler runs an immediate later); they run and read as under node', async () => {
		const {node, asyncmon, file} = await underNodeAndAsyncmon('immediates.cjs', [], SCRIPTS);
		expect(node.code).toBe(0);
		// The callback as `Immediate._onImmediate`, then Node's own processImmediate: no frame of asyncmon's between.
		expect(node.stdout).toMatch(/^args 1 2 at Immediate\._onImmediate \(.*immediates\.cjs:7:\d+\) \| at process\.processImmediate \(node:internal\/timers/m);
		expect(node.stdout).not.toContain('never');
		expect(asyncmon).toEqual(node);

		const lines = recordedLines(file);
		const request = lines.find(line => line.type === 'task.start' && line.kind === 'server');
		expect(request).toMatchObject({name: 'GET /work'});
		// The spin's block is the longest: on a loaded machine the first fetch's load of Node's undici may be one too.
		const ends = lines.filter((line): line is BlockEndEvent => line.type === 'block.end');
		const longest = ends.reduce((best, end) => (end.durationMs > best.durationMs ? end : best));
		expect(longest.durationMs).toBeGreaterThanOrEqual(100);
		expect(lines.find(line => line.type === 'block.start' && line.id === longest.id)).toMatchObject({task: (request as {id: number}).id});
	});
});

it("a block in a callback a task scheduled, while the task awaits something else, is the callback's: the task waits on, not its own busy time", async () => {
	const {node, asyncmon, file} = await underNodeAndAsyncmon('callbacks-block-while-task-waits.mjs', [], SCRIPTS);
	expect(node).toEqual({code: 0, stdout: 'done\n', stderr: ''});
	expect(asyncmon).toEqual(node);

	const lines = recordedLines(file);
	const main = lines.find(line => line.type === 'task.start' && line.name === 'main()') as {id: number};
	const timer = lines.find((line): line is OpStartEvent => line.type === 'op.start' && line.name === 'setTimeout 20ms')!;
	const starts = lines.filter(line => line.type === 'block.start');
	expect(starts.map(start => ({task: start.task, callback: start.callback}))).toEqual([
		{task: main.id, callback: {op: null}},
		{task: main.id, callback: {op: timer.id}},
	]);
	const end = lines.find(line => line.type === 'task.end' && line.id === main.id) as {busy: number};
	expect(end.busy).toBeLessThan(50);

	const json = JSON.parse((await runCli(['report', file, '--format', 'json'])).stdout) as {blocks: Array<{startMs: number; taskName: string; callback?: string}>};
	expect(json.blocks.toSorted((a, b) => a.startMs - b.startMs).map(block => [block.taskName, block.callback])).toEqual([
		['main()', 'setImmediate'],
		['main()', 'setTimeout'],
	]);
	// The two blocks are one finding, told by the longer one.
	const report = await runCli(['report', file]);
	expect(report.stdout).toMatch(/spin\(\) in a set(Immediate|Timeout) callback main\(\) scheduled at .*callbacks-block-while-task-waits\.mjs:4 blocked the event loop/);
	expect(report.stdout).not.toMatch(/spin\(\) in main\(\)/);
});

describe('yields to the loop', () => {
	it.each(['setImmediate', 'promises', 'schedulerYield'])(
		"two tasks taking turns through %s: each was ready as it yielded, so the other's turn is its time ready, not its wait",
		async how => {
			const {node, asyncmon, report} = await underNodeAndAsyncmon('yields.mjs', [how], SCRIPTS);
			expect(node).toEqual({code: 0, stdout: 'ab\n', stderr: ''});
			expect(asyncmon).toEqual(node);
			const crunches = report.tasks.filter(task => task.name.startsWith('crunch('));
			expect(crunches).toHaveLength(2);
			for (const task of crunches) {
				// Ten turns of the other's 10 ms: about 100 ms ready; a wait of its own only if a yield was missed.
				expect(task.schedDelayMs).toBeGreaterThan(50);
				expect(task.waitMs).toBeLessThan(task.schedDelayMs / 4);
			}
			// Concurrency is not parallelism: taking turns on one thread reads about 1×, not 2×.
			expect(report.summary.concurrency).toBeLessThan(1.3);
		},
	);
});
