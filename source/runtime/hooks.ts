import {existsSync, readFileSync, statSync} from 'node:fs';
import module, {type LoadFnOutput, type LoadHookContext, type LoadHookSync, type ResolveFnOutput} from 'node:module';
import {basename, extname, join, relative} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import type {Loader, TransformFailure} from 'esbuild';
import {insertAtTop, instrument, parseProgram, RUNTIME_GLOBAL, runtimeIn, type SiteRegistry} from './transform.js';
import type {SiteTable} from './site-table.js';
import {findTsconfig, packageType, type ProjectTsconfig} from './project-files.js';
import {compileWithTypeScript, SyntaxForEsbuild, typeScriptFor, wantsDecoratorMetadata} from './decorator-metadata.js';
import {moduleSyncTwin, NEEDS_MODULE_SYNC_TWIN} from './module-sync-twin.js';
import {acorn, esbuild, maps} from './lazy-modules.js';
import {TransformCache, type ModuleFormat} from './transform-cache.js';
import {handOffEvaluator, INLINE_MAP, VITEST_EVALUATOR} from './vitest-evaluator.js';

const LOADERS: Record<string, Loader> = {
	'.ts': 'ts',
	'.mts': 'ts',
	'.cts': 'ts',
	'.tsx': 'tsx',
	'.js': 'js',
	'.mjs': 'js',
	'.cjs': 'js',
	'.jsx': 'jsx',
};

/**
 * Files larger than this load uninstrumented. Instrumenting takes 1 s (JavaScript) to 5 s (TypeScript through
 * esbuild) per MB, and some 150 MB of memory per MB, once: the result is cached.
 */
export const MAX_INSTRUMENTED_BYTES = 2 * 1024 * 1024;

/** Extensions Node loads in a way of its own, not as JavaScript: an entry of another extension runs as JavaScript, as under node. */
const NODE_KNOWS = new Set(['.json', '.node', '.wasm']);

/**
 * npm undici's dispatcher base class: a Pool queues requests before the
 * diagnostics channels see them, so its dispatch() is wrapped to learn which
 * task asked, and when.
 */
const UNDICI_DISPATCHER_BASE = '/node_modules/undici/lib/dispatcher/dispatcher-base.js';

/** What `import './x.js'` may mean in a TypeScript project, in the order tsc tries. */
const RESOLVE_FALLBACKS: Record<string, string[]> = {
	'.js': ['.ts', '.tsx'],
	'.mjs': ['.mts'],
	'.cjs': ['.cts'],
	'': ['.ts', '.tsx', '.js', '/index.ts', '/index.js'],
};

export interface SyntaxProblem {
	message: string;
	file: string;
	line: number;
	column: number;
	lineText: string;
}

/**
 * Thrown by an onSyntaxError that leaves a file it cannot compile to Node: Node loads it and reports its error, as
 * under node, to the code that loads it, which may catch it. A file Node cannot load itself (TypeScript, JSX) gets a
 * SyntaxError of ours instead.
 */
export class LoadAsNode extends Error {
	constructor(readonly problem: SyntaxProblem) {
		super(problem.message);
	}
}

/** Node reads plain JavaScript only: the script's process runs without its type stripping (see childNodeFlags). */
function nodeLoads(loader: Loader): boolean {
	return loader === 'js';
}

/** What Node would throw, where the script loads a file it cannot compile and Node cannot load either: the error, and where in the file. */
function syntaxErrorOf({message, file, line, column}: SyntaxProblem): SyntaxError {
	return new SyntaxError(`${message} (${file}:${line}:${column})`);
}

export interface HookOptions {
	sites: SiteTable;
	/** asyncmon's own bundle: its frames are no part of a stack the script sees. */
	ownDirectory: string;
	cache: TransformCache | null;
	/** Absolute path of the script asyncmon runs: its top level is the root task. */
	entry: string;
	/**
	 * A followed process's main module (its real path; '' elsewhere): its code's start and end are told as the
	 * script's entry's are, so module loading before it is no block. Unlike the script, it is instrumented only if
	 * it is a file of the user's.
	 */
	processEntry: string;
	/** An entry's code starts: what its instrumented code says itself, for an entry left uninstrumented. */
	entryStarted: () => void;
	/** Tells the user, in one line, what asyncmon did differently. */
	notice: (message: string) => void;
	/** A file of the script's cannot be compiled: report and stop (its entry), or throw LoadAsNode to leave the file to Node, which says what is wrong itself. */
	onSyntaxError: (problem: SyntaxProblem) => never;
	/** Wraps module loading and asyncmon's own compile work, which are no part of the script's time. */
	loading: <T>(load: () => T) => T;
	/** vitest's evaluator, as it loads, hands its class to the runtime, which instruments the user's modules it runs (see vitest-evaluator.ts). */
	vitestModules: boolean;
}

