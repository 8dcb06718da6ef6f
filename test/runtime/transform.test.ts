import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {parse} from 'acorn';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {instrument, RUNTIME_GLOBAL, withoutInstrumentation, type AwaitSite, type CallSite, type FunctionSite} from '../../source/runtime/transform.js';
import {tempDir} from '../helpers/temp.js';
import {unmarked} from '../helpers/unmarked.js';

interface Instrumented {
	code: string;
	changed: boolean;
	functions: FunctionSite[];
	awaits: AwaitSite[];
	droppedCalls: CallSite[];
}

function transform(code: string, sourceType: 'module' | 'commonjs' = 'commonjs'): Instrumented {
	const functions: FunctionSite[] = [];
	const awaits: AwaitSite[] = [];
	const droppedCalls: CallSite[] = [];
	const out = instrument({
		code,
		sourceType,
		registry: {
			addFunction: site => functions.push(site) - 1,
			addAwait: site => awaits.push(site) - 1,
			addDroppedCall: site => droppedCalls.push(site) - 1,
		},
	});
	return {code: out.code, changed: out.changed, functions, awaits, droppedCalls};
}

const names = (code: string, sourceType: 'module' | 'commonjs' = 'commonjs'): string[] => transform(code, sourceType).functions.map(f => f.name);

interface FakeTask {
	id: number;
	fn: number | 'root';
	args: unknown[];
}

type Call =
	| ['e', number, unknown[]]
	| ['w', number, number]
	| ['r', number]
	| ['c', number]
	| ['fa', number, number]
	| ['ret', number]
	| ['f', number, unknown]
	| ['l', number];

/** The smallest runtime the instrumented code can run against: it records each call and passes values through. */
class FakeRuntime {
	readonly calls: Call[] = [];
	readonly root: FakeTask = {id: 0, fn: 'root', args: []};
	private next = 1;

	e(fn: number, args: ArrayLike<unknown>): FakeTask {
		const task = {id: this.next++, fn, args: Array.from(args)};
		this.calls.push(['e', fn, task.args]);
		return task;
	}
	w<T>(task: FakeTask, value: T, site: number): T {
		this.calls.push(['w', task.id, site]);
		return value;
	}
	r<T>(task: FakeTask, value: T): T {
		this.calls.push(['r', task.id]);
		return value;
	}
	c(task: FakeTask): void {
		this.calls.push(['c', task.id]);
	}
	fa<T>(task: FakeTask, iterable: T, site: number): T {
		this.calls.push(['fa', task.id, site]);
		return iterable;
	}
	ret<T>(task: FakeTask, value: T): T {
		this.calls.push(['ret', task.id]);
		return value;
	}
	f(task: FakeTask, error: unknown): void {
		this.calls.push(['f', task.id, error]);
	}
	l(task: FakeTask): void {
		this.calls.push(['l', task.id]);
	}
	/** A call's value, and a new promise, pass through unrecorded: the task calls above are what these tests follow. */
	readonly values: unknown[] = [];
	p<T>(value: T): T {
		this.values.push(value);
		return value;
	}
	m(): number {
		return 0;
	}
	np<T>(_since: number, promise: T): T {
		return promise;
	}
	/** Set by the instrumented code before each call of a promise's `then`, `catch` or `finally` whose value goes to `pr`. */
	chained: unknown = undefined;
	/** What each such call was made on, and what it gave. */
	readonly chains: Array<[receiver: unknown, value: unknown]> = [];
	pr<T>(value: T, receiver: unknown = this.chained): T {
		this.chains.push([receiver, value]);
		this.chained = undefined;
		return value;
	}
	/** The listeners an executor gave an emitter that settle its promise, as the instrumented code hands them over. */
	readonly settlers: unknown[] = [];
	settling<T>(listener: T): T {
		this.settlers.push(listener);
		return listener;
	}
	kinds(): string[] {
		return this.calls.map(call => call[0]);
	}
}

let runtime: FakeRuntime;
beforeEach(() => {
	runtime = new FakeRuntime();
	(globalThis as Record<string, unknown>)[RUNTIME_GLOBAL] = runtime;
});
afterEach(() => {
	delete (globalThis as Record<string, unknown>)[RUNTIME_GLOBAL];
});

/**
 * Runs a CommonJS-style snippet (a sloppy function body that ends with
 * `return {...}`) both as written and instrumented, and hands back both results.
 */
function both<T = any>(code: string): {original: T; instrumented: T; out: Instrumented} {
	const out = transform(code, 'commonjs');
	expect(out.changed).toBe(true);
	const original = new Function(code)() as T;
	const instrumented = new Function(out.code)() as T;
	return {original, instrumented, out};
}

const tmp = tempDir();
let moduleCount = 0;

/** Writes module code to a temporary .mjs and imports it. */
async function importModule(code: string): Promise<Record<string, any>> {
	const file = join(tmp, `m${moduleCount++}.mjs`);
	writeFileSync(file, code);
	return (await import(pathToFileURL(file).href)) as Record<string, any>;
}

async function settle(promise: Promise<unknown>): Promise<{ok: boolean; value: unknown}> {
	try {
		return {ok: true, value: await promise};
	} catch (error) {
		return {ok: false, value: error};
	}
}

