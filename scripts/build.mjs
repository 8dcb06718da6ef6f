// Bundles the CLI, the child-process preload, the agent and their worker threads into dist/.
// Packages stay external: they are installed next to dist/ by npm.
import {build} from 'esbuild';
import {hash} from 'node:crypto';
import {chmodSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import ts from 'typescript';

/**
 * asyncmon's own imports of Node's built-in modules take their CommonJS objects (process.getBuiltinModule), whose
 * properties are read when used. An ES import of one makes Node build its namespace first, reading every export:
 * `node:fs`'s getters alone load its streams and promises (3.5-5.5 ms measured), paid in each of asyncmon's two
 * processes before the script starts. The objects are the modules themselves: what asyncmon patches on them is
 * what the script's require() sees.
 */
const builtinsAsObjects = {
	name: 'builtins-as-objects',
	setup(build) {
		build.onResolve({filter: /^node:/}, args => (args.kind === 'import-statement' ? {path: args.path, namespace: 'builtin'} : undefined));
		build.onLoad({filter: /.*/, namespace: 'builtin'}, args => ({contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`, loader: 'js'}));
	},
};

rmSync(new URL('../dist', import.meta.url), {recursive: true, force: true});
const common = {
	outdir: 'dist',
	bundle: true,
	format: 'esm',
	platform: 'node',
	target: 'node22',
	packages: 'external',
	sourcemap: 'linked',
	jsx: 'automatic',
	chunkNames: 'chunks/[name]-[hash]',
	banner: {js: ''},
	logLevel: 'warning',
	plugins: [builtinsAsObjects],
};
/**
 * Three builds, one per kind of process or thread, so that none loads chunks made for sharing with another:
 * Node takes about half a millisecond per module file it loads, and one build of everything split the CLI's
 * start into 29 files, the preload's into 24 and the watchdog's into 10 (measured: 15-20 ms of each start).
 */
await Promise.all([
	// The monitor's: the commands it loads as they run are chunks of their own.
	build({
		...common,
		splitting: true,
		entryPoints: {
			// dist/cli.js (written below) enables the compile cache, then loads this.
			'cli-main': 'cli.tsx',
			'compile-cache': 'source/monitor/compile-cache.ts',
			'bench-frame': 'bench/frame.tsx',
		},
	}),
	// The script's process: the preload requires the runtime (thread-setup) once its watchdog is on its way (see preload.ts).
	build({
		...common,
		splitting: true,
		entryPoints: {
			preload: 'source/runtime/preload.ts',
			'thread-setup': 'source/runtime/thread-setup.ts',
			'eval-preload': 'source/runtime/eval-preload.ts',
			agent: 'source/runtime/agent.ts',
		},
	}),
	// Threads of asyncmon's own, and the package's API: one file each.
	build({
		...common,
		entryPoints: {
			'lane-writer': 'source/runtime/lane-writer-thread.ts',
			'agent-thread': 'source/runtime/agent-thread.ts',
			watchdog: 'source/runtime/watchdog-thread.ts',
			'pipe-writer': 'source/runtime/pipe-writer-thread.ts',
			api: 'source/api.ts',
		},
	}),
]);
// Static imports are compiled before a module's body runs: the cache must be on before the CLI's are loaded.
writeFileSync(
	new URL('../dist/cli.js', import.meta.url),
	"#!/usr/bin/env node\n// asyncmon's command line: see cli-main.js.\nimport './compile-cache.js';\nawait import('./cli-main.js');\n",
);
chmodSync(new URL('../dist/cli.js', import.meta.url), 0o755);
// Keys the child's transform cache: a rebuild, or other versions of the compiler's libraries, start it afresh.
const outputs = readdirSync(new URL('../dist', import.meta.url), {recursive: true})
	.filter(name => name.endsWith('.js'))
	.sort()
	.map(name => readFileSync(new URL(`../dist/${name}`, import.meta.url)));
const lock = readFileSync(new URL('../package-lock.json', import.meta.url));
writeFileSync(new URL('../dist/build-id', import.meta.url), `${hash('sha256', Buffer.concat([...outputs, lock])).slice(0, 16)}\n`);
// The package's one import, `import {task} from 'asyncmon'`, comes with its types.
const api = readFileSync(new URL('../source/api.ts', import.meta.url), 'utf8');
writeFileSync(new URL('../dist/api.d.ts', import.meta.url), ts.transpileDeclaration(api, {fileName: 'api.ts'}).outputText);
