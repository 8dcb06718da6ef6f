import {type AnyNode, collectNames, isFunction, someChild} from './ast.js';

/**
 * Calls the transform can leave bare: their value is never a promise that stands for work asyncmon saw start, so
 * `__am.p(call)` (see Tracker.p) would learn nothing from it, at the cost of a call through the runtime on each:
 * recursive or call-heavy synchronous code (`fib(n - 1) + fib(n - 2)`, a loop reading `performance.now()`) ran
 * twice as long as under node, and its blocks read twice as long.
 *
 * Bare are calls of a module's *plain* functions, and of a few of JavaScript's own that call back into nothing. A
 * function is plain when its name is bound once in the module, to a function that is neither async nor a
 * generator, never assigned again, whose code (its parameters' defaults too) calls nothing but plain functions and
 * those of JavaScript's own, and makes nothing (`new`, a tagged template, a class, `import()`): what it runs, it
 * runs to its end, and starts nothing. Code in a function it defines runs only if called, through a call that has
 * to be plain itself. Names are read without their scopes: a name bound twice (a parameter, another function, an
 * import) is no plain function's.
 */
export function plainCallsOf(program: AnyNode): (call: AnyNode) => boolean {
	const {functions, bound, assigned} = bindingsOf(program);
	const plain = new Set<string>();
	for (const [name, fn] of functions) if (bound.get(name) === 1 && !assigned.has(name) && !fn.async && !fn.generator) plain.add(name);
	const isBare = (call: AnyNode): boolean =>
		(call.callee.type === 'Identifier' && plain.has(call.callee.name)) || ownCall(call.callee, name => bound.has(name));
	// The largest set that holds: a function that calls itself (or its twin) stays plain while nothing else rules it out.
	for (let size = -1; size !== plain.size; ) {
		size = plain.size;
		for (const name of plain) if (!runsPlainly(functions.get(name)!, isBare)) plain.delete(name);
	}
	return isBare;
}

/** Globals whose functions named here only compute, and call back into no code of the script's. */
const OWN_CALLS: ReadonlyMap<string, ReadonlySet<string> | 'all'> = new Map<string, ReadonlySet<string> | 'all'>([
	['Math', 'all'],
	['performance', new Set(['now'])],
	['Date', new Set(['now'])],
	['Number', new Set(['isInteger', 'isFinite', 'isNaN', 'isSafeInteger', 'parseFloat', 'parseInt'])],
	['String', new Set(['fromCharCode', 'fromCodePoint'])],
]);

/** `Math.sqrt(…)`, `performance.now()`: one of JavaScript's own, its global not a name of the module's. */
function ownCall(callee: AnyNode, isBound: (name: string) => boolean): boolean {
	if (callee.type !== 'MemberExpression' || callee.computed || callee.object.type !== 'Identifier' || callee.property.type !== 'Identifier') return false;
	const names = OWN_CALLS.get(callee.object.name);
	return names !== undefined && !isBound(callee.object.name) && (names === 'all' || names.has(callee.property.name));
}

/** What a call of the function runs (not what the functions it defines run: see plainCallsOf) calls or makes nothing but plainly. */
function runsPlainly(fn: AnyNode, isBare: (call: AnyNode) => boolean): boolean {
	const impure = (node: AnyNode): boolean => {
		if (isFunction(node)) return false;
		if (MAKING_NODES.has(node.type)) return true;
		if (node.type === 'CallExpression' && (node.optional || !isBare(node))) return true;
		return someChild(node, impure);
	};
	return !fn.params.some(impure) && !impure(fn.body);
}

/** Nodes that run code other than the function's own, or make what may (a class's static blocks, an import). */
const MAKING_NODES = new Set(['NewExpression', 'TaggedTemplateExpression', 'ImportExpression', 'ClassDeclaration', 'ClassExpression', 'AwaitExpression', 'YieldExpression', 'ChainExpression']);

/** Every name the module binds, how many times, the functions bound to a name, and the names assigned. */
function bindingsOf(program: AnyNode): {functions: Map<string, AnyNode>; bound: Map<string, number>; assigned: Set<string>} {
	const functions = new Map<string, AnyNode>();
	const bound = new Map<string, number>();
	const assigned = new Set<string>();
	const bind = (pattern: AnyNode | null | undefined): void => {
		if (!pattern) return;
		const names = new Set<string>();
		collectNames(pattern, names);
		for (const name of names) bound.set(name, (bound.get(name) ?? 0) + 1);
	};
	const visit = (node: AnyNode): void => {
		switch (node.type) {
			case 'FunctionDeclaration':
				bind(node.id);
				if (node.id) functions.set(node.id.name, node);
				break;
			case 'VariableDeclarator':
				bind(node.id);
				if (node.id.type === 'Identifier' && node.init && isFunction(node.init) && !node.init.id) functions.set(node.id.name, node.init);
				break;
			case 'ClassDeclaration':
			case 'ClassExpression':
			case 'FunctionExpression':
				bind(node.id);
				break;
			case 'CatchClause':
				bind(node.param);
				break;
			case 'ImportSpecifier':
			case 'ImportDefaultSpecifier':
			case 'ImportNamespaceSpecifier':
				bind(node.local);
				break;
			case 'AssignmentExpression':
				if (node.left.type === 'Identifier') assigned.add(node.left.name);
				else if (node.left.type !== 'MemberExpression') collectNames(node.left, assigned);
				break;
			case 'UpdateExpression':
				if (node.argument.type === 'Identifier') assigned.add(node.argument.name);
				break;
		}
		if (isFunction(node)) for (const param of node.params) bind(param);
		someChild(node, child => void visit(child));
	};
	visit(program);
	return {functions, bound, assigned};
}
