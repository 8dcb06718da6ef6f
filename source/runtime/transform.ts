import type MagicStringClass from 'magic-string';
import {acorn, MagicString} from './lazy-modules.js';
import {ANONYMOUS, COMPUTED_KEY} from '../protocol/events.js';
import {isSecretParameterName, redactText} from '../protocol/redaction.js';
import {DESTRUCTURED_ARRAY_KEY, DESTRUCTURED_OBJECT_KEY} from './preview.js';
import {type AnyNode, collectNames, isFunction, readsAny, someChild} from './ast.js';
import {plainCallsOf} from './plain-calls.js';
import {chainsAPromise} from './promise-chains.js';
import {settlingCallbacks} from './settling-callbacks.js';

/**
 * The instrumentation transform: every async function (declaration,
 * expression, arrow, method) becomes a task, and every await in it reports
 * when the task suspends and resumes. Names stay as they are, so `this`,
 * `arguments`, return values and exceptions are unchanged; generators and
 * async generators are left alone.
 *
 * For `async function f(a) { body }` the output is, on the same lines:
 *   async function f(a) { const __amT = __am.e(ID, arguments); try { body' }
 *     catch (__amE) { __am.f(__amT, __amE); throw __amE } finally { __am.l(__amT) } }
 * where in body' `await x` is `__am.r(__amT, await __am.w(__amT, x, SITE))`,
 * `return x` is `return __am.ret(__amT, x)`, and every catch and finally
 * clause starts with `__am.c(__amT)` (a rejected await resumes there).
 * `for await (x of y) body` is `{for await (x of __am.fa(__amT, (y), SITE)) { __am.c(__amT); body };__am.c(__amT);}`.
 * A statement that only calls one of the module's own async functions,
 * `load();`, becomes `__am.fl(load(), SITE);`: a promise nobody awaits.
 * Every other call becomes `__am.p(call)` (but calls of the module's plain functions: see plain-calls.ts), a call of a
 * promise's `then`, `catch` or `finally` whose callbacks start nothing, `x.then(r => r.json())`, becomes
 * `__am.pr(x.then(r => r.json()), x)` (`__am.pr((__am.chained = (f())).then(…))` for a receiver not read so simply;
 * its promise stands for what x does: see promise-chains.ts,
 * Tracker.pr), awaited, returned or dropped too, and `new Promise(executor)`
 * becomes `__am.np(__am.m(), new Promise(executor))`: the runtime learns
 * which task or op each promise stands for (see Tracker.p), so an await later
 * knows what it waits on instead of guessing.
 *
 * Each piece inserted is preceded by a comment giving its length (`/*asyncmon:13*\/__am.p(`), so that the user's own text
 * of any function can be had back from its instrumented text (see withoutInstrumentation): a function's
 * `toString()` reads as under node.
 */

export interface FunctionSite {
	name: string;
	/** Generated position of the function, mapped to the original by the caller. */
	line: number;
	column: number;
	/** The positions of its parameters named like a secret (`password`, `apiKey`): their values are never shown. */
	secretParams?: number[];
	/** Its parameters and body call nothing (see callsNothing): no callback can be registered in its task. */
	callsNothing?: true;
	/**
	 * How many parameters it declares, where its code can read no more arguments than that (no rest parameter, no
	 * `arguments`): the arguments its name shows. A caller's extra ones are none of its (a queue library passes
	 * its job's lock token to a processor declared `async function process(job)`).
	 */
	declaredArgs?: number;
	/**
	 * A method or property under a computed key that is no constant (`async [METHOD]()`, `{[name]: async () => …}`):
	 * its name holds COMPUTED_KEY, for the key's value at run time (see Tracker.k), as V8 names the function.
	 */
	keyed?: true;
}

export interface AwaitSite {
	line: number;
	column: number;
	/** The awaited expression reads what an earlier await in the same function gave (see collectCarriers, addLoopCarried). */
	dependent: boolean;
	/** The awaited expression is a call (`await once(bus, 'ready')`): see AwaitMeta.call. */
	call: boolean;
}

/** A statement that calls one of the module's own async functions and drops the promise. */
export interface CallSite {
	line: number;
	column: number;
}

/** Hands out the numeric ids that the instrumented code passes to the runtime. */
export interface SiteRegistry {
	addFunction(site: FunctionSite): number;
	addAwait(site: AwaitSite): number;
	addDroppedCall(site: CallSite): number;
}

export interface TransformInput {
	code: string;
	sourceType: 'module' | 'commonjs';
	/** Top-level awaits belong to the root task (the script). */
	registry: SiteRegistry;
}

export interface TransformOutput {
	/** The parsed input, for callers that need more of it. */
	program: AnyNode;
	code: string;
	magic: MagicStringClass;
	changed: boolean;
}

/** The global through which instrumented code reaches the runtime; a bare global read is as fast as a local after warm-up. */
export const RUNTIME_GLOBAL = '__asyncmon';

/**
 * How code reaches the runtime: by its global's name, or, in code that names it itself (a variable of its own
 * called `__asyncmon` would hide the global from every function under it), through `globalThis`.
 */