describe('instrument: names and positions in the registry', () => {
	it('names declarations, expressions, named expressions and arrows', () => {
		const code = [
			'async function decl() {}', // line 1
			'const expr = async function () {};',
			'const named = async function inner() {};',
			'const arrow = async () => { return 1; };',
			'const short = async x => x;',
			'const object = async () => ({a: 1});',
			'let later; later = async () => 1;',
			'holder.prop = async () => 1;',
			'function withDefault(cb = async () => 1) {}',
			'run(async () => 1);',
		].join('\n');
		const {functions} = transform(code);
		expect(functions.map(f => f.name).sort()).toEqual(
			['decl', 'expr', 'inner', 'arrow', 'short', 'object', 'later', 'prop', 'cb', '<run callback>'].sort(),
		);
		const byName = new Map(functions.map(f => [f.name, f]));
		// Positions are the generated function node's start: line 1-based, column 0-based.
		expect(byName.get('decl')).toEqual({name: 'decl', line: 1, column: 0, callsNothing: true, declaredArgs: 0});
		expect(byName.get('expr')).toEqual({name: 'expr', line: 2, column: 13, callsNothing: true, declaredArgs: 0});
		expect(byName.get('inner')).toEqual({name: 'inner', line: 3, column: 14, callsNothing: true, declaredArgs: 0});
		expect(byName.get('arrow')).toEqual({name: 'arrow', line: 4, column: 14, callsNothing: true});
		expect(byName.get('short')).toEqual({name: 'short', line: 5, column: 14, callsNothing: true});
		expect(byName.get('<run callback>')).toEqual({name: '<run callback>', line: 10, column: 4, callsNothing: true});
	});

	it('names an anonymous function passed to a call by that call, and the route or title it was given with', () => {
		const code = [
			"app.get('/users/:id', async (req, res) => {});",
			"router.route('/a').post(async function (req) {});",
			'[1, 2].map(async n => n);',
			'new Promise(async resolve => resolve(1));',
			"this.server.on('request', async () => {});",
			'a.b.c.d(async () => 1);',
			`it('${'a very long test title that goes on and on'.repeat(2)}', async () => {});`,
			'setTimeout(async () => {}, 10);',
			'emitter.emit(42, async () => {});',
			'handlers[0](async () => {});',
			"(0, vitest_1.it)('runs', async () => {});",
			"it('sync https://ann:pw@db.test/?token=t1', async () => {});",
			"login('hunter2-very-secret', async () => {});",
			'(async () => {})();',
		].join('\n');
		expect(names(code)).toEqual([
			"<app.get '/users/:id' callback>",
			'<post callback>',
			'<map callback>',
			'<Promise callback>',
			"<this.server.on 'request' callback>",
			'<b.c.d callback>',
			// Cut to 40 characters, the last an ellipsis.
			"<it 'a very long test title that goes on and…' callback>",
			'<setTimeout callback>',
			'<emitter.emit callback>',
			'<anonymous>',
			"<it 'runs' callback>",
			// Redacted as an argument would be.
			"<it 'sync https://REDACTED:REDACTED@db.test/…' callback>",
			// Not a route, an event or a title: the string may be a secret, and the name leaves it out.
			'<login callback>',
			'<anonymous>',
		]);
	});

	it('names class methods (static, private, computed, literal keys), class field arrows and object methods', () => {
		const code = [
			'class C {',
			'  async m() {}',
			'  static async s() {}',
			'  async #p() {}',
			'  field = async () => {};',
			'  static sfield = async function () {};',
			'  #pf = async () => 1;',
			'  async [key]() {}',
			'  async "quoted"() {}',
			'  get g() { return 1; }',
			'}',
			'const D = class { async dm() {} };',
			'const E = class Named { async em() {} };',
			'const o = { async om() {}, k: async function () {}, a: async () => 1, [dyn]: async () => 1 };',
		].join('\n');
		const found = names(code);
		expect(found.sort()).toEqual(
			['C.m', 'C.s', 'C.#p', 'C.field', 'C.sfield', 'C.#pf', 'C.<computed>', 'C.quoted', 'D.dm', 'Named.em', 'om', 'k', 'a', '<computed>'].sort(),
		);
	});

	// `async ['load']()` read 'Repo.<computed>(3)' where V8 names it `load` (the fixes' check, names.js).
	it('names a function under a computed key that is a constant as V8 does: a string, a number, a template with no expression', () => {
		const code = ["class Repo { async ['load']() {} async [404]() {} async [`save`]() {} async [`x${y}`]() {} }", "const api = {async ['fetch' + 'Order']() {}}", "api['getUser'] = async function () {}"].join('\n');
		expect(names(code)).toEqual(['Repo.load', 'Repo.404', 'Repo.save', 'Repo.<computed>', '<computed>', 'getUser']);
	});

	// A tester's `async [METHOD]()`, `async [kSecret]()`, `{async ['quad' + 'ruple']()}`: `Store.<computed>` twice and `<anonymous>`.
	it('marks a function under a computed key known only at run time, and passes the key through the runtime where it is evaluated', () => {
		const code = 'class Store { async [METHOD](opts) { await null } }\nconst helpers = {async [`quad${suffix}`](x) { await null }, async [Symbol.iterator]() {}}';
		const out = transform(code);
		expect(out.functions.map(site => [site.name, site.keyed])).toEqual([
			['Store.<computed>', true],
			['<computed>', true],
			['[Symbol.iterator]', undefined],
		]);
		const keys: Array<[number, unknown]> = [];
		const runtime = new Proxy({}, {get: (_, name) => (name === 'k' ? (site: number, key: unknown) => (keys.push([site, key]), key) : (value: unknown) => value)});
		(globalThis as Record<string, unknown>)[RUNTIME_GLOBAL] = runtime;
		const made = new Function('METHOD', 'suffix', `${out.code}; return {store: new Store(), helpers}`)('fetchAll', 'ruple');
		// Evaluated once each, in order, and the keys as they were: the methods are where they would be.
		expect(keys).toEqual([[0, 'fetchAll'], [1, 'quadruple']]);
		expect(typeof made.store.fetchAll).toBe('function');
		expect(typeof made.helpers.quadruple).toBe('function');
	});

	it('notes the positions of parameters named like a secret, defaults included', () => {
		const {functions} = transform('async function login(user, password, {retries}, apiKey = "") {}\nconst f = async (token) => token;\nasync function plain(key, code) {}');
		expect(functions.map(site => [site.name, site.secretParams])).toEqual([
			['login', [1, 3]],
			['f', [0]],
			['plain', undefined],
		]);
	});

	it('marks the functions whose own code calls nothing, which need no async context of their own', () => {
		const callsNothing = (code: string): boolean[] => transform(code).functions.map(site => site.callsNothing === true);
		// Nothing called: arithmetic, property reads, awaits of values, functions defined but not run.
		expect(callsNothing('async function tiny(i) { return i & 1; }')).toEqual([true]);
		expect(callsNothing('const get = async () => cache.value;')).toEqual([true]);
		expect(callsNothing('async function next(p, {a} = {}) { const v = await p; return v + a; }')).toEqual([true]);
		expect(callsNothing('async function later() { return () => setTimeout(tick, 5); }')).toEqual([true]);
		// A call, a `new`, a tagged template or an import() anywhere in its parameters or body, nested blocks too.
		expect(callsNothing('async function a() { if (x) { for (;;) go(); } }')).toEqual([false]);
		expect(callsNothing('async function b(v = make()) { return v; }')).toEqual([false]);
		expect(callsNothing('async function c() { return new Thing(); }')).toEqual([false]);
		expect(callsNothing('async function d() { return tag`x`; }')).toEqual([false]);
		expect(callsNothing('async function e() { return import("x"); }')).toEqual([false]);
		expect(callsNothing('async function f() { return await (() => 1)(); }')).toEqual([false]);
		// Code that runs iterators or a class's static blocks.
		expect(callsNothing('async function g(xs) { for (const x of xs) total += x; }')).toEqual([false]);
		expect(callsNothing('async function h(xs) { return [...xs]; }')).toEqual([false]);
		expect(callsNothing('async function i(xs) { const [first] = xs; return first; }')).toEqual([false]);
		expect(callsNothing('async function j() { return class { static { start(); } }; }')).toEqual([false]);
		// Each function by its own code: an inner async function that calls is marked apart from its caller.
		expect(callsNothing('async function outer() { return async () => fetch(u); }')).toEqual([false, true]);
	});

	it("names a default export `default`, a well-known symbol's method by the symbol and a CommonJS module's export `module.exports`, as V8 does", () => {
		expect(names('export default async function () {}', 'module')).toEqual(['default']);
		expect(names('export default async () => 1;', 'module')).toEqual(['default']);
		expect(names('class Res { async [Symbol.asyncDispose]() {} }\nconst o = { async [Symbol.iterator]() {} };')).toEqual(['Res.[Symbol.asyncDispose]', '[Symbol.iterator]']);
		// A CommonJS module's export itself (a BullMQ processor file), as Node's stack names it; a property of it by its name.
		expect(names('module.exports = async function (job) {};\nmodule.exports.other = async () => 1;\nexports.handler = async () => 2;')).toEqual(['module.exports', 'other', 'handler']);
	});

	it('counts the parameters a function declares where its code can read no other argument: what its name shows', () => {
		const declared = (code: string) => transform(code).functions.map(f => f.declaredArgs);
		expect(declared('async function process(job) { await job.run(); }')).toEqual([1]);
		expect(declared('async function f(a, {b} = {}, [c]) {}')).toEqual([3]);
		expect(declared('async function f(a, ...rest) { await g(rest); }')).toEqual([undefined]);
		expect(declared('async function f(a) { return g(arguments[1]); }')).toEqual([undefined]);
		expect(declared('async function f(a) { return [1].map(() => arguments.length); }')).toEqual([undefined]);
		expect(declared('async function f(a) { return function () { return arguments; }; }')).toEqual([1]);
		// An arrow is given its parameters already.
		expect(declared('const f = async (job) => job;')).toEqual([undefined]);
	});

	it('places methods at their parameter list (acorn starts a method function there)', () => {
		const {functions} = transform('class C {\n  async m() {}\n  static async s() {}\n}');
		expect(functions).toEqual([
			{name: 'C.m', line: 2, column: 9, callsNothing: true, declaredArgs: 0},
			{name: 'C.s', line: 3, column: 16, callsNothing: true, declaredArgs: 0},
		]);
	});

	it('never instruments getters, setters, plain functions, generators or async generators', () => {
		const code = [
			'class C { get x() { return 1; } set x(v) {} m() {} *g() { yield 1; } async *ag() { yield await 1; } }',
			'const o = { get y() { return 2; }, *g() {}, async *ag() { await 1; } };',
			'function plain() { return 1; }',
			'function* gen() { yield 1; }',
			'async function* agen() { const v = await x; yield v; return v; }',
			'const arrow = () => 1;',
		].join('\n');
		const out = transform(code);
		expect(out.changed).toBe(false);
		expect(unmarked(out.code)).toBe(code);
		expect(out.functions).toEqual([]);
		expect(out.awaits).toEqual([]);
	});

	it('leaves generators untouched even inside an instrumented async function', () => {
		const code = 'async function outer() {\n  async function* inner() { try { yield await a; } catch (e) { return e; } }\n  return inner;\n}';
		const out = transform(code);
		expect(out.functions.map(f => f.name)).toEqual(['outer']);
		expect(out.awaits).toEqual([]);
		expect(unmarked(out.code)).toContain('async function* inner() { try { yield await a; } catch (e) { return e; } }');
	});

	it('a getter that returns an async arrow instruments only the arrow', () => {
		expect(names('class C { get later() { return async () => 1; } }')).toEqual(['<anonymous>']);
	});

	it('registers awaits at their positions, and whether each awaits a call directly', () => {
		const {awaits} = transform('async function f() {\n  await a;\n  const b = 1 + await c;\n  await once(bus);\n  await bus?.once();\n}');
		expect(awaits).toEqual([
			{line: 2, column: 2, dependent: false, call: false},
			{line: 3, column: 16, dependent: false, call: false},
			{line: 4, column: 2, dependent: false, call: true},
			{line: 5, column: 2, dependent: false, call: true},
		]);
	});

	describe('whether an await reads what an earlier one gave (its advice must not ask to start them together)', () => {
		const dependent = (code: string, sourceType?: 'module'): boolean[] => transform(code, sourceType).awaits.map(site => site.dependent);

		it('through a variable that took it from another', () => {
			expect(dependent('async function f() {\n const user = await getUser(1);\n const orgId = user.orgId;\n return await getOrg(orgId);\n}')).toEqual([false, true]);
			expect(dependent('async function f() {\n const res = await login();\n const payload = {token: res};\n await save(payload);\n}')).toEqual([false, true]);
			expect(dependent('async function f(cache) {\n const user = await load();\n cache.set(1, user.id);\n await save(cache);\n}')).toEqual([false, true]);
		});

		it('from the turn before, in a loop: a value carried round, a cursor', () => {
			expect(dependent('async function chain() {\n let n = 0;\n for (let i = 0; i < 3; i++) n = await tick(n);\n}')).toEqual([true]);
			const pages = 'async function all() {\n let cursor = null;\n do {\n  const page = await fetchPage(cursor);\n  cursor = page.next;\n } while (cursor);\n}';
			expect(dependent(pages)).toEqual([true]);
			expect(dependent('let n = 0;\nwhile (n < 3) n = await Clock.tick(n);', 'module')).toEqual([true]);
		});

		it('but not a loop whose turns are independent (N+1), nor one that only counts', () => {
			expect(dependent('async function f(ids) {\n const users = [];\n for (const id of ids) users.push(await getUser(id));\n}')).toEqual([false]);
			expect(dependent('async function f(ids) {\n let total = 0;\n for (const id of ids) {\n  const user = await getUser(id);\n  total += user.size;\n }\n}')).toEqual([false]);
			expect(dependent('async function f() {\n let i = 0;\n while (i < 9) { await work(i); i++; }\n}')).toEqual([false]);
		});

		it("a loop over what an earlier await gave: dependent as it is entered, its turns not (a site each, see Tracker.we)", () => {
			const fetched = transform('async function f() {\n const ids = await getIds();\n let total = 0;\n for (const id of ids) total += await work(id);\n}');
			expect(fetched.awaits.map(site => [site.line, site.dependent])).toEqual([
				[2, false],
				[4, true],
				[4, false],
			]);
			expect(unmarked(fetched.code)).toContain(`(${RUNTIME_GLOBAL}.we)(__amT,(work(id)),1,2,1)`);
			// Over an await in the loop's head, and through a value that reads what it binds.
			const overHead = transform('async function f() {\n for (const p of await posts()) {\n  const id = p.id;\n  await count(id);\n }\n}');
			expect(overHead.awaits.map(site => site.dependent)).toEqual([false, true, false]);
			// The head's await is no site of the loop: the loop's first is the one in its body.
			expect(unmarked(overHead.code)).toContain(`(${RUNTIME_GLOBAL}.we)(__amT,(count(id)),1,2,1)`);
			// A list of the script's own: no entry to depend on, one site.
			expect(dependent('async function f() {\n for (const id of [1, 2]) await work(id);\n}')).toEqual([false]);
			// A value carried round the loop stays dependent at every turn.
			expect(dependent('async function f() {\n const ids = await getIds();\n let n = 0;\n for (const id of ids) n = await step(n, id);\n}')).toEqual([false, true]);
		});

		it('not what a nested function assigns', () => {
			expect(dependent('async function f(ids) {\n let last;\n for (const id of ids) {\n  ids.forEach(async x => { last = await get(x); });\n  await use(last);\n }\n}')).toEqual([false, false]);
		});
	});
});