/** Errors the hooks passed on: a module that could not be resolved, read or compiled. */
const loadFailures = new WeakSet<object>();

export function failedToLoad(error: unknown): boolean {
	return typeof error === 'object' && error !== null && loadFailures.has(error);
}

/** Room in a stack for the frames that the hooks add between the script's `require` or `import` and Node's resolver. */
const HOOK_FRAMES = 24;

/**
 * Runs a hook step; an error it throws is marked as a failure to load, and its stack reads as under node: with no
 * frame of asyncmon's (under `ownDirectory`) or of Node's hook machinery, which only the hooks bring, and the
 * script's own frames still within the stack's limit (`Error.stackTraceLimit` frames, as node's).
 */
function loadStep<T>(step: () => T, ownDirectory: string): T {
	const limit = Error.stackTraceLimit;
	if (typeof limit === 'number') Error.stackTraceLimit = limit + HOOK_FRAMES;
	try {
		return step();
	} catch (error) {
		if (typeof error === 'object' && error !== null) {
			loadFailures.add(error);
			if (typeof limit === 'number') withoutHookFrames(error, limit, ownDirectory);
		}
		// Uncaught, this throw would be the place node's report quotes above the error: a line of asyncmon's. Node
		// quotes no line for one that holds its marker (its vm module's rethrow does this); the stack says the rest.
		throw [error, 'node-do-not-add-exception-line'][0];
	} finally {
		Error.stackTraceLimit = limit;
	}
}

function withoutHookFrames(error: object, limit: number, ownDirectory: string): void {
	const {stack} = error as {stack?: unknown};
	if (typeof stack !== 'string') return;
	const lines = stack.split('\n');
	const firstFrame = lines.findIndex(line => line.startsWith('    at '));
	if (firstFrame < 0) return;
	const ownUrl = pathToFileURL(ownDirectory).href;
	const frames = lines
		.slice(firstFrame)
		.filter(line => !line.includes('node:internal/modules/customization_hooks') && !line.includes(`${ownDirectory}/`) && !line.includes(`${ownUrl}/`));
	try {
		(error as {stack: string}).stack = [...lines.slice(0, firstFrame), ...frames.slice(0, limit)].join('\n');
	} catch {
		// A frozen error keeps its stack.
	}
}

/**
 * Loader hooks, run on the loading thread for `import` and `require` alike:
 * user files (not node_modules) are compiled by esbuild and instrumented;
 * source maps are chained so stacks and locations point at the user's lines.
 */
export function installHooks(options: HookOptions): void {
	// A worker's thread loads no entry: its modules are not looked at for one.
	const hasEntry = options.entry !== '' || options.processEntry !== '';
	const usersTimersPromises = pathToFileURL(join(options.ownDirectory, 'users-timers-promises.mjs')).href;
	serveModule(usersTimersPromises, USERS_TIMERS_PROMISES);
	module.registerHooks({
		resolve(specifier, context, nextResolve) {
			if (servedModules.has(specifier)) return {url: specifier, format: 'module', shortCircuit: true};
			// An import of an ES module of the user's. A require() gets Node's module object (patched, see instrumentTimers), as under
			// node, not an ES module's namespace; Node 22 resolves a require() of CommonJS it loaded for an import with the import condition.
			if (TIMERS_PROMISES.has(specifier) && context.parentURL && usersModules.has(context.parentURL) && !context.conditions.includes('require')) {
				return {url: usersTimersPromises, format: 'module', shortCircuit: true};
			}
			const resolveTs = (wanted: string): ResolveFnOutput => {
				try {
					return nextResolve(wanted, context);
				} catch (error) {
					const alternative = tsAlternative(wanted, context.parentURL, error);
					if (!alternative) throw error;
					return nextResolve(alternative, context);
				}
			};
			// As in tsc and tsx, a tsconfig alias comes before node_modules.
			for (const candidate of aliasCandidates(specifier, context.parentURL)) {
				try {
					return resolveTs(candidate);
				} catch {
					// The next candidate, then the specifier as Node reads it.
				}
			}
			const resolved = loadStep(() => resolveTs(specifier), options.ownDirectory);
			return NEEDS_MODULE_SYNC_TWIN ? moduleSyncTwin(specifier, context, resolved) : resolved;
		},
		load(url, context, nextLoad) {
			const loaded = options.loading(() => loadStep(() => load(url, context, nextLoad, options), options.ownDirectory));
			if (!hasEntry || startTold.has(loaded) || !url.startsWith('file:') || !isEntry(fileURLToPath(url), options)) return loaded;
			// Once loaded, after asyncmon's own work: its code starts next.
			options.entryStarted();
			return endTold(loaded);
		},
	});
}

