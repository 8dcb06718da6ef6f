import {existsSync, readFileSync} from 'node:fs';
import module, {type LoadFnOutput, type LoadHookContext, type LoadHookSync} from 'node:module';
import {relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import remapping from '@jridgewell/remapping';
import {TraceMap, originalPositionFor} from '@jridgewell/trace-mapping';
import {transformSync, type Loader, type TransformFailure} from 'esbuild';
import {parse} from 'acorn';
import {afterDirectives, instrument, parseProgram, RUNTIME_GLOBAL, type SiteRegistry} from './transform.js';
import type {SiteTable} from './site-table.js';
import {findTsconfig, packageType} from './project-files.js';

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

export interface HookOptions {
	sites: SiteTable;
	/** Absolute path of the script asyncmon runs: its top level is the root task. */
	entry: string;
	/** The script cannot be compiled: report and stop. */
	onSyntaxError: (problem: SyntaxProblem) => never;
	/** Wraps module loading and asyncmon's own compile work, which are no part of the script's time. */
	loading: <T>(load: () => T) => T;
}

type ModuleFormat = 'module' | 'commonjs';

/**
 * Loader hooks, run on the loading thread for `import` and `require` alike:
 * user files (not node_modules) are compiled by esbuild and instrumented;
 * source maps are chained so stacks and locations point at the user's lines.
 */
export function installHooks(options: HookOptions): void {
	module.registerHooks({
		resolve(specifier, context, nextResolve) {
			try {
				return nextResolve(specifier, context);
			} catch (error) {
				const alternative = tsAlternative(specifier, context.parentURL, error);
				if (!alternative) throw error;
				return nextResolve(alternative, context);
			}
		},
		load(url, context, nextLoad) {
			return options.loading(() => load(url, context, nextLoad, options));
		},
	});
}

function load(url: string, context: LoadHookContext, nextLoad: Parameters<LoadHookSync>[2], options: HookOptions): LoadFnOutput {
			if (url.endsWith(UNDICI_DISPATCHER_BASE)) {
				const loaded = nextLoad(url, context);
				return {...loaded, source: `${String(loaded.source)}\n;globalThis.${RUNTIME_GLOBAL}.patchDispatcher(module.exports);\n`};
			}
			const file = userFile(url);
			if (!file) return nextLoad(url, context);
			const extension = /\.[cm]?[jt]sx?$/.exec(file)?.[0] ?? '';
			const loader = LOADERS[extension];
			if (!loader) return nextLoad(url, context);
			const source = readFileSync(file, 'utf8');
			const compiled = compile(source, file, loader, options);
			return {format: compiled.format, source: compiled.code, shortCircuit: true};
}

function userFile(url: string): string | null {
	if (!url.startsWith('file:')) return null;
	const file = fileURLToPath(url);
	return file.includes('/node_modules/') ? null : file;
}

function tsAlternative(specifier: string, parentURL: string | undefined, error: unknown): string | null {
	const code = (error as NodeJS.ErrnoException).code;
	if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return null;
	if (!parentURL || !(specifier.startsWith('.') || specifier.startsWith('/'))) return null;
	const extension = /\.[cm]?js$/.exec(specifier)?.[0] ?? (/\.[a-z]+$/i.test(specifier) ? null : '');
	if (extension === null) return null;
	const stem = specifier.slice(0, specifier.length - extension.length);
	for (const candidate of RESOLVE_FALLBACKS[extension] ?? []) {
		const url = new URL(stem + candidate, parentURL);
		if (existsSync(url)) return url.href;
	}
	return null;
}

function compile(source: string, file: string, loader: Loader, options: HookOptions): {code: string; format: ModuleFormat} {
	let esbuildOutput: {code: string; map: string};
	try {
		esbuildOutput = transformSync(source, {
			loader,
			sourcefile: file,
			sourcemap: 'external',
			target: 'esnext',
			// Node runs no decorators yet: always lower them.
			supported: {decorators: false},
			tsconfigRaw: findTsconfig(file),
			logLevel: 'silent',
		});
	} catch (error) {
		const first = (error as TransformFailure).errors?.[0];
		if (!first) throw error;
		options.onSyntaxError({
			message: first.text,
			file,
			line: first.location?.line ?? 1,
			column: (first.location?.column ?? 0) + 1,
			lineText: first.location?.lineText ?? '',
		});
	}
	const format = moduleFormat(file, esbuildOutput.code);
	const originalMap = new TraceMap(esbuildOutput.map);
	const cwd = options.sites.scriptDirectory;
	const locate = (line: number, column: number): string => {
		const original = originalPositionFor(originalMap, {line, column});
		return `${relative(cwd, file)}:${original.line ?? line}:${(original.column ?? column) + 1}`;
	};
	const registry: SiteRegistry = {
		addFunction: site => options.sites.addFunction({name: site.name, loc: locate(site.line, site.column)}),
		addAwait: site => options.sites.addAwait({loc: locate(site.line, site.column), dependent: site.dependent}),
	};
	const result = instrument({code: esbuildOutput.code, sourceType: format, registry});
	if (file === options.entry) {
		result.magic.appendLeft(afterDirectives(parseProgram(esbuildOutput.code, format === 'module' ? 'module' : 'script')), `${RUNTIME_GLOBAL}.entryStarted();`);
		result.magic.append(`\n;${RUNTIME_GLOBAL}.rootDone();\n`);
	}
	const map = remapping(
		[result.magic.generateMap({hires: 'boundary', source: file, includeContent: false}).toString(), esbuildOutput.map],
		() => null,
	);
	map.sourcesContent = [source];
	const inlineMap = Buffer.from(map.toString()).toString('base64');
	return {
		code: `${result.magic.toString()}\n//# sourceMappingURL=data:application/json;base64,${inlineMap}\n`,
		format,
	};
}

/** Node's rules: the extension, then package.json "type", then whether the code uses ES module syntax. */
function moduleFormat(file: string, code: string): ModuleFormat {
	if (/\.m[jt]s$/.test(file)) return 'module';
	if (/\.c[jt]s$/.test(file)) return 'commonjs';
	const type = packageType(file);
	if (type !== 'unspecified') return type;
	return usesModuleSyntax(code) ? 'module' : 'commonjs';
}

/** Node's syntax detection: code that does not parse as CommonJS but does as a module is a module. */
function usesModuleSyntax(code: string): boolean {
	try {
		parse(code, {ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true, allowHashBang: true});
		return false;
	} catch {
		return true;
	}
}