export function runtimeIn(code: string): string {
	return code.includes(RUNTIME_GLOBAL) ? `globalThis.${RUNTIME_GLOBAL}` : RUNTIME_GLOBAL;
}
/** Nodes whose statements come in a list, where an empty statement may stand between two. */
const STATEMENT_LISTS: ReadonlySet<string> = new Set(['Program', 'BlockStatement', 'StaticBlock', 'SwitchCase']);
const TASK = '__amT';
const ERR = '__amE';

interface FunctionScope {
	node: AnyNode;
	instrumented: boolean;
	/** Names that hold what an await of this function gave, so far (see collectCarriers, addLoopCarried). */
	awaitedNames: Set<string>;
	/** Names a loop over an awaited value binds (`for (const id of ids)`), and what they are put into: see Tracker.we. */
	entryNames: Set<string>;
	/** The loops over an awaited value the visit is in, innermost last: the id of the first await site in each. */
	entryLoops: Array<{first: number | null}>;
	taskRef: string;
}

/**
 * A script is read with `await` allowed at its top level, which Node then refuses in its own words (see
 * instrument); one that uses `await` as a name, as sloppy code may (`var await = 5`), is read as Node reads it.
 */
export function parseProgram(code: string, sourceType: 'module' | 'script'): AnyNode {
	const parse = (allowAwaitOutsideFunction: boolean): AnyNode =>
		acorn().parse(code, {ecmaVersion: 'latest', sourceType, locations: true, allowHashBang: true, allowAwaitOutsideFunction, allowReturnOutsideFunction: sourceType === 'script'}) as AnyNode;
	if (sourceType === 'module') return parse(false);
	try {
		return parse(true);
	} catch (error) {
		try {
			return parse(false);
		} catch {
			throw error;
		}
	}
}

/**
 * The opening of a call of the runtime's `name` around the script's code: `(__asyncmon.w)(`. V8 names an anonymous
 * function by the calls it is passed through (`pRetry(async () => …)` is `pRetry`'s in a stack trace); a callee
 * in parentheses is a name of its own it leaves out, so the script's stacks read as under node, not
 * `__asyncmon.r.__asyncmon.w.pRetry`. The call's `this` is the runtime all the same.
 */
function runtimeCall(rt: string, name: string): string {
	return `(${rt}.${name})(`;
}