describe('instrument: code that reads as it did', () => {
	// `total/Number(n)`: the mark before the call's piece began with a `/`, and `//` made a line comment of the rest of
	// the line. The program computed something else, with no error (10 instead of 2.5).
	it('keeps a division by a call a division, whatever follows it on the line', () => {
		const {original, instrumented, out} = both<{a: number; b: number; c: string}>(
			"const total = 10; const half = n => n / 2;\nreturn {a: total/Number('4'), b: total/half(4)/2, c: `${total/Number('5')}` + 'x'}",
		);
		expect(original).toEqual({a: 2.5, b: 2.5, c: '2x'});
		expect(instrumented).toEqual(original);
		expect(out.code).toContain('total/ /*asyncmon~');
	});
});

describe('withoutInstrumentation: the user\'s own text back', () => {
	// Every kind of piece the transform inserts, in every kind of function V8 gives the text of.
	const code = [
		'"use strict"',
		'const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))',
		'async function plain(a, {b} = {}) { await sleep(1); try { return await f(a) } catch (e) { g(e) } finally { h() } }',
		'async function directive() { "use strict"; return 1 }',
		'const arrow = async x => x * 2',
		'const object = async () => ({a: await 1})',
		'const loop = async function (items) { outer: for await (const item of items) use(item); for await (const x of list()) { use(x) } for (const y of await list()) await use(y) }',
		'class Service { async get(id) { return this.load(id) } static async make() { load(); return new Service() } async #hidden() { await 1 } get name() { return format(this) } }',
		'const literal = { async "quoted key"() { await 0 }, async [computed()]() { await 0 } }',
		'function syncCaller() { return [1, 2].map(n => n.toString()).join("/") }',
		// The marks' own text in the user's strings, templates and regular expressions stays theirs.
		'async function marksOfTheirOwn(v) { const s = `a /*asyncmon:3*/ b ${await v}`; return ["/*asyncmon:5*/hello", /\\/*asyncmon:3*\\//, `/*asyncmon:1*/`, s] }',
		'async function load() {}',
		// A call right after a division: its piece's mark stands behind a space of asyncmon's.
		'async function ratio(total, n) { return total/count(n) + total/await load() }',
		'module.exports = {plain, directive, arrow, object, loop, Service, literal, syncCaller, marksOfTheirOwn, sleep, load, ratio}',
	].join('\n');

	it("turns any function's instrumented text, as V8 gives it, into the text it had before", () => {
		const original = new Function('module', 'f', 'g', 'h', 'use', 'list', 'computed', 'format', `${code}; return module.exports`)({}, () => 0, () => 0, () => 0, () => 0, () => [], () => 'k', String);
		const out = transform(code);
		// As the runtime does: each call gives back what it wraps, a computed key (`k`, after its site's id) too.
		const runtime = new Proxy({}, {get: (_, name) => (name === 'k' ? (_site: number, key: unknown) => key : (value: unknown) => value)});
		(globalThis as Record<string, unknown>)[RUNTIME_GLOBAL] = runtime;
		const instrumented = new Function('module', 'f', 'g', 'h', 'use', 'list', 'computed', 'format', `${out.code}; return module.exports`)({}, () => 0, () => 0, () => 0, () => 0, () => [], () => 'k', String);
		const texts = (exports: Record<string, any>): string[] => [
			...Object.values(exports).filter(value => typeof value === 'function').map(value => Function.prototype.toString.call(value)),
			Function.prototype.toString.call(exports.Service.prototype.get),
			Function.prototype.toString.call(exports.Service.make),
			Function.prototype.toString.call(Object.getOwnPropertyDescriptor(exports.Service.prototype, 'name')!.get),
			Function.prototype.toString.call(exports.literal['quoted key']),
			Function.prototype.toString.call(exports.literal.k),
		];
		const before = texts(original);
		const after = texts(instrumented);
		// Instrumented indeed, every one but the function that calls nothing and the getter that calls format() alike.
		expect(after.filter(text => text.includes(RUNTIME_GLOBAL)).length).toBeGreaterThan(8);
		expect(after.map(text => withoutInstrumentation(text))).toEqual(before);
		expect(withoutInstrumentation(out.code)).toBe(code);
	});
});

