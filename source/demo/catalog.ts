import {existsSync, readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

/** A bundled example script, runnable with `asyncmon demo NAME`. */
export interface Demo {
	name: string;
	/** Path under the package's examples/ directory. */
	file: string;
	description: string;
	/** Runs against the built-in demo server, whose URL it reads from DEMO_URL_ENV. */
	needsServer: boolean;
}

export const DEMO_URL_ENV = 'ASYNCMON_DEMO_URL';

/**
 * The demos' pace: every wait of a demo is written at human pace (5 to 15 s
 * in all) and multiplied by this factor, which reaches the script in
 * DEMO_SLOW_ENV (read by examples/pace.ts). Below 0.1 a block or a queue
 * would pass too fast to see; above 10, a demo lasts minutes.
 */
export const DEMO_SLOW_ENV = 'ASYNCMON_DEMO_SLOW';
export const SLOW_RANGE = {min: 0.1, max: 10} as const;

export const DEMOS: readonly Demo[] = [
	{name: 'event-loop', file: '01-event-loop.ts', description: 'main() sleeps and prints: the event loop runs one task', needsServer: false},
	{name: 'calling-async', file: '02-calling-async.ts', description: 'calling an async function runs it up to its first await', needsServer: false},
	{name: 'sequential', file: '03-sequential.ts', description: 'awaiting one sleep after another: 2.5 s + 5 s = 7.5 s', needsServer: false},
	{name: 'concurrent-tasks', file: '04-concurrent-tasks.ts', description: 'start both first, then await: 5 s, not 7.5 s', needsServer: false},
	{name: 'gather', file: '05-gather.ts', description: 'Promise.all as gather, one failure, and Promise.allSettled', needsServer: false},
	{name: 'seed-requests', file: '06-seed-requests.ts', description: "the seed's three simulated requests, at half speed: ~6 s, not 12 s", needsServer: false},
	{name: 'cpu-bound', file: '07-cpu-bound.ts', description: 'a CPU-bound function blocks the loop while other tasks wait', needsServer: false},
	{name: 'worker-threads', file: '08-worker-threads.ts', description: 'CPU work on worker threads keeps the loop free', needsServer: false},
	{name: 'http-fanout', file: '09-http-fanout.ts', description: 'the whole story: HTTP fan-out queueing for 4 connections, a retry after a 500, a block, workers', needsServer: true},
	{name: 'real-internet', file: '10-real-internet.ts', description: 'the fan-out against public hosts (needs network access)', needsServer: false},
];

export const DEFAULT_DEMO_NAME = 'http-fanout';

/** The demo called `name`, or the default one when no name is given. */
export function findDemo(name?: string): Demo | undefined {
	return DEMOS.find(demo => demo.name === (name ?? DEFAULT_DEMO_NAME));
}

/** Absolute path of a file under the installed package's examples/ directory. */
export function examplePath(file: string, from: string | URL = import.meta.url): string {
	return join(packageRoot(from), 'examples', file);
}

/**
 * The directory of asyncmon's own package.json, found by walking up from
 * `from`: this module sits at a different depth in source/, in dist/cli.js
 * and in a dist/chunks/ file, so no fixed `../..` is right everywhere.
 */
export function packageRoot(from: string | URL = import.meta.url): string {
	let dir = dirname(fileURLToPath(from));
	for (;;) {
		if (isAsyncmonPackage(join(dir, 'package.json'))) return dir;
		const parent = dirname(dir);
		if (parent === dir) throw new Error(`asyncmon's package.json not found above ${fileURLToPath(from)}`);
		dir = parent;
	}
}

function isAsyncmonPackage(file: string): boolean {
	if (!existsSync(file)) return false;
	try {
		return (JSON.parse(readFileSync(file, 'utf8')) as {name?: unknown}).name === 'asyncmon';
	} catch {
		return false;
	}
}