export function instrument(input: TransformInput): TransformOutput {
	const program = parseProgram(input.code, input.sourceType === 'module' ? 'module' : 'script');
	const magic = new (MagicString())(input.code);
	const edit = markedEdits(magic);
	const rt = runtimeIn(input.code);
	let changed = false;

	const scopes: FunctionScope[] = [
		{node: program, instrumented: false, awaitedNames: new Set(), entryNames: new Set(), entryLoops: [], taskRef: `${rt}.root`},
	];
	const classNames: string[] = [];
	/** A `for await` loop under labels, and its outermost label. */
	const loopRoots = new Map<AnyNode, AnyNode>();
	const asyncNames = ownAsyncFunctionNames(program);
	const isBare = plainCallsOf(program);

	/** Where a runtime call was put in front of the script's code: a `(` there may not begin a statement (see openCall). */
	const callOpenings = new Set<number>();
	/** Puts the opening of a runtime call (see runtimeCall) in front of the code at `at`. */
	const openCall = (at: number, name: string, then = ''): void => {
		callOpenings.add(at);
		edit.prependRight(at, runtimeCall(rt, name) + then);
	};
	const current = (): FunctionScope => scopes[scopes.length - 1]!;
	/** Instrumented functions, and a module's top level, whose awaits belong to the root task. */
	const tracksAwaits = (scope: FunctionScope): boolean => scope.instrumented || (scope.node === program && input.sourceType === 'module');

	const visitFunction = (fn: AnyNode, parent: AnyNode | null, visitBody: () => void): void => {
		const instrumented = fn.async === true && fn.generator !== true;
		scopes.push({node: fn, instrumented, awaitedNames: new Set(), entryNames: new Set(), entryLoops: [], taskRef: TASK});
		visitBody();
		scopes.pop();
		if (!instrumented) return;
		changed = true;
		const site: FunctionSite = {name: functionName(fn, parent, classNames[classNames.length - 1]), line: fn.loc!.start.line, column: fn.loc!.start.column};
		const secretParams = secretParameters(fn);
		if (secretParams.length > 0) site.secretParams = secretParams;
		if (callsNothing(fn)) site.callsNothing = true;
		// An arrow has no `arguments`: it is given its parameters (see arrowArguments).
		if (fn.type !== 'ArrowFunctionExpression' && readsOnlyItsParameters(fn)) site.declaredArgs = fn.params.length;
		const key = runtimeKeyOf(fn, parent);
		if (key) site.keyed = true;
		const id = input.registry.addFunction(site);
		// The key, evaluated once where it was, passes through the runtime, which names the site by its value.
		if (key) {
			edit.prependRight(key.start, `${runtimeCall(rt, 'k')}${id},`);
			edit.appendLeft(key.end, ')');
		}
		const args = fn.type === 'ArrowFunctionExpression' ? arrowArguments(fn, rt) : 'arguments';
		const enter = `const ${TASK}=${rt}.e(${id},${args});try{`;
		const exit = `}catch(${ERR}){${rt}.f(${TASK},${ERR});throw ${ERR}}finally{${rt}.l(${TASK})}`;
		if (fn.body.type === 'BlockStatement') {
			insertAtTop(magic, fn.body, enter);
			// Right of children's closings, also when the body is empty.
			edit.prependRight(fn.body.end - 1, exit);
		} else {
			const arrowEnd = input.code.indexOf('=>', fn.params.length ? fn.params[fn.params.length - 1].end : fn.start) + 2;
			edit.prependRight(arrowEnd, `{${enter}return ${runtimeCall(rt, 'ret')}${TASK},`);
			edit.appendLeft(fn.end, `)${exit}}`);
		}
	};

	const visit = (node: AnyNode, parent: AnyNode | null): void => {
		switch (node.type) {
			case 'FunctionDeclaration':
			case 'FunctionExpression':
			case 'ArrowFunctionExpression':
				visitFunction(node, parent, () => {
					for (const param of node.params) visit(param, node);
					// An async arrow's expression body is its return value: `ret` receives it.
					if (node.body.type !== 'BlockStatement' && current().instrumented) unwrapped.add(node.body);
					visit(node.body, node);
				});
				return;
			case 'ClassDeclaration':
			case 'ClassExpression': {
				classNames.push(node.id?.name ?? (parent?.type === 'VariableDeclarator' ? parent.id?.name : undefined) ?? '<class>');
				visitChildren(node);
				classNames.pop();
				return;
			}
			case 'AwaitExpression': {
				const scope = current();
				// Left as written where the await is not tracked either (an async generator's, or a CommonJS file's top
				// level, where Node refuses it and quotes the line: as the user wrote it, not with asyncmon's calls in it).
				unwrapped.add(node.argument);
				visit(node.argument, node);
				if (!tracksAwaits(scope)) return;
				changed = true;
				const dependent = readsAny(node.argument, scope.awaitedNames);
				const loop = scope.entryLoops.at(-1);
				// Needs what the loop goes over, not what a turn before awaited: dependent only as the loop is entered.
				const onEntry = !dependent && loop !== undefined && readsAny(node.argument, scope.entryNames);
				const awaitSite = {
					line: node.loc!.start.line,
					column: node.loc!.start.column,
					call: node.argument.type === 'CallExpression' || (node.argument.type === 'ChainExpression' && node.argument.expression.type === 'CallExpression'),
				};
				const site = input.registry.addAwait({...awaitSite, dependent: dependent || onEntry});
				for (const open of scope.entryLoops) open.first ??= site;
				openCall(node.start, 'r', `${scope.taskRef},`);
				if (onEntry) {
					const inLoop = input.registry.addAwait({...awaitSite, dependent: false});
					openCall(node.argument.start, 'we', `${scope.taskRef},(`);
					edit.appendLeft(node.argument.end, `),${site},${inLoop},${loop.first})`);
				} else {
					openCall(node.argument.start, 'w', `${scope.taskRef},(`);
					edit.appendLeft(node.argument.end, `),${site})`);
				}
				edit.appendLeft(node.end, ')');
				return;
			}
			case 'LabeledStatement': {
				// A labelled `for await` resumes after its outermost label: the label must stay on the loop.
				let labelled = node.body;
				while (labelled.type === 'LabeledStatement') labelled = labelled.body;
				if (labelled.type === 'ForOfStatement' && !loopRoots.has(labelled)) loopRoots.set(labelled, node);
				visitChildren(node);
				return;
			}
			case 'ForStatement':
			case 'WhileStatement':
			case 'DoWhileStatement':
				addLoopCarried(node, current().awaitedNames);
				visitChildren(node);
				return;
			case 'ForInStatement':
				addLoopCarried(node, current().awaitedNames);
				visitEntryLoop(node);
				return;
			case 'ForOfStatement': {
				addLoopCarried(node, current().awaitedNames);
				visitEntryLoop(node);
				const scope = current();
				if (!node.await || !tracksAwaits(scope)) return;
				// `for await (x of y) body` awaits implicitly, each time round and once at the end: the iterable reports
				// each wait as its next() is called, the body resumes, and so does the statement after the loop.
				changed = true;
				const site = input.registry.addAwait({line: node.loc!.start.line, column: node.loc!.start.column, dependent: false, call: false});
				const resume = `${rt}.c(${scope.taskRef});`;
				openCall(node.right.start, 'fa', `${scope.taskRef},(`);
				edit.appendLeft(node.right.end, `),${site},${JSON.stringify(notAsyncIterable(node.right))})`);
				if (node.body.type === 'BlockStatement') {
					edit.appendLeft(node.body.start + 1, resume);
				} else {
					edit.prependRight(node.body.start, `{${resume}`);
					edit.appendLeft(node.body.end, '}');
				}
				const root = loopRoots.get(node) ?? node;
				edit.prependRight(root.start, '{');
				edit.appendLeft(root.end, `;${resume}}`);
				return;
			}
			case 'ReturnStatement': {
				if (current().instrumented && node.argument) unwrapped.add(node.argument);
				visitChildren(node);
				const scope = current();
				if (scope.instrumented && node.argument) {
					changed = true;
					openCall(node.argument.start, 'ret', `${TASK},(`);
					edit.appendLeft(node.argument.end, '))');
				}
				return;
			}
			case 'CatchClause':
			case 'TryStatement': {
				visitChildren(node);
				const scope = current();
				if (!tracksAwaits(scope)) return;
				const block = node.type === 'CatchClause' ? node.body : node.finalizer;
				if (block) {
					changed = true;
					edit.appendLeft(block.start + 1, `${rt}.c(${scope.taskRef});`);
				}
				return;
			}
			case 'ExpressionStatement': {
				if (parent?.type === 'Program' && input.sourceType === 'commonjs' && isExportPlumbing(node.expression)) {
					plumbing++;
					visitChildren(node);
					plumbing--;
					return;
				}
				const call = node.expression;
				const dropped = call.type === 'CallExpression' && callsOwnAsyncFunction(call, asyncNames);
				if (dropped) unwrapped.add(call);
				visitChildren(node);
				if (dropped) {
					changed = true;
					const site = input.registry.addDroppedCall({line: call.loc!.start.line, column: call.loc!.start.column});
					openCall(call.start, 'fl');
					edit.appendLeft(call.end, `,${site})`);
				}
				// A statement that now begins with `(` would continue one before it that ends without a semicolon
				// (`log(x)` on one line, `await y` on the next): in a list of statements, an empty one keeps them apart.
				// Elsewhere (`if (a) await y`) what comes before is `)`, `else`, `do` or a label, and ends nothing.
				if (callOpenings.has(node.start) && parent !== null && STATEMENT_LISTS.has(parent.type)) edit.prependRight(node.start, ';');
				return;
			}
			case 'CallExpression':
				visitChildren(node);
				if (chainsAPromise(node) && !chainLinks.has(node) && !inPlumbing() && !receivesBareCall(node)) wrapChaining(node);
				else if (!leftBare(node)) wrapCall(node);
				collectCarriers(node, current().awaitedNames);
				return;
			case 'ChainExpression':
				for (let link = node.expression; link.type === 'CallExpression' || link.type === 'MemberExpression'; link = link.type === 'CallExpression' ? link.callee : link.object) {
					unwrapped.add(link);
					chainLinks.add(link);
				}
				visitChildren(node);
				if (node.expression.type === 'CallExpression' && !unwrapped.has(node)) wrapCall(node);
				return;
			case 'NewExpression':
				visitChildren(node);
				if (node.callee.type === 'Identifier' && node.callee.name === 'Promise') {
					changed = true;
					openCall(node.start, 'np', `${rt}.m(),`);
					edit.appendLeft(node.end, ')');
					for (const callback of settlingCallbacks(node)) {
						edit.prependRight(callback.start, runtimeCall(rt, 'settling'));
						edit.appendLeft(callback.end, ')');
					}
				}
				return;
			case 'VariableDeclarator':
			case 'AssignmentExpression':
				visitChildren(node);
				collectCarriers(node, current().awaitedNames);
				collectCarriers(node, current().entryNames, readsAny);
				return;
			default:
				visitChildren(node);
		}
	};

	const visitChildren = (node: AnyNode): void => {
		someChild(node, child => void visit(child, node));
	};

	/**
	 * A `for…of` or `for…in` loop: one over what an earlier await gave (`for (const id of ids)`, `ids` awaited) binds
	 * names its awaits need on entering it alone (see the AwaitExpression case, Tracker.we).
	 */
	const visitEntryLoop = (loop: AnyNode): void => {
		const scope = current();
		const overAwaited = carriesAwaited(loop.right, scope.awaitedNames) || readsAny(loop.right, scope.entryNames);
		if (!overAwaited) return visitChildren(loop);
		// Its head first: an await there (`of await posts()`) comes before the loop, as the one it depends on.
		visit(loop.left, loop);
		visit(loop.right, loop);
		collectNames(loop.left.type === 'VariableDeclaration' ? loop.left.declarations[0].id : loop.left, scope.entryNames);
		scope.entryLoops.push({first: null});
		visit(loop.body, loop);
		scope.entryLoops.pop();
	};

	/**
	 * Calls whose value the runtime already receives (an await's, a return's, a dropped call's), and calls on
	 * an optional chain's spine, where a wrapper would end the chain's short-circuit (`a?.b().c`).
	 */
	const unwrapped = new Set<AnyNode>();
	/** Calls and members on an optional chain's spine: a wrapper around one's object would end the chain's short-circuit too. */
	const chainLinks = new Set<AnyNode>();
	/** Inside a CommonJS module's export statement (see isExportPlumbing): its calls stay bare, but in its async functions. */
	let plumbing = 0;
	const inPlumbing = (): boolean => plumbing > 0 && !current().instrumented;
	/** A call left as written: its value already seen, a require(), a test's registration, a plain function's call, or an export statement's. */
	const leftBare = (call: AnyNode): boolean => unwrapped.has(call) || isRequire(call) || registersTest(call) || isBare(call) || inPlumbing();
	const wrapCall = (node: AnyNode): void => {
		changed = true;
		openCall(node.start, 'p');
		edit.appendLeft(node.end, ')');
	};
	/** `plain().then(f)` of a call left bare: a wrapper of the receiver would put asyncmon's text in V8's words for it. */
	const receivesBareCall = (node: AnyNode): boolean => node.callee.object.type === 'CallExpression' && leftBare(node.callee.object);
	/**
	 * `x.then(f)`: the promise the call made goes to the runtime with the value it was called on (see Tracker.pr),
	 * awaited, returned or dropped too: they take what the call gave, which the runtime has to have tagged first. A
	 * receiver read without side effects (`pending`, `this.ready`) is read again as the second argument, so the call
	 * is as written and V8 words a failure of it as under node (`pending.then is not a function`); any other is
	 * handed over as it is evaluated, in parentheses that keep a comma or an assignment in it whole.
	 */
	const wrapChaining = (node: AnyNode): void => {
		changed = true;
		const {object} = node.callee;
		const simple = readsOnly(object);
		// Before the runtime call's opening: one put at the same place later stands in front of it.
		if (!simple) {
			edit.prependRight(object.start, `(${rt}.chained = (`);
			edit.appendLeft(object.end, '))');
		}
		openCall(node.start, 'pr');
		edit.appendLeft(node.end, simple ? `, ${input.code.slice(object.start, object.end)})` : ')');
	};

	visit(program, null);
	return {program, code: changed ? magic.toString() : input.code, magic, changed};
}

