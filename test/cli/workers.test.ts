import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {DEMO_SLOW_ENV} from '../../source/demo/catalog.js';
import {computeInsights} from '../../source/model/insights.js';
import {underNodeAndAsyncmon} from '../helpers/node-parity.js';
import {recordedLines, recordRun, taskNamed} from '../helpers/recorded.js';
import {ROOT, SCRIPTS} from '../helpers/run-cli.js';

it('worker threads are lanes of their own, busy in parallel while the main loop stays free', async () => {
	// A quarter of the demo's human pace: two workers crunching 1.5 s, a heartbeat every 250 ms.
	const {result, state, report} = await recordRun([join(ROOT, 'examples/08-worker-threads.ts')], {env: {[DEMO_SLOW_ENV]: '0.25'}});
	expect(result.code).toBe(0);
	const workers = report.tasks.filter(t => t.kind === 'worker');
	expect(workers).toHaveLength(2);
	const main = report.tasks.find(t => t.name === 'main()')!;
	for (const worker of workers) {
		expect(worker.name).toMatch(/^worker thread #\d+$/);
		// Where its code is, as the script's own tasks' locations read: workers of different files read apart.
		expect(worker.location).toBe(main.location!.replace(/08-worker-threads\.ts:\d+:\d+$/, 'cpu.ts:1:1'));
		// Each lane hangs under the task that started its worker.
		expect(worker.parentId).toBe(main.id);
		expect(state.nodes.get(worker.id)!.thread).toBeGreaterThan(0);
		expect(worker.state).toBe('finished');
		expect(worker.busyMs).toBeGreaterThan(1300);
	}
	const [a, b] = workers as [(typeof workers)[0], (typeof workers)[0]];
	const overlap = Math.min(a.endMs!, b.endMs!) - Math.max(a.startMs, b.startMs);
	expect(overlap).toBeGreaterThan(1000);
	expect(report.blocks).toEqual([]);
	expect(result.stdout).toMatch(/main loop: still responsive at 1\.\d\ds/);
});

it('a busy worker is in the stream while it is busy, not only once it is done', async () => {
	const {result, file, report} = await recordRun([join(ROOT, 'examples/08-worker-threads.ts')]);
	expect(result.code).toBe(0);
	const lines = recordedLines(file);
	for (const worker of report.tasks.filter(t => t.kind === 'worker')) {
		const started = lines.findIndex(line => line.type === 'task.start' && line.id === worker.id);
		// The main loop's heartbeat printed after the worker had been busy for a while, read before or after the worker's start.
		const later = lines.findIndex(line => line.type === 'output' && line.t > worker.startMs + 500 && line.t < worker.endMs!);
		expect(started).toBeGreaterThan(-1);
		expect(later).toBeGreaterThan(-1);
		expect(started).toBeLessThan(later);
	}
});

it('a worker that dies of an error ends failed, with its error', async () => {
	const {result, report} = await recordRun(['worker-fails.ts']);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('worker failed: worker broke');
	const worker = report.tasks.find(t => t.kind === 'worker')!;
	expect(worker).toMatchObject({state: 'failed', error: {name: 'Error', message: 'worker broke'}});
	expect(worker.busyMs).toBeGreaterThanOrEqual(250);
	expect(result.stdout).toMatch(/✖ failed\s+worker thread #\d+/);
});

it("a worker's end cuts its tasks short: with its error when it died of one, else saying so; none is left as never settled", async () => {
	const {result, report, state} = await recordRun(['worker-cut-short.mjs']);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('worker error: rejected inside worker');
	expect(result.stdout).toContain('terminated: 1');
	const workers = report.tasks.filter(t => t.kind === 'worker');
	const dying = workers.find(t => t.state === 'failed');
	const stopped = workers.find(t => t !== dying);
	const unsettled = (worker: typeof dying) => report.tasks.filter(t => t.parentId === worker!.id || report.tasks.find(p => p.id === t.parentId)?.parentId === worker!.id).filter(t => t.kind === 'task' && t.state !== 'finished');
	expect(dying).toMatchObject({state: 'failed', error: {message: 'rejected inside worker'}});
	expect(unsettled(dying).map(t => [t.name.replace(/\d+/, 'N'), t.state, t.error?.message])).toEqual([
		['run()', 'failed', 'rejected inside worker'],
		['step(N)', 'failed', 'rejected inside worker'],
	]);
	expect(stopped).toMatchObject({state: 'finished'});
	expect(unsettled(stopped).map(t => [t.name.replace(/\d+/, 'N'), t.state, t.error?.message])).toEqual([
		['run()', 'failed', 'cut short: its worker thread ended before it settled'],
		['step(N)', 'failed', 'cut short: its worker thread ended before it settled'],
	]);
	expect(computeInsights(state).map(insight => insight.kind)).not.toContain('never-settled');
	expect(result.stdout).toMatch(/^4 tasks failed$/m);
});

it("a worker's async functions are tasks under its lane, with their timers", async () => {
	const {result, report} = await recordRun(['worker-tasks.ts']);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('worker says 6');
	const worker = report.tasks.find(t => t.kind === 'worker')!;
	expect(worker.parentId).toBe(report.tasks.find(t => t.name === 'startWorker()')!.id);
	const inWorker = report.tasks.find(t => t.name === 'inWorker()')!;
	expect(inWorker.parentId).toBe(worker.id);
	expect(inWorker.state).toBe('finished');
	const steps = report.tasks.filter(t => t.name.startsWith('step('));
	expect(steps.map(s => s.name).sort()).toEqual(['step(1)', 'step(2)']);
	for (const step of steps) {
		expect(step.parentId).toBe(inWorker.id);
		expect(step.endMs! - step.startMs).toBeGreaterThanOrEqual(19);
		expect(report.tasks.some(t => t.kind === 'timer' && t.parentId === step.id)).toBe(true);
	}
});

describe('a worker made from a string (eval: true) is instrumented like a file worker', () => {
	const EVAL_WORKERS = join(SCRIPTS, 'eval-workers');

	it('a script: its async functions are tasks under its lane, named at [worker eval]:line:col, with their awaits and timers, and it runs as under node', async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('tasks.mjs', [], EVAL_WORKERS);
		// Node runs it as a script named [worker eval], with a CommonJS module's variables and the global `this`.
		// Its import() resolves from the working directory, and says nothing of the vm API asyncmon runs it with.
		expect(node).toEqual({code: 0, stdout: 'eval worker says 6 from [worker eval], object true!\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		const worker = report.tasks.find(t => t.kind === 'worker')!;
		expect(worker.parentId).toBe(taskNamed(report, 'startEvalWorker()').id);
		// Code from a string is in no file.
		expect(worker.location).toBeNull();
		const inWorker = taskNamed(report, 'inEvalWorker()');
		expect(inWorker).toMatchObject({parentId: worker.id, state: 'finished', location: '[worker eval]:9:1'});
		// The import() may be quick enough to be folded, unseen.
		expect(inWorker.awaitSites.map(site => site.site)).toEqual(expect.arrayContaining(['[worker eval]:10:18', '[worker eval]:11:2']));
		const steps = report.tasks.filter(t => t.name.startsWith('step('));
		expect(steps.map(s => s.name).sort()).toEqual(['step(1)', 'step(2)']);
		for (const step of steps) {
			expect(step).toMatchObject({parentId: inWorker.id, location: '[worker eval]:4:1', state: 'finished'});
			expect(step.awaitSites.map(site => site.site)).toEqual(['[worker eval]:5:2']);
			expect(report.tasks.some(t => t.kind === 'timer' && t.parentId === step.id)).toBe(true);
		}
	});

	it('an ES module: its imports, top-level await and async functions, named at [eval1]:line:col, and it runs as under node', async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('module.mjs', [], EVAL_WORKERS);
		// Node runs code with module syntax as the module [eval1], without CommonJS's variables.
		expect(node).toEqual({code: 0, stdout: 'module worker says 1+2 /[eval1] undefined undefined undefined [worker eval] string\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		const worker = report.tasks.find(t => t.kind === 'worker')!;
		// Its top-level await is its lane's root's, as a file module's is.
		expect(worker.awaitSites.map(site => site.site)).toEqual(['[eval1]:9:15']);
		const parts = report.tasks.filter(t => t.name.startsWith('fetchPart('));
		expect(parts.map(p => [p.name, p.parentId, p.location, p.state])).toEqual([
			['fetchPart(1)', worker.id, '[eval1]:4:1', 'finished'],
			['fetchPart(2)', worker.id, '[eval1]:4:1', 'finished'],
		]);
		for (const part of parts) expect(report.tasks.some(t => t.kind === 'timer' && t.parentId === part.id)).toBe(true);
	});

	it('TypeScript, whose types Node strips: its tasks too, and it runs as under node', async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('typescript.mjs', [], EVAL_WORKERS);
		expect(node).toEqual({code: 0, stdout: 'typescript worker says 42\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		const worker = report.tasks.find(t => t.kind === 'worker')!;
		expect(taskNamed(report, 'twice(21)')).toMatchObject({parentId: worker.id, location: '[worker eval]:3:1', state: 'finished'});
	});

	it('one that throws on its first line: the same error output as under node, but for the two frames that run its code', async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('throws-first-line.mjs', [], EVAL_WORKERS);
		expect(node.code).toBe(1);
		expect(asyncmon.code).toBe(node.code);
		expect(asyncmon.stdout).toBe(node.stdout);
		// The line quoted, its caret and the frame read as under node: asyncmon put nothing before them.
		const userFrame = '    at [worker eval]:1:7\n';
		const [head, nodeRest] = node.stderr.split(userFrame) as [string, string];
		expect(head).toContain("[worker eval]:1\nthrow new Error('broken from the first line')\n^\n\nError: broken from the first line\n");
		expect(asyncmon.stderr.startsWith(head + userFrame)).toBe(true);
		// Below it, where Node's own frames follow, the script that runs the code and the line of the stub that ran it.
		const asyncmonRest = asyncmon.stderr.slice(head.length + userFrame.length);
		expect(asyncmonRest).toMatch(/^ {4}at Script\.runInThisContext \(node:vm:\d+:\d+\)\n {4}at \[worker eval\]:3:2\n {4}at runScriptInThisContext \(node:internal\/vm:/);
		expect(nodeRest).toMatch(/^ {4}at runScriptInThisContext \(node:internal\/vm:/);
		const worker = report.tasks.find(t => t.kind === 'worker')!;
		expect(worker).toMatchObject({state: 'failed', error: {name: 'Error', message: 'broken from the first line', location: '[worker eval]:1:7'}});
	});

	it('one that throws on a later line: the same error output as under node, but a frame on a line asyncmon changed names the code by path', async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('throws-later-line.mjs', [], EVAL_WORKERS);
		expect(node.code).toBe(1);
		// Node 22 writes `RangeError [Error]: …`.
		expect(node.stderr).toMatch(/RangeError( \[Error\])?: too many: 3\n {4}at check \(\[worker eval\]:4:27\)\n {4}at run \(\[worker eval\]:9:2\)\n/);
		// Line 9, `check(3)`, carries asyncmon's instrumentation: Node maps the frame back, and writes its source as a path.
		expect(asyncmon).toEqual({...node, stderr: node.stderr.replace('at run ([worker eval]:9:2)', `at run (${join(EVAL_WORKERS, '[worker eval]')}:9:2)`)});
		const run = taskNamed(report, 'run()');
		expect(run).toMatchObject({state: 'failed', location: '[worker eval]:7:1', error: {name: 'RangeError', message: 'too many: 3', location: '[worker eval]:4:27'}});
	});
});

it('a worker given execArgv of its own (Node options it does not inherit) is a lane too, and reads its execArgv as given', async () => {
	const {node, asyncmon, report} = await underNodeAndAsyncmon('worker-exec-argv.mjs', [], SCRIPTS);
	expect(node).toEqual({code: 0, stdout: 'worker execArgv ["--no-warnings"]\n', stderr: ''});
	expect(asyncmon).toEqual(node);
	const worker = report.tasks.find(t => t.kind === 'worker')!;
	expect(worker.parentId).toBe(taskNamed(report, 'startWorker()').id);
	expect(taskNamed(report, 'inWorker()')).toMatchObject({parentId: worker.id, state: 'finished'});
});

it('a worker its parent terminates sends what it holds first: its last tasks are seen, and its lane ends', async () => {
	const {node, asyncmon, report} = await underNodeAndAsyncmon('worker-terminated.mjs', [], SCRIPTS);
	expect(node).toEqual({code: 0, stdout: 'worker answered 42 then exited with 1\n', stderr: ''});
	expect(asyncmon).toEqual(node);
	const worker = report.tasks.find(t => t.kind === 'worker')!;
	expect(worker).toMatchObject({parentId: taskNamed(report, 'askWorker()').id, state: 'finished'});
	expect(taskNamed(report, 'answer()')).toMatchObject({parentId: worker.id, state: 'finished'});
});

it("starting and terminating a worker loads nothing into the script's threads that node does not: no MessageEvent, 40-60 ms of a thread", async () => {
	const {node, asyncmon} = await underNodeAndAsyncmon('worker-message-event.mjs', [], SCRIPTS);
	expect(node).toEqual({code: 0, stdout: 'MessageEvent loaded: in the worker false, in the main thread false\n', stderr: ''});
	expect(asyncmon).toEqual(node);
});

it("a worker thread's busy time is its thread's own: 300 ms on a timer are no part of it, and it never exceeds its life", async () => {
	const {result, report} = await recordRun(['idle-worker.mjs']);
	expect(result.code).toBe(0);
	const [worker] = report.tasks.filter(task => task.kind === 'worker');
	const lifeMs = worker!.endMs! - worker!.startMs;
	expect(lifeMs).toBeGreaterThanOrEqual(300);
	expect(worker!.busyMs).toBeLessThan(lifeMs - 250);
});
