import {expect, it} from 'vitest';
import {underNodeAndAsyncmon} from '../helpers/node-parity.js';
import {dirWithScript} from '../helpers/temp.js';

// puppeteer's and playwright's page.evaluate(fn), vm sandboxes and pools that build a worker from a function's
// source all send a function's text elsewhere to run: it got asyncmon's calls, which failed there with
// `__asyncmon is not defined`.
it("a function's text is the user's own: run from its text in a vm and in another node, it works as under node", async () => {
	const directory = dirWithScript('send-text.js', [
		"const vm = require('node:vm')",
		"const {execFileSync} = require('node:child_process')",
		'async function sumTo(n) {',
		'  let total = 0',
		'  for (let i = 1; i <= n; i++) total += await Promise.resolve(i)',
		'  return total',
		'}',
		"const label = items => items.map(item => String(item).padStart(3, '0')).join(',')",
		'class Counter { async next() { return ++this.count } }',
		'async function main() {',
		"  console.log('vm', await vm.runInNewContext(`(${sumTo})(10)`))",
		"  console.log('node', execFileSync(process.execPath, ['-e', `(${sumTo})(10).then(console.log)`]).toString().trim())",
		"  console.log('label', vm.runInNewContext(`(${label})([1, 22])`))",
		"  console.log(String(Counter))",
		"  console.log(Function.prototype.toString.toString())",
		'}',
		'main()',
	]);
	const {node, asyncmon, report} = await underNodeAndAsyncmon('send-text.js', [], directory);
	expect(node.stdout).toBe(['vm 55', 'node 55', 'label 001,022', 'class Counter { async next() { return ++this.count } }', 'function toString() { [native code] }', ''].join('\n'));
	expect(asyncmon).toEqual(node);
	// Instrumented all the same: main() is a task that waited on the vm's promise.
	expect(report.tasks.filter(task => task.name === 'main()')).toHaveLength(1);
});

it('code with a variable of its own named __asyncmon, at its top level and in an async function, runs as under node', async () => {
	const directory = dirWithScript('app.mjs', [
		'const __asyncmon = {mine: true}',
		'async function shadowed (n) { const __asyncmon = n * 2; await new Promise(r => setTimeout(r, 5)); return __asyncmon + 1 }',
		'console.log(JSON.stringify(__asyncmon), await shadowed(20))',
	]);
	const {node, asyncmon, report} = await underNodeAndAsyncmon('app.mjs', [], directory);
	expect(node.stdout).toBe('{"mine":true} 41\n');
	expect(asyncmon).toEqual(node);
	expect(report.tasks.map(task => task.name)).toContain('shadowed(20)');
});

// JSDoc's `@param` read as a decorator sent the file through esbuild, which reprinted it: injection by parameter
// names (awilix's CLASSIC mode, AngularJS's) got `db2` for `db`, and lines moved.
it("a file with an `@` in its comments or strings is the user's text: parameter names, a function's text and its lines as under node", async () => {
	const directory = dirWithScript('inject.cjs', [
		'// @ts-check',
		"const db = {name: 'db'}",
		"const logger = {name: 'logger'}",
		'/**',
		' * @param {object} db',
		' * @param {object} logger',
		' */',
		'async function makeService(db, logger) { return {db, logger} }',
		"const params = makeService.toString().match(/\\(([^)]*)\\)/)[1].split(',').map(s => s.trim())",
		'const registry = {db, logger}',
		"const handle = 'follow me @asyncmon'",
		'const line = () => new Error().stack.split("\\n")[2].match(/:(\\d+):\\d+\\)?$/)[1]',
		'const where = {a: 1,',
		'  b: line()}',
		'makeService(...params.map(p => registry[p])).then(made => console.log(params.join(), made.db.name, made.logger.name, handle, where.b))',
	]);
	const {node, asyncmon, report} = await underNodeAndAsyncmon('inject.cjs', [], directory);
	expect(node.stdout).toBe('db,logger db logger follow me @asyncmon 14\n');
	expect(asyncmon).toEqual(node);
	expect(report.tasks.filter(task => task.name.startsWith('makeService('))).toHaveLength(1);
});
