import {expect, it} from 'vitest';
import {computeInsights, type Insight} from '../../source/model/insights.js';
import {recordApp, recordedLines, recordRun} from '../helpers/recorded.js';

it('counts as retries only the requests a task repeated after a failure, and gives a backoff loop no Promise.all advice', async () => {
	const {result, state} = await recordRun(['retries.mjs']);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('succeeded after 2 retries');
	const failures = computeInsights(state).filter((insight): insight is Extract<Insight, {finding: 'failures'}> => insight.kind === 'http' && insight.finding === 'failures');
	const flakyHost = new URL([...state.nodes.values()].find(node => node.http?.url.endsWith('/flaky'))!.http!.url).host;
	const byHost = (flaky: boolean) => failures.find(insight => (insight.host === flakyHost) === flaky);
	// Three probes, one request each: first attempts, not retries.
	expect(byHost(false)).toMatchObject({requests: 3, failures: 3, retries: 0});
	expect(byHost(true)).toMatchObject({requests: 3, failures: 2, retries: 2});
	// The retry loop's awaits wait on each other's outcome: no Promise.all advice for it. (main()'s three probes of the
	// closed port, awaited one after another, are independent: on a loaded machine, where each takes a few ms, advice
	// for main() is right, and is not what this asserts.)
	expect(computeInsights(state).filter(insight => insight.kind === 'sequential-awaits' && insight.taskName !== 'main()')).toEqual([]);
	expect(result.stdout).not.toMatch(/withRetry\(\) awaited/);
});

it("counts the busy time of a worker's async tasks as its own", async () => {
	const {result, state, report} = await recordRun(['worker-steps.mjs']);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('steps 4 4');
	const steps = report.tasks.filter(task => task.name.startsWith('step('));
	expect(steps).toHaveLength(8);
	const stepsBusyMs = steps.reduce((total, task) => total + task.busyMs, 0);
	const workers = report.tasks.filter(task => task.kind === 'worker');
	// The workers' own top levels did next to nothing: the work is in their steps.
	expect(workers.reduce((total, worker) => total + worker.busyMs, 0)).toBeLessThan(stepsBusyMs / 4);
	const [parallelism] = computeInsights(state).filter(insight => insight.kind === 'parallelism');
	expect(parallelism).toMatchObject({workers: 2});
	expect(parallelism!.busyMs).toBeGreaterThanOrEqual(stepsBusyMs);
	expect(result.stdout).toMatch(/→ 2 worker threads computed for/);
	// Each worker awaited its steps one after another; they compute on its one thread, so together they would gain nothing.
	expect(computeInsights(state).filter(insight => insight.kind === 'sequential-awaits')).toEqual([]);
});

it("says the script's process.exit() cut off the tasks still waiting, and where it was called, not that they hung", async () => {
	const {result, state, file} = await recordRun(['exit-cuts-off.cjs']);
	expect(result.code).toBe(3);
	expect(result.stdout).toContain('giving up');
	expect(recordedLines(file).find(line => line.type === 'script.exit')).toMatchObject({code: 3, exitCall: {site: 'exit-cuts-off.cjs:11:11'}});
	const [cutOff] = computeInsights(state).filter(insight => insight.kind === 'never-settled');
	expect(cutOff).toMatchObject({exitCall: {site: 'exit-cuts-off.cjs:11:11'}});
	expect(cutOff!.pending.map(task => task.name)).toEqual(['main()', 'slowJob(1)', 'slowJob(2)']);
	expect(result.stdout).toContain('→ process.exit() at exit-cuts-off.cjs:11 cut off 3 tasks still waiting: main() was waiting on 2 tasks at exit-cuts-off.cjs:17;');
	expect(result.stdout).not.toContain('never settled');
});

it('finishes the task that called process.exit(), in the summary and the report: it was running, not cut off', async () => {
	const {result, report} = await recordApp([
		'const sleep = ms => new Promise(r => setTimeout(r, ms))',
		'async function background () { await sleep(5000) }',
		'async function shutdown () {',
		'  background().catch(() => {})',
		'  await sleep(50)',
		"  console.log('exiting')",
		'  process.exit(0)',
		'}',
		'shutdown()',
	]);
	expect(result.code).toBe(0);
	const states = Object.fromEntries(report.tasks.map(task => [task.name, task.state]));
	expect(states).toMatchObject({'shutdown()': 'finished', 'background()': 'pending'});
	// Its end is told where it came, after its output, as any task's is.
	expect(result.stdout).toMatch(/exiting\n\[ *\d+\.\d+s\] ✔ done {3}shutdown\(\) in \d+ms: process\.exit\(\) ended it app\.js:7:11\n── asyncmon ──/);
	expect(result.stdout).toContain('→ process.exit() at app.js:7 cut off 1 task still waiting: background() was waiting on timer 5.00s');
});