function load(url: string, context: LoadHookContext, nextLoad: Parameters<LoadHookSync>[2], options: HookOptions): LoadFnOutput {
	const served = servedModules.get(url);
	if (served !== undefined) return {format: 'module', source: served, shortCircuit: true};
	if (url.endsWith(UNDICI_DISPATCHER_BASE)) {
		const loaded = nextLoad(url, context);
		return {...loaded, source: `${String(loaded.source)}\n;globalThis.${RUNTIME_GLOBAL}.patchDispatcher(module.exports);\n`};
	}
	if (options.vitestModules && url.endsWith(VITEST_EVALUATOR)) {
		const loaded = nextLoad(url, context);
		return {...loaded, source: handOffEvaluator(String(loaded.source))};
	}
	const file = userFile(url, options.entry);
	if (!file) return nextLoad(url, context);
	const extension = extname(file);
	const loader = LOADERS[extension];
	if (!loader && (file !== options.entry || NODE_KNOWS.has(extension))) return nextLoad(url, context);
	const size = statSync(file).size;
	if (size > MAX_INSTRUMENTED_BYTES) return loadUninstrumented(url, context, nextLoad, file, size, options);
	const source = readFileSync(file, 'utf8');
	// An entry of an extension Node does not know runs through its CommonJS loader, as JavaScript; as an ES module Node refuses it, and so do we.
	if (!loader && (packageType(file) === 'module' || isModuleOnly(source))) return nextLoad(url, context);
	let compiled: ReturnType<typeof compileCached>;
	try {
		compiled = compiledEntry?.file === file && compiledEntry.source === source ? compiledEntry.compiled : compileCached(source, file, loader ?? 'js', options);
		if (isEntry(file, options)) compiledEntry = {file, source, compiled};
	} catch (error) {
		if (!(error instanceof LoadAsNode)) throw error;
		if (nodeLoads(loader ?? 'js')) return nextLoad(url, context);
		throw syntaxErrorOf(error.problem);
	}
	const output: LoadFnOutput = {format: compiled.format, source: compiled.code, shortCircuit: true};
	if (compiled.format === 'module') usersModules.add(url);
	if (isEntry(file, options)) startTold.add(output);
	return output;
}

/**
 * The entry as compiled. Node's CommonJS loader reads an entry first, and one that turns out an ES module with a
 * top-level await it reads again through its ES loader: the one compile serves both, and its sites are made once.
 */
let compiledEntry: {file: string; source: string; compiled: CompiledOutput} | null = null;

/** The script's entry, or a followed process's: the file whose top level is the root task's. */
function isEntry(file: string, options: HookOptions): boolean {
	return file === options.entry || file === options.processEntry;
}

/** Entries compiled to say when their code starts (see compile): any other entry is told started once loaded. */
const startTold = new WeakSet<LoadFnOutput>();

/**
 * A file too large to instrument in reasonable time and memory (a generated
 * bundle, say) loads as Node loads it, and the user is told. An entry still
 * tells the tracker when it starts and ends: the hook says so (see endTold).
 */
function loadUninstrumented(url: string, context: LoadHookContext, nextLoad: Parameters<LoadHookSync>[2], file: string, size: number, options: HookOptions): LoadFnOutput {
	options.notice(`${relative(options.sites.scriptDirectory, file)} is ${megabytes(size)}, over the ${megabytes(MAX_INSTRUMENTED_BYTES)} asyncmon instruments: it runs uninstrumented, and its async functions are not tasks`);
	return stripped(nextLoad(url, context));
}

/**
 * An entry left uninstrumented (a followed process's main module in node_modules, as vitest's forks worker is; a
 * file too large) still tells the tracker its top level ended. Without that, its root task would run on for good:
 * every later slice would nest in it, and the first to end would be measured from the entry's start, idle time and
 * all, as a block.
 */
function endTold(loaded: LoadFnOutput): LoadFnOutput {
	if (loaded.source === null || loaded.source === undefined || !TELLS_ITS_END.has(loaded.format ?? '')) return loaded;
	return {...loaded, source: `${String(loaded.source)}\n;globalThis.${RUNTIME_GLOBAL}.rootDone();\n`};
}

