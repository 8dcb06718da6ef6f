import {expect, it} from 'vitest';
import {recordRun, taskNamed} from '../helpers/recorded.js';
import {runCli, SCRIPTS} from '../helpers/run-cli.js';
import {underNodeAndAsyncmon} from '../helpers/node-parity.js';
import {dirWithPackage, dirWithScript} from '../helpers/temp.js';

it('a task that returned a promise waits on it, not runs, and a session cut short gives it the times of that wait', async () => {
	const {result, report, file} = await recordRun(['returns-pending.js']);
	expect(result.code).toBe(0);
	expect(result.stdout).toMatch(/⏸ await +wrapped\(\) on timer 5\.00s\n/);
	const wrapped = taskNamed(report, 'wrapped()');
	expect(wrapped.state).toBe('pending');
	expect(wrapped.busyMs).toBeLessThan(50);
	expect(wrapped.waitMs).toBeGreaterThan(250);
	// Its total in the text report is on the tasks' own clock: no less than the wait it holds.
	const text = await runCli(['report', file, '--format', 'text']);
	const row = /^wrapped\(\) +([\d.]+)ms +\S+ +([\d.]+)ms/m.exec(text.stdout);
	expect(row, text.stdout).not.toBeNull();
	expect(Number(row![1])).toBeGreaterThanOrEqual(Number(row![2]));
});

it('an async function that returns a thenable (a query builder) lasts until it settles, and its then() runs once, as under node', async () => {
	const {result, report} = await recordRun(['returns-thenable.cjs']);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('claimed 120 in at least 115 ms; the query ran 1 time(s)\n');
	expect(result.stdout).toMatch(/⏸ await +main\(\) on task #\d+ claim\(120\)/);
	const claim = taskNamed(report, 'claim(120)');
	expect(claim.state).toBe('finished');
	// It ended with the query, not as it returned.
	expect(claim.waitMs).toBeGreaterThan(100);
});

it("reads a thenable's then() once, returned or awaited, as node does: a Proxy's or a getter's reads are the script's to count", async () => {
	const {node, asyncmon} = await underNodeAndAsyncmon('thenable-reads.mjs', [], SCRIPTS);
	expect(node).toEqual({code: 0, stdout: 'return ok then\nawait ok then\n', stderr: ''});
	expect(asyncmon).toEqual(node);
});

it('an async function that returns a thenable settles in the order node settles it: the jobs after it are not moved', async () => {
	const {node, asyncmon} = await underNodeAndAsyncmon('thenable-order.cjs', [], SCRIPTS);
	expect(node.stdout).toBe('thenable then | plain resolved 2 | iife got 2 | t1 | thenable resolved 1 | t2 | counted | t3 | t4\nthen reads 1\n');
	expect(asyncmon).toEqual(node);
});

// `return db.query(…)`'s shape with the script's own function: asyncmon's reaction on the returned promise ended V8's
// async stack trace there, and every `at async` frame above the call was lost. (The module's own frame is left out:
// node names it by its URL, asyncmon's stacks by its path, a documented difference. So are Node's own frames: the
// continuation may run from Node's runNextTicks between timers, asyncmon's flush timer due beside the sleep's, where
// node runs it from processTicksAndRejections: a documented difference too, the README's limits.)
it("an error under a returned call keeps the stack's async frames above it, and a Promise subclass's then() runs once, as under node", async () => {
	const directory = dirWithScript('returns-call.mjs', [
		'const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))',
		"async function fail() { await sleep(1); throw new Error('boom') }",
		'async function passThrough() { return fail() }',
		'const viaArrow = async () => fail()',
		'async function main() { await passThrough() }',
		'async function other() { await viaArrow() }',
		'class Tracked extends Promise { then(resolve, reject) { console.log("then"); return super.then(resolve, reject) } }',
		'async function load() { return Tracked.resolve(42) }',
		'const frames = error => error.stack.split("\\n").filter(line => /^at (async )?\\w+ \\(\\S+returns-call\\.mjs:/.test(line.trim())).map(line => line.trim().split(" (")[0]).join(", ")',
		'await main().catch(error => console.log(frames(error)))',
		'await other().catch(error => console.log(frames(error)))',
		"console.log('loaded', await load())",
		'const slow = async () => { const early = fail(); early.catch(() => {}); await sleep(20); return early }',
		'console.log(await slow().catch(error => error.message))',
	]);
	const {node, asyncmon, report} = await underNodeAndAsyncmon('returns-call.mjs', [], directory);
	expect(node.stdout).toBe(['at fail, at async main', 'at fail, at async other', 'then', 'loaded 42', 'boom', ''].join('\n'));
	expect(asyncmon).toEqual(node);
	// The task that returned the call ends as the call does, failed with its error.
	expect(taskNamed(report, 'passThrough()')).toMatchObject({state: 'failed', error: {message: 'boom'}});
	expect(taskNamed(report, 'slow()')).toMatchObject({state: 'failed'});
});

// `return pRetry(attempt)`: the library made the script's task and gave its own promise, which goes on to another
// attempt when the first fails. The function that returned it read failed at the first attempt's error.
it("a function that returns a retry helper's promise ends as that promise does, not as the first attempt it made", async () => {
	const retry = 'exports.retry = async function retry(fn, n) { for (let i = 1; ; i++) { try { return await fn(i); } catch (e) { if (i >= n) throw e; await new Promise(r => setTimeout(r, 30)); } } };\n';
	const directory = dirWithPackage('tiny-retry', {'index.js': retry});
	dirWithScript(
		'app.js',
		[
			"const {retry} = require('tiny-retry');",
			'const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));',
			"async function attempt(i) { await sleep(20); if (i < 3) throw new Error('flaky ' + i); return 'ok' + i; }",
			'async function viaHelper() { return retry(attempt, 3); }',
			"async function giveUp() { return retry(attempt, 2); }",
			"async function main() { console.log(await viaHelper()); await giveUp().catch(error => console.log('gave up:', error.message)); }",
			'main();',
		],
		directory,
	);
	const {result, report} = await recordRun(['app.js'], {cwd: directory});
	expect(result.code).toBe(0);
	expect(result.stdout.split('\n')).toEqual(expect.arrayContaining(['ok3', 'gave up: flaky 2']));
	const helper = taskNamed(report, 'viaHelper()');
	expect(helper.state).toBe('finished');
	// Three attempts of 20 ms and two pauses of 30 ms: it lasted them all.
	expect(helper.endMs! - helper.startMs).toBeGreaterThanOrEqual(100);
	expect(taskNamed(report, 'giveUp()')).toMatchObject({state: 'failed', error: expect.objectContaining({message: 'flaky 2'})});
	expect(result.stdout).not.toMatch(/✖ failed viaHelper\(\)/);
});