/** Names the module gives its own async functions: declarations, variables, methods. */
function ownAsyncFunctionNames(program: AnyNode): Set<string> {
	const names = new Set<string>();
	const visit = (node: AnyNode): void => {
		const fn = node.type === 'VariableDeclarator' || node.type === 'Property' || node.type === 'MethodDefinition' || node.type === 'PropertyDefinition' ? (node.init ?? node.value) : node;
		if (fn && isFunction(fn) && fn.async && !fn.generator) {
			const name = node.id?.name ?? (node.key && !node.computed ? (node.key.name ?? node.key.value) : undefined);
			if (typeof name === 'string') names.add(name);
		}
		someChild(node, child => void visit(child));
	};
	visit(program);
	return names;
}

/**
 * A CommonJS module's statement that calls something with its `exports` (or `module`): the re-exports and named
 * exports compilers write, `__exportStar(require("./impl"), exports)` (tsc, tslib's `tslib_1.__exportStar`),
 * `Object.defineProperty(exports, "alpha", {get…})`, Babel's `Object.keys(_impl).forEach(function (key) {…})`.
 * Node finds an ES module's names for the file by reading its text (cjs-module-lexer): a call in it wrapped would
 * hide them, and `import {alpha} from './index.cjs'` would fail.
 */
function isExportPlumbing(expression: AnyNode): boolean {
	return expression.type === 'CallExpression' && readsAny(expression, EXPORT_NAMES);
}