/** Formats whose code runs as JavaScript (TypeScript as Node strips it), to which a statement can be appended. */
const TELLS_ITS_END = new Set(['module', 'commonjs', 'module-typescript', 'commonjs-typescript']);

/** TypeScript as Node would strip it, but here, as asyncmon's own work: Node would do it as the script's first code ran. */
function stripped(loaded: LoadFnOutput): LoadFnOutput {
	const format = /^(module|commonjs)-typescript$/.exec(loaded.format ?? '')?.[1];
	if (!format) return loaded;
	return {...loaded, format: format as ModuleFormat, source: quietly(() => module.stripTypeScriptTypes(String(loaded.source), {mode: 'strip'}))};
}

const megabytes = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

/**
 * The files asyncmon compiles and instruments: the user's own, not node_modules, except the entry itself. A tool
 * run from node_modules (npm's cli.js, a bin of a package) is what the user asked to watch, and its top level is
 * the root task.
 */
function userFile(url: string, entry?: string): string | null {
	if (!url.startsWith('file:')) return null;
	const file = fileURLToPath(url);
	return file.includes('/node_modules/') && file !== entry ? null : file;
}

/** The files a bare specifier may mean under the `paths` of the importing user file's tsconfig. */
function aliasCandidates(specifier: string, parentURL: string | undefined): string[] {
	if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.includes(':') || !parentURL) return [];
	const parent = userFile(parentURL);
	return parent ? (findTsconfig(parent).paths?.(specifier) ?? []) : [];
}

/**
 * The TypeScript file a relative or absolute specifier that Node did not find stands for, as tsc reads it
 * (`./util.js` for `util.ts`, `./util` for `util.ts`): a specifier of the same form, which Node's ES and
 * CommonJS resolvers both take (the CommonJS one takes no `file:` URL).
 */
function tsAlternative(specifier: string, parentURL: string | undefined, error: unknown): string | null {
	const code = (error as NodeJS.ErrnoException).code;
	if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return null;
	if (!parentURL || !(specifier.startsWith('.') || specifier.startsWith('/'))) return null;
	// Any other dotted end (`./app.module`, `./user.entity`, a NestJS or TypeORM project's files) is part of the name,
	// to which TypeScript appends its own extensions, as to one with none.
	const extension = /\.[cm]?js$/.exec(specifier)?.[0] ?? '';
	const stem = specifier.slice(0, specifier.length - extension.length);
	for (const candidate of RESOLVE_FALLBACKS[extension] ?? []) {
		if (existsSync(new URL(stem + candidate, parentURL))) return stem + candidate;
	}
	return null;
}

/** The tsconfigs whose unread `extends` was told: once each. */
const toldUnread = new WeakSet<ProjectTsconfig>();

/** A TypeScript or JSX file compiled without the options its tsconfig's missing base held (decorators, JSX): said once, as tsc would fail. */
function tellUnreadTsconfig(project: ProjectTsconfig, options: HookOptions): void {
	if (!project.unread || toldUnread.has(project)) return;
	toldUnread.add(project);
	options.notice(`${relative(options.sites.scriptDirectory, project.unread.path)}: ${project.unread.reason.replace(/\.$/, '')}; compiled with its own options alone`);
}

/** The cache key holds all that the output depends on, the ids the file's sites get included. */
function compileCached(source: string, file: string, loader: Loader, options: HookOptions, evalCode?: EvalCode): CompiledOutput {
	const entry = evalCode ? `eval ${evalCode.format} ${evalCode.name}` : isEntry(file, options) ? 'entry' : 'module';
	const project = findTsconfig(file);
	if (loader !== 'js') tellUnreadTsconfig(project, options);
	const tsconfig = project.text;
	const compiler = wantsDecoratorMetadata(tsconfig) ? typeScriptFor(file) : '';
	return cached([file, entry, tsconfig, compiler, packageType(file), source], options, () => compile(source, file, loader, options, evalCode));
}

/** `make()`'s output, from the transform cache when `parts` (with the ids the file's sites get) were compiled before. */
function cached(parts: string[], options: HookOptions, make: () => CompiledOutput): CompiledOutput {
	const {cache, sites} = options;
	if (!cache) return make();
	const mark = sites.mark();
	const key = TransformCache.key([sites.scriptDirectory, JSON.stringify(mark), ...parts]);
	const hit = cache.get(key);
	if (hit) {
		sites.restore(hit.sites);
		return hit;
	}
	const compiled = make();
	cache.set(key, {...compiled, sites: sites.since(mark)});
	return compiled;
}

/**
 * Code a worker runs from a string (`eval: true`), which Node names in stacks rather than reads from a file:
 * its format is the one Node chose for it, and its sites are located by that name.
 */
