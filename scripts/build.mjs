// Bundles the CLI, the child-process preload and the watchdog worker into dist/.
// Packages stay external: they are installed next to dist/ by npm.
import {build} from 'esbuild';
import {chmodSync, rmSync} from 'node:fs';

rmSync(new URL('../dist', import.meta.url), {recursive: true, force: true});
await build({
	entryPoints: {
		cli: 'cli.tsx',
		preload: 'source/runtime/preload.ts',
		watchdog: 'source/runtime/watchdog-thread.ts',
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
chmodSync(new URL('../dist/cli.js', import.meta.url), 0o755);
