import {expect, it} from 'vitest';
import {underNodeAndAsyncmon} from '../helpers/node-parity.js';
import {recordApp, taskNamed} from '../helpers/recorded.js';
import {dirWithScript} from '../helpers/temp.js';

// A call of an async function that calls nothing runs in its caller's async context (no context of its own is
// entered and left, see Tracker.e): what the caller schedules around it stays the caller's.
it("a callback registered next to a call of a function that calls nothing belongs to the caller, not to the call", async () => {
	const {result, report} = await recordApp([
		'const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))',
		'let cache = 1',
		'async function cached() { return cache }',
		'async function settled(p) { const v = await p; return v + cache }',
		'async function later(n) {',
		'  await cached()',
		'  const pending = settled(sleep(5))',
		'  setTimeout(() => { setTimeout(() => {}, 7 + n) }, 1)',
		'  await pending',
		'  await sleep(20)',
		'}',
		'async function main() {',
		'  await cached()',
		'  await Promise.all([later(1), later(2)])',
		'}',
		'main()',
	]);
	expect(result.code).toBe(0);
	const timerNamed = (name: string) => report.tasks.find(task => task.kind === 'timer' && task.name === name)!;
	// Started by a callback `later(n)` registered after calling `settled()`, which awaits and resumes in between.
	expect(timerNamed('setTimeout 8ms').parentId).toBe(taskNamed(report, 'later(1)').id);
	expect(timerNamed('setTimeout 9ms').parentId).toBe(taskNamed(report, 'later(2)').id);
	const settled = report.tasks.filter(task => task.name.startsWith('settled('));
	expect(settled.map(task => [task.parentId, task.state])).toEqual([
		[taskNamed(report, 'later(1)').id, 'finished'],
		[taskNamed(report, 'later(2)').id, 'finished'],
	]);
	expect(report.tasks.filter(task => task.name === 'cached()')).toHaveLength(3);
});

// Each call enters a context of its own, gives its caller back the caller's at its first await and takes its own
// again as it resumes: what the script's own AsyncLocalStorage holds reads as under node throughout, a value one
// entered in a call's first slice included (that slice is its caller's synchronous code).
it("the script's own AsyncLocalStorage reads as under node, in callers, in calls after they resume, and in their timers", async () => {
	const directory = dirWithScript('als.js', [
		"const {AsyncLocalStorage} = require('node:async_hooks')",
		'const other = new AsyncLocalStorage()',
		'const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))',
		"async function setsContext() { other.enterWith('set inside'); await sleep(1); console.log('inside after await:', other.getStore()) }",
		"async function keepsContext() { await sleep(1); console.log('keeps after await:', other.getStore()); setTimeout(() => console.log('keeps timer:', other.getStore()), 1) }",
		'async function main() {',
		"  other.enterWith('caller')",
		'  const kept = keepsContext()',
		"  console.log('caller after keepsContext():', other.getStore())",
		'  await kept',
		'  const pending = setsContext()',
		"  console.log('caller after setsContext():', other.getStore())",
		'  await pending',
		"  console.log('caller after await:', other.getStore())",
		"  await other.run('run', async () => { await sleep(1); await keepsContext() })",
		"  setTimeout(() => console.log('timer:', other.getStore()), 1)",
		'}',
		'main()',
	]);
	const {node, asyncmon, report} = await underNodeAndAsyncmon('als.js', [], directory);
	expect(node.stdout.split('\n')).toEqual([
		'caller after keepsContext(): caller',
		'keeps after await: caller',
		'caller after setsContext(): set inside',
		'keeps timer: caller',
		'inside after await: set inside',
		'caller after await: set inside',
		'keeps after await: run',
		'keeps timer: run',
		'timer: set inside',
		'',
	]);
	expect(asyncmon).toEqual(node);
	// The timers belong to the calls that set them, the one set after the call resumed too (its sleep's and its own).
	const keeps = report.tasks.filter(task => task.name === 'keepsContext()');
	expect(keeps).toHaveLength(2);
	for (const task of keeps) expect(report.tasks.filter(timer => timer.kind === 'timer' && timer.parentId === task.id && timer.name === 'setTimeout 1ms')).toHaveLength(2);
});
