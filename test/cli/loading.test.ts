import {execFileSync, spawnSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {recordApp, taskNamed, recordRun} from '../helpers/recorded.js';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {CLI, ROOT, runCli, SCRIPTS} from '../helpers/run-cli.js';
import {tempDir} from '../helpers/temp.js';
import {underNodeAndAsyncmon} from '../helpers/node-parity.js';

describe('scripts load as node would run them', () => {
	it('TypeScript runtime syntax: enums, namespaces, parameter properties, decorators, top-level await', async () => {
		const {result, report} = await recordRun(['typescript-features.ts']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('logged paint 1 blue');
		expect(taskNamed(report, 'Painter.slowPaint()').location).toMatch(/^typescript-features\.ts:25:\d+$/);
	});

	it('sloppy CommonJS that names a variable `await` runs, its async functions tasks', async () => {
		const {result, report} = await recordApp(['var await = 5', 'async function twice (n) { return await Promise.resolve(n * 2) }', 'twice(await).then(n => console.log(await, n))']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('5 10\n');
		expect(taskNamed(report, 'twice(5)').state).toBe('finished');
	});

	it('CommonJS (.cts) with require.main === module', async () => {
		const result = await runCli(['--plain', 'commonjs.cts']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('cjs 42');
		expect(result.stdout).toMatch(/▶ start +work\(21\) +commonjs\.cts:3:1/);
	});

	it('require() finds a TypeScript file as an import does: `import x = require(\'./greet\')`, require(\'./greet\') for greet.ts', async () => {
		const directory = join(SCRIPTS, 'require-typescript');
		const equals = await runCli(['--plain', 'import-equals.ts'], {cwd: directory});
		expect(equals.stderr).toBe('');
		expect(equals.code).toBe(0);
		expect(equals.stdout).toContain('hello import-equals');
		const required = await runCli(['--plain', 'plain-require.cjs'], {cwd: directory});
		expect(required.stderr).toBe('');
		expect(required.code).toBe(0);
		expect(required.stdout).toContain('hello plain-require true');
	});

	it('a dotted name without an extension is a TypeScript file, as tsc resolves it (a NestJS or TypeORM project: `./app.module`, `./user.entity`)', async () => {
		const directory = join(SCRIPTS, 'dotted-names');
		for (const [cwd, script, output] of [
			// CommonJS, decorator metadata on: compiled by TypeScript, its imports and `import x = require()` as require()s.
			[directory, 'main.ts', 'app tom felix users\n'],
			[join(directory, 'esm'), 'main.ts', 'app tom felix\n'],
			// Only `import x = require()` in a package whose format Node detects: kept a require, as esbuild keeps it.
			[join(directory, 'detected'), 'import-equals.ts', 'table users\n'],
		] as const) {
			const result = await runCli(['--plain', script], {cwd});
			expect(result.stderr, script).toBe('');
			expect(result.code).toBe(0);
			expect(result.stdout).toContain(output);
		}
	});

	it('TSX', async () => {
		const result = await runCli(['--plain', 'component.tsx']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('rendered <b>bold</b>');
	});

	it("stacks point at the user's own lines", async () => {
		const result = await runCli(['--plain', 'stack.ts']);
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/at fail \(.*test\/fixtures\/scripts\/stack\.ts:6:8\)/);
	});

	it('the script sees itself started as asyncmon was: process.argv0 and process.title as typed (`node`), as under node', () => {
		const started = (args: string[]) => spawnSync(process.execPath, args, {cwd: SCRIPTS, argv0: 'node', encoding: 'utf8'}).stdout;
		const underNode = started(['argv0.cjs']);
		expect(underNode).toBe('argv0 node title node\n');
		expect(started([CLI, '--plain', 'argv0.cjs'])).toContain(underNode);
	});

	it('a CommonJS entry runs its queues as under node: process.nextTick callbacks before promise callbacks; an ES module entry the other way round', async () => {
		for (const [script, order] of [
			['tick-order.cjs', 'sync . null true\nnextTick\npromise\n'],
			['tick-order.mjs', 'sync\npromise\nnextTick\n'],
		] as const) {
			expect(execFileSync(process.execPath, [script], {cwd: SCRIPTS, encoding: 'utf8'})).toBe(order);
			const result = await runCli(['--plain', script]);
			expect(result.code).toBe(0);
			expect(result.stdout.startsWith(order), result.stdout).toBe(true);
		}
	});

	it("a file that does not compile throws where the script loads it, which may catch it (optional plugins), as under node: only the entry's error ends the run", async () => {
		const directory = join(SCRIPTS, 'optional-plugins');
		const underNode = execFileSync(process.execPath, ['load-plugins.cjs'], {cwd: directory, encoding: 'utf8'});
		expect(underNode).toBe(
			'skipped ./broken.js SyntaxError\nskipped ./typed-broken.ts SyntaxError\nfine plugin runs\nloaded ./fine.cjs\nskipped ./broken.mjs SyntaxError\n',
		);
		const result = await runCli(['--plain', 'load-plugins.cjs'], {cwd: directory});
		expect(result.code).toBe(0);
		expect(result.stderr).toBe('');
		// The script's own lines: asyncmon's are its event lines and, under its rule, its summary (which may say it held the script back, on a busy machine).
		const scriptLines = result.stdout.split('\n── asyncmon ──\n')[0]!.split('\n').filter(line => !line.startsWith('[ '));
		expect([...scriptLines, ''].join('\n')).toBe(underNode);
		// The entry's own syntax error is still asyncmon's to report.
		const entry = await runCli(['--plain', 'broken.js'], {cwd: directory});
		expect(entry.code).toBe(1);
		expect(entry.stderr).toContain('asyncmon: syntax error in broken.js:2:');
	});

	it("the script's modules compile as under node: asyncmon's compile cache is its own, so loading them takes node's time", async () => {
		const underNode = execFileSync(process.execPath, ['compile-cache.cjs'], {cwd: SCRIPTS, encoding: 'utf8'});
		expect(underNode).toMatch(/^compile cache: /);
		const result = await runCli(['--plain', 'compile-cache.cjs']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain(underNode);
	});
});

// A project importing its own compiled CommonJS (a dist/ of `export * from …`) from an ES module: Node finds the
// names by reading the file's text, which asyncmon's calls around the re-exports hid.
it("an ES module imports a CommonJS file's re-exports by name, as compilers write them (tsc, tslib, Babel, a getter)", async () => {
	const directory = tempDir();
	const files: Record<string, string[]> = {
		'impl.cjs': ["exports.alpha = async function alpha() { return 'A' }", 'exports.beta = 2'],
		'tsc.cjs': [
			'var __exportStar = function (m, exports) { for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) exports[p] = m[p] }',
			'Object.defineProperty(exports, "__esModule", { value: true })',
			'__exportStar(require("./impl.cjs"), exports)',
			'var impl_1 = require("./impl.cjs")',
			'Object.defineProperty(exports, "delta", { enumerable: true, get: function () { return impl_1.beta } })',
		],
		'tslib.cjs': ['var tslib_1 = {__exportStar: function (m, o) { for (var k in m) o[k] = m[k] }}', 'tslib_1.__exportStar(require("./impl.cjs"), exports)'],
		'babel.cjs': [
			'"use strict"',
			'var _impl = require("./impl.cjs")',
			'Object.keys(_impl).forEach(function (key) {',
			'  if (key === "default" || key === "__esModule") return',
			'  Object.defineProperty(exports, key, { enumerable: true, get: function () { return _impl[key] } })',
			'})',
		],
		'main.mjs': [
			"import {alpha, delta} from './tsc.cjs'",
			"import {beta} from './tslib.cjs'",
			"import {alpha as viaBabel} from './babel.cjs'",
			'console.log(await alpha(), delta, beta, await viaBabel())',
		],
	};
	for (const [name, lines] of Object.entries(files)) writeFileSync(join(directory, name), `${lines.join('\n')}\n`);
	const {node, asyncmon, report} = await underNodeAndAsyncmon('main.mjs', [], directory);
	expect(node).toEqual({code: 0, stdout: 'A 2 2 A\n', stderr: ''});
	expect(asyncmon).toEqual(node);
	// The async function behind the re-exports is instrumented all the same.
	expect(report.tasks.filter(task => task.name === 'alpha()')).toHaveLength(2);
});

// A preload of NODE_OPTIONS runs in every thread, asyncmon's own too: what it printed in one (dotenv's `injected env`, a
// warning) held a port of the script's process, which then never exited, and the keep-alive advice blamed the script.
it('a script whose NODE_OPTIONS preload prints, in every thread, exits as under node', async () => {
	const directory = tempDir();
	writeFileSync(join(directory, 'pre.cjs'), "console.error('preloaded', require('node:worker_threads').isMainThread ? 'main' : 'worker');\n");
	writeFileSync(join(directory, 'main.cjs'), "setTimeout(() => console.log('done'), 50);\n");
	const env = {NODE_OPTIONS: `--require ${join(directory, 'pre.cjs')}`};
	const node = spawnSync(process.execPath, ['main.cjs'], {cwd: directory, env: {...process.env, ...env}, encoding: 'utf8'});
	expect(node.stdout).toBe('done\n');
	// Held alive, it never ends: the test's own timeout fails it.
	const result = await runCli(['--plain', 'main.cjs'], {cwd: directory, env});
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('done');
	expect(result.stdout).not.toContain('stayed alive');
});

// `node --env-file=.env -r ./pre.cjs app.js`, as a project's start script reads, behind asyncmon: Node's options for
// the script's process alone. asyncmon refused them (`unknown option -r`), and NODE_OPTIONS takes no --env-file.
it("runs the command a project starts with, node's own options before the script, as node does", async () => {
	const directory = tempDir();
	writeFileSync(join(directory, '.env'), 'GREETING=hello from .env\n');
	writeFileSync(join(directory, 'pre.cjs'), "globalThis.preloaded = 'yes';\n");
	writeFileSync(join(directory, 'app.cjs'), "setTimeout(() => console.log(process.env.GREETING, globalThis.preloaded, process.argv.slice(2).join(' ')), 10);\n");
	const command = ['--env-file=.env', '-r', './pre.cjs', 'app.cjs', '--port', '3000'];
	const node = spawnSync(process.execPath, command, {cwd: directory, encoding: 'utf8'});
	expect(node.stdout).toBe('hello from .env yes --port 3000\n');
	const result = await runCli(['--plain', 'node', ...command], {cwd: directory});
	expect(result.code).toBe(0);
	expect(result.stdout.split('\n')).toContain('hello from .env yes --port 3000');
	// What node would not run as a script's run is refused in one line.
	const inline = await runCli(['node', '-e', "console.log('x')"], {cwd: directory});
	expect(inline).toMatchObject({code: 1, stdout: '', stderr: 'asyncmon: node -e runs no script file, and asyncmon watches one: run it as node [options] script.js [args]\n'});
});

// tsx and OpenTelemetry's ESM loader run their hooks through module.register(), in a thread of Node's own, which
// asyncmon told as the script's worker thread: busy for the whole run, it tripled the concurrency read.
it("leaves out Node's own thread for module.register()'s hooks: no worker thread of the script's", async () => {
	const directory = tempDir();
	writeFileSync(join(directory, 'hooks.mjs'), 'export async function resolve(specifier, context, next) { return next(specifier, context); }\n');
	writeFileSync(join(directory, 'register.mjs'), "import {register} from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
	writeFileSync(join(directory, 'app.mjs'), "const sleep = ms => new Promise(r => setTimeout(r, ms));\nasync function work(i) { await sleep(100); return i; }\nconsole.log(await Promise.all([work(1), work(2)]));\n");
	const {result, report} = await recordRun(['node', '--import', './register.mjs', 'app.mjs'], {cwd: directory});
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('[ 1, 2 ]');
	expect(report.tasks.filter(task => task.kind === 'worker')).toEqual([]);
	expect(report.summary.concurrency).toBeLessThan(2.5);
});

// A division written without spaces, by a call: the instrumentation's comment after the `/` read as `//`, the rest of
// the line commented out, and `total/Number('4')` printed 10 under asyncmon; minified code (tsx's CLI) did not parse.
it('computes a division by a call written without spaces as node does, in JavaScript, ES modules and TypeScript', async () => {
	const directory = tempDir();
	const line = "const total = 10;\nconst items = [1, 2, 3, 4];\nconsole.log(total/Number('4'), items.reduce((a, b) => a + b, 0)/items.length, 6/parseFloat('3') + 1, 100*3/Math.max(1, 4));\n";
	for (const name of ['div.cjs', 'div.mjs', 'div.ts']) writeFileSync(join(directory, name), line);
	for (const name of ['div.cjs', 'div.mjs', 'div.ts']) {
		const {node, asyncmon} = await underNodeAndAsyncmon(name, [], directory);
		expect(node).toEqual({code: 0, stdout: '2.5 2.5 3 75\n', stderr: ''});
		expect(asyncmon).toEqual(node);
	}
});

describe('TypeScript whose tsconfig asks for decorator metadata (NestJS, TypeORM)', () => {
	const PROJECT = join(ROOT, 'test/fixtures/decorator-metadata');

	it("runs with the metadata the project's TypeScript emits, as the project's tsc build does", async () => {
		const result = await runCli(['--plain', 'app.ts'], {cwd: PROJECT, env: {ASYNCMON_NO_CACHE: '1'}});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('paramtypes UsersService');
		expect(result.stdout).toContain('user 7');
		expect(result.stderr).not.toContain('emitDecoratorMetadata');
	});

	it("runs so with asyncmon's own TypeScript where the project's has no JavaScript API (TypeScript 7) or there is none", async () => {
		const cwd = tempDir();
		for (const file of ['app.ts', 'tsconfig.json']) writeFileSync(join(cwd, file), readFileSync(join(PROJECT, file)));
		const none = await runCli(['--plain', 'app.ts'], {cwd, env: {ASYNCMON_NO_CACHE: '1'}});
		expect(none.code).toBe(0);
		expect(none.stdout).toContain('paramtypes UsersService');
		// TypeScript 7's package, as npm installs it: a version, and a native compiler no script can call.
		mkdirSync(join(cwd, 'node_modules/typescript'), {recursive: true});
		writeFileSync(join(cwd, 'node_modules/typescript/package.json'), JSON.stringify({name: 'typescript', version: '7.0.2', main: 'index.js'}));
		writeFileSync(join(cwd, 'node_modules/typescript/index.js'), "module.exports = {version: '7.0.2'};\n");
		const native = await runCli(['--plain', 'app.ts'], {cwd, env: {ASYNCMON_NO_CACHE: '1'}});
		expect(native.code).toBe(0);
		expect(native.stdout).toContain('paramtypes UsersService');
		expect(native.stderr).toBe('');
	});

	// NestJS 11's starter: its module options made TypeScript's compile fail on options alone, and esbuild emitted no metadata.
	it('runs with the metadata under the module options Node projects use (NodeNext)', async () => {
		const cwd = tempDir();
		writeFileSync(join(cwd, 'app.ts'), readFileSync(join(PROJECT, 'app.ts')));
		writeFileSync(
			join(cwd, 'tsconfig.json'),
			JSON.stringify({compilerOptions: {experimentalDecorators: true, emitDecoratorMetadata: true, target: 'ES2023', module: 'nodenext', moduleResolution: 'nodenext'}}),
		);
		const result = await runCli(['--plain', 'app.ts'], {cwd, env: {ASYNCMON_NO_CACHE: '1'}});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('paramtypes UsersService');
	});

	// `nest new` writes outDir and sourceMap: TypeScript wrote the map's sources relative to the build's folder, and every
	// error (asyncmon's failure lines, the script's own crash report) named a file one folder too high, one that is not there.
	it.each([['dist'], ['build/out']])("names the script's own file in its errors' stacks whatever the project's outDir (%s)", async outDir => {
		const cwd = join(tempDir(), 'service');
		mkdirSync(cwd);
		writeFileSync(join(cwd, 'tsconfig.json'), JSON.stringify({compilerOptions: {experimentalDecorators: true, emitDecoratorMetadata: true, target: 'ES2022', module: 'commonjs', outDir, sourceMap: true}}));
		writeFileSync(join(cwd, 'crash.ts'), "const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));\nasync function load(): Promise<void> {\n  await sleep(5);\n  throw new Error('load failed');\n}\nload();\n");
		const result = await runCli(['--plain', 'crash.ts'], {cwd, env: {ASYNCMON_NO_CACHE: '1'}});
		expect(result.code).toBe(1);
		expect(result.stdout).toMatch(/✖ failed load\(\) after .*: Error: load failed crash\.ts:4:9/);
		// Node's own report of the crash, which the script prints as under node.
		expect(result.stderr).toContain(`at load (${join(cwd, 'crash.ts')}:4:9)`);
	});
});

describe("a tsconfig whose base is not there (its `extends` names a package not installed, or a file gone)", () => {
	// node reads no tsconfig: the files under one run as ever. asyncmon reads its own options, and says so where they count.
	it.each([['@tsconfig/not-installed/tsconfig.json'], ['./gone.json']])('runs the JavaScript under it as node does, a required file too (extends %s)', async base => {
		const cwd = tempDir();
		writeFileSync(join(cwd, 'tsconfig.json'), JSON.stringify({extends: base, compilerOptions: {strict: true}}));
		mkdirSync(join(cwd, 'sub'));
		writeFileSync(join(cwd, 'sub/tsconfig.json'), JSON.stringify({extends: base}));
		writeFileSync(join(cwd, 'sub/x.js'), 'module.exports = 1\n');
		writeFileSync(join(cwd, 'main.js'), "console.log('hello', require('./sub/x.js'))\n");
		const {node, asyncmon} = await underNodeAndAsyncmon('main.js', [], cwd);
		expect(node).toEqual({code: 0, stdout: 'hello 1\n', stderr: ''});
		expect(asyncmon).toEqual(node);
	});

	it('compiles TypeScript under it with its own options, and says once that its base was not found', async () => {
		const cwd = tempDir();
		writeFileSync(join(cwd, 'tsconfig.json'), JSON.stringify({extends: '@tsconfig/not-installed/tsconfig.json', compilerOptions: {useDefineForClassFields: false}}));
		writeFileSync(join(cwd, 'a.ts'), "class A { x: number = 1 }\nexport const a: number = new A().x\n");
		writeFileSync(join(cwd, 'main.ts'), "import {a} from './a.ts'\nclass B { y = 2 }\nconsole.log('sum', a + new B().y)\n");
		const result = await runCli(['--plain', 'main.ts'], {cwd, env: {ASYNCMON_NO_CACHE: '1'}});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('sum 3');
		const told = result.stderr.split('\n').filter(line => line.includes('not-installed'));
		expect(told).toEqual(["asyncmon: tsconfig.json: File '@tsconfig/not-installed/tsconfig.json' not found; compiled with its own options alone"]);
	});
});

describe('ops and the explicit API', () => {
	it('a file read is an fs op of its task; task(name, fn) names a unit of work', async () => {
		const {result, report} = await recordRun(['fs-and-api.ts']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('read some bytes');
		const named = taskNamed(report, 'load the source');
		const load = taskNamed(report, 'load()');
		expect(load.parentId).toBe(named.id);
		const read = report.tasks.find(t => t.kind === 'fs')!;
		expect(read).toMatchObject({name: 'readFile fs-and-api.ts', parentId: load.id, state: 'finished'});
	});
});

it("the package's API ships with its type declaration", () => {
	expect(readFileSync(join(ROOT, 'dist/api.d.ts'), 'utf8')).toContain('export declare function task<T>(name: string, fn: () => T): T;');
});

it('a tool run from node_modules (npm\'s cli.js, a package\'s bin) is watched like any script: its top level ends, its block is seen', async () => {
	const project = tempDir();
	mkdirSync(join(project, 'node_modules', 'tool'), {recursive: true});
	writeFileSync(
		join(project, 'node_modules', 'tool', 'busy.mjs'),
		'const start = Date.now();\nwhile (Date.now() - start < 300);\nawait new Promise(resolve => setTimeout(resolve, 50));\nconsole.log("done");\n',
	);
	const {result, report} = await recordRun(['--block-threshold', '100', 'node_modules/tool/busy.mjs'], {cwd: project});
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('done');
	expect(report.tasks[0]).toMatchObject({kind: 'script', state: 'finished'});
	expect(report.blocks.length).toBeGreaterThan(0);
});
