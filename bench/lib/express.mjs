// Express under autocannon (bench/workloads/express-server.ts, GET /users/:id awaiting a 1 ms sleep):
// requests a second and p99 latency under node, under `asyncmon --plain --record`, under the
// dashboard in a real terminal (tmux) with --record, and under the peer tracker (bench/peer). The load runs in this process, as in bench/soak.mjs.
import {spawn} from 'node:child_process';
import {existsSync, readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import autocannon from 'autocannon';
import {isAlive, sleep, waitFor} from './proc.mjs';
import {scanRecording} from './recording.mjs';
import {openTerminal} from './tmux.mjs';

export const EXPRESS_SETUPS = [
	{id: 'node', label: 'node'},
	{id: 'plain', label: 'asyncmon --plain --record'},
	{id: 'dashboard', label: 'asyncmon (dashboard in a terminal) --record'},
	// The issue's budgets for Express have no peer: measured all the same, for what the approach itself costs a server.
	{id: 'peer', label: 'peer (async_hooks + ALS)'},
];

/**
 * `rounds` rounds, each running every setup once in a rotated order: a warm-up of `warmSeconds`, then
 * `seconds` of load by `connections` connections. Resolves with per-round results by setup
 * ({rps, p99, errors} or {error}) and the recordings' scans.
 */
export async function measureExpress({root, work, rounds, seconds, warmSeconds, connections = 50, log}) {
	const results = [];
	const recordings = [];
	for (let round = 0; round < rounds; round++) {
		const byId = {};
		const order = EXPRESS_SETUPS.map((_, i) => EXPRESS_SETUPS[(i + round) % EXPRESS_SETUPS.length]);
		for (const setup of order) {
			const recording = join(work, `express-${setup.id}-${round}.ndjson`);
			const portFile = join(work, `express-${setup.id}-${round}.port`);
			let server;
			try {
				server = startServer(setup.id, {root, work, recording, portFile});
				const port = await waitFor(() => existsSync(portFile) && readFileSync(portFile, 'utf8'), `the server under ${setup.label}`);
				const url = `http://127.0.0.1:${port}/users/42`;
				if (warmSeconds > 0) await autocannon({url, connections, duration: warmSeconds});
				const result = await autocannon({url, connections, duration: seconds});
				byId[setup.id] = {rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx, requests: result.requests.total};
			} catch (error) {
				byId[setup.id] = {error: String(error.message ?? error).slice(0, 300)};
			} finally {
				await server?.stop();
			}
			if (existsSync(recording)) {
				recordings.push({setup: setup.id, ...(await scanRecording(recording))});
				rmSync(recording, {force: true});
			}
			const r = byId[setup.id];
			log(`  express round ${round + 1}/${rounds} ${setup.id}: ${r.error ? `FAILED: ${r.error}` : `${Math.round(r.rps)} req/s, p99 ${r.p99} ms, ${r.errors} errors`}`);
		}
		results.push(byId);
	}
	return {results, recordings};
}

function startServer(setup, {root, work, recording, portFile}) {
	const node = process.execPath;
	const script = join(root, 'bench/workloads/express-server.ts');
	const cli = join(root, 'dist/cli.js');
	const env = {...process.env, SERVER_PORT_FILE: portFile};
	if (setup === 'dashboard') {
		const quote = text => `'${String(text).replaceAll("'", "'\\''")}'`;
		const command = [node, cli, '--record', recording, script].map(quote).join(' ');
		const terminal = openTerminal(work, `SERVER_PORT_FILE=${quote(portFile)} exec ${command}`, {name: 'express'});
		const pid = terminal.pid();
		return {
			async stop() {
				// `q` ends the script and closes the dashboard, which finishes the recording.
				terminal.keys('q');
				await waitFor(() => !isAlive(pid), 'the dashboard to close', 15_000).catch(() => {});
				terminal.close();
			},
		};
	}
	const args = setup === 'node' ? [script] : setup === 'peer' ? ['--import', join(root, 'bench/peer/tracker.mjs'), script] : [cli, '--plain', '--record', recording, script];
	const child = spawn(node, args, {cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true});
	// Drained as it comes, as a terminal or a log collector would.
	child.stdout.resume();
	child.stderr.resume();
	const exited = new Promise(resolve => child.once('close', resolve));
	return {
		async stop() {
			child.kill(setup === 'node' || setup === 'peer' ? 'SIGTERM' : 'SIGINT');
			const done = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
			if (!done) {
				process.kill(-child.pid, 'SIGKILL');
				await exited;
			}
		},
	};
}
