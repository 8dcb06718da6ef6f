import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';

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

const tsconfigs = new Map<string, string | null>();
type PackageType = 'module' | 'commonjs' | 'unspecified';
const packageTypes = new Map<string, PackageType | null>();

/** The project's tsconfig.json text, which esbuild reads for decorators, JSX and class fields. */
export function findTsconfig(file: string): string {
	return nearest(tsconfigs, file, 'tsconfig.json', readText) ?? DEFAULT_TSCONFIG;
}

/** The nearest package.json's "type"; with none, Node detects the format from the syntax. */
export function packageType(file: string): PackageType {
	const type = nearest(packageTypes, file, 'package.json', path => {
		const text = readText(path);
		if (text === null) return null;
		try {
			const declared = (JSON.parse(text) as {type?: unknown}).type;
			return declared === 'module' || declared === 'commonjs' ? declared : 'unspecified';
		} catch {
			return 'unspecified';
		}
	});
	return type ?? 'unspecified';
}
