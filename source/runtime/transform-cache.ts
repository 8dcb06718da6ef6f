import {lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {ModuleSites} from './site-table.js';

export const CACHE_DIR_ENV = 'ASYNCMON_CACHE_DIR';
export const NO_CACHE_ENV = 'ASYNCMON_NO_CACHE';
/** Other builds' entries nobody added to for this long are removed. */
const STALE_BUILD_MS = 7 * 24 * 3600 * 1000;
/** The most one build's entries may take on disk; past it, the least recently used go. */
const MAX_CACHE_BYTES = 256 * 1024 * 1024;
/** A larger compiled file is not kept: it would push out everything else (a generated 50 MB script made a 460 MB entry). */
const MAX_ENTRY_BYTES = 16 * 1024 * 1024;

export type ModuleFormat = 'module' | 'commonjs';

/** An entry's name, and all that its output depends on, which the entry keeps and is checked against. */
export interface CacheKey {
	file: string;
	input: string;
}

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
	/** Bytes this build's entries take, counted on the first write of a run: reads never pay for the count. */
	private bytes: number | null = null;

	private constructor(
		private readonly directory: string,
		private readonly limits = {maxBytes: MAX_CACHE_BYTES, maxEntryBytes: MAX_ENTRY_BYTES},
	) {}

	/**
	 * `buildIdFile` is written by the build; without it (running from source) nothing is cached. A
	 * directory that cannot be made, or is not private, is `refused`: the run goes on without a cache.
	 */
	static open(
		buildIdFile: URL,
		env: NodeJS.ProcessEnv = process.env,
		limits?: {maxBytes: number; maxEntryBytes: number},
		refused: (message: string) => void = () => {},
	): TransformCache | null {
		if (env[NO_CACHE_ENV] === '1') return null;
		let buildId: string;
		try {
			buildId = readFileSync(buildIdFile, 'utf8').trim();
		} catch {
			return null;
		}
		// Without its trailing slash, since `link/` names the directory a symlink points to, and lstat would follow it.
		const base = (env[CACHE_DIR_ENV] || join(tmpdir(), `asyncmon-cache-${process.getuid?.() ?? 'user'}`)).replace(/(.)\/+$/, '$1');
		const refuse = (why: string): null => {
			refused(`not using the transform cache ${base}: ${why}; every run compiles the script's files anew (${CACHE_DIR_ENV} names another directory)`);
			return null;
		};
		try {
			mkdirSync(base, {recursive: true, mode: 0o700});
			const problem = privacyProblem(base);
			if (problem) return refuse(problem);
			const directory = join(base, `${buildId}-node${process.versions.node}`);
			if (mkdirSync(directory, {recursive: true, mode: 0o700}) !== undefined) removeStaleBuilds(base, directory);
			return new TransformCache(directory, limits);
		} catch (error) {
			return refuse((error as Error).message);
		}
	}

	/**
	 * Named by a fast 64-bit hash, not a cryptographic one: node:crypto alone takes 8 ms to load, in every run.
	 * The entry keeps its whole input, so a name two inputs share is a miss, never another file's code.
	 */
	static key(parts: readonly string[]): CacheKey {
		const input = parts.join('\0');
		return {file: hash64(input), input};
	}

	get(key: CacheKey): CompiledModule | null {
		const file = join(this.directory, key.file);
		try {
			const {input, ...entry} = JSON.parse(readFileSync(file, 'utf8')) as CompiledModule & {input: string};
			if (input !== key.input) return null;
			// Used now: the eviction below goes by modification time, so this entry goes last.
			const now = new Date();
			utimesSync(file, now, now);
			return entry;
		} catch {
			return null;
		}
	}

	/** Best effort, and atomic: a concurrent run reads a whole entry or none. */
	set(key: CacheKey, entry: CompiledModule): void {
		const text = JSON.stringify({...entry, input: key.input});
		const size = Buffer.byteLength(text);
		if (size > this.limits.maxEntryBytes) return;
		this.makeRoom(size);
		const file = join(this.directory, key.file);
		const temporary = `${file}.${process.pid}.tmp`;
		try {
			writeFileSync(temporary, text, {mode: 0o600, flag: 'wx'});
			renameSync(temporary, file);
			this.bytes! += size;
		} catch {
			rmSync(temporary, {force: true});
		}
	}

	/** Removes the least recently used entries until `size` more bytes fit under the limit. */
	private makeRoom(size: number): void {
		this.bytes ??= this.entries().reduce((sum, file) => sum + file.bytes, 0);
		if (this.bytes + size <= this.limits.maxBytes) return;
		for (const file of this.entries().sort((a, b) => a.usedAt - b.usedAt)) {
			rmSync(file.path, {force: true});
			this.bytes -= file.bytes;
			if (this.bytes + size <= this.limits.maxBytes) return;
		}
	}

	private entries(): Array<{path: string; bytes: number; usedAt: number}> {
		return readdirSync(this.directory).flatMap(name => {
			const path = join(this.directory, name);
			try {
				const stats = statSync(path);
				return [{path, bytes: stats.size, usedAt: stats.mtimeMs}];
			} catch {
				// Removed by another run meanwhile.
				return [];
			}
		});
	}
}

/** Why `path` is not a directory only its user may use, or null when it is one. */
function privacyProblem(path: string): string | null {
	const stats = lstatSync(path);
	const owner = process.getuid?.();
	if (stats.isSymbolicLink()) return 'it is a symlink';
	if (!stats.isDirectory()) return 'it is not a directory';
	if (owner !== undefined && stats.uid !== owner) return `it belongs to another user (uid ${stats.uid})`;
	if ((stats.mode & 0o077) !== 0) return `others may use it (mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')})`;
	return null;
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

/** 64 bits of cyrb53's mixing (two 32-bit lanes, each multiplied per character), in 16 hex digits. */
function hash64(text: string): string {
	let h1 = 0xdeadbeef;
	let h2 = 0x41c6ce57;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		h1 = Math.imul(h1 ^ code, 2654435761);
		h2 = Math.imul(h2 ^ code, 1597334677);
	}
	h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
	h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
	return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
