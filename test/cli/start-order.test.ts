import {spawnSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {join, relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import {expect, it} from 'vitest';
import {CLI, ROOT} from '../helpers/run-cli.js';
import {tempDir} from '../helpers/temp.js';

const PROBE = join(ROOT, 'test/fixtures/cli/loaded-at-spawn.cjs');

// Node takes about half a millisecond a module file: each one loaded before the spawn delays the script's start.
it('`asyncmon script.ts` starts the script having loaded one file of its own past the command line, then the rest', () => {
	const directory = tempDir();
	writeFileSync(join(directory, 'hello.ts'), "console.log('hello');\n");
	const run = spawnSync(process.execPath, ['--require', PROBE, CLI, '--plain', '--record', join(directory, 'run.ndjson'), 'hello.ts'], {
		cwd: directory,
		encoding: 'utf8',
		env: {...process.env, NO_COLOR: '1'},
	});
	expect(run.status, run.stderr).toBe(0);
	expect(run.stdout).toContain('hello');
	const stderr = run.stderr;
	const line = stderr.split('\n').find(text => text.startsWith('loaded at spawn: '));
	expect(line, stderr).toBeDefined();
	const loaded = (JSON.parse(line!.slice('loaded at spawn: '.length)) as string[]).filter(url => url.startsWith('file:')).map(url => relative(ROOT, fileURLToPath(url)));
	expect(loaded).toEqual(['dist/cli.js', 'dist/cli-main.js']);
	// Nor `performance` (perf_hooks and its eight modules, 1-2 ms): the spawn's time is read from hrtime.
	const builtins = JSON.parse(stderr.split('\n').find(text => text.startsWith('built-ins at spawn: '))!.slice('built-ins at spawn: '.length)) as string[];
	expect(builtins).toContain('NativeModule child_process');
	expect(builtins).not.toContain('NativeModule perf_hooks');
	expect(builtins).not.toContain('NativeModule internal/perf/performance');
});

// esbuild's interop copied each of a built-in's properties onto an object of its own (scripts/build.mjs,
// builtinsWithoutCopies): that took time in each of asyncmon's modules, and reading `util`'s loaded more built-ins.
it("the script's process loads none of Node's built-ins that only copying a module's properties would", () => {
	const directory = tempDir();
	writeFileSync(join(directory, 'loaded.cjs'), "console.log(JSON.stringify(process.moduleLoadList));\n");
	const underNode = JSON.parse(spawnSync(process.execPath, ['loaded.cjs'], {cwd: directory, encoding: 'utf8'}).stdout) as string[];
	const run = spawnSync(process.execPath, [CLI, '--plain', 'loaded.cjs'], {cwd: directory, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
	expect(run.status, run.stderr).toBe(0);
	const loaded = JSON.parse(run.stdout.split('\n').find(line => line.startsWith('["'))!) as string[];
	expect(underNode).not.toContain('NativeModule internal/util/diff');
	expect(loaded).not.toContain('NativeModule internal/util/diff');
});
