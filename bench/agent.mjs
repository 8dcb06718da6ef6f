// The agent's cost with no client connected: the HTTP fan-out (2,000 requests, 64 in flight) under node,
// under `asyncmon --plain`, and under `node --import dist/agent.js`, rounds interleaved; medians of wall time.
//   node scripts/build.mjs && node bench/agent.mjs [rounds]
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.argv[2] ?? 7);
const workload = [join(root, 'bench/workloads/http-fanout.ts'), '2000', '64'];
const runtimeDir = mkdtempSync(join(tmpdir(), 'asyncmon-bench-'));

const server = spawn(process.execPath, [join(root, 'bench/lib/server.mjs')], {stdio: ['pipe', 'pipe', 'inherit']});
const url = await new Promise(resolve => server.stdout.once('data', chunk => resolve(chunk.toString().trim())));
const env = {...process.env, BENCH_URL: url, XDG_RUNTIME_DIR: runtimeDir};

const modes = {
	node: [...workload],
	'asyncmon --plain': [join(root, 'dist/cli.js'), '--plain', ...workload],
	'node --import asyncmon/agent': ['--import', join(root, 'dist/agent.js'), ...workload],
};
const times = Object.fromEntries(Object.keys(modes).map(mode => [mode, []]));
for (let round = 0; round < rounds; round++) {
	for (const [mode, args] of Object.entries(modes)) {
		const start = performance.now();
		const run = spawnSync(process.execPath, args, {env, stdio: ['ignore', 'ignore', 'inherit']});
		if (run.status !== 0) throw new Error(`${mode} exited with ${run.status}`);
		times[mode].push(performance.now() - start);
	}
}
server.stdin.end();
rmSync(runtimeDir, {recursive: true, force: true});
const median = list => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const base = median(times.node);
for (const [mode, list] of Object.entries(times)) console.log(`${mode.padEnd(30)} ${median(list).toFixed(0).padStart(6)} ms  ${(median(list) / base).toFixed(2)}×`);
