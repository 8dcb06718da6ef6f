import {describe, expect, it} from 'vitest';
import {parseProgram} from '../../source/runtime/transform.js';
import {settlingListeners} from '../../source/runtime/settling-listeners.js';

/** The text of each listener found in the `new Promise` of a snippet's first statement. */
function found(code: string): string[] {
	const newPromise = parseProgram(code, 'module').body[0].expression;
	return settlingListeners(newPromise).map(node => code.slice(node.start, node.end));
}

describe('settlingListeners: the listeners of a new Promise executor that settle its promise', () => {
	it('a function literal given to on, once, addListener or a prepend that reads resolve or reject, anywhere in the executor', () => {
		expect(found("new Promise(resolve => bus.once('done', () => resolve()))")).toEqual(['() => resolve()']);
		expect(found("new Promise((ok, fail) => { s.on('data', c => chunks.push(c)); s.on('end', () => ok(chunks)); s.addListener('error', function (e) { fail(e) }) })")).toEqual([
			'() => ok(chunks)',
			'function (e) { fail(e) }',
		]);
		expect(found("new Promise(function (resolve) { if (ready) resolve(); else { bus.prependOnceListener('ready', () => { log(); resolve() }) } })")).toEqual(["() => { log(); resolve() }"]);
	});

	it('none where the executor is no function literal, names no parameter, or its listeners read neither', () => {
		expect(found("new Promise(executor)")).toEqual([]);
		expect(found("new Promise(({resolve}) => bus.on('x', () => resolve()))")).toEqual([]);
		expect(found("new Promise(() => bus.on('x', () => go()))")).toEqual([]);
		expect(found("new Promise(resolve => bus.on('x', handler))")).toEqual([]);
		expect(found("new Promise(resolve => bus.emit('x', () => resolve()))")).toEqual([]);
		expect(found("new Promise(resolve => bus['on']('x', () => resolve()))")).toEqual([]);
	});
});
