import {describe, expect, it} from 'vitest';
import {parseProgram} from '../../source/runtime/transform.js';
import {settlingCallbacks} from '../../source/runtime/settling-callbacks.js';

/** The text of each callback found in the `new Promise` of a snippet's first statement. */
function found(code: string): string[] {
	const newPromise = parseProgram(code, 'module').body[0].expression;
	return settlingCallbacks(newPromise).map(node => code.slice(node.start, node.end));
}

describe('settlingCallbacks: the callbacks a new Promise executor passes on that settle its promise', () => {
	it("a function literal that reads resolve or reject, passed to an emitter's on, once, addListener or a prepend, or to a listen, anywhere in the executor", () => {
		expect(found("new Promise(resolve => bus.once('done', () => resolve()))")).toEqual(['() => resolve()']);
		expect(found("new Promise((ok, fail) => { s.on('data', c => chunks.push(c)); s.on('end', () => ok(chunks)); s.addListener('error', function (e) { fail(e) }) })")).toEqual([
			'() => ok(chunks)',
			'function (e) { fail(e) }',
		]);
		expect(found("new Promise(function (resolve) { if (ready) resolve(); else { bus.prependOnceListener('ready', () => { log(); resolve() }) } })")).toEqual(["() => { log(); resolve() }"]);
		// Node makes the callback a 'listening' listener.
		expect(found("new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(server)))")).toEqual(['() => resolve(server)']);
	});

	it('none where the executor is no function literal, names no parameter, or its callbacks read neither', () => {
		expect(found("new Promise(executor)")).toEqual([]);
		expect(found("new Promise(({resolve}) => bus.on('x', () => resolve()))")).toEqual([]);
		expect(found("new Promise(() => bus.on('x', () => go()))")).toEqual([]);
		expect(found("new Promise(resolve => bus.on('x', handler))")).toEqual([]);
		expect(found("new Promise(resolve => bus.on('x', () => done()))")).toEqual([]);
		// A request's callback, a timer's: what the executor started is what the promise waits on.
		expect(found("new Promise(resolve => http.get(url, res => resolve(res)))")).toEqual([]);
		expect(found("new Promise((resolve, reject) => setTimeout(() => reject(new Error('timeout')), 50))")).toEqual([]);
		expect(found("new Promise(resolve => bus['on']('x', () => resolve()))")).toEqual([]);
	});
});
