import {describe, expect, it} from 'vitest';
import type {AnyNode} from '../../source/runtime/ast.js';
import {plainCallsOf} from '../../source/runtime/plain-calls.js';
import {parseProgram} from '../../source/runtime/transform.js';

/** The text of every call of `code`, and whether the transform may leave it bare. */
function bare(code: string): Record<string, boolean> {
	const program = parseProgram(code, 'module');
	const isBare = plainCallsOf(program);
	const calls: Record<string, boolean> = {};
	const visit = (node: AnyNode): void => {
		if (node.type === 'CallExpression') calls[code.slice(node.start, node.end)] = isBare(node);
		for (const value of Object.values(node)) {
			if (Array.isArray(value)) for (const child of value) if (child && typeof child.type === 'string') visit(child);
			if (value && typeof value === 'object' && typeof (value as AnyNode).type === 'string' && value !== node.loc) visit(value as AnyNode);
		}
	};
	visit(program);
	return calls;
}

describe('plain calls: left bare by the transform', () => {
	it('a recursive function, an arrow in another, and one calling them: plain', () => {
		expect(bare('function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\nconst run = () => fib(30);\nrun();')).toEqual({'fib(n - 1)': true, 'fib(n - 2)': true, 'fib(30)': true, 'run()': true});
		expect(bare('export default function outer({n}) { const f = k => (k < 2 ? k : f(k - 1) + f(k - 2)); return f(n); }')).toEqual({'f(k - 1)': true, 'f(k - 2)': true, 'f(n)': true});
	});

	it("JavaScript's own that compute, unless the module names them", () => {
		expect(bare('const t = performance.now(); Math.sqrt(t); Date.now(); JSON.parse("1");')).toEqual({'performance.now()': true, 'Math.sqrt(t)': true, 'Date.now()': true, 'JSON.parse("1")': false});
		expect(bare('const Math = {sqrt: async x => x};\nMath.sqrt(2);')).toEqual({'Math.sqrt(2)': false});
	});

	it('not a function that calls, makes or awaits anything else, nor one that does so through a plain-looking one', () => {
		expect(bare('function load(id) { return fetch(id); }\nfunction twice(id) { return load(id); }\ntwice(1);')).toMatchObject({'load(id)': false, 'twice(1)': false});
		expect(bare('function make() { return new Thing(); }\nmake();')).toMatchObject({'make()': false});
		expect(bare('async function f() { return 1; }\nfunction* g() { yield 1; }\nf(); g();')).toEqual({'f()': false, 'g()': false});
		expect(bare('function h(x = fetch()) { return x; }\nh();')).toMatchObject({'h()': false});
		expect(bare('function k(o) { return o?.run(); }\nk();')).toMatchObject({'k()': false});
	});

	it('not a name bound twice, or assigned again: which function it is, a scope-blind reading cannot say', () => {
		expect(bare('function f() { return 1; }\nfunction g(f) { return f(); }\nf();')).toEqual({'f()': false});
		expect(bare('let f = () => 1;\nf = async () => 2;\nf();')).toEqual({'f()': false});
		expect(bare('import {f} from "x";\nf();')).toEqual({'f()': false});
	});
});
