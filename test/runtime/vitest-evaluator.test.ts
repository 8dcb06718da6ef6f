import {describe, expect, it} from 'vitest';
import {INLINE_MAP, instrumentVitestEvaluator, splitInlineMap} from '../../source/runtime/vitest-evaluator.js';

const VITE_MAP = JSON.stringify({version: 3, sources: ['a.spec.ts'], names: [], mappings: 'AAAA'});
const OWN_MAP = JSON.stringify({version: 3, sources: ['a.spec.ts'], names: [], mappings: 'AACA'});

const inline = (map: string) => `\n${INLINE_MAP}${Buffer.from(map).toString('base64')}\n`;

interface Module {
	file: string;
	meta: {code: string; sourceMap?: string};
	map?: unknown;
}

/** vitest's evaluator as far as asyncmon relies on it: it runs what it is given, in a vm context when it has one. */
class FakeEvaluator {
	ran: string[] = [];
	constructor(readonly vm?: object) {}
	async runInlinedModule(_context: unknown, code: string, _module: Module): Promise<void> {
		this.ran.push(code);
	}
}

/** A fresh class per test, its method instrumented; the instrumenter appends a marker and its own map. */
function instrumented(output: (code: string) => string = code => `${code}/* instrumented */${inline(OWN_MAP)}`) {
	const Evaluator = class extends FakeEvaluator {};
	const seen: Array<[string, string, string]> = [];
	instrumentVitestEvaluator(Evaluator as never, (code, map, file) => {
		seen.push([code, map, file]);
		return output(code);
	});
	return {Evaluator, seen};
}

const worker = globalThis as {__vitest_worker__?: unknown};

/**
 * Runs a module while vitest's worker state says whether coverage is on (`null`: no state at all). These tests run in
 * a vitest worker themselves: its own state is put back as soon as the evaluator has decided, synchronously.
 */
function evaluate(evaluator: FakeEvaluator, module: Module, code: string, coverage: boolean | null = false): Promise<void> {
	const real = worker.__vitest_worker__;
	worker.__vitest_worker__ = coverage === null ? undefined : {config: {coverage: {enabled: coverage}}};
	try {
		return evaluator.runInlinedModule({}, code, module);
	} finally {
		worker.__vitest_worker__ = real;
	}
}

describe("vitest's evaluator, instrumented", () => {
	it("runs a user module's instrumented code, and gives the module the map vitest keeps beside the code (its meta.sourceMap)", async () => {
		const {Evaluator, seen} = instrumented();
		const evaluator = new Evaluator();
		const module: Module = {file: '/project/a.spec.ts', meta: {code: 'await it()', sourceMap: VITE_MAP}, map: {stale: true}};
		await evaluate(evaluator, module, module.meta.code);
		expect(seen).toEqual([['await it()', VITE_MAP, '/project/a.spec.ts']]);
		// The code without the map, as vitest runs it; the map where vitest reads it, and its decoded copy dropped.
		expect(evaluator.ran).toEqual(['await it()/* instrumented */\n']);
		expect(module).toEqual({file: '/project/a.spec.ts', meta: {code: 'await it()/* instrumented */\n', sourceMap: OWN_MAP}, map: undefined});
	});

	it('a module whose map is inline in its code: the instrumented code carries its own map inline, where vite reads it', async () => {
		const {Evaluator, seen} = instrumented();
		const evaluator = new Evaluator();
		const code = `await it()${inline(VITE_MAP)}`;
		const module: Module = {file: '/project/a.spec.ts', meta: {code}};
		await evaluate(evaluator, module, code);
		expect(seen).toEqual([['await it()\n', VITE_MAP, '/project/a.spec.ts']]);
		const ran = `await it()\n/* instrumented */${inline(OWN_MAP)}`;
		expect(evaluator.ran).toEqual([ran]);
		expect(module.meta.code).toBe(ran);
		expect(splitInlineMap(ran)!.map).toBe(OWN_MAP);
	});

	it('a module evaluated again keeps the code it has, instrumented once', async () => {
		const {Evaluator, seen} = instrumented();
		const evaluator = new Evaluator();
		const module: Module = {file: '/project/a.spec.ts', meta: {code: 'await it()', sourceMap: VITE_MAP}};
		await evaluate(evaluator, module, module.meta.code);
		await evaluate(evaluator, module, module.meta.code);
		expect(seen).toHaveLength(1);
		expect(evaluator.ran).toEqual(['await it()/* instrumented */\n', 'await it()/* instrumented */\n']);
	});

	const userModule = (): Module => ({file: '/project/a.spec.ts', meta: {code: 'await it()', sourceMap: VITE_MAP}});
	it.each([
		['a file in node_modules', {...userModule(), file: '/project/node_modules/lib/index.js'}, false, undefined],
		['a virtual module', {...userModule(), file: 'virtual:config'}, false, undefined],
		['a module without a source map', {file: '/project/a.spec.ts', meta: {code: 'await it()'}}, false, undefined],
		['a vm pool, whose code runs in a context without the runtime', userModule(), false, {}],
		['a run collecting coverage, whose offsets in the code run vitest maps itself', userModule(), true, undefined],
		['no worker state to say coverage is off (outside a vitest worker)', userModule(), null, undefined],
	])('runs as vitest gives it: %s', async (_case, module: Module, coverage, vm) => {
		const {Evaluator, seen} = instrumented();
		const evaluator = new Evaluator(vm);
		const before = structuredClone(module);
		await evaluate(evaluator, module, 'await it()', coverage);
		expect(seen).toEqual([]);
		expect(evaluator.ran).toEqual(['await it()']);
		expect(module).toEqual(before);
	});

	it('code with nothing to instrument runs as it came, and the module keeps its map', async () => {
		const {Evaluator, seen} = instrumented(code => code);
		const evaluator = new Evaluator();
		const module: Module = {file: '/project/a.spec.ts', meta: {code: 'it()', sourceMap: VITE_MAP}};
		await evaluate(evaluator, module, 'it()');
		expect(seen).toHaveLength(1);
		expect(evaluator.ran).toEqual(['it()']);
		expect(module.meta).toEqual({code: 'it()', sourceMap: VITE_MAP});
	});
});
