// Bundles the CLI, the child-process preload, the agent and their worker threads into dist/.
// Packages stay external: they are installed next to dist/ by npm.
import {build} from 'esbuild';
import {hash} from 'node:crypto';
import {chmodSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import ts from 'typescript';

rmSync(new URL('../dist', import.meta.url), {recursive: true, force: true});
await build({
	entryPoints: {
		// dist/cli.js (written below) enables the compile cache, then loads this.
		'cli-main': 'cli.tsx',
		'compile-cache': 'source/monitor/compile-cache.ts',
		preload: 'source/runtime/preload.ts',
		'lane-writer': 'source/runtime/lane-writer-thread.ts',
		agent: 'source/runtime/agent.ts',
		'agent-thread': 'source/runtime/agent-thread.ts',
		watchdog: 'source/runtime/watchdog-thread.ts',
		'pipe-writer': 'source/runtime/pipe-writer-thread.ts',
		api: 'source/api.ts',
		'bench-frame': 'bench/frame.tsx',
	},
	outdir: 'dist',
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node22',
	packages: 'external',
	sourcemap: 'linked',
	jsx: 'automatic',
	chunkNames: 'chunks/[name]-[hash]',
	banner: {js: ''},
	logLevel: 'warning',
});
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
