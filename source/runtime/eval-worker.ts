import {Module} from 'node:module';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {constants, Script, type ScriptOptions} from 'node:vm';
import type {ModuleFormat} from './transform-cache.js';
import {INLINE_MAP} from './vitest-evaluator.js';

/**
 * A worker made from a string (`new Worker(code, {eval: true})`): Node runs no --import in it, so the code it is
 * handed loads the preload itself, which instruments the thread and then the code, in the thread (its site ids
 * are the thread's). Node still evaluates that stub as it would the code, and the code runs as Node would have
 * run it: a script named `[worker eval]`, with Node's `require`, `module` and `__filename`, or, when it has
 * module syntax, the ES module `[eval1]` in the working directory.
 */

/** How Node names a worker's eval code in stacks; asyncmon locates its sites so too. */
const SCRIPT_NAME = '[worker eval]';
/** Node's name for the ES module of a worker's eval code, the first (and only) one it evaluates in the thread. */
const MODULE_NAME = '[eval1]';
/** What the code is under `--input-type=module`: the stub, evaluated as a module, is Node's `[eval1]`. */
const NEXT_MODULE_NAME = '[eval2]';

/** The thread's compiler, which instruments code as it would a file named `file`. */
export interface EvalCompiler {
	/** Instrumented code with its source map inline, or null when the code cannot be compiled. */
	compile(code: string, file: string, format: ModuleFormat, name: string, typescript: boolean): string | null;
	/** The thread's loader hands Node `source` for `url`. */
	serve(url: string, source: string): void;
	isModuleOnly(code: string): boolean;
	/** What Node runs of code that is TypeScript; null for JavaScript. */
	strippedTypes(code: string): string | null;
}

/**
 * The code Node is handed for a worker made from `code`: it loads the preload, has it compile `code` and runs
 * what it returns. Evaluated as a script or as a module (`--input-type=module` in the worker's execArgv), it
 * tells which by `this`. Its own frame, below the code's in a stack, stands on the line after the code's last,
 * which the code's source map leaves unmapped (see unchangedLinesUnmapped in hooks.ts).
 */
export function evalWorkerStub(preload: string, code: string): string {
	const load = `process.getBuiltinModule('node:module').createRequire(${JSON.stringify(preload)})(${JSON.stringify(preload)})`;
	const after = '\n'.repeat(lineCount(code));
	return `new (process.getBuiltinModule('node:vm').Script)(...${load}.evalWorkerScript(${JSON.stringify(code)}, this === undefined))${after}.runInThisContext();`;
}

function lineCount(code: string): number {
	return (code.match(/\r\n?|[\n\u2028\u2029]/g)?.length ?? 0) + 1;
}

/** Node keeps a source map while the module it came with lives: the one that registered the script's. */
let mapHolder: Module | null = null;

/**
 * The arguments of the vm.Script the stub runs in place of `code`, instrumented. A script is compiled under
 * Node's name for it, and its map registered under that name, which Node resolves against the working
 * directory. An ES module is served to the loader at Node's URL for it and imported; the stub runs an empty script.
 */
export function evalWorkerScript(code: string, ranAsModule: boolean, compiler: EvalCompiler): [string, ScriptOptions] {
	const cwd = process.cwd();
	// As Node does, code that is not JavaScript is tried as TypeScript, and what it is detected once stripped.
	// V8 says at once what is a script, as Node asks it: the parser is loaded only for what is not.
	const script = compilesAsScript(code);
	const stripped = script ? null : compiler.strippedTypes(code);
	const source: EvalSource = {code, javascript: stripped ?? code, typescript: stripped !== null};
	// Node evaluated the stub as a module (`--input-type=module`) as it would the code: it set nothing of a script's.
	if (ranAsModule) return moduleScript(source, cwd, compiler, NEXT_MODULE_NAME);
	// The worker reads its code there as under node, not the stub.
	Object.defineProperty(process, '_eval', {configurable: true, enumerable: true, value: code});
	if (!script && compiler.isModuleOnly(source.javascript)) {
		// Node set these for the stub, a script; it finds module syntax in the code before it would.
		for (const name of SCRIPT_GLOBALS) delete (globalThis as Record<string, unknown>)[name];
		return moduleScript(source, cwd, compiler, MODULE_NAME);
	}
	if (DYNAMIC_IMPORT.test(code)) warnedOfDefaultLoader();
	const options: ScriptOptions = {filename: SCRIPT_NAME, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER};
	const file = join(cwd, SCRIPT_NAME);
	const compiled = compiler.compile(code, file, 'commonjs', SCRIPT_NAME, source.typescript);
	if (compiled === null) return [source.javascript, options];
	// A vm.Script's map is not registered, a CommonJS module's is: one made of the map's comment alone registers it.
	mapHolder = new Module(file);
	(mapHolder as unknown as {_compile(content: string, filename: string): void})._compile(compiled.slice(compiled.lastIndexOf(`\n${INLINE_MAP}`)), file);
	return [compiled, options];
}

function compilesAsScript(code: string): boolean {
	try {
		new Script(code, {filename: SCRIPT_NAME});
		return true;
	} catch {
		return false;
	}
}

/** What Node's evaluation of a script defines on the global object, and not of a module. */
const SCRIPT_GLOBALS = ['module', 'exports', '__dirname', 'require', '__filename'];

interface EvalSource {
	code: string;
	/** The code, or what Node runs of it if it is TypeScript. */
	javascript: string;
	typescript: boolean;
}

/** The module is imported from here, and the stub runs an empty script. */
function moduleScript(source: EvalSource, cwd: string, compiler: EvalCompiler, name: string): [string, ScriptOptions] {
	const url = `${pathToFileURL(cwd).href}/${name}`;
	compiler.serve(url, compiler.compile(source.code, join(cwd, name), 'module', name, source.typescript) ?? source.javascript);
	// Left unhandled, as Node leaves its own evaluation of the module: its failure is the worker's uncaught error.
	void import(url);
	return ['', {}];
}

const DYNAMIC_IMPORT = /\bimport\s*\(/;

/**
 * Node warns, once a thread, that USE_MAIN_CONTEXT_DEFAULT_LOADER is experimental when a script compiled with it
 * first calls import(); the worker's code has it to import() as under node, where nothing is said. The warning
 * is had here, unheard.
 */
function warnedOfDefaultLoader(): void {
	const emitWarning = process.emitWarning;
	process.emitWarning = () => {};
	try {
		void new Script('import("node:path")', {importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER}).runInThisContext();
	} finally {
		process.emitWarning = emitWarning;
	}
}