const EXPORT_NAMES: ReadonlySet<string> = new Set(['exports', 'module']);

/** `require(…)` stays bare: Node's CommonJS export detection reads `module.exports = require(…)` as written. */
function isRequire(call: AnyNode): boolean {
	return call.callee.type === 'Identifier' && call.callee.name === 'require';
}

/** A variable, or a property path off one or off `this` (`pending`, `this.ready`, `job.done`): read twice, nothing runs but a getter. */
function readsOnly(node: AnyNode): boolean {
	if (node.type === 'Identifier' || node.type === 'ThisExpression') return true;
	return node.type === 'MemberExpression' && !node.computed && !node.optional && node.object.type !== 'Super' && readsOnly(node.object);
}

/** The names under which node:test's functions register a test or a hook, and their variants (`test.skip`, `describe.only`). */
const TEST_REGISTRATIONS: ReadonlySet<string> = new Set(['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach']);

/**
 * `test('adds', () => …)`, `describe.only(…)` stay bare: node:test says where a test is from the call's own position,
 * unmapped (`test at sum.test.mjs:3:1`), and a wrapper before it on its line moved its column (`3:46`).
 */
function registersTest(call: AnyNode): boolean {
	let callee = call.callee;
	if (callee.type === 'MemberExpression' && !callee.computed) callee = callee.object;
	return callee.type === 'Identifier' && TEST_REGISTRATIONS.has(callee.name);
}

/** `load()`, `this.load()`, `api.load()` where `load` is one of the module's async functions. */
function callsOwnAsyncFunction(call: AnyNode, names: Set<string>): boolean {
	const callee = call.callee;
	if (callee.type === 'Identifier') return names.has(callee.name);
	if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier') return names.has(callee.property.name);
	return false;
}