it('leaves the tasks of a process that ran out of work as never settled: nothing called process.exit()', async () => {
	const {result, state, file} = await recordRun(['runs-dry.mjs']);
	expect(result.code).toBe(0);
	expect(recordedLines(file).find(line => line.type === 'script.exit')).not.toHaveProperty('exitCall');
	expect(state.exitCall).toBeNull();
	expect(result.stdout).toContain('→ 1 task never settled before the process exited: main() was waiting on a promise at runs-dry.mjs:3.');
	expect(result.stdout).not.toContain('cut off');
});

it('gives no Promise.all advice for awaits that need what an earlier one gave: through a variable, a value carried round a loop, a cursor', async () => {
	// No-semicolon CommonJS, as a user wrote it; only independent() may be told to start its awaits together.
	const {result, state} = await recordApp([
		'const sleep = ms => new Promise(r => setTimeout(r, ms))',
		'async function getUser (id) { await sleep(30); return { id, orgId: id * 10 } }',
		'async function getOrg (orgId) { await sleep(30); return { orgId } }',
		'async function fetchPage (c) { await sleep(30); return { next: (c ?? 0) < 2 ? (c ?? 0) + 1 : null } }',
		'async function tick (n) { await sleep(30); return n + 1 }',
		'async function indirect () { const user = await getUser(1); const orgId = user.orgId; return getOrg(orgId) }',
		'async function carried () { let n = 0; for (let i = 0; i < 3; i++) n = await tick(n); return n }',
		'async function paged () {',
		'  let cursor = null',
		'  const pages = []',
		'  do {',
		'    const page = await fetchPage(cursor)',
		'    pages.push(page)',
		'    cursor = page.next',
		'  } while (cursor)',
		'  return pages.length',
		'}',
		'async function independent () { const a = await getUser(4); const b = await getOrg(5); return [a, b] }',
		'Promise.all([indirect(), carried(), paged(), independent()]).then(r => console.log(JSON.stringify(r.slice(1, 3))))',
	]);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('[3,3]');
	const advised = computeInsights(state).flatMap(insight => (insight.kind === 'sequential-awaits' ? [insight.taskName] : []));
	expect(advised).toEqual(['independent()']);
	expect(result.stdout).toMatch(/→ independent\(\) awaited 2 operations in sequence/);
	expect(result.stdout).not.toMatch(/→ (indirect|carried|paged)\(\) awaited/);
});

it('counts a loop over what an earlier await gave from its first turn: the list it needs is no operation it could start with them', async () => {
	// The N+1 of a handler: the posts, then a query per post.
	const {result, state} = await recordApp([
		'const sleep = ms => new Promise(r => setTimeout(r, ms))',
		'async function posts () { await sleep(10); return [1, 2, 3, 4, 5, 6].map(id => ({ id })) }',
		'async function count (id) { await sleep(20); return id }',
		'async function totals () {',
		'  let total = 0',
		'  for (const post of await posts()) total += await count(post.id)',
		'  return total',
		'}',
		'totals().then(total => console.log(total))',
	]);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('21');
	const [advice] = computeInsights(state).filter(insight => insight.kind === 'sequential-awaits');
	expect(advice).toMatchObject({taskName: 'totals()', operations: 6});
	expect(result.stdout).toMatch(/→ totals\(\) awaited 6 operations in sequence/);
});

it('counts the waits of tasks that started others: three jobs that each await a helper, then sleep, read 3×, not 0×', async () => {
	const {result, report} = await recordApp([
		'const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));',
		'async function helper() { await sleep(1); }',
		'async function job() { await helper(); await sleep(200); await sleep(200); }',
		'Promise.all([job(), job(), job()]).then(() => console.log("jobs done"));',
	]);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('jobs done');
	// No job is a leaf once its helper started, but each slept 400 ms of its own: about 1.2 s over about 0.4 s.
	expect(report.summary.activeTimeMs).toBeGreaterThan(1200);
	expect(report.summary.concurrency).toBeGreaterThanOrEqual(2.5);
	expect(result.stdout).toMatch(/→ 6 tasks ran or waited \S+ in all, not counting their waits on each other, in \S+: concurrency (2\.[5-9]|3\.[0-9])×/);
});

it("counts a burst's awaits of Promise.resolve() as time ready, not waiting: 2,000 handlers of one synchronous burst read about 1×, not 1,000×", async () => {
	const {result, report} = await recordApp([
		"const {EventEmitter} = require('node:events')",
		'const bus = new EventEmitter()',
		'const seen = []',
		'async function store (n) { await Promise.resolve(); seen.push(n) }',
		"bus.on('message', n => { store(n) })",
		'const started = Date.now()',
		"for (let n = 0; n < 2000; n++) { bus.emit('message', n); while (Date.now() - started < n / 20) {} }",
		'setTimeout(() => console.log("stored", seen.length), 10)',
	]);
	expect(result.stdout).toContain('stored 2000');
	// The burst spun for 100 ms; each call was ready at once and resumed only after it.
	const stores = report.tasks.filter(task => task.name.startsWith('store('));
	expect(stores.length).toBeGreaterThan(0);
	for (const store of stores) expect(store.waitMs).toBeLessThan(store.schedDelayMs + 1);
	expect(stores.some(store => store.schedDelayMs > 50)).toBe(true);
	expect(report.summary.concurrency).toBeLessThan(2);
});
