import {readFileSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';
import type {PathsMatcher} from 'get-tsconfig';
import {getTsconfigModule} from './lazy-modules.js';

const DEFAULT_TSCONFIG = JSON.stringify({compilerOptions: {jsx: 'react-jsx'}});

/** The nearest file of that name above `file`, memoised per directory. */
function nearest<T>(cache: Map<string, T | null>, file: string, name: string, read: (path: string) => T | null): T | null {
	const visited: string[] = [];
	let directory = dirname(file);
	let found: T | null = null;
	for (;;) {
		const cached = cache.get(directory);
		if (cached !== undefined) {
			found = cached;
			break;
		}
		visited.push(directory);
		found = read(join(directory, name));
		if (found !== null) break;
		const parent = dirname(directory);
		if (parent === directory) break;
		directory = parent;
	}
	for (const each of visited) cache.set(each, found);
	return found;
}

function readText(path: string): string | null {
	try {
		return readFileSync(path, 'utf8');
	} catch {
		return null;
	}
}

/** The tsconfig.json that governs a file, as esbuild and module resolution need it. */
export interface ProjectTsconfig {
	/** Its compiler options as JSON text, with any `extends` chain merged in. */
	text: string;
	/** Its `paths` aliases, if it has any: a specifier's candidate files. */
	paths: PathsMatcher | null;
	/**
	 * Why its `extends` chain could not be read (a base package not installed, a file gone), if it could not: its own
	 * text is used then, as node, which reads no tsconfig, runs the files it governs.
	 */
	unread?: {path: string; reason: string};
}

const NO_TSCONFIG: ProjectTsconfig = {text: DEFAULT_TSCONFIG, paths: null};
const tsconfigs = new Map<string, ProjectTsconfig | null>();
type PackageType = 'module' | 'commonjs' | 'unspecified';

/** The project's tsconfig.json, which esbuild reads for decorators, JSX and class fields, and resolution for `paths`. */
export function findTsconfig(file: string): ProjectTsconfig {
	return nearest(tsconfigs, file, 'tsconfig.json', readTsconfig) ?? NO_TSCONFIG;
}

/**
 * Most tsconfigs stand alone and are read as they are. One that extends another or maps paths goes through
 * get-tsconfig (tsx's resolver), loaded only then: it costs about 20 ms of start-up.
 */
function readTsconfig(path: string): ProjectTsconfig | null {
	const text = readText(path);
	if (text === null) return null;
	if (!/"(extends|paths)"/.test(text)) return {text, paths: null};
	const {getTsconfig, createPathsMatcher} = getTsconfigModule();
	let resolved: ReturnType<typeof getTsconfig>;
	try {
		resolved = getTsconfig(dirname(path), basename(path));
	} catch (error) {
		return {text, paths: null, unread: {path, reason: error instanceof Error ? error.message : String(error)}};
	}
	if (!resolved) return {text, paths: null};
	return {text: JSON.stringify(resolved.config), paths: createPathsMatcher(resolved)};
}

/** The nearest package.json's "type"; with none, Node detects the format from the syntax. */
export function packageType(file: string): PackageType {
	const declared = nearestPackage(file)?.manifest.type;
	return declared === 'module' || declared === 'commonjs' ? declared : 'unspecified';
}

/** A package.json: its folder and what it declares (`{}` when it does not parse). */
export interface PackageManifest {
	directory: string;
	manifest: {type?: unknown; exports?: unknown};
}

const packages = new Map<string, PackageManifest | null>();

/** The package a file belongs to: the nearest package.json above it. */
export function nearestPackage(file: string): PackageManifest | null {
	return nearest(packages, file, 'package.json', path => {
		const text = readText(path);
		if (text === null) return null;
		let manifest: PackageManifest['manifest'] = {};
		try {
			const parsed = JSON.parse(text) as PackageManifest['manifest'] | null;
			// What asyncmon reads, not the whole manifest of every package loaded.
			if (typeof parsed === 'object' && parsed !== null) manifest = {type: parsed.type, exports: parsed.exports};
		} catch {
			// Node reports a package.json it cannot read when it needs it.
		}
		return {directory: dirname(path), manifest};
	});
}
