import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname} from 'node:path';
import type * as TypeScript from 'typescript';
import {ownTypeScript} from './lazy-modules.js';

/**
 * Decorator metadata (`emitDecoratorMetadata`): the types of a class's constructor parameters and properties,
 * which NestJS's dependency injection, TypeORM's entities and class-validator read at run time. esbuild emits
 * none, so such a project compiles, starts, and then fails (Nest answers every request with a 500). TypeScript's
 * own compiler emits it: the project's, where it has one with a JavaScript API, else asyncmon's own (TypeScript
 * 7, the native compiler a new project gets, has none).
 */
export function wantsDecoratorMetadata(tsconfigText: string): boolean {
	return /"emitDecoratorMetadata"\s*:\s*true/.test(tsconfigText) && /"experimentalDecorators"\s*:\s*true/.test(tsconfigText);
}

/** What TypeScript's compiler found wrong in the file's syntax: esbuild, which names it as users expect, is left to say it. */
export class SyntaxForEsbuild extends Error {}

/** The file compiled by TypeScript, its decorator metadata emitted. Throws SyntaxForEsbuild for a syntax error in it. */
export function compileWithTypeScript(source: string, file: string, tsconfigText: string, format: 'cjs' | undefined): {code: string; map: string | null} {
	const ts = projectTypeScript(file) ?? ownTypeScript();
	const json = ts.parseConfigFileTextToJson('tsconfig.json', tsconfigText).config as {compilerOptions?: object} | undefined;
	const {options} = ts.convertCompilerOptionsFromJson(json?.compilerOptions ?? {}, dirname(file));
	// The project's own target decides how class fields are defined, as tsc decides it; the code is emitted for this
	// Node, with async functions kept as they are (a target below ES2017 would make them generators: no task).
	const projectTarget = options.target ?? ts.ScriptTarget.ES5;
	const output = ts.transpileModule(source, {
		fileName: file,
		reportDiagnostics: true,
		compilerOptions: {
			...options,
			target: Math.max(projectTarget, ts.ScriptTarget.ES2022),
			useDefineForClassFields: options.useDefineForClassFields ?? projectTarget >= ts.ScriptTarget.ES2022,
			// Where Node decides the format, imports are kept as written, as esbuild keeps them: `import x = require()` stays a
			// require (TypeScript 5.4's Preserve; ESNext, before it, drops it, and the script failed on `x is not defined`).
			module: format === 'cjs' ? ts.ModuleKind.CommonJS : (ts.ModuleKind.Preserve ?? ts.ModuleKind.ESNext),
			sourceMap: true,
			inlineSourceMap: false,
			inlineSources: false,
			// The code runs where its source is, not from the project's build: a map's sources are written relative to
			// the output's place, and a project's outDir (a Nest project's `dist`) put every stack one folder too high.
			outDir: undefined,
			outFile: undefined,
			rootDir: undefined,
			sourceRoot: undefined,
			mapRoot: undefined,
			declaration: false,
			noEmit: false,
		},
	});
	// A diagnostic of the file's own is its syntax. One of no file is of the options: the module set here beside the
	// project's moduleResolution NodeNext (TS5110), allowImportingTsExtensions while emitting (TS5096). They say
	// nothing of this emit, and taking them for syntax errors sent the file to esbuild, its metadata lost.
	if (output.diagnostics?.some(diagnostic => diagnostic.category === ts.DiagnosticCategory.Error && diagnostic.file)) throw new SyntaxForEsbuild();
	return {code: output.outputText.replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n'), map: output.sourceMapText ?? null};
}

/**
 * Which TypeScript the project has, for the transform cache's key: a project that installs it (or another version)
 * after a run compiled with asyncmon's own must not be served that run's output. Read from its package.json alone:
 * loading the compiler takes a fifth of a second, which a cached file never pays.
 */
export function typeScriptFor(file: string): string {
	const directory = dirname(file);
	let found = versions.get(directory);
	if (found === undefined) {
		try {
			const manifest = createRequire(file).resolve('typescript/package.json');
			found = `${manifest} ${(JSON.parse(readFileSync(manifest, 'utf8')) as {version?: string}).version ?? ''}`;
		} catch {
			found = 'none';
		}
		versions.set(directory, found);
	}
	return found;
}

/** typeScriptFor's answers by directory: asked for every file of such a project as it loads, cached or not. */
const versions = new Map<string, string>();

/** Each project's TypeScript, by the directory it was looked for from; null where there is none. */
const compilers = new Map<string, typeof TypeScript | null>();

function projectTypeScript(file: string): typeof TypeScript | null {
	const directory = dirname(file);
	let ts = compilers.get(directory);
	if (ts === undefined) {
		try {
			ts = createRequire(file)('typescript') as typeof TypeScript;
			// TypeScript 7, the native compiler, has no JavaScript API to compile with.
			if (typeof ts.transpileModule !== 'function' || typeof ts.convertCompilerOptionsFromJson !== 'function') ts = null;
		} catch {
			ts = null;
		}
		compilers.set(directory, ts);
	}
	return ts;
}