describe('instrument: the dependent flag', () => {
	const flags = (body: string): boolean[] => transform(`async function f() {\n${body}\n}`).awaits.map(a => a.dependent);

	it('marks an await that reads a variable assigned from an earlier await', () => {
		expect(flags('const r = await first(); await second(r);')).toEqual([false, true]);
	});

	it('does not mark independent awaits', () => {
		expect(flags('const a = await first(); const b = await second(); await third(1, 2);')).toEqual([false, false, false]);
	});

	it('follows destructuring patterns, assignments and member targets', () => {
		expect(flags('const {x, y: [z]} = await first(); await second(z);')).toEqual([false, true]);
		expect(flags('let v; v = await first(); await second(v);')).toEqual([false, true]);
		expect(flags('state.value = await first(); await second(state);')).toEqual([false, true]);
		expect(flags('const [a = 1, ...rest] = await first(); await second(rest.length);')).toEqual([false, true]);
	});

	it("follows what went into `this` and into a method call's receiver: a class's token, a list pushed to", () => {
		expect(flags('this.token = await login(); await me({authorization: this.token});')).toEqual([false, true]);
		expect(flags('this.session.user = await login(); await load(this.session.user.id);')).toEqual([false, true]);
		expect(flags('ctx.state.user = await login(); await load(ctx.state.user);')).toEqual([false, true]);
		expect(flags('acc.push(await first()); await second(acc[0].next);')).toEqual([false, true]);
		expect(flags('cache.set(key, await load(key)); await render(cache.get(key));')).toEqual([false, true]);
		// What went into `this` makes no other await dependent; nor does a call that only took the value in passing.
		expect(flags('this.token = await login(); await other(1);')).toEqual([false, false]);
		expect(flags('log(await first()); await second(log);')).toEqual([false, false]);
	});

	it('ignores non-computed property names that only look like the variable', () => {
		expect(flags('const r = await first(); await second({r: 1}, other.r);')).toEqual([false, false]);
		expect(flags('const r = await first(); await second(other[r]);')).toEqual([false, true]);
	});

	it('is per function: an inner function starts with no awaited names', () => {
		const out = transform('async function outer() {\n  const r = await first();\n  async function inner() { await second(r); }\n}');
		expect(out.awaits.map(a => a.dependent)).toEqual([false, false]);
	});

	it('does not mark an await that only reads names assigned without an await', () => {
		expect(flags('const r = compute(); await second(r);')).toEqual([false]);
	});
});

describe('instrument: output shape', () => {
	it('wraps an async function body and routes awaits, returns and catch clauses through the runtime', () => {
		const out = transform('async function f(a) {\n  try {\n    return await g(a);\n  } catch (e) {\n    return 0;\n  }\n}');
		expect(unmarked(out.code)).toContain('const __amT=__asyncmon.e(0,arguments);try{');
		expect(unmarked(out.code)).toContain('return (__asyncmon.ret)(__amT,((__asyncmon.r)(__amT,await (__asyncmon.w)(__amT,(g(a)),0))))');
		expect(unmarked(out.code)).toContain('catch (e) {__asyncmon.c(__amT);');
		expect(unmarked(out.code)).toContain('}catch(__amE){__asyncmon.f(__amT,__amE);throw __amE}finally{__asyncmon.l(__amT)}');
	});

	it('keeps every original line on its line (positions map one to one)', () => {
		const code = 'async function f(a) {\n  await a;\n  return 1;\n}\nconst g = async () => 2;\n';
		const out = transform(code);
		expect(unmarked(out.code).split('\n').length).toBe(code.split('\n').length);
	});

	it('passes arrow parameters instead of `arguments`, with the runtime\'s markers for patterns', () => {
		const out = transform('const f = async (a, b = 1, {c}, [d], {e} = {}, ...rest) => a;');
		expect(unmarked(out.code)).toContain('__asyncmon.e(0,[a,b,__asyncmon.dObject,__asyncmon.dArray,__asyncmon.dObject,...rest])');
		expect(unmarked(transform('const g = async (...[x, y]) => x;').code)).toContain('__asyncmon.e(0,[__asyncmon.dArray])');
	});

	it('leaves a file with no async function unchanged', () => {
		const code = 'const x = 1;\nfunction f() { return x; }\n';
		const out = transform(code);
		expect(out.changed).toBe(false);
		expect(unmarked(out.code)).toBe(code);
	});

	// Guards a fixed bug, where for an empty body `{}`, the enter and exit strings land at the same
	// offset and the exit comes first, producing `{}catch(...)...const __amT=...;try{}`.
	// esbuild prints empty bodies as `{\n}`, which hides this in the preload, but
	// `instrument()` itself must not emit invalid code.
	it('produces valid code for async functions with an empty body `{}`', () => {
		for (const code of ['async function f() {}', 'const g = async () => {};', 'class C { async m() {} }', 'const o = { async m() {} };']) {
			const out = transform(code, 'module');
			expect(() => parse(out.code, {ecmaVersion: 'latest', sourceType: 'module'}), code).not.toThrow();
		}
	});
});

