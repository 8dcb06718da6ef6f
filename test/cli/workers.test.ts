import {join} from 'node:path';
import {expect, it} from 'vitest';
import {DEMO_SLOW_ENV} from '../../source/demo/catalog.js';
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