export interface EvalCode {
	format: ModuleFormat;
	/** `[worker eval]`, or `[eval1]` for an ES module. */
	name: string;
}

const TIMERS_PROMISES = new Set(['node:timers/promises', 'timers/promises']);
/** The user's files loaded as ES modules, by URL. */
const usersModules = new Set<string>();
/** What the user's own files import for `node:timers/promises`, by `import` or `require()`: see instrumentTimers. */
/** What the user's own files import for `node:timers/promises`: see instrumentTimers. */
const USERS_TIMERS_PROMISES = `const timers = globalThis.${RUNTIME_GLOBAL}.userTimersPromises;
export const {setTimeout, setImmediate, setInterval, scheduler} = timers;
export default timers;
`;

/** Sources the loader hands Node for URLs no file is behind: an ES module a worker runs from a string, the `node:timers/promises` of user files. */
const servedModules = new Map<string, string>();

/** Has this thread's loader hooks hand `source` to Node as the ES module at `url`. */
export function serveModule(url: string, source: string): void {
	servedModules.set(url, source);
}

/**
 * `source` compiled and instrumented as the file `file` would be, as asyncmon's own work; null when it cannot be
 * (a syntax error, say): it then runs as it is, and Node reports what is wrong with it itself.
 */
export function compileEvalCode(source: string, file: string, evalCode: EvalCode, options: HookOptions, typescript: boolean): string | null {
	const leftToNode = {...options, onSyntaxError: (problem: SyntaxProblem): never => { throw new LoadAsNode(problem); }};
	try {
		return options.loading(() => compileCached(source, file, typescript ? 'ts' : 'js', leftToNode, evalCode).code);
	} catch {
		return null;
	}
}

interface CompiledOutput {
	code: string;
	format: ModuleFormat;
}

interface Compiled {
	code: string;
	/** Source map from `code` to the user's file; null when `code` keeps the file's lines and columns. */
	map: string | null;
}

function compile(source: string, file: string, loader: Loader, options: HookOptions, evalCode?: EvalCode): CompiledOutput {
	let compiled = compileFast(source, file, loader) ?? compileTypeScriptOrEsbuild(source, file, loader, options);
	const format = evalCode?.format ?? moduleFormat(file, compiled.code);
	// TypeScript that Node loads as CommonJS (a `.cts` file, a `.ts` one in a package of "type": "commonjs") written
	// with `import` and `export`: tsc emits CommonJS for it, and tsx runs it so. Node would refuse the imports.
	// One that CommonJS cannot hold (a top-level await) is left as it is: Node's words say what to change.
	if (format === 'commonjs' && !evalCode && (loader === 'ts' || loader === 'tsx') && usesModuleSyntax(compiled.code)) {
		compiled = asCommonJs(source, file, loader, options) ?? compiled;
	}
	let result: ReturnType<typeof instrumentCompiled>;
	try {
		result = instrumentCompiled(compiled, file, format, options, evalCode?.name);
	} catch (error) {
		// Only esbuild names syntax errors the way users expect: let it find the problem.
		if (compiled.map === null) compileWithEsbuild(source, file, loader, options);
		// esbuild found none: the code is not valid as the format Node loads it as (imports in a CommonJS file, say).
		const problem = formatProblem(error, compiled, source, file, format);
		if (problem) return options.onSyntaxError(problem);
		throw error;
	}
	if (isEntry(file, options)) {
		const rt = runtimeIn(compiled.code);
		insertAtTop(result.magic, result.program, `${rt}.entryStarted();`);
		result.magic.append(`\n;${rt}.rootDone();\n`);
	}
	return {code: withMap(result, file, compiled.map, source, evalCode !== undefined), format};
}

/**
 * The user's `code` as vitest's module runner evaluates it, already transformed by vite (`map` takes it to `file`):
 * a function body, whose top-level awaits (its imports) are the runner's, not a task's. Instrumented as asyncmon
 * instruments the files it loads, with its map to the user's file inline; `code` itself when there is nothing to
 * instrument (no call, no async function), when it is too large, or when it does not parse.
 */
export function instrumentEvaluated(code: string, map: string, file: string, options: HookOptions): string {
	if (code.length > MAX_INSTRUMENTED_BYTES) return code;
	const output = options.loading(() =>
		cached([file, 'evaluated', map, code], options, () => {
			let result: ReturnType<typeof instrumentCompiled>;
			try {
				result = instrumentCompiled({code, map}, file, 'commonjs', options);
			} catch {
				// Syntax acorn does not know yet: V8 runs it as it is.
				return {code, format: 'commonjs'};
			}
			return {code: result.changed ? withMap(result, file, map, null) : code, format: 'commonjs'};
		}),
	);
	return output.code;
}