describe('instrument: semantics are unchanged (executed against a fake runtime)', () => {
	it('keeps `this`, `arguments` and return values of declarations, expressions and methods', async () => {
		const {original, instrumented} = both(`
			async function decl(a, b) { return {self: this, count: arguments.length, args: [...arguments], a, b}; }
			const expr = async function (x) { return [this, arguments.length, x]; };
			const obj = { tag: 'obj', async method(x) { return [this.tag, arguments.length, x]; } };
			class K {
				constructor() { this.tag = 'k'; }
				async m(...xs) { return [this.tag, arguments.length, xs]; }
				static async s() { return this.name; }
				async #hidden(v) { return v * 2; }
				callHidden(v) { return this.#hidden(v); }
				field = async () => this.tag;
			}
			return {decl, expr, obj, K};
		`);
		for (const side of [original, instrumented]) {
			const receiver = {r: 1};
			const declResult = await side.decl.call(receiver, 1, 2, 3);
			expect(declResult).toEqual({self: receiver, count: 3, args: [1, 2, 3], a: 1, b: 2});
			expect(declResult.self).toBe(receiver);
			expect(await side.expr.call('ctx', 'x', 'y')).toEqual([Object('ctx'), 2, 'x']);
			expect(await side.obj.method(7)).toEqual(['obj', 1, 7]);
			const k = new side.K();
			expect(await k.m(1, 2)).toEqual(['k', 2, [1, 2]]);
			expect(await side.K.s()).toBe('K');
			expect(await k.callHidden(21)).toBe(42);
			expect(await k.field()).toBe('k');
		}
		// Each instrumented call entered a task with its arguments.
		const entered = runtime.calls.filter(call => call[0] === 'e').map(call => call[2]);
		expect(entered).toEqual([[1, 2, 3], ['x', 'y'], [7], [1, 2], [], [21], []]);
	});

	// V8 names an anonymous function by the calls it goes through: `__asyncmon.r.__asyncmon.w.retry.times` was the
	// script's own stack's frame name (Sentry groups by it), where node says `retry.times`.
	it('names a function passed to a call in stack traces as node does, whatever asyncmon wraps around the call', async () => {
		const {original, instrumented} = both(`
			const retry = fn => { try { fn(); } catch (error) { return error.stack.split('\\n')[1].trim().split(' ')[1]; } };
			async function awaited() { return await retry(() => { throw new Error('x'); }, {times: 0}); }
			async function returned() { return retry(() => { throw new Error('x'); }, {times: 0}); }
			const arrow = async () => retry(() => { throw new Error('x'); }, {times: 0});
			async function called() { const name = retry(() => { throw new Error('x'); }, {times: 0}); return name; }
			return {awaited, returned, arrow, called};
		`);
		for (const name of ['awaited', 'returned', 'arrow', 'called'] as const) {
			expect(await instrumented[name]()).toBe(await original[name]());
		}
		expect(await original.awaited()).toBe('retry.times');
	});

	// "No-semicolon CommonJS": a statement that begins with one of asyncmon's calls must not continue the one before.
	it('keeps statements apart that end without a semicolon, where the next now begins with a runtime call', async () => {
		const {original, instrumented} = both(`
			const log = []
			const g = async () => 2
			async function f(a) {
				log.push(1)
				await g()
				new Promise(resolve => resolve()).then(() => {})
				log.push(3)
				switch (a) {
					case 1:
						log.push(4)
						await g()
				}
				if (a) await g()
				else log.push(5)
				return log.length
			}
			return {f, log}
		`);
		expect(await instrumented.f(1)).toBe(await original.f(1));
		expect(instrumented.log).toEqual(original.log);
	});

	it('keeps lexical `this` and `arguments` in arrows, and passes arrow parameters to the runtime', async () => {
		const {original, instrumented} = both(`
			function outer() {
				const arrow = async (x, y = 5) => [this, arguments.length, arguments[0], x, y];
				const block = async (...rest) => { return [this, rest]; };
				return {arrow, block};
			}
			return {outer};
		`);
		const receiver = {name: 'receiver'};
		for (const side of [original, instrumented]) {
			const {arrow, block} = side.outer.call(receiver, 'outerArg', 'second');
			const result = await arrow(1);
			expect(result).toEqual([receiver, 2, 'outerArg', 1, 5]);
			expect(result[0]).toBe(receiver);
			expect(await block(1, 2)).toEqual([receiver, [1, 2]]);
		}
		expect(runtime.calls.filter(call => call[0] === 'e').map(call => call[2])).toEqual([[1, 5], [1, 2]]);
	});

	it('returns object literals from expression-bodied arrows', async () => {
		const {original, instrumented} = both(`
			const obj = async () => ({a: 1});
			const nested = async x => ({x, inner: {y: [x]}});
			const seq = async () => (1, 2);
			return {obj, nested, seq};
		`);
		for (const side of [original, instrumented]) {
			expect(await side.obj()).toEqual({a: 1});
			expect(await side.nested(3)).toEqual({x: 3, inner: {y: [3]}});
			expect(await side.seq()).toBe(2);
		}
	});

	it('throws and rejects with the same error object, and reports it to the runtime', async () => {
		const {original, instrumented} = both(`
			const error = new Error('boom');
			async function throwsSync() { throw error; }
			async function rejectsAfterAwait() { await null; throw error; }
			async function awaitsRejection() { await Promise.reject(error); return 'unreachable'; }
			async function returnsRejection() { return Promise.reject(error); }
			const arrowThrows = async () => { throw error; };
			return {error, throwsSync, rejectsAfterAwait, awaitsRejection, returnsRejection, arrowThrows};
		`);
		for (const side of [original, instrumented]) {
			for (const fn of ['throwsSync', 'rejectsAfterAwait', 'awaitsRejection', 'returnsRejection', 'arrowThrows']) {
				const outcome = await settle(side[fn]());
				expect(outcome.ok, fn).toBe(false);
				expect(outcome.value, fn).toBe(side.error);
			}
		}
		const failures = runtime.calls.filter(call => call[0] === 'f');
		// returnsRejection returns normally: its task ends through `ret`, not `f`.
		expect(failures.length).toBe(4);
		for (const call of failures) expect(call[2]).toBe(instrumented.error);
		expect(runtime.kinds().filter(kind => kind === 'l').length).toBe(5);
	});

	it('keeps try/catch/finally: a rejected await resumes in the catch clause, finally still runs', async () => {
		const {original, instrumented} = both(`
			const log = [];
			async function f() {
				try {
					log.push('try');
					await Promise.reject(new Error('nope'));
					log.push('not reached');
				} catch (e) {
					log.push('catch ' + e.message);
					return 'from catch';
				} finally {
					log.push('finally');
				}
			}
			async function g() {
				try { return await Promise.resolve('value'); } finally { log.push('g finally'); }
			}
			async function h() {
				try { await Promise.reject(new Error('inner')); } finally { log.push('h finally'); }
			}
			return {f, g, h, log};
		`);
		for (const side of [original, instrumented]) {
			expect(await side.f()).toBe('from catch');
			expect(await side.g()).toBe('value');
			const outcome = await settle(side.h());
			expect(outcome.ok).toBe(false);
			expect((outcome.value as Error).message).toBe('inner');
		}
		expect(instrumented.log).toEqual(original.log);
		expect(original.log).toEqual(['try', 'catch nope', 'finally', 'g finally', 'h finally']);
		// f: e, w (rejected: no r), c in catch, ret, c in finally, l.
		const fCalls = runtime.calls.slice(0, runtime.kinds().indexOf('l') + 1);
		expect(fCalls.map(call => call[0])).toEqual([
			'e',
			'w',
			'c',
			'ret',
			'c',
			'l',
		]);
	});

	it('keeps nested awaits, awaits inside expressions and sequence expressions', async () => {
		const {original, instrumented} = both(`
			const later = v => new Promise(resolve => setTimeout(() => resolve(v), 1));
			async function f(a, b) {
				const sum = a + await later(b);
				const twice = await (await later(later(sum)));
				const seq = await (a, later(b * 10));
				const cond = (await later(false)) ? 'yes' : await later('no');
				const args = Math.max(await later(1), await later(2));
				const arr = [await later('x'), ...(await later(['y', 'z']))];
				let counter = 0;
				counter += await later(5);
				return {sum, twice, seq, cond, args, arr, counter};
			}
			return {f};
		`);
		const expected = {sum: 3, twice: 3, seq: 20, cond: 'no', args: 2, arr: ['x', 'y', 'z'], counter: 5};
		expect(await original.f(1, 2)).toEqual(expected);
		expect(await instrumented.f(1, 2)).toEqual(expected);
		const waits = runtime.calls.filter(call => call[0] === 'w').length;
		const resumes = runtime.calls.filter(call => call[0] === 'r').length;
		expect(waits).toBe(11);
		expect(resumes).toBe(11);
	});

	it('runs await loops and early returns like the original', async () => {
		const {original, instrumented} = both(`
			async function f(items) {
				const out = [];
				for (const item of items) {
					if (item === 'stop') return out;
					out.push(await Promise.resolve(item.toUpperCase()));
				}
				while (out.length < 5) out.push(await 0);
				return out;
			}
			return {f};
		`);
		for (const side of [original, instrumented]) {
			expect(await side.f(['a', 'b', 'stop', 'c'])).toEqual(['A', 'B']);
			expect(await side.f(['a'])).toEqual(['A', 0, 0, 0, 0]);
		}
	});

	it('awaits in an async function nested in another go to the inner task', async () => {
		const {instrumented} = both(`
			async function outer() {
				const inner = async () => { await 1; return 'inner'; };
				return [await inner(), await 2];
			}
			return {outer};
		`);
		expect(await instrumented.outer()).toEqual(['inner', 2]);
		const outerTask = 1;
		const innerTask = 2;
		const waits = runtime.calls.filter(call => call[0] === 'w').map(call => call[1]);
		expect(waits).toEqual([innerTask, outerTask, outerTask]);
	});

	it('keeps generators and async generators working (and untouched) inside instrumented code', async () => {
		const {original, instrumented} = both(`
			async function* ticks(n) { for (let i = 0; i < n; i++) yield await Promise.resolve(i); }
			function* gen() { yield 1; yield 2; }
			async function collect() { const out = [...gen()]; for await (const t of ticks(3)) out.push(t); return out; }
			return {collect};
		`);
		expect(await original.collect()).toEqual([1, 2, 0, 1, 2]);
		expect(await instrumented.collect()).toEqual([1, 2, 0, 1, 2]);
		// Only collect's body is a task: the async generator's awaits are not reported.
		expect(runtime.calls.filter(call => call[0] === 'w')).toEqual([]);
	});

	it('keeps `for await` loops as they were: labels, bodies without braces, break, continue, throw and return', async () => {
		const {original, instrumented} = both(`
			async function* ticks(n, log) { try { for (let i = 0; i < n; i++) yield await Promise.resolve(i); } finally { log.push('closed'); } }
			async function f() {
				const log = [];
				let sum = 0;
				outer: inner: for await (const t of ticks(4, log)) { for (const u of [1, 2]) { if (u === 2) continue outer; if (t === 3) break inner; sum += t * u; } }
				if (sum > 0) for await (const t of [Promise.resolve(10), 20]) sum += t; else sum = -1;
				try { for await (const t of ticks(3, log)) if (t === 1) throw new Error('at ' + t); } catch (error) { log.push(error.message); }
				const early = async () => { for await (const t of ticks(5, log)) if (t === 2) return t * 100; };
				return {sum, log, early: await early()};
			}
			return {f};
		`);
		const expected = {sum: 33, log: ['closed', 'closed', 'at 1', 'closed'], early: 200};
		expect(await original.f()).toEqual(expected);
		expect(await instrumented.f()).toEqual(expected);
		// Four loops, each resuming in its body each time round and once after it.
		expect(runtime.kinds().filter(kind => kind === 'fa')).toHaveLength(4);
	});

	it('reports a returned promise to `ret`, which sees the same promise the caller adopts', async () => {
		const out = transform('const p = Promise.resolve(42);\nasync function f() { return p; }\nreturn {f, p};');
		const seen: unknown[] = [];
		runtime.ret = <T>(_task: FakeTask, value: T): T => {
			seen.push(value);
			return value;
		};
		const exported = new Function(out.code)();
		expect(await exported.f()).toBe(42);
		expect(seen).toEqual([exported.p]);
		expect(seen[0]).toBe(exported.p);
	});

	it('keeps `super` calls in async methods', async () => {
		const {original, instrumented} = both(`
			class A { async hello() { return 'A'; } }
			class B extends A { async hello() { return 'B' + await super.hello(); } }
			return {B};
		`);
		expect(await new original.B().hello()).toBe('BA');
		expect(await new instrumented.B().hello()).toBe('BA');
	});

	// Guards a fixed bug, where the prologue `const __amT=...;try{` is inserted before the body's
	// directive prologue, so `'use strict'` stops being a directive and a
	// sloppy (CommonJS) async function loses strict mode: `this` becomes the
	// global object, assigning to an undeclared name creates a global.
	// esbuild keeps function-level "use strict" in its output, so this reaches
	// real CommonJS scripts.
	it("keeps a function-level 'use strict' directive in effect", async () => {
		const {original, instrumented} = both(`
			async function f() { 'use strict'; return this === undefined; }
			return {f};
		`);
		// Called without a receiver: strict code sees `this === undefined`.
		const originalF = original.f;
		const instrumentedF = instrumented.f;
		expect(await originalF()).toBe(true);
		expect(await instrumentedF()).toBe(true);
	});

	// No-semicolon code (standard style, autocannon's CLI) ends a directive with a newline: code put right
	// behind it (`'use strict'__amT=…`) was a SyntaxError.
	it("keeps a 'use strict' directive that ends without a semicolon in effect, and the code valid", async () => {
		const {original, instrumented} = both(`
			async function f() {
				'use strict'
				return this === undefined
			}
			return {f}
		`);
		const originalF = original.f;
		const instrumentedF = instrumented.f;
		expect(await originalF()).toBe(true);
		expect(await instrumentedF()).toBe(true);
	});
});