function functionName(fn: AnyNode, parent: AnyNode | null, className: string | undefined): string {
	if (fn.id?.name) return fn.id.name;
	if (!parent) return ANONYMOUS;
	const keyName = (key: AnyNode, computed: boolean): string | undefined =>
		computed ? (constantKey(key) ?? wellKnownSymbol(key)) : key.type === 'Identifier' ? key.name : key.type === 'PrivateIdentifier' ? `#${key.name}` : key.type === 'Literal' ? String(key.value) : undefined;
	switch (parent.type) {
		// As V8 names it: `export default async function () {}`, `export default async () => {}`.
		case 'ExportDefaultDeclaration':
			return 'default';
		case 'VariableDeclarator':
			return parent.id.type === 'Identifier' ? parent.id.name : ANONYMOUS;
		case 'AssignmentExpression':
		case 'AssignmentPattern': {
			const left = parent.left;
			if (left.type === 'Identifier') return left.name;
			// A CommonJS module's export itself (a job runner's processor file): as Node's stack names it, not `exports`.
			if (isModuleExports(left)) return 'module.exports';
			if (left.type === 'MemberExpression') return keyName(left.property, left.computed) ?? ANONYMOUS;
			return ANONYMOUS;
		}
		case 'MethodDefinition':
		case 'PropertyDefinition': {
			const name = keyName(parent.key, parent.computed) ?? COMPUTED_KEY;
			return className ? `${className}.${name}` : name;
		}
		case 'Property':
			return keyName(parent.key, parent.computed) ?? (runtimeKeyOf(fn, parent) ? COMPUTED_KEY : ANONYMOUS);
		case 'CallExpression':
		case 'NewExpression':
			return parent.arguments.includes(fn) ? callbackName(parent, fn) : ANONYMOUS;
		default:
			return ANONYMOUS;
	}
}

/** `module.exports`, written as such. */
function isModuleExports(node: AnyNode): boolean {
	return node.type === 'MemberExpression' && !node.computed && node.object.type === 'Identifier' && node.object.name === 'module' && node.property.type === 'Identifier' && node.property.name === 'exports';
}

/** How much of a route or a test's title names a callback: the rest is cut. */
const CALLBACK_LABEL_CHARS = 40;

/**
 * The calls whose first string says what their callback is for: a route's path (`app.get('/users/:id', …)`, Hapi's
 * and Koa's routers alike), an event's name (`ws.on('message', …)`), a test's title (`it('adds', …)`). Any other
 * call's first string may be anything, a password given to `login(password, cb)` among them: its callback is named
 * by the call alone.
 */
