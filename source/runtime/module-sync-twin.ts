import {resolve} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import type {ResolveFnOutput, ResolveHookContext} from 'node:module';
import {nearestPackage, packageType} from './project-files.js';

/**
 * Node 22.19 to 22.21 cannot `require()` an ES module that imports CommonJS once loader hooks are registered
 * (`request for './index.js' is not in cache`, even with hooks that do nothing; fixed in 22.22). A package that
 * offers such a module under the `module-sync` condition usually offers the same module as CommonJS for
 * `require`: Express 5 and axios reach several through get-intrinsic. There, a CommonJS module's require of that
 * ES module is given its CommonJS twin, which Node 22.22 and later would not need.
 */
export const NEEDS_MODULE_SYNC_TWIN = needsTwin(process.versions.node);

export function needsTwin(version: string): boolean {
	const [major, minor] = version.split('.').map(Number) as [number, number];
	return major === 22 && minor < 22;
}

/** The CommonJS twin of what a require from CommonJS resolved to, or the resolution as it was. */
export function moduleSyncTwin(specifier: string, context: ResolveHookContext, resolved: ResolveFnOutput): ResolveFnOutput {
	// A CommonJS module's require reaches the hooks with the specifier resolved already; an import() passes its own.
	if (resolved.format !== 'module' || !specifier.startsWith('file:') || !context.parentURL?.startsWith('file:')) return resolved;
	const parent = fileURLToPath(context.parentURL);
	if (!parent.endsWith('.cjs') && !(parent.endsWith('.js') && packageType(parent) !== 'module')) return resolved;
	const twin = commonJsTwin(fileURLToPath(resolved.url));
	return twin ? {url: pathToFileURL(twin).href, format: 'commonjs', shortCircuit: true} : resolved;
}

/** The file a package exports for `require` where it exports `file` under `module-sync`. */
export function commonJsTwin(file: string): string | null {
	const found = nearestPackage(file);
	const exports = found?.manifest.exports;
	if (!found || exports === undefined || exports === null) return null;
	const hasSubpaths = typeof exports === 'object' && !Array.isArray(exports) && Object.keys(exports).some(key => key.startsWith('.'));
	const targets: unknown[] = hasSubpaths ? Object.values(exports) : [exports];
	for (const target of targets) {
		const sync = conditionalTarget(target, ['module-sync']);
		if (sync === null || resolve(found.directory, sync) !== file) continue;
		const required = conditionalTarget(target, ['require', 'node', 'default']);
		if (required !== null) return resolve(found.directory, required);
	}
	return null;
}

/** What an exports target gives under these conditions, as Node picks it: the first matching key, in the package's order. */
function conditionalTarget(target: unknown, conditions: readonly string[]): string | null {
	if (typeof target === 'string') return target;
	if (Array.isArray(target)) {
		for (const each of target) {
			const picked = conditionalTarget(each, conditions);
			if (picked !== null) return picked;
		}
		return null;
	}
	if (typeof target !== 'object' || target === null) return null;
	for (const [condition, value] of Object.entries(target)) {
		if (!conditions.includes(condition)) continue;
		const picked = conditionalTarget(value, conditions);
		if (picked !== null) return picked;
	}
	return null;
}
