import {hash} from 'node:crypto';
import {lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {ModuleSites} from './site-table.js';

export const CACHE_DIR_ENV = 'ASYNCMON_CACHE_DIR';
export const NO_CACHE_ENV = 'ASYNCMON_NO_CACHE';
/** Other builds' entries nobody added to for this long are removed. */
const STALE_BUILD_MS = 7 * 24 * 3600 * 1000;

export type ModuleFormat = 'module' | 'commonjs';

/** One user file as the loader hook hands it to Node, and the sites its code refers to. */
export interface CompiledModule {
	code: string;
	format: ModuleFormat;
	sites: ModuleSites;
}

/**
 * Compiled and instrumented user files on disk, keyed by everything the
 * output depends on: a run of an unchanged script skips type stripping,
 * parsing and instrumenting, and the compiler's libraries are never loaded.
 * Entries are per build of asyncmon and per Node version. The directory is
 * private to the user (0700, owned by them, no symlink); anything else
 * turns the cache off rather than run code someone else could have written.
 */
export class TransformCache {
	private constructor(private readonly directory: string) {}

	/** `buildIdFile` is written by the build; without it (running from source) nothing is cached. */
	static open(buildIdFile: URL, env: NodeJS.ProcessEnv = process.env): TransformCache | null {
		if (env[NO_CACHE_ENV] === '1') return null;
		try {
			const buildId = readFileSync(buildIdFile, 'utf8').trim();
			const base = env[CACHE_DIR_ENV] || join(tmpdir(), `asyncmon-cache-${process.getuid?.() ?? 'user'}`);
			mkdirSync(base, {recursive: true, mode: 0o700});
			if (!isPrivateDirectory(base)) return null;
			const directory = join(base, `${buildId}-node${process.versions.node}`);
			if (mkdirSync(directory, {recursive: true, mode: 0o700}) !== undefined) removeStaleBuilds(base, directory);
			return new TransformCache(directory);
		} catch {
			return null;
		}
	}

	static key(parts: readonly string[]): string {
		return hash('sha256', parts.join('\0'));
	}

	get(key: string): CompiledModule | null {
		try {
			return JSON.parse(readFileSync(join(this.directory, key), 'utf8')) as CompiledModule;
		} catch {
			return null;
		}
	}

	/** Best effort, and atomic: a concurrent run reads a whole entry or none. */
	set(key: string, entry: CompiledModule): void {
		const file = join(this.directory, key);
		const temporary = `${file}.${process.pid}.tmp`;
		try {
			writeFileSync(temporary, JSON.stringify(entry), {mode: 0o600, flag: 'wx'});
			renameSync(temporary, file);
		} catch {
			rmSync(temporary, {force: true});
		}
	}
}

function isPrivateDirectory(path: string): boolean {
	const stats = lstatSync(path);
	const owner = process.getuid?.();
	return stats.isDirectory() && (owner === undefined || stats.uid === owner) && (stats.mode & 0o077) === 0;
}

function removeStaleBuilds(base: string, current: string): void {
	const now = Date.now();
	for (const name of readdirSync(base)) {
		const path = join(base, name);
		if (path === current) continue;
		try {
			if (now - statSync(path).mtimeMs > STALE_BUILD_MS) rmSync(path, {recursive: true, force: true});
		} catch {
			// Another run removed it first.
		}
	}
}
