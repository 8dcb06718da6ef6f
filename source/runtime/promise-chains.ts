import {type AnyNode, isFunction, someChild} from './ast.js';

/** The methods that make a promise settling after the one they are called on. */
const CHAINING_METHODS = new Set(['then', 'catch', 'finally']);

/** Globals whose calls start no work of their own: a callback may call them and still start nothing. */
const INERT_GLOBALS = new Set(['clearTimeout', 'clearInterval', 'clearImmediate', 'console', 'JSON', 'Math', 'Number', 'String', 'Boolean', 'parseInt', 'parseFloat']);

/**
 * `x.then(f)`, `x.catch(f)`, `x.finally(f)` (on anything but `super`) whose callbacks start nothing (see startsNothing):
 * the promise the call makes settles once x has, and stands for what x does. A callback that may start work
 * (`.then(r => fetch(r.next))`, `.then(process)`) would make it wait on that too, unseen: such a call is any other.
 */
export function chainsAPromise(call: AnyNode): boolean {
	const callee = call.callee;
	if (callee.type !== 'MemberExpression' || callee.computed || callee.object.type === 'Super' || callee.property.type !== 'Identifier') return false;
	return CHAINING_METHODS.has(callee.property.name) && call.arguments.every(startsNothing);
}

/**
 * A function literal whose body calls nothing but its first parameter's body readers (`r => r.json()`; reading
 * `res => res.data` calls nothing), and a few globals that start no work (`() => clearTimeout(timer)`, `error => {
 * console.error(error); return null }`); makes nothing with `new` but errors, awaits nothing, and holds no function of its own.
 * `null` or `undefined` (`.then(null, f)`) too.
 */
function startsNothing(argument: AnyNode): boolean {
	if ((argument.type === 'Literal' && argument.value === null) || (argument.type === 'Identifier' && argument.name === 'undefined')) return true;
	if (argument.type !== 'ArrowFunctionExpression' && argument.type !== 'FunctionExpression') return false;
	if (argument.async || argument.generator) return false;
	const first = argument.params[0];
	const own = first?.type === 'Identifier' ? first.name : null;
	const starts = (node: AnyNode): boolean => {
		switch (node.type) {
			case 'NewExpression':
				// An error made to be thrown or rejected with (`if (!r.ok) throw new HttpError(r.status)`) starts nothing.
				if (!(node.callee.type === 'Identifier' && ERROR_CLASS.test(node.callee.name))) return true;
				break;
			case 'AwaitExpression':
			case 'YieldExpression':
			case 'TaggedTemplateExpression':
			case 'ImportExpression':
				return true;
			case 'CallExpression':
				if (!callsNothingNew(node, own)) return true;
				break;
			default:
				if (isFunction(node)) return true;
		}
		return someChild(node, starts);
	};
	if (someChild(argument, (child, key) => key !== 'params' && starts(child))) return false;
	// What it returns the promise adopts: a promise held elsewhere (`() => pending`, `r => cache[r.id]`) is waited on too.
	return argument.expression ? givesNothingElse(argument.body, own) : !anyReturn(argument.body, node => !givesNothingElse(node, own));
}

/**
 * A value a callback returns that is no promise held elsewhere: made here (a literal, an object, a sum, a call that
 * passed startsNothing), or read off the callback's own parameter (`res => res.data`), or either of two such.
 */
function givesNothingElse(node: AnyNode, own: string | null): boolean {
	switch (node.type) {
		case 'Identifier':
			return node.name === own || node.name === 'undefined';
		case 'MemberExpression': {
			let base = node;
			while (base.type === 'MemberExpression') base = base.object;
			return base.type === 'Identifier' && base.name === own;
		}
		case 'ConditionalExpression':
			return givesNothingElse(node.consequent, own) && givesNothingElse(node.alternate, own);
		case 'LogicalExpression':
			return givesNothingElse(node.left, own) && givesNothingElse(node.right, own);
		case 'SequenceExpression':
			return givesNothingElse(node.expressions.at(-1), own);
		case 'ParenthesizedExpression':
			return givesNothingElse(node.expression, own);
		case 'ThisExpression':
			return false;
		default:
			return true;
	}
}

/** Whether a return statement of the function body (not of a function inside it: there are none) returns what `bad` says. */
function anyReturn(body: AnyNode, bad: (argument: AnyNode) => boolean): boolean {
	if (body.type === 'ReturnStatement') return body.argument !== null && bad(body.argument);
	return someChild(body, child => anyReturn(child, bad));
}

/** A class of errors, by its name: `Error`, `TypeError`, `HttpError`. */
const ERROR_CLASS = /^[A-Z]\w*Error$|^Error$/;

/** Calls that make a settled promise: `r.ok ? r.json() : Promise.reject(new Error(…))` waits on nothing more. */
const SETTLED_PROMISE = new Set(['resolve', 'reject']);

/** A response's body readers: reading the body is the request's own (its download), nothing new. */
const BODY_READERS = new Set(['json', 'text', 'arrayBuffer', 'blob', 'formData', 'bytes']);

/**
 * A call of one of INERT_GLOBALS (`console.log()`, `JSON.parse()`), `Promise.resolve()` or `Promise.reject()`, or a
 * body reader of the callback's own parameter (`r.json()`). No other method of it: `c.query(sql)`, `error.retry()`
 * start work of their own.
 */
function callsNothingNew(call: AnyNode, own: string | null): boolean {
	let base = call.callee;
	while (base.type === 'MemberExpression') base = base.object;
	if (base.type !== 'Identifier') return false;
	if (INERT_GLOBALS.has(base.name)) return true;
	const callee = call.callee;
	if (base.name === 'Promise' && callee.object === base && !callee.computed && SETTLED_PROMISE.has(callee.property.name)) return true;
	return callee.type === 'MemberExpression' && !callee.computed && callee.object === base && base.name === own && BODY_READERS.has(callee.property.name) && call.arguments.length === 0;
}
