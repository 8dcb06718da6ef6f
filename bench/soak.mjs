// `npm run bench:soak`: a server under a steady load for minutes, watched by the dashboard in a real
// terminal with --record, against the same server under plain node. Not part of `npm test`.
//
// The budget (issue "Servers and long runs"): at 1,000 requests a second, the monitor's RSS stays
// at or under 250 MB and grows at most 10 % from minute 2 to the end; the monitor uses at most
// 15 % of a core; the script's RSS is at most 1.3× node's.
//
//   SOAK_MINUTES=N        the monitored run (default 10)
//   SOAK_BASELINE_MINUTES the node run (default 2: its RSS settles within a minute)
//   SOAK_RATE=N           requests a second (default 1000)
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import autocannon from 'autocannon';
import {childrenOf, commandOf, cpuOf, rssOf, waitFor} from './lib/proc.mjs';
import {megabytes, table} from './lib/stats.mjs';
import {openTerminal} from './lib/tmux.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;
const minutes = Number(process.env.SOAK_MINUTES ?? 10);
const baselineMinutes = Number(process.env.SOAK_BASELINE_MINUTES ?? Math.min(2, minutes));
const rate = Number(process.env.SOAK_RATE ?? 1000);
const SAMPLE_MS = 5000;
const server = join(root, 'bench/workloads/express-server.ts');
const work = mkdtempSync(join(tmpdir(), 'asyncmon-soak-'));

/** Runs the load for `seconds`, sampling `sample()` every SAMPLE_MS; resolves with autocannon's result and the samples. */
async function load(port, seconds, sample) {
	const samples = [];
	const timer = setInterval(() => samples.push({at: samples.length * SAMPLE_MS, ...sample()}), SAMPLE_MS);
	const result = await autocannon({url: `http://127.0.0.1:${port}/users/42`, connections: 20, overallRate: rate, duration: seconds});
	clearInterval(timer);
	return {result, samples};
}

async function baseline() {
	const portFile = join(work, 'node.port');
	const child = spawn(node, [server], {env: {...process.env, SERVER_PORT_FILE: portFile}, stdio: 'ignore'});
	const port = await waitFor(() => existsSync(portFile) && readFileSync(portFile, 'utf8'), 'the node server');
	const run = await load(port, baselineMinutes * 60, () => ({rss: rssOf(child.pid)}));
	child.kill('SIGTERM');
	return run;
}

async function monitored() {
	const portFile = join(work, 'asyncmon.port');
	const recording = join(work, 'soak.ndjson');
	const cli = `${node} ${join(root, 'dist/cli.js')} --record ${recording} ${server}`;
	const terminal = openTerminal(work, `SERVER_PORT_FILE=${portFile} exec ${cli}`, {name: 'soak'});
	try {
		const monitor = await waitFor(() => {
			const pane = terminal.pid();
			return commandOf(pane).some(arg => arg.endsWith('dist/cli.js')) ? pane : null;
		}, 'the monitor');
		const port = await waitFor(() => existsSync(portFile) && readFileSync(portFile, 'utf8'), 'the monitored server');
		const script = await waitFor(() => childrenOf(monitor).find(pid => commandOf(pid).some(arg => arg.endsWith('express-server.ts'))), 'the script');
		let lastCpu = cpuOf(monitor);
		let lastAt = performance.now();
		const run = await load(port, minutes * 60, () => {
			const cpu = cpuOf(monitor);
			const now = performance.now();
			const share = (cpu - lastCpu) / ((now - lastAt) / 1000);
			[lastCpu, lastAt] = [cpu, now];
			return {rss: rssOf(monitor), cpu: share, scriptRss: rssOf(script)};
		});
		const screen = terminal.screen();
		terminal.keys('q');
		return {...run, screen};
	} finally {
		terminal.close();
	}
}

const verdict = (ok, figure) => `${figure} ${ok ? 'PASS' : '**MISS**'}`;
const last = list => list[list.length - 1];
const peak = (samples, key) => Math.max(...samples.map(s => s[key]));

console.log(`soak: node for ${baselineMinutes} min, then asyncmon (dashboard, --record) for ${minutes} min, at ${rate} requests a second`);
const nodeRun = await baseline();
const watched = await monitored();
const samples = watched.samples;
const atMinute2 = samples.find(s => s.at >= 120_000) ?? samples[0];
const growth = last(samples).rss / atMinute2.rss - 1;
const cpu = samples.slice(1).reduce((sum, s) => sum + s.cpu, 0) / Math.max(1, samples.length - 1);
const scriptRatio = peak(samples, 'scriptRss') / peak(nodeRun.samples, 'rss');
const rows = [
	['requests a second (node / asyncmon)', `${Math.round(nodeRun.result.requests.average)} / ${Math.round(watched.result.requests.average)}`, ''],
	['p99 latency (node / asyncmon)', `${nodeRun.result.latency.p99} ms / ${watched.result.latency.p99} ms`, ''],
	['errors and timeouts (asyncmon)', String(watched.result.errors + watched.result.timeouts), ''],
	['monitor RSS, peak', megabytes(peak(samples, 'rss')), verdict(peak(samples, 'rss') <= 250 * 1024 * 1024, '≤ 250 MB')],
	['monitor RSS, minute 2 → end', `${megabytes(atMinute2.rss)} → ${megabytes(last(samples).rss)} (${(growth * 100).toFixed(1)} %)`, verdict(growth <= 0.1, '≤ +10 %')],
	['monitor CPU, mean', `${(cpu * 100).toFixed(1)} % of a core`, verdict(cpu <= 0.15, '≤ 15 %')],
	['script RSS vs node', `${megabytes(peak(samples, 'scriptRss'))} vs ${megabytes(peak(nodeRun.samples, 'rss'))}: ${scriptRatio.toFixed(2)}×`, verdict(scriptRatio <= 1.3, '≤ 1.3×')],
];
console.log(table(['measure', 'figure', 'budget'], rows));
console.log('\nmonitor RSS by minute:', samples.filter((_, i) => (i * SAMPLE_MS) % 60_000 === 0).map(s => megabytes(s.rss)).join(', '));
console.log('\nthe dashboard at the end:\n' + watched.screen.split('\n').slice(0, 12).join('\n'));
rmSync(work, {recursive: true, force: true});