describe('instrument: top-level await', () => {
	it('attributes top-level awaits to __asyncmon.root in modules and runs the module', async () => {
		const out = transform('export const value = await Promise.resolve(41) + 1;\nexport async function f() { return await 1; }\n', 'module');
		expect(unmarked(out.code)).toContain('(__asyncmon.r)(__asyncmon.root,await (__asyncmon.w)(__asyncmon.root,(Promise.resolve(41)),0))');
		const mod = await importModule(out.code);
		expect(mod.value).toBe(42);
		expect(runtime.calls).toEqual([
			['w', 0, 0],
			['r', 0],
		]);
	});

	it('does not instrument top-level await outside modules', () => {
		const code = 'const v = await thing;\n';
		const out = transform(code, 'commonjs');
		expect(out.changed).toBe(false);
		expect(unmarked(out.code)).toBe(code);
		expect(out.awaits).toEqual([]);
	});

	it('reads `await` as a name in sloppy CommonJS, as node does, and instruments the rest', () => {
		const out = transform('var await = 5\nasync function f() { return await g() }\nconsole.log(await)\n', 'commonjs');
		expect(out.functions.map(f => f.name)).toEqual(['f']);
		expect(out.awaits).toHaveLength(1);
		expect(unmarked(out.code)).toContain('console.log(await)');
	});

	it("a top-level `for await` of a module reports its implicit awaits for the root task: each time round, and once it ends", () => {
		const code = 'for await (const x of source) use(x);\n';
		const out = transform(code, 'module');
		const rt = RUNTIME_GLOBAL;
		expect(unmarked(out.code)).toBe(`{for await (const x of (${rt}.fa)(${rt}.root,(source),0,"source is not async iterable")) {${rt}.c(${rt}.root);(${rt}.p)(use(x));};${rt}.c(${rt}.root);}\n`);
		expect(out.awaits).toEqual([{line: 1, column: 0, dependent: false, call: false}]);
	});

	// Guards a fixed bug, where top-level awaits are reported (w/r on __asyncmon.root) but catch and
	// finally clauses at the top level get no `__asyncmon.c(__asyncmon.root)`, so
	// after a rejected top-level await the root task is never resumed: it stays
	// "waiting" while the module goes on running, and the time is misattributed.
	it('resumes the root task in a top-level catch after a rejected await', async () => {
		const out = transform("let caught = null;\ntry {\n  await Promise.reject(new Error('top'));\n} catch (e) {\n  caught = e.message;\n}\nexport {caught};\n", 'module');
		const mod = await importModule(out.code);
		expect(mod.caught).toBe('top');
		expect(runtime.calls).toEqual([
			['w', 0, 0],
			['c', 0],
		]);
	});
});

