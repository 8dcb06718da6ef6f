import {chmodSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {describe, expect, it} from 'vitest';
import {CACHE_DIR_ENV, NO_CACHE_ENV, TransformCache, type CompiledModule} from '../../source/runtime/transform-cache.js';
import {recordRun} from '../helpers/recorded.js';
import {tempDir} from '../helpers/temp.js';

function buildIdFile(): URL {
	const file = join(tempDir(), 'build-id');
	writeFileSync(file, 'test-build\n');
	return pathToFileURL(file);
}

const entry: CompiledModule = {
	code: 'export {};',
	format: 'module',
	sites: {functions: [{name: 'f', loc: 'a.ts:1:1'}], awaits: [{loc: 'a.ts:2:3', dependent: false}], droppedCalls: []},
};

/** Every entry file under a cache directory. */
function entries(base: string): string[] {
	return readdirSync(base, {recursive: true, withFileTypes: true})
		.filter(item => item.isFile())
		.map(item => join(item.parentPath, item.name));
}

describe('the transform cache', () => {
	it('keeps entries in a private directory, readable by their owner only', () => {
		const base = join(tempDir(), 'cache');
		const cache = TransformCache.open(buildIdFile(), {[CACHE_DIR_ENV]: base})!;
		expect(cache).not.toBeNull();
		const key = TransformCache.key(['a.ts', 'source']);
		expect(cache.get(key)).toBeNull();
		cache.set(key, entry);
		expect(cache.get(key)).toEqual(entry);
		expect(statSync(base).mode & 0o777).toBe(0o700);
		const [file] = entries(base);
		expect(statSync(file!).mode & 0o777).toBe(0o600);
	});

	it('stays under its size: an entry too large is not kept, and the least recently used go first', () => {
		const base = join(tempDir(), 'cache');
		// What an entry takes on disk: its output, and the input it was made from (here one letter, as each key below).
		const size = Buffer.byteLength(JSON.stringify({...entry, input: TransformCache.key(['a']).input}));
		const cache = TransformCache.open(buildIdFile(), {[CACHE_DIR_ENV]: base}, {maxBytes: 3 * size, maxEntryBytes: size})!;
		const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(name => TransformCache.key([name]));
		cache.set(a!, entry);
		cache.set(b!, entry);
		cache.set(c!, entry);
		// Entries are used in the order a, c, b (times set apart by hand: file times are coarse on some systems).
		const past = (seconds: number) => new Date(Date.now() - seconds * 1000);
		const directory = join(base, readdirSync(base)[0]!);
		utimesSync(join(directory, a!.file), past(30), past(30));
		utimesSync(join(directory, c!.file), past(20), past(20));
		utimesSync(join(directory, b!.file), past(10), past(10));
		cache.set(d!, entry);
		expect(cache.get(a!)).toBeNull();
		expect([b, c, d].map(key => cache.get(key!))).toEqual([entry, entry, entry]);
		cache.set(TransformCache.key(['large']), {...entry, code: 'x'.repeat(size)});
		expect(cache.get(TransformCache.key(['large']))).toBeNull();
		const total = entries(base).reduce((sum, file) => sum + statSync(file).size, 0);
		expect(total).toBeLessThanOrEqual(3 * size);
	});

	it('a key changes with each of its parts', () => {
		expect(TransformCache.key(['a', 'b']).file).not.toBe(TransformCache.key(['a', 'c']).file);
		expect(TransformCache.key(['a', 'bc']).file).not.toBe(TransformCache.key(['ab', 'c']).file);
		expect(TransformCache.key(['a', 'b']).file).toMatch(/^[\da-f]{16}$/);
	});

	it('an entry is only ever read for the input it was made from: a name two inputs share is a miss', () => {
		const cache = TransformCache.open(buildIdFile(), {[CACHE_DIR_ENV]: join(tempDir(), 'cache')})!;
		const key = TransformCache.key(['a.ts', 'source']);
		cache.set(key, entry);
		expect(cache.get({file: key.file, input: `${key.input} `})).toBeNull();
		expect(cache.get(key)).toEqual(entry);
	});

	it('is off where others could write, through a symlink, when asked, or without a build id', () => {
		const shared = join(tempDir(), 'shared');
		mkdirSync(shared, {mode: 0o777});
		chmodSync(shared, 0o777);
		expect(TransformCache.open(buildIdFile(), {[CACHE_DIR_ENV]: shared})).toBeNull();

		const real = join(tempDir(), 'real');
		mkdirSync(real, {mode: 0o700});
		const link = join(tempDir(), 'link');
		symlinkSync(real, link);
		expect(TransformCache.open(buildIdFile(), {[CACHE_DIR_ENV]: link})).toBeNull();
		expect(TransformCache.open(buildIdFile(), {[CACHE_DIR_ENV]: `${link}/`})).toBeNull();
		expect(TransformCache.open(buildIdFile(), {[CACHE_DIR_ENV]: `${link}//`})).toBeNull();

		expect(TransformCache.open(buildIdFile(), {[CACHE_DIR_ENV]: join(tempDir(), 'c'), [NO_CACHE_ENV]: '1'})).toBeNull();
		expect(TransformCache.open(pathToFileURL(join(tempDir(), 'no-build-id')), {[CACHE_DIR_ENV]: join(tempDir(), 'c')})).toBeNull();
	});

	it('a directory it refuses is said once, with why, and the run goes on without it', async () => {
		const shared = join(tempDir(), 'shared');
		mkdirSync(shared, {mode: 0o777});
		chmodSync(shared, 0o777);
		const said: string[] = [];
		expect(TransformCache.open(buildIdFile(), {[CACHE_DIR_ENV]: shared}, undefined, message => said.push(message))).toBeNull();
		expect(said).toEqual([`not using the transform cache ${shared}: others may use it (mode 0777); every run compiles the script's files anew (ASYNCMON_CACHE_DIR names another directory)`]);

		const {result, state} = await recordRun(['worker-tasks.ts'], {env: {[CACHE_DIR_ENV]: shared}});
		expect(result.code).toBe(0);
		expect(result.stderr).toBe(`asyncmon: ${said[0]}\n`);
		expect(state.notices).toEqual(said);
	});

	it('a second run of an unchanged script comes from the cache and reports the same tasks, sites and stack lines', async () => {
		const base = join(tempDir(), 'cache');
		const directory = tempDir();
		const script = join(directory, 'cached.ts');
		writeFileSync(
			script,
			[
				'// Tasks, awaits and a stack line, all located by the transform.',
				'const pause = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));',
				'async function fail(kind: string): Promise<number> {',
				'\tawait pause(20);',
				'\tthrow new Error(`bad ${kind}`);',
				'}',
				"try { await fail('circle'); } catch (error) { console.log((error as Error).stack?.split('\\n')[1]?.trim()); }",
				'',
			].join('\n'),
		);
		const env = {[CACHE_DIR_ENV]: base};
		const shape = (run: Awaited<ReturnType<typeof recordRun>>) => ({
			code: run.result.code,
			// Sorted: when a flush comes decides where an await line falls.
			stdout: run.result.stdout.split('\n').filter(line => line.includes('cached.ts:')).map(line => line.replace(/\d+(\.\d+)?m?s\b/g, 'T')).sort(),
			tasks: run.report.tasks.map(task => [task.name, task.location, task.awaits]),
		});

		const first = shape(await recordRun([script], {env}));
		expect(entries(base)).toHaveLength(1);
		// An entry is written whole to a new file, then renamed into place: the same inode means it was read, not written again.
		const written = statSync(entries(base)[0]!).ino;
		const second = shape(await recordRun([script], {env}));
		expect(second).toEqual(first);
		expect(first.stdout.join('\n')).toMatch(/at fail \(.*cached\.ts:5:8\)/);
		expect(entries(base)).toHaveLength(1);
		expect(statSync(entries(base)[0]!).ino).toBe(written);

		// An edit is a new entry, and the output follows it: every line moved down by one.
		writeFileSync(script, `// edited\n${readFileSync(script, 'utf8')}`);
		const edited = shape(await recordRun([script], {env}));
		expect(entries(base)).toHaveLength(2);
		expect(edited.stdout.join('\n')).toMatch(/at fail \(.*cached\.ts:6:8\)/);
		expect(edited.tasks).toContainEqual(['fail("circle")', expect.stringMatching(/\/cached\.ts:4:1$/), 1]);
	});
});