/** `compiled` instrumented, its sites added with their locations in the user's file (or under `shownAs`, eval code's name). */
function instrumentCompiled(compiled: Compiled, file: string, format: ModuleFormat, options: HookOptions, shownAs?: string): ReturnType<typeof instrument> {
	const cwd = options.sites.scriptDirectory;
	const shown = shownAs ?? relative(cwd, file);
	let locate: (line: number, column: number) => string;
	if (compiled.map === null) {
		locate = (line, column) => `${shown}:${line}:${column + 1}`;
	} else {
		const {trace} = maps();
		const originalMap = new trace.TraceMap(compiled.map);
		locate = (line, column) => {
			const original = trace.originalPositionFor(originalMap, {line, column});
			return `${shown}:${original.line ?? line}:${(original.column ?? column) + 1}`;
		};
	}
	const registry: SiteRegistry = {
		addFunction: site => options.sites.addFunction({name: site.name, loc: locate(site.line, site.column), ...(site.secretParams ? {secretParams: site.secretParams} : {}), ...(site.callsNothing ? {callsNothing: true} : {}), ...(site.declaredArgs !== undefined && {declaredArgs: site.declaredArgs}), ...(site.keyed && {keyed: true as const})}),
		addAwait: site => options.sites.addAwait({loc: locate(site.line, site.column), dependent: site.dependent, ...(site.call && {call: true as const})}),
		addDroppedCall: site => options.sites.addDroppedCall(locate(site.line, site.column)),
	};
	return instrument({code: compiled.code, sourceType: format, registry});
}

/** Where acorn's parse of the compiled code failed, in the user's file, in Node's words where Node has some; null for another error. */
function formatProblem(error: unknown, compiled: Compiled, source: string, file: string, format: ModuleFormat): SyntaxProblem | null {
	const loc = (error as {loc?: {line: number; column: number}} | null)?.loc;
	if (!(error instanceof SyntaxError) || loc === undefined) return null;
	let {line, column} = loc;
	if (compiled.map !== null) {
		const {trace} = maps();
		const original = trace.originalPositionFor(new trace.TraceMap(compiled.map), {line, column});
		line = original.line ?? line;
		column = original.column ?? column;
	}
	const words = error.message.replace(/ \(\d+:\d+\)$/, '');
	const message =
		format === 'commonjs' && /'import' and 'export' may appear only with 'sourceType: module'/.test(words)
			? `Cannot use import statement outside a module: Node loads ${basename(file)} as CommonJS (set "type": "module" in the nearest package.json, or use the .mjs or .mts extension)`
			: words;
	return {message, file, line, column: column + 1, lineText: source.split(LINE_BREAK)[line - 1] ?? ''};
}

/**
 * The instrumented code with its source map inline, chained through `map` (from the code instrumented to the user's
 * `file`); the file's `source` as the map's content, or, with null, the content `map` gives. Eval code's map leaves
 * the lines asyncmon did not change unmapped (see unchangedLinesUnmapped).
 */
function withMap(result: ReturnType<typeof instrument>, file: string, map: string | null, source: string | null, evalCode = false): string {
	const own = result.magic.generateMap({hires: 'boundary', source: file, includeContent: false});
	let mapText: string;
	if (map === null) {
		if (source !== null) own.sourcesContent = [source];
		mapText = own.toString();
	} else {
		const chained = maps().remapping([own.toString(), map], () => null);
		if (source !== null) chained.sourcesContent = [source];
		mapText = chained.toString();
	}
	const code = result.magic.toString();
	if (evalCode && source !== null) mapText = unchangedLinesUnmapped(mapText, source, code);
	const inlineMap = Buffer.from(mapText).toString('base64');
	return `${code}\n${INLINE_MAP}${inlineMap}\n`;
}

const LINE_BREAK = /\r\n?|[\n\u2028\u2029]/;

/**
 * The map of eval code, with the lines asyncmon left as they were unmapped: Node writes a frame on such a line
 * as V8 does (`at [worker eval]:1:7`), not as a mapped one (`at <anonymous> (/cwd/[worker eval]:1:7)`), and
 * quotes the line from the code itself. So do the lines after the code, where the line that runs it stands.
 */