describe('instrument: a large mixed sample', () => {
	const sample = `
import {readFile} from 'node:fs/promises';
export const config = await readFile(new URL(import.meta.url), 'utf8').catch(() => '');
async function simulateRequest(name, ms) {
	await new Promise(resolve => setTimeout(resolve, ms));
	return {name, ms};
}
export async function main() {
	const results = await Promise.all([simulateRequest('a', 1), simulateRequest('b', 2)]);
	for (const r of results) {
		try {
			await check(r);
		} catch {
			continue;
		} finally {
			log(r);
		}
	}
	const x = await (results, 1);
	switch (await pick()) {
		case await one(): return 1;
		default: break;
	}
	label: for (let i = 0; i < 2; i++) { if (await stop(i)) break label; }
	return results.length + await count() + x;
}
class Service extends Base {
	static instances = 0;
	#cache = new Map();
	pending = async (key) => this.#cache.get(key) ?? await this.load(key);
	static async create(options = {}) { return new Service(await options); }
	async load(key, {retries = 3} = {}) { return super.load(key, retries); }
	async #refresh() { await Promise.allSettled([...this.#cache.keys()].map(async k => await this.load(k))); }
	get size() { return this.#cache.size; }
	*keys() { yield* this.#cache.keys(); }
	async *stream() { for await (const chunk of source()) yield await transform(chunk); }
	static { Service.instances = 1; }
}
export default async function () { return { a: async () => ({b: await c()}), async d() { return await e?.(); } }; }
const tagged = async () => tag\`x\${await y}z\`;
const compact=async()=>await(1);
async function nestedTry() { try { try { await a(); } finally { await b(); } } catch ({message}) { return message; } }
`;

	it('parses after instrumentation, as a module', () => {
		const out = transform(sample, 'module');
		expect(out.changed).toBe(true);
		expect(() => parse(out.code, {ecmaVersion: 'latest', sourceType: 'module'})).not.toThrow();
		expect(out.functions.length).toBeGreaterThanOrEqual(12);
		// Every registered await site is referenced exactly once in the output: `),site)`, or a pair in a loop over an
		// awaited value, `),entrySite,loopSite,loopFirst)` (see Tracker.we).
		const referenced = [...unmarked(out.code).matchAll(/\),(\d+)(?:,(\d+),\d+)?\)/g)].flatMap(([, site, inLoop]) => (inLoop === undefined ? [site] : [site, inLoop])).map(Number);
		expect(referenced.toSorted((a, b) => a - b)).toEqual(out.awaits.map((_, site) => site));
	});

	it('parses after instrumentation, as CommonJS (without the module-only parts)', () => {
		const commonjs = sample.replace(/^import .*$/m, '').replace(/^export const config .*$/m, '').replace('export default async function ()', 'async function fallback()').replace(/^export /gm, '');
		const out = transform(commonjs, 'commonjs');
		expect(() => parse(out.code, {ecmaVersion: 'latest', sourceType: 'script'})).not.toThrow();
	});
});

describe('instrument: dropped promises', () => {
	it("wraps a statement that only calls one of the module's async functions, and nothing else", () => {
		const out = transform(`async function save() {}\nconst api = {async load() {}};\nsave();\napi.load();\nvoid save();\nconsole.log(1);\nconst p = save();\n`);
		expect(unmarked(out.code)).toContain(`(${RUNTIME_GLOBAL}.fl)(save(),0);`);
		expect(unmarked(out.code)).toContain(`(${RUNTIME_GLOBAL}.fl)(api.load(),1);`);
		// Every other call only has its value seen (see the next describe).
		expect(unmarked(out.code)).toContain(`void (${RUNTIME_GLOBAL}.p)(save());`);
		expect(unmarked(out.code)).toContain(`(${RUNTIME_GLOBAL}.p)(console.log(1));`);
		expect(unmarked(out.code)).toContain(`const p = (${RUNTIME_GLOBAL}.p)(save());`);
		expect(out.droppedCalls).toEqual([
			{line: 3, column: 0},
			{line: 4, column: 0},
		]);
	});
});