const LABELLING_CALLS = new Set([
	...['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'all', 'use', 'route'],
	...['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'addEventListener'],
	...['it', 'test', 'describe', 'suite', 'bench', 'step'],
]);

/**
 * An anonymous function passed to a call, by that call, as `<anonymous>` would not tell one from another: a route's
 * handler `<app.get '/users/:id' callback>`, `<map callback>`, `<Promise callback>`, with the string the call was given
 * first where it says what the callback is for (LABELLING_CALLS). No parentheses: a task's name is its function's up
 * to the first one (see functionName in protocol/function-name.ts).
 */
function callbackName(call: AnyNode, fn: AnyNode): string {
	const callee = calleeText(call.callee);
	if (!callee) return ANONYMOUS;
	const first = call.arguments[0];
	const method = callee.split('.').at(-1)!;
	const written = first && first !== fn && LABELLING_CALLS.has(method) ? constantKey(first) : undefined;
	if (written === undefined || typeof first.value === 'number') return `<${callee} callback>`;
	// A URL's credentials or a token in it go no further than an argument's would (see redaction.ts).
	const label = redactText(written);
	const cut = label.length > CALLBACK_LABEL_CHARS ? `${label.slice(0, CALLBACK_LABEL_CHARS - 1)}…` : label;
	return `<${callee} '${cut}' callback>`;
}

/**
 * `app.get`, `router.route`, `map` (of `[1, 2].map`), `Promise`: the last three names of a plain chain, else the method's
 * alone. Compiled imports call `(0, vitest_1.it)(…)` (TypeScript, vite): the function's own name is the one written.
 */
function calleeText(callee: AnyNode): string | undefined {
	if (callee.type === 'SequenceExpression') {
		const called = callee.expressions.at(-1);
		return called.type === 'MemberExpression' && !called.computed && called.property.type === 'Identifier' ? called.property.name : calleeText(called);
	}
	const names: string[] = [];
	let link = callee;
	for (; link.type === 'MemberExpression' && !link.computed && link.property.type === 'Identifier'; link = link.object) names.unshift(link.property.name);
	if (link.type === 'Identifier') names.unshift(link.name);
	else if (link.type === 'ThisExpression') names.unshift('this');
	else if (names.length === 0) return undefined;
	else return names.at(-1);
	return names.slice(-3).join('.');
}

/** The computed key of a method or property that is `fn`, where only its value at run time names it (see FunctionSite.keyed). */
function runtimeKeyOf(fn: AnyNode, parent: AnyNode | null): AnyNode | undefined {
	const keyed = parent !== null && (parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition' || parent.type === 'Property') && parent.value === fn && parent.computed;
	return keyed && constantKey(parent.key) === undefined && wellKnownSymbol(parent.key) === undefined ? parent.key : undefined;
}

/** A computed key that is a constant, as V8 names the function under it: `['load']`, `[404]`, `` [`save`] ``. */
function constantKey(key: AnyNode): string | undefined {
	if (key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
	if (key.type === 'TemplateLiteral' && key.expressions.length === 0) return key.quasis[0].value.cooked ?? undefined;
	return undefined;
}

/** The positions of a function's parameters whose names mark a secret (see isSecretParameterName). */
function secretParameters(fn: AnyNode): number[] {
	const positions: number[] = [];
	fn.params.forEach((param: AnyNode, position: number) => {
		const named = param.type === 'AssignmentPattern' ? param.left : param;
		if (named.type === 'Identifier' && isSecretParameterName(named.name)) positions.push(position);
	});
	return positions;
}

/** Whether a function's code can read no argument past its parameters: it has no rest parameter and never names `arguments`. */
function readsOnlyItsParameters(fn: AnyNode): boolean {
	// Arrows read their enclosing function's `arguments`; other functions have their own.
	const names = (node: AnyNode): boolean =>
		(node.type === 'Identifier' && node.name === 'arguments') || (!(isFunction(node) && node.type !== 'ArrowFunctionExpression') && someChild(node, names));
	return !fn.params.some((param: AnyNode) => param.type === 'RestElement' || names(param)) && !names(fn.body);
}

/**
 * Whether a function's own code (its parameters and body, not the functions defined in them, which run only when
 * something calls them) calls nothing: no call, `new`, tagged template, `import()`, class (whose static blocks
 * run), nor iteration (`for…of`, spread, array destructuring, which run iterators). Such code cannot register a
 * callback, so its task needs no async context of its own (see Tracker.e): `async get() { return this.value }`.
 * A getter, a Proxy, a coercion (`${obj}`) or a thenable's then() it triggers could still run code; what that
 * code schedules goes to the caller.
 */
function callsNothing(fn: AnyNode): boolean {
	const calls = (node: AnyNode): boolean => CALLING_NODES.has(node.type) || (!isFunction(node) && someChild(node, calls));
	return !fn.params.some(calls) && !calls(fn.body);
}

const CALLING_NODES = new Set([
	'CallExpression',
	'NewExpression',
	'TaggedTemplateExpression',
	'ImportExpression',
	'ClassDeclaration',
	'ClassExpression',
	'ForOfStatement',
	'SpreadElement',
	'ArrayPattern',
	'YieldExpression',
]);

/** A computed key V8 names as written: `[Symbol.asyncDispose]`, `[Symbol.iterator]`; undefined for any other. */
function wellKnownSymbol(key: AnyNode): string | undefined {
	const symbol = key.type === 'MemberExpression' && !key.computed && key.object.type === 'Identifier' && key.object.name === 'Symbol' && key.property.type === 'Identifier';
	return symbol ? `[Symbol.${key.property.name}]` : undefined;
}

/**
 * Arrows have no `arguments`: pass their parameters. A destructured one (`async (_, {id}, {loader}) =>`, as
 * GraphQL resolvers are written) is bound to no name: the runtime's marker for an object or an array stands for
 * it (`{…}`, `[…]` in the call's name), as a preview shows such a value.
 */
function arrowArguments(fn: AnyNode, rt: string): string {
	const marker = (pattern: AnyNode): string => (pattern.type === 'ArrayPattern' ? `${rt}.${DESTRUCTURED_ARRAY_KEY}` : `${rt}.${DESTRUCTURED_OBJECT_KEY}`);
	const parts = fn.params.map((param: AnyNode) => {
		if (param.type === 'Identifier') return param.name;
		if (param.type === 'AssignmentPattern') return param.left.type === 'Identifier' ? param.left.name : marker(param.left);
		if (param.type === 'RestElement') return param.argument.type === 'Identifier' ? `...${param.argument.name}` : marker(param.argument);
		return marker(param);
	});
	return `[${parts.join(',')}]`;
}

/**
 * A piece of instrumentation as it is inserted: behind a comment that says how long it is. Right after a `/` of the
 * user's (`total/Number(n)`, a division), the comment's own `/` would make a line comment of the rest of the line
 * (`total//*asyncmon…`), the program changed without an error: there it is behind a space, and a mark that says so.
 */
function marked(text: string, afterSlash: boolean): string {
	return `${afterSlash ? SPACED_MARK_START : MARK_START}${text.length}${MARK_END}${text}`;
}

const MARK = '/*asyncmon';
const MARK_START = `${MARK}:`;
/** The mark of a piece behind a space (see marked): the space is asyncmon's too. */
const SPACED_MARK_START = ` ${MARK}~`;
const MARK_END = '*/';

/** Inserting through these marks each piece (see marked). */
function markedEdits(magic: MagicStringClass): Pick<MagicStringClass, 'prependRight' | 'appendLeft'> {
	return {
		prependRight: (index, content) => magic.prependRight(index, markedAt(magic, index, content)),
		appendLeft: (index, content) => magic.appendLeft(index, markedAt(magic, index, content)),
	};
}

/** `text` marked for insertion at `index` of the original: behind a space where a `/` of the user's comes right before. */
function markedAt(magic: MagicStringClass, index: number, text: string): string {
	return marked(text, magic.original.charCodeAt(index - 1) === SLASH);
}

const SLASH = '/'.charCodeAt(0);

/**
 * The text of instrumented code with every piece asyncmon inserted taken out again: the user's own (as compiled,
 * for TypeScript), for any part of a file, a function's text as V8 gives it included. A mark is taken as one only
 * where what follows it is a piece of asyncmon's (it names the runtime or a task, or closes one): the same text in
 * a string, a template or a regular expression of the user's stays.
 */
export function withoutInstrumentation(text: string): string {
	let kept = '';
	let from = 0;
	for (let at = text.indexOf(MARK, from); at !== -1; at = text.indexOf(MARK, at + 1)) {
		const kind = text[at + MARK.length];
		// A spaced mark's space is asyncmon's: it goes with the piece.
		const spaced = kind === '~' && at - 1 >= from && text[at - 1] === ' ';
		if (kind !== ':' && !spaced) continue;
		const end = text.indexOf(MARK_END, at + MARK.length + 1);
		const digits = end === -1 ? '' : text.slice(at + MARK.length + 1, end);
		if (!/^\d{1,6}$/.test(digits)) continue;
		const pieceEnd = end + MARK_END.length + Number(digits);
		if (pieceEnd > text.length || !isPiece(text.slice(end + MARK_END.length, pieceEnd))) continue;
		kept += text.slice(from, spaced ? at - 1 : at);
		from = pieceEnd;
		at = pieceEnd - 1;
	}
	return kept + text.slice(from);
}

/** Whether text is one of the pieces the transform inserts: a call of the runtime's, or what closes one (`)`, `),3)`, `}`, `{`). */
function isPiece(text: string): boolean {
	return text.includes(`${RUNTIME_GLOBAL}.`) || text.includes(TASK) || /^[(){};,\d]+$/.test(text) || /^\),\d+,"/.test(text);
}

/**
 * Puts `code` at the top of a function body or program without ending its directive prologue ('use strict'):
 * after the directives, behind a `;` since a directive may end without one (`'use strict'` then a newline).
 */
export function insertAtTop(magic: MagicStringClass, body: AnyNode, code: string): void {
	// A program starts at its first statement (past any hashbang), a function body past its `{`.
	let index = body.type === 'Program' ? (body.body[0]?.start ?? body.end) : body.start + 1;
	let afterDirective = false;
	for (const statement of body.body) {
		if (statement.type !== 'ExpressionStatement' || typeof statement.directive !== 'string') break;
		index = statement.end;
		afterDirective = true;
	}
	// Left of children's openings, also when the body is empty.
	magic.appendLeft(index, markedAt(magic, index, afterDirective ? `;${code}` : code));
}

/**
 * V8's words for a `for await` over something that is not iterable, which the wrapper around the iterable would
 * otherwise change (`__am.fa(...) is not a function…`): the expression as V8 renders it.
 */
function notAsyncIterable(node: AnyNode): string {
	const rendered = renderedForError(node);
	return node.type === 'CallExpression' ? `${rendered} is not a function or its return value is not async iterable` : `${rendered} is not async iterable`;
}

function renderedForError(node: AnyNode): string {
	switch (node.type) {
		case 'Identifier':
		case 'ThisExpression':
			return node.type === 'Identifier' ? node.name : 'this';
		case 'Literal':
			return node.raw;
		case 'MemberExpression':
			return node.computed ? `${renderedForError(node.object)}[...]` : `${renderedForError(node.object)}.${renderedForError(node.property)}`;
		case 'CallExpression':
			return `${renderedForError(node.callee)}(...)`;
		default:
			return '(intermediate value)';
	}
}

/** Whether an await of the enclosing function occurs in this expression (not in nested functions). */
function containsOwnAwait(node: AnyNode): boolean {
	if (node.type === 'AwaitExpression') return true;
	if (isFunction(node)) return false;
	return someChild(node, containsOwnAwait);
}

/** Whether the value holds what an await gave: it awaits, or reads a name that holds what one gave. */
function carriesAwaited(value: AnyNode, names: Set<string>): boolean {
	return containsOwnAwait(value) || readsAny(value, names);
}

/**
 * Adds to `names` what `node` puts an awaited value into: a variable declared or assigned from one (`const user =
 * await getUser(id)`), or from what reads one (`const orgId = user.orgId`, `cursor = page.next`, `const payload =
 * {token}`), and the receiver of a call given one (`results.push(await fetchOne())`, `cache.set(key, user)`).
 * `carries`: what value counts (for a loop's entry names, one that reads them: see visitEntryLoop).
 */
function collectCarriers(node: AnyNode, names: Set<string>, carries = carriesAwaited): void {
	if (node.type === 'VariableDeclarator') {
		if (node.init && carries(node.init, names)) collectNames(node.id, names);
	} else if (node.type === 'AssignmentExpression') {
		if (carries(node.right, names)) collectNames(node.left, names);
	} else if (node.type === 'CallExpression' && node.callee.type === 'MemberExpression') {
		if (node.arguments.some((argument: AnyNode) => carries(argument, names))) collectNames(node.callee, names);
	}
}

/**
 * Adds to `names` what a loop's code puts an awaited value into, anywhere in it (see collectCarriers), until there
 * is nothing more: an await in a loop reads what the turn before assigned (`n = await step(n)`, the cursor of
 * the page before), which reading the loop's text once, in order, has not yet seen assigned when it reaches the
 * await. Nested functions are their own: what they assign is not the loop's.
 */
function addLoopCarried(loop: AnyNode, names: Set<string>): void {
	const visit = (node: AnyNode): void => {
		if (isFunction(node)) return;
		collectCarriers(node, names);
		someChild(node, child => void visit(child));
	};
	for (let size = -1; size !== names.size; ) {
		size = names.size;
		visit(loop);
	}
}