function unchangedLinesUnmapped(mapText: string, source: string, code: string): string {
	const {trace} = maps();
	const map = new trace.TraceMap(mapText);
	const originalLines = source.split(LINE_BREAK);
	const generatedLines = code.split(LINE_BREAK);
	const mappings = trace.decodedMappings(map).map((segments, line) => (generatedLines[line] === originalLines[line] ? [[0] as [number]] : segments));
	while (mappings.length <= generatedLines.length) mappings.push([[0]]);
	// Node's parser reads a lone column that ends the mappings as a whole segment: an empty line after it ends it.
	mappings.push([]);
	return JSON.stringify(trace.encodedMap(new trace.TraceMap({...trace.decodedMap(map), mappings})));
}

/**
 * Without esbuild: JavaScript as it is, and TypeScript through Node's own
 * type stripping, which blanks types out and so keeps every line and column.
 * Null when the file needs esbuild: JSX, TypeScript that only compiles
 * (enums, namespaces, parameter properties), decorators, tsconfig options
 * that change the emitted code, or imports that esbuild would elide.
 */
function compileFast(source: string, file: string, loader: Loader): Compiled | null {
	if (loader === 'js') return needsLowering(source) ? null : {code: source, map: null};
	if (loader !== 'ts' || typeof module.stripTypeScriptTypes !== 'function') return null;
	const tsconfig = findTsconfig(file).text;
	if (/"(experimentalDecorators|useDefineForClassFields|emitDecoratorMetadata|jsxFactory|preserveValueImports|importsNotUsedAsValues)"/.test(tsconfig)) return null;
	let code: string;
	try {
		code = quietly(() => module.stripTypeScriptTypes(source, {mode: 'strip'}));
	} catch {
		return null;
	}
	if (needsLowering(code)) return null;
	if (!/\bverbatimModuleSyntax"\s*:\s*true/.test(tsconfig) && hasElidedImport(code)) return null;
	return {code, map: null};
}

/** `using` declarations (Node 24 parses them, Node 22 does not): where Node cannot, esbuild lowers them. */
const NODE_PARSES_USING = ((): boolean => {
	try {
		new Function('{ using resource = null; }');
		return true;
	} catch {
		// A SyntaxError, or code generation from strings turned off: esbuild's lowering is right either way.
		return false;
	}
})();

/** Syntax this Node does not run, which esbuild lowers: decorators, and `using` before Node 24. Cheap tests that may say yes wrongly, never no. */
function needsLowering(code: string): boolean {
	return (code.includes('@') && hasDecorator(code)) || (!NODE_PARSES_USING && code.includes('using') && /\busing\s+[\w$]/.test(code));
}

/**
 * Decorators are not JavaScript Node runs yet: esbuild lowers them. A cheap test first, which an `@` in a comment or a
 * string passes (JSDoc's `@param`, `// @ts-check`, "follow @me"): then the file is parsed, and acorn, which reads no
 * decorator, says if there is one. esbuild reprints what it compiles: a function's text (its `toString()`, which
 * injection by parameter names reads), parameters that shadow outer names renamed, lines reflowed.
 */
function hasDecorator(code: string): boolean {
	if (!/(^|[\s(;{}])@[A-Za-z_$]/m.test(code)) return false;
	for (const sourceType of ['module', 'script'] as const) {
		try {
			parseProgram(code, sourceType);
			return false;
		} catch {
			// Not this kind of file, a decorator, or a syntax error that esbuild then reports.
		}
	}
	return true;
}

/**
 * esbuild drops an import binding used only as a type (without `import type`),
 * and the import with it when none is left; type stripping keeps them. Such a
 * file goes through esbuild, so it runs as it always did.
 */
function hasElidedImport(code: string): boolean {
	if (!/\bimport\b/.test(code)) return false;
	const imports = /(?:^|[;\n])\s*import\s+([\w$]+\s*,?\s*)?(\{[^}]*\}|\*\s*as\s+[\w$]+)?\s*from\s*['"][^'"]+['"]/g;
	const names: string[] = [];
	let spans = '';
	for (let match = imports.exec(code); match; match = imports.exec(code)) {
		spans += match[0];
		if (match[1]) names.push(match[1].replace(/[\s,]/g, ''));
		const braces = match[2];
		if (!braces) continue;
		if (braces.startsWith('*')) {
			names.push(braces.replace(/^\*\s*as\s+/, ''));
			continue;
		}
		for (const part of braces.slice(1, -1).split(',')) {
			const local = part.trim().split(/\s+as\s+/).pop()?.trim();
			if (local) names.push(local);
		}
	}
	if (names.length === 0) return false;
	for (const name of names) {
		const uses = code.match(new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g'))?.length ?? 0;
		const inImports = spans.match(new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g'))?.length ?? 0;
		if (uses - inImports < 1) return true;
	}
	return false;
}

/** Node warns that type stripping is experimental, on the script's stderr: not asyncmon's to say. */
function quietly<T>(run: () => T): T {
	const emitWarning = process.emitWarning;
	process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
		const text = typeof warning === 'string' ? warning : warning.message;
		if (/stripTypeScriptTypes|Type Stripping/i.test(text)) return;
		(emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
	}) as typeof process.emitWarning;
	try {
		return run();
	} finally {
		process.emitWarning = emitWarning;
	}
}

/** `source` compiled to CommonJS; null when it cannot be (a top-level await, a syntax error: see compile). */
function asCommonJs(source: string, file: string, loader: Loader, options: HookOptions): Compiled | null {
	const refused = new Error('not CommonJS');
	try {
		return compileTypeScriptOrEsbuild(source, file, loader, {...options, onSyntaxError: () => { throw refused; }}, 'cjs');
	} catch (error) {
		if (error === refused) return null;
		throw error;
	}
}

/**
 * esbuild, unless the project's tsconfig asks for decorator metadata, which esbuild does not emit: then
 * TypeScript's compiler (see decorator-metadata.ts).
 */
function compileTypeScriptOrEsbuild(source: string, file: string, loader: Loader, options: HookOptions, format?: 'cjs'): Compiled {
	const tsconfig = findTsconfig(file).text;
	if ((loader === 'ts' || loader === 'tsx') && wantsDecoratorMetadata(tsconfig)) {
		try {
			return compileWithTypeScript(source, file, tsconfig, format);
		} catch (error) {
			// A syntax error is esbuild's to name, in the words and place users expect.
			if (!(error instanceof SyntaxForEsbuild)) throw error;
		}
	}
	return compileWithEsbuild(source, file, loader, options, format);
}

function compileWithEsbuild(source: string, file: string, loader: Loader, options: HookOptions, format?: 'cjs'): Compiled {
	try {
		const output = esbuild().transformSync(source, {
			loader,
			format,
			// For CommonJS, the exports' names annotated as Node's cjs-module-lexer reads them: an ES module may import them by name.
			platform: format === 'cjs' ? 'node' : undefined,
			sourcefile: file,
			sourcemap: 'external',
			// The running Node's own syntax: `await using` and the like are lowered where this Node cannot parse them.
			target: `node${process.versions.node}`,
			// Node runs no decorators yet: always lower them.
			supported: {decorators: false},
			tsconfigRaw: findTsconfig(file).text,
			logLevel: 'silent',
		});
		return {code: output.code, map: output.map};
	} catch (error) {
		const first = (error as TransformFailure).errors?.[0];
		if (!first) throw error;
		return options.onSyntaxError({
			message: first.text,
			file,
			line: first.location?.line ?? 1,
			column: (first.location?.column ?? 0) + 1,
			lineText: first.location?.lineText ?? '',
		});
	}
}

/** Node's rules: the extension, then package.json "type", then whether the code uses ES module syntax. */
function moduleFormat(file: string, code: string): ModuleFormat {
	if (/\.m[jt]s$/.test(file)) return 'module';
	if (/\.c[jt]s$/.test(file)) return 'commonjs';
	const type = packageType(file);
	if (type !== 'unspecified') return type;
	return usesModuleSyntax(code) ? 'module' : 'commonjs';
}

/**
 * What Node runs of a worker's code from a string that is no JavaScript, if this Node strips types (it then
 * takes such code for TypeScript): the code with its types blanked out, lines and columns kept. Null for
 * JavaScript, and for what stripping cannot make JavaScript.
 */
export function strippedEvalCode(code: string): string | null {
	if (!process.features.typescript || parses(code, 'script') || parses(code, 'module')) return null;
	try {
		return quietly(() => module.stripTypeScriptTypes(code, {mode: 'strip'}));
	} catch {
		return null;
	}
}

/** Node's syntax detection for a `.js` file: code that does not parse as CommonJS is a module (code that parses as neither fails as one). */
function usesModuleSyntax(code: string): boolean {
	return !parses(code, 'script');
}

/** Node's syntax detection for an entry its CommonJS loader runs, and for eval code: only code that parses as a module, not as CommonJS, is one. */
export function isModuleOnly(code: string): boolean {
	return !parses(code, 'script') && parses(code, 'module');
}

function parses(code: string, sourceType: 'script' | 'module'): boolean {
	try {
		acorn().parse(code, {ecmaVersion: 'latest', sourceType, allowReturnOutsideFunction: sourceType === 'script', allowHashBang: true});
		return true;
	} catch {
		return false;
	}
}