describe('instrument: the values of calls, and new promises', () => {
	it('hands every call’s value to `p`, but those an await, a return or a dropped-call report already receives, and `require`', () => {
		const out = transform(
			[
				'async function load() { return fetchIt(); }',
				'async function main() {',
				'  const tasks = ids.map(id => load(id));',
				'  await Promise.all(tasks);',
				'  load();',
				'  return helper(await other());',
				'}',
				'const quick = async () => load();',
				'const lib = require("lib");',
			].join('\n'),
		);
		const p = `(${RUNTIME_GLOBAL}.p)(`;
		expect(unmarked(out.code)).toContain(`const tasks = ${p}ids.map(id => ${p}load(id))));`);
		expect(unmarked(out.code)).toContain(`(${RUNTIME_GLOBAL}.w)(__amT,(Promise.all(tasks)),0)`);
		expect(unmarked(out.code)).toContain(`(${RUNTIME_GLOBAL}.fl)(load(),0);`);
		expect(unmarked(out.code)).toContain(`return (${RUNTIME_GLOBAL}.ret)(__amT,(fetchIt()));`);
		expect(unmarked(out.code)).toContain(`(${RUNTIME_GLOBAL}.ret)(__amT,(helper((${RUNTIME_GLOBAL}.r)(__amT,await (${RUNTIME_GLOBAL}.w)(__amT,(other()),1)))))`);
		expect(unmarked(out.code)).toContain(`return (${RUNTIME_GLOBAL}.ret)(__amT, load())`);
		expect(unmarked(out.code)).toContain('const lib = require("lib");');
	});

	it("hands the runtime what a promise's then, catch or finally whose callbacks start nothing is called on, and the promise it makes: awaited, returned or kept", () => {
		const out = unmarked(
			transform(`
				async function json(url) { return await fetch(url).then(r => r.json()).catch(() => null); }
				async function kept(p) { const later = p.finally(() => clearTimeout(timer)); return later; }
				async function next(p) { return [p.then(r => fetch(r.next)), p.then(load), p.then(data => data.items.map(load)), p?.then(r => r.json())]; }
			`).code,
		);
		const rt = RUNTIME_GLOBAL;
		expect(out).toContain(`(${rt}.r)(__amT,await (${rt}.w)(__amT,((${rt}.pr)((${rt}.chained = ((${rt}.pr)((${rt}.chained = ((${rt}.p)(fetch(url)))).then(r => (${rt}.p)(r.json()))))).catch(() => null))),0))`);
		// A receiver read without side effects is read again beside the call, which stays as written.
		expect(out).toContain(`const later = (${rt}.pr)(p.finally(() => (${rt}.p)(clearTimeout(timer))), p);`);
		// A callback that may start work of its own, a function given by name, and an optional chain: any other call.
		expect(out).toContain(`(${rt}.p)(p.then(r => (${rt}.p)(fetch(r.next))))`);
		expect(out).toContain(`(${rt}.p)(p.then(load))`);
		expect(out).toContain(`(${rt}.p)(p.then(data => (${rt}.p)(data.items.map(load))))`);
		expect(out).toContain(`(${rt}.p)(p?.then(r => (${rt}.p)(r.json())))`);
		expect(out).not.toContain(`${rt}.chained = (p)).then(r => (`);
	});

	it("leaves a test's or a hook's registration bare, node:test's way of saying where it is from: the column of its call", () => {
		const out = unmarked(transform("test('a', async () => { await x() })\ndescribe.only('b', () => { it('c', async () => {}); beforeEach(() => setup()) })\n", 'module').code);
		expect(out).toContain("test('a', async () => {");
		expect(out).toContain("describe.only('b', () => { it('c', async () => {");
		expect(out).toContain(`beforeEach(() => (${RUNTIME_GLOBAL}.p)(setup()))`);
	});

	it('wraps an optional chain whole, so a short-circuit still skips the rest of it', async () => {
		const {original, instrumented, out} = both(`
			const a = null;
			const b = {f: () => ({g: () => 'reached'})};
			async function run() { return [a?.f().g(), b?.f().g(), b.f?.().g()]; }
			return {run};
		`);
		expect(unmarked(out.code)).toContain(`(${RUNTIME_GLOBAL}.p)(a?.f().g())`);
		for (const side of [original, instrumented]) expect(await side.run()).toEqual([undefined, 'reached', 'reached']);
	});

	it("keeps a promise's then, catch and finally working, and tells the runtime the value each was called on: a comma in it, a chain of them, a statement of its own with no semicolon before it", async () => {
		const {original, instrumented} = both(`
			const other = Promise.resolve('other');
			const base = Promise.resolve(2);
			async function run() {
				const comma = await (other, base).then(n => n * 10);
				const chain = await base.then(n => n + 1).catch(error => error.message).finally(() => null);
				let statement = 0
				;(base).then(n => { statement = n })
				await base
				return [comma, chain, statement];
			}
			return {run};
		`);
		for (const side of [original, instrumented]) expect(await side.run()).toEqual([20, 3, 2]);
		// V8 words a failed call from its text: as under node where the receiver is read so simply.
		const failing = both(`const value = 42; function run() { try { value.then(n => n) } catch (error) { return error.message } } return {run};`);
		expect(failing.instrumented.run()).toBe('value.then is not a function');
		expect(failing.instrumented.run()).toBe(failing.original.run());
		const base = runtime.chains[0]![0];
		expect(await (base as Promise<number>)).toBe(2);
		// (other, base).then: base; base.then(…).then(…).finally: each on the one before; (base).then as a statement.
		expect(runtime.chains.map(([receiver]) => receiver === base)).toEqual([true, true, false, false, true]);
		expect(runtime.chains[2]![0]).toBe(runtime.chains[1]![1]);
		expect(runtime.chains[3]![0]).toBe(runtime.chains[2]![1]);
	});

	it("hands the runtime a new Promise executor's listeners that settle it, as they are: the emitter holds the same function", async () => {
		const {original, instrumented, out} = both(`
			const {EventEmitter} = process.getBuiltinModule('node:events');
			async function run() {
				const bus = new EventEmitter();
				const done = new Promise(resolve => bus.on('done', value => resolve(value * 2)));
				const listener = bus.listeners('done')[0];
				bus.emit('done', 21);
				return [await done, typeof listener];
			}
			return {run};
		`);
		expect(unmarked(out.code)).toContain(`bus.on('done', (${RUNTIME_GLOBAL}.settling)(value => (${RUNTIME_GLOBAL}.p)(resolve(value * 2))))`);
		for (const side of [original, instrumented]) expect(await side.run()).toEqual([42, 'function']);
		expect(runtime.settlers).toHaveLength(1);
	});

	it('keeps super calls, tagged templates, calls of calls and direct eval working', async () => {
		const {original, instrumented} = both(`
			class Base { constructor(v) { this.v = v; } get() { return this.v; } }
			class Derived extends Base { constructor() { super(2); } get() { return super.get() * 10; } }
			const tag = () => (strings, x) => strings.join('|') + x;
			const twice = () => () => 'twice';
			async function run() { const local = 7; return [new Derived().get(), tag()\`a\${1}b\`, twice()(), eval('local')]; }
			return {run};
		`);
		for (const side of [original, instrumented]) expect(await side.run()).toEqual([20, 'a|b1', 'twice', 7]);
	});

	it('marks where a `new Promise` executor begins, and hands the promise to `np`', () => {
		const out = transform('const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));\n');
		expect(unmarked(out.code)).toBe(`const sleep = ms => (${RUNTIME_GLOBAL}.np)(${RUNTIME_GLOBAL}.m(),new Promise(resolve => (${RUNTIME_GLOBAL}.p)(setTimeout(resolve, ms))));\n`);
	});
});

describe("code that names the runtime's global itself", () => {
	it('reaches the runtime through globalThis, so that a variable of its own called __asyncmon hides nothing', () => {
		const shadowing = transform('const __asyncmon = 2;\nasync function f() { const __asyncmon = 1; await g(); return __asyncmon; }', 'module');
		expect(unmarked(shadowing.code)).toContain('const __amT=globalThis.__asyncmon.e(0,arguments)');
		expect(unmarked(shadowing.code)).toContain('(globalThis.__asyncmon.w)(__amT,');
		expect(unmarked(transform('async function f() { await g(); }').code)).toContain('const __amT=__asyncmon.e(0,arguments)');
	});
});
