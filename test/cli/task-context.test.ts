import {expect, it} from 'vitest';
import {recordApp, taskNamed} from '../helpers/recorded.js';

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
