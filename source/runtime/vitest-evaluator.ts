import {isAbsolute} from 'node:path';
import {RUNTIME_GLOBAL} from './transform.js';

/**
 * vitest runs a test file, and the user's files it imports, through vite's module runner: vite transforms the code
 * and vitest's evaluator runs it with `vm.runInThisContext`, so Node's loader (and asyncmon's hooks) never see it.
 * The evaluator is the one place that has both the code and the module it belongs to, whose source map vitest
 * reads to map every stack position back to the user's lines (vite's `getModuleSourceMapById`: the module's
 * `meta.sourceMap`, or the inline map of its `meta.code`). So the user's modules are instrumented there, and the
 * module is given the instrumented code's map, chained through vite's: a stack reads as under node.
 */
export const VITEST_EVALUATOR = '/node_modules/vitest/dist/module-evaluator.js';

/** The inline source map comment of vite's module runner, which vitest and asyncmon's hooks write alike. */
export const INLINE_MAP = '//# sourceMappingURL=data:application/json;base64,';

/** The evaluator's module, as it loads, hands its class to this thread's runtime; an evaluator of another shape is left alone. */
export function handOffEvaluator(source: string): string {
	return `${source}\n;typeof VitestModuleEvaluator === 'function' && globalThis.${RUNTIME_GLOBAL}.vitestEvaluator(VitestModuleEvaluator);\n`;
}

/** What vitest's evaluator is given of a module: vite's `EvaluatedModuleNode`, its `meta` being what vitest fetched. */
interface EvaluatedModule {
	file?: string | null;
	meta?: {code?: string; sourceMap?: string};
	map?: unknown;
}

type RunInlinedModule = (this: {vm?: unknown}, context: unknown, code: string, module: EvaluatedModule) => Promise<unknown>;

/** `code` from the user's `file`, mapped to it by `map` (JSON): the code instrumented, with its map to the file inline; `code` itself when it is left as it is. */
export type InstrumentEvaluated = (code: string, map: string, file: string) => string;

/** Instruments the user's modules vitest's evaluator runs in this thread. */
export function instrumentVitestEvaluator(Evaluator: {prototype: {runInlinedModule?: RunInlinedModule}}, instrument: InstrumentEvaluated): void {
	const run = Evaluator.prototype.runInlinedModule;
	if (typeof run !== 'function') return;
	/** The fetched modules whose code is instrumented already: one evaluated again keeps its code. */
	const instrumented = new WeakSet<object>();
	Evaluator.prototype.runInlinedModule = function runInlinedModule(context, code, module) {
		const meta = module?.meta;
		// In a vm pool the code runs in a context of its own, without the runtime; under coverage, its offsets are vitest's to map.
		if (meta?.code !== code || instrumented.has(meta) || this.vm || coverageOn() || !isUserFile(module.file)) return run.call(this, context, code, module);
		const separate = typeof meta.sourceMap === 'string';
		const split = separate ? {code, map: meta.sourceMap!} : splitInlineMap(code);
		if (!split) return run.call(this, context, code, module);
		const output = instrument(split.code, split.map, module.file);
		if (output === split.code) return run.call(this, context, code, module);
		instrumented.add(meta);
		let executed = output;
		if (separate) {
			const ours = splitInlineMap(output)!;
			executed = ours.code;
			meta.sourceMap = ours.map;
		}
		meta.code = executed;
		// Read again from the module's new map when a stack is next mapped.
		module.map = undefined;
		return run.call(this, context, executed, module);
	};
}

/** vitest's worker says whether it collects coverage (V8's offsets in the code it ran, mapped by vite's map). */
function coverageOn(): boolean {
	const state = (globalThis as {__vitest_worker__?: {config?: {coverage?: {enabled?: boolean}}}}).__vitest_worker__;
	return state?.config?.coverage?.enabled !== false;
}

/** The user's own files, not node_modules (which vitest does not inline unless told to) nor virtual modules. */
function isUserFile(file: string | null | undefined): file is string {
	return typeof file === 'string' && isAbsolute(file) && !file.includes('/node_modules/');
}

/** Code without its trailing inline source map, and the map (JSON); null without one. */
export function splitInlineMap(code: string): {code: string; map: string} | null {
	const at = code.lastIndexOf(INLINE_MAP);
	if (at === -1) return null;
	const end = code.indexOf('\n', at);
	const base64 = code.slice(at + INLINE_MAP.length, end === -1 ? undefined : end);
	return {code: code.slice(0, at), map: Buffer.from(base64, 'base64').toString('utf8')};
}
