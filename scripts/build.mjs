// Bundles the CLI, the child-process preload, the agent and their worker threads into dist/.
// Packages stay external: they are installed next to dist/ by npm.
import {build} from 'esbuild';
import {hash} from 'node:crypto';
import {chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {relative, resolve} from 'node:path';
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
 * Builds per kind of process or thread, so that none loads chunks made for sharing with another: Node takes
 * about half a millisecond per module file it loads, and one build of everything split the CLI's start into 29
 * files, the preload's into 24 and the watchdog's into 10 (measured: 15-20 ms of each start).
 */
await Promise.all([
	buildMonitor(),
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
	// What --require names: CommonJS, so that a thread of Node's own can load it (see preload-gate.cts).
	build({
		entryPoints: {'preload-gate': 'source/runtime/preload-gate.cts'},
		outdir: 'dist',
		outExtension: {'.js': '.cjs'},
		bundle: true,
		format: 'cjs',
		platform: 'node',
		target: 'node22',
		external: ['./preload.js'],
		logLevel: 'warning',
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
builtinsWithoutCopies();
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

/**
 * The monitor's code in two steps. First what `asyncmon script.ts` needs to start the script: the command line's
 * start, its checks, the recorder and the spawn, in one file (dist/cli-main.js) that imports nothing of its own,
 * so the script starts as soon as Node can load one file (a split build made it 20 files: the trivial script
 * took 142 ms to end, 129 ms from one file). Every `import()` in it (the other commands, what reads and shows
 * a session) is left to the second build, which splits them: each loads its own chunks when it runs. The few
 * small modules both builds hold (the arguments, errors known by their name) are copies; none holds state the
 * other reads.
 */
async function buildMonitor() {
	const later = new Map();
	await build({
		...common,
		entryPoints: {'cli-main': 'cli.tsx'},
		plugins: [...common.plugins, loadedLater(later)],
	});
	await build({
		...common,
		splitting: true,
		entryPoints: {...Object.fromEntries(later), 'bench-frame': 'bench/frame.tsx'},
	});
	// dist/cli.js enables the compile cache, then loads the rest: static imports are compiled before a module's body runs.
	await build({
		...common,
		entryPoints: {cli: 'source/monitor/compile-cache.ts'},
		banner: {js: '#!/usr/bin/env node\n// asyncmon\'s command line: see cli-main.js.'},
		footer: {js: "await import('./cli-main.js');"},
	});
}

/** Makes each `import()` of asyncmon's own code an entry of its own under dist/later/, listed in `later` (name -> source). */
function loadedLater(later) {
	return {
		name: 'loaded-later',
		setup(build) {
			build.onResolve({filter: /^\./}, args => {
				if (args.kind !== 'dynamic-import') return undefined;
				const source = relative(process.cwd(), resolve(args.resolveDir, args.path)).replace(/\.js$/, '');
				const file = ['.ts', '.tsx'].map(extension => source + extension).find(candidate => existsSync(candidate));
				if (!file) throw new Error(`loaded-later: no source for ${args.path} in ${args.resolveDir}`);
				const name = `later/${relative('source', source)}`;
				later.set(name, file);
				return {path: `./${name}.js`, external: true};
			});
		},
	};
}

/**
 * esbuild imports a CommonJS module (here only Node's built-ins, see builtinsAsObjects) through `__toESM`, which
 * defines a getter on a new object for each of the module's properties (a few hundred for the built-ins the
 * runtime imports), and a read of some (`util`'s TextDecoder) loads more built-ins: the trivial script took
 * 129 ms to end, 124 ms without. An object whose prototype is the module reads its properties as the getters
 * did, live (what asyncmon patches on a module is what its own imports see), with `default` the module itself.
 * Replaced in place, as many lines as esbuild's, so that the source maps still hold.
 */
function builtinsWithoutCopies() {
	const helper = /var __toESM = \(mod, isNodeMode, target\) => \([\s\S]*?\n\)\);\n/;
	for (const name of readdirSync(new URL('../dist', import.meta.url), {recursive: true})) {
		if (!name.endsWith('.js')) continue;
		const file = new URL(`../dist/${name}`, import.meta.url);
		const code = readFileSync(file, 'utf8');
		if (!code.includes('var __toESM = ')) continue;
		const found = helper.exec(code);
		if (!found) throw new Error(`builtinsWithoutCopies: esbuild's __toESM in dist/${name} is not the one expected`);
		const lines = found[0].split('\n').length - 1;
		const replacement = `var __toESM = (mod) => __create(mod, { default: { value: mod, enumerable: true } });${'\n'.repeat(lines)}`;
		writeFileSync(file, code.replace(helper, () => replacement));
	}
}
