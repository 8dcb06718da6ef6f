// `npm run bench`: every budget row of issue 12 ("Servers and long runs"), side by side with plain
// node and with a peer tracker (async_hooks + AsyncLocalStorage), in one run; PASS or **MISS** per row.
// The soak (`npm run bench:soak`, bench/soak.mjs) stays separate.
//
// For each workload, every round runs each setup once (in a rotated order, so no setup always goes
// first); the headline is the median over rounds of each setup's wall time divided by plain node's in
// the same round.
//
//   BENCH_RUNS=N        rounds per workload (default 5; 2 with BENCH_QUICK; Express: at most 3)
//   BENCH_QUICK=1       shrink every count for a smoke run; budgets are then only indicative,
//                       and docs/benchmarks.md is not rewritten (unless BENCH_WRITE_DOCS=1)
//   BENCH_ONLY=a,b      only these parts: workload ids as in WORKLOADS below, or `express`,
//                       `sessions` (report and replay of a 1,000,000-event recording), `dashboard`, `block-accuracy`
//   BENCH_WRITE_DOCS=0  do not rewrite docs/benchmarks.md
import {spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {cpus, loadavg, tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {EXPRESS_SETUPS, measureExpress} from './lib/express.mjs';
import {isAlive, waitFor} from './lib/proc.mjs';
import {scanRecording} from './lib/recording.mjs';
import {measureReplayDashboard, measureReports} from './lib/sessions.mjs';
import {integer, median, megabytes, ratio, seconds, table} from './lib/stats.mjs';
import {openTerminal} from './lib/tmux.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;
const cli = join(root, 'dist/cli.js');
const quick = process.env.BENCH_QUICK === '1';
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? (quick ? 2 : 5)));
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const wants = part => !only || only.has(part);
const writeDocs = process.env.BENCH_WRITE_DOCS ? process.env.BENCH_WRITE_DOCS === '1' : !quick;
const RUN_TIMEOUT_MS = 180_000;
const MB = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'asyncmon-bench-'));
const q = (full, small) => (quick ? small : full);

const AWAITS = q(1_000_000, 100_000);
/** The sessions' recording: tiny tasks, each a span line (its start and end), so twice as many events. */
const SESSION_TASKS = q(500_000, 50_000);
const TASK_WAVES = q(100, 10);
const FETCHES = q(2000, 200);

/**
 * The workloads, each under node, `asyncmon --plain --record` and the peer. `budget` is the issue's
 * ceiling for asyncmon's wall-time ratio to node; `stretch` a lower one to aim for.
 */
const WORKLOADS = [
	{id: 'startup', label: 'startup, trivial script (time to exit)', file: 'startup.ts', args: [], budget: 1.5},
	// A script's first run under asyncmon (or any run with the cache off) compiles it: for information.
	{id: 'startup-cold', label: 'startup, trivial script, transform cache off (a first run)', file: 'startup.ts', args: [], env: {ASYNCMON_NO_CACHE: '1'}},
	{
		id: 'awaits',
		label: `${integer(AWAITS)} awaits of a tiny async function (a task each)`,
		file: 'awaits.ts',
		args: ['short', String(AWAITS)],
		budget: 10,
		stretch: 5,
	},
	// The same, but the function calls a plain one: its calls enter an async context of their own (see Tracker.e). For information.
	{
		id: 'awaits-calls',
		label: `${integer(AWAITS)} awaits of a tiny async function that calls a function`,
		file: 'awaits.ts',
		args: ['calls', String(AWAITS)],
	},
	{
		id: 'tasks',
		label: `${integer(TASK_WAVES * 1000)} tasks in waves of 1,000`,
		file: 'tasks.ts',
		args: [String(TASK_WAVES), '1000'],
		budget: 2,
		expectedTasks: TASK_WAVES * 1000 + TASK_WAVES,
	},
	{id: 'http-1ms', label: `${integer(FETCHES)} fetches, 64 lanes, 1 ms server delay`, file: 'http-fanout.ts', args: [String(FETCHES), '64', '1'], server: true, budget: 1.25, belowPeer: true},
	{id: 'http-5ms', label: `${integer(FETCHES)} fetches, 64 lanes, 5 ms server delay`, file: 'http-fanout.ts', args: [String(FETCHES), '64', '5'], server: true, budget: 1.1},
].filter(w => wants(w.id));

const SETUPS = [
	{id: 'node', label: 'node'},
	{id: 'record', label: 'asyncmon --plain --record'},
	{id: 'peer', label: 'peer (async_hooks + ALS)'},
];

/** Issue 12's "Measured today", quoted, for each budget row. */
const BEFORE = {
	awaits: {asyncmon: '114×, 642 MB', peer: '27×, 353 MB'},
	tasks: {asyncmon: '13×', peer: '2.5×'},
	'http-1ms': {asyncmon: '1.89×', peer: '1.35×'},
	'http-5ms': {asyncmon: '—', peer: '—'},
	'express-plain': '0.47× (all modes: 0.35×)',
	'express-dashboard': '0.15×',
	'express-p99': 'p99 634 ms vs 11 ms',
	soak: '135 → 720 MB, linear (dashboard, 500 req/s for 2 min); 3.7 GB after 3 min at full load',
	report: '0.76–1.43 GB',
	replay: 'out of memory at 4.5 GB; 100k tasks: 4 GB and 33 s to open',
};

function command(setup, workload, files) {
	const script = join(root, 'bench/workloads', workload.file);
	const probe = ['--import', join(root, 'bench/lib/rss-probe.mjs')];
	switch (setup.id) {
		case 'node':
			return [script, ...workload.args];
		case 'record':
			return [...probe, cli, '--plain', '--record', files.recording, script, ...workload.args];
		case 'peer':
			// The probe here reads the script's own process, which the peer lives in.
			return [...probe, '--import', join(root, 'bench/peer/tracker.mjs'), script, ...workload.args];
	}
	throw new Error(setup.id);
}

/** One timed run of node: wall time to exit and to the first byte of stdout, which is drained as it comes. */
function runOnce(args, env) {
	return runCommand(node, args, env);
}

function runCommand(file, args, env) {
	return new Promise(resolve => {
		const started = performance.now();
		let firstOutput = NaN;
		let stdoutTail = '';
		let stderrTail = '';
		const child = spawn(file, args, {cwd: root, env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']});
		const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
		child.stdout.on('data', chunk => {
			if (Number.isNaN(firstOutput)) firstOutput = performance.now() - started;
			stdoutTail = (stdoutTail + chunk.toString('utf8')).slice(-2000);
		});
		child.stderr.on('data', chunk => (stderrTail = (stderrTail + chunk.toString('utf8')).slice(-2000)));
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({wallMs: performance.now() - started, firstOutputMs: firstOutput, code, signal, stdoutTail, stderrTail});
		});
	});
}

/** bench/lib/server.mjs; each workload asks for its delay in the path (/delay/N). */
async function startServer() {
	const server = spawn(node, [join(root, 'bench/lib/server.mjs')], {stdio: ['pipe', 'pipe', 'inherit']});
	const url = await new Promise((resolve, reject) => {
		let text = '';
		server.stdout.on('data', chunk => {
			text += chunk;
			if (text.includes('\n')) resolve(text.trim());
		});
		server.once('exit', code => reject(new Error(`benchmark server exited with ${code}`)));
	});
	return {url, stop: () => server.stdin.end()};
}

/** `asyncmon report FILE --format json`: the task count it finds, and any warnings it prints. */
function reportOf(file) {
	const result = spawnSync(node, [cli, 'report', file, '--format', 'json'], {cwd: root, encoding: 'utf8', maxBuffer: 1 << 30});
	if (result.status !== 0) return {error: `report exited ${result.status}: ${result.stderr.slice(-500)}`};
	const report = JSON.parse(result.stdout);
	const warnings = result.stderr.split('\n').filter(line => line.startsWith('asyncmon:'));
	return {taskCount: report.summary.taskCount, warnings};
}

function readNumber(file) {
	try {
		return Number(readFileSync(file, 'utf8'));
	} catch {
		return NaN;
	}
}

const shellQuote = text => `'${String(text).replaceAll("'", "'\\''")}'`;

/**
 * The monitor's CPU time, as a share of one core, while the dashboard shows a
 * steady fan-out: asyncmon runs in a real terminal of 140x40 (tmux on a private socket),
 * and bench/lib/cpu-probe.mjs times it from 1 s after start to exit.
 */
async function measureDashboardCpu(url) {
	const seconds = quick ? 2 : 5;
	const percents = [];
	for (let round = 0; round < (quick ? 1 : 3); round++) {
		const out = join(work, `dashboard-${round}.json`);
		const inner = [node, '--import', join(root, 'bench/lib/cpu-probe.mjs'), cli, '--exit-on-end', join(root, 'bench/workloads/steady-fanout.ts'), String(seconds)].map(shellQuote).join(' ');
		const terminal = openTerminal(work, `BENCH_URL=${shellQuote(url)} BENCH_CPU_OUT=${shellQuote(out)} exec ${inner}`, {name: 'cpu', columns: 140, rows: 40});
		try {
			const pid = terminal.pid();
			await waitFor(() => !isAlive(pid), 'the dashboard to exit at the end of the script', (seconds + 60) * 1000);
			const {cpuMs, wallMs} = JSON.parse(readFileSync(out, 'utf8'));
			percents.push((100 * cpuMs) / wallMs);
		} catch (error) {
			return {error: String(error.message ?? error).slice(0, 200)};
		} finally {
			terminal.close();
		}
		log(`  dashboard round ${round + 1}: monitor CPU ${percents.at(-1).toFixed(1)} % of one core`);
	}
	return {percents, seconds};
}

/** The busy-loop stretches of bench/workloads/stretches.ts, in ms of work (iterations calibrated under node). */
const STRETCH_SIZES = [50, 200, 500];
/** Its stretches by name: the busy loops', then real code's (acorn parsing, about 400 ms of work), then the script's own calls (a recursive fib, as long). */
const STRETCHES = [...STRETCH_SIZES.map(String), 'acorn', 'fib'];
/** The block accuracy target: within this share of node's gap, or this many ms, whichever is larger. */
const BLOCK_ACCURACY = {share: 0.1, ms: 10};

/**
 * Block accuracy: the same CPU stretches under node, each timed by the script with performance.now()
 * around it, and under `asyncmon --record`, whose block durations are read from the recording. Both
 * sides also say how long the thread waited for a CPU (Linux): on a busy machine that wait is the
 * machine's, and differs from run to run, so the comparison less that wait is the one judged.
 */
async function measureBlockAccuracy() {
	const script = join(root, 'bench/workloads/stretches.ts');
	const calibration = await runCommand(node, [script, 'calibrate']);
	const {perMs, parses, fibs} = calibration.code === 0 ? JSON.parse(calibration.stdoutTail) : {};
	if (!(perMs > 0 && parses > 0 && fibs > 0)) return {error: `calibration failed: ${calibration.stderrTail.slice(-300)}`};
	const args = [String(perMs), String(parses), String(fibs), ...STRETCH_SIZES.map(String)];
	const byStretch = new Map(STRETCHES.map(name => [name, {node: [], block: [], script: []}]));
	for (let round = 0; round < runs; round++) {
		const recording = join(work, `stretches-${round}.ndjson`);
		const order = round % 2 === 0 ? ['node', 'record'] : ['record', 'node'];
		for (const setup of order) {
			const run =
				setup === 'node' ? await runCommand(node, [script, ...args]) : await runCommand(node, [cli, '--plain', '--block-threshold', '5', '--record', recording, script, ...args]);
			if (run.code !== 0) {
				failures.push(`block accuracy / ${setup}: exit ${run.code ?? run.signal}\n${run.stderrTail || run.stdoutTail}`);
				continue;
			}
			if (setup === 'node') {
				for (const gap of stretchLines(run.stdoutTail)) byStretch.get(gap.stretch)?.node.push(gap);
			} else {
				const {gaps, blocks} = readStretchRecording(recording);
				for (const gap of gaps) byStretch.get(gap.stretch)?.script.push(gap);
				for (const block of blocks) byStretch.get(block.stretch)?.block.push(block);
				rmSync(recording, {force: true});
			}
		}
		log(`  block accuracy round ${round + 1}/${runs}: ${STRETCHES.map(name => `${name}: node ${byStretch.get(name).node.at(-1)?.gapMs.toFixed(0)}, block ${byStretch.get(name).block.at(-1)?.gapMs.toFixed(0)}`).join('; ')}`);
	}
	const own = gap => (gap.queuedMs === null ? NaN : gap.gapMs - gap.queuedMs);
	return {
		perMs,
		parses,
		fibs,
		rows: STRETCHES.map(name => {
			const {node: nodeGaps, block, script} = byStretch.get(name);
			return {
				name,
				nodeMs: median(nodeGaps.map(g => g.gapMs)),
				blockMs: median(block.map(g => g.gapMs)),
				scriptMs: median(script.map(g => g.gapMs)),
				nodeOwnMs: median(nodeGaps.map(own)),
				blockOwnMs: median(block.map(own)),
				blocksFound: block.length,
			};
		}),
	};
}

/** The JSON lines of bench/workloads/stretches.ts: {stretch, gapMs, queuedMs}. */
function stretchLines(text) {
	return text
		.split('\n')
		.filter(line => line.startsWith('{"stretch"'))
		.map(line => JSON.parse(line));
}

/**
 * From an asyncmon recording of the stretches: the script's own gaps (its output) and each stretch's
 * block, as {stretch, gapMs, queuedMs}. Read through `report --format ndjson`, which writes protocol 2's
 * compact lines as the objects they stand for.
 */
function readStretchRecording(file) {
	const exported = spawnSync(node, [cli, 'report', file, '--format', 'ndjson'], {cwd: root, encoding: 'utf8', maxBuffer: 1 << 28});
	if (exported.status !== 0) throw new Error(`report --format ndjson exited ${exported.status}: ${exported.stderr.slice(-300)}`);
	const events = exported.stdout
		.split('\n')
		.filter(Boolean)
		.map(line => JSON.parse(line));
	const stretchOfTask = new Map();
	const taskOfBlock = new Map();
	const gaps = [];
	const blocks = [];
	for (const event of events) {
		if (event.type === 'task.start') stretchOfTask.set(event.id, /^stretch\("(\w+)"/.exec(event.name)?.[1]);
		else if (event.type === 'block.start') taskOfBlock.set(event.id, event.task);
		else if (event.type === 'output' && event.stream === 'stdout') gaps.push(...stretchLines(event.text));
		else if (event.type === 'block.end') blocks.push({stretch: stretchOfTask.get(event.task ?? taskOfBlock.get(event.id)), gapMs: event.durationMs, queuedMs: event.queuedMs ?? null});
	}
	return {gaps, blocks};
}

const stretchLabel = name => (name === 'acorn' ? 'real code: acorn parses its own source' : name === 'fib' ? "the script's own calls: a recursive fib" : `busy loop, ${name} ms of work`);

/** Within the target: BLOCK_ACCURACY.share of the node gap, or BLOCK_ACCURACY.ms. */
const accurate = (blockMs, nodeMs) => Math.abs(blockMs - nodeMs) <= Math.max(BLOCK_ACCURACY.ms, BLOCK_ACCURACY.share * nodeMs);

function log(text) {
	process.stderr.write(`${text}\n`);
}

// ---------------------------------------------------------------------------

const benchStarted = performance.now();
const loadAtStart = loadavg();
if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `node scripts/build.mjs` (npm run bench does)');
log(`asyncmon bench: ${runs} round(s) per workload${quick ? ', QUICK counts' : ''}; node ${process.version}; load average ${loadAtStart.map(l => l.toFixed(2)).join(' ')}; scratch ${work}`);
const server = WORKLOADS.some(w => w.server) || wants('dashboard') ? await startServer() : null;
const results = [];
const failures = [];
/** The big recording that `report` and `replay` read: {file, bytes, lines, events, dropped}. */
let sessionsRecording = null;
/** Express under autocannon: {results, recordings} or null. */
let express = null;
/** Every report format and replay --plain: [{what, ms, rss, code, warnings}] or null. */
let reports = null;
/** The replay dashboard: {openMs, readMs, endMs, homeMs, rss, notes} or null. */
let replayDashboard = null;
/** The dashboard's CPU during a steady fan-out: {percents, seconds} or {error}. */
let dashboard = null;
/** Block durations against node's gaps: {perMs, rows} or {error}. */
let blockAccuracy = null;

try {
	// Warm the file cache and the compile cache of each setup once, untimed.
	const warm = {file: 'startup.ts', args: []};
	for (const setup of SETUPS) await runOnce(command(setup, warm, {recording: join(work, 'warm.ndjson')}), {BENCH_RSS_OUT: join(work, 'warm.rss')});

	for (const workload of WORKLOADS) {
		const samples = Object.fromEntries(SETUPS.map(s => [s.id, []]));
		const recordings = [];
		const rss = {record: [], peer: []};
		let report = null;
		for (let round = 0; round < runs; round++) {
			const order = SETUPS.map((_, i) => SETUPS[(i + round) % SETUPS.length]);
			for (const setup of order) {
				const files = {recording: join(work, `${workload.id}-${round}.ndjson`), rss: join(work, `${workload.id}-${setup.id}-${round}.rss`)};
				const env = {BENCH_RSS_OUT: files.rss, BENCH_PEER_OUT: join(work, `${workload.id}-peer.json`), ...(server ? {BENCH_URL: server.url} : {}), ...workload.env};
				const result = await runOnce(command(setup, workload, files), env);
				if (result.code !== 0) {
					failures.push(`${workload.id} / ${setup.label}: exit ${result.code ?? result.signal}\n${result.stderrTail || result.stdoutTail}`);
					log(`  ${workload.id} ${setup.id}: FAILED (exit ${result.code ?? result.signal})`);
				}
				samples[setup.id].push(result.code === 0 ? result : {wallMs: NaN, firstOutputMs: NaN});
				if (setup.id in rss) rss[setup.id].push(readNumber(files.rss));
				if (setup.id === 'record' && existsSync(files.recording)) {
					recordings.push(await scanRecording(files.recording));
					if (round === 0 && workload.expectedTasks) report = reportOf(files.recording);
					rmSync(files.recording, {force: true});
				}
			}
			const line = SETUPS.map(s => `${s.id} ${seconds(samples[s.id][round].wallMs)}`).join(', ');
			log(`  ${workload.id} round ${round + 1}/${runs}: ${line}`);
		}
		const perRound = key => setupId => median(samples[setupId].map((s, i) => s[key] / samples.node[i][key]));
		const wall = perRound('wallMs');
		const first = perRound('firstOutputMs');
		results.push({
			workload,
			medianMs: Object.fromEntries(SETUPS.map(s => [s.id, median(samples[s.id].map(x => x.wallMs))])),
			ratio: Object.fromEntries(SETUPS.map(s => [s.id, wall(s.id)])),
			firstOutputRatio: Object.fromEntries(SETUPS.map(s => [s.id, first(s.id)])),
			firstOutputMs: Object.fromEntries(SETUPS.map(s => [s.id, median(samples[s.id].map(x => x.firstOutputMs))])),
			recording: recordings.length
				? {
						bytes: median(recordings.map(r => r.bytes)),
						lines: median(recordings.map(r => r.lines)),
						events: median(recordings.map(r => r.events)),
						dropped: Math.max(...recordings.map(r => r.dropped)),
					}
				: null,
			report,
			rssPeak: {record: Math.max(...rss.record), peer: Math.max(...rss.peer)},
		});
	}

	if (wants('express')) {
		log('express under autocannon...');
		express = await measureExpress({root, work, rounds: quick ? 1 : Math.min(runs, 3), seconds: q(10, 3), warmSeconds: q(2, 1), log});
	}

	if (wants('sessions')) {
		// The budget's recording of 1,000,000 events: made once, by the same tiny tasks as the awaits workload,
		// with --retain all so that the script sends every one (none folded at the source).
		const file = join(work, 'sessions.ndjson');
		log(`recording ${integer(SESSION_TASKS)} tiny tasks for report and replay...`);
		const made = await runOnce([cli, '--plain', '--retain', 'all', '--record', file, join(root, 'bench/workloads/awaits.ts'), 'short', String(SESSION_TASKS)], {});
		if (made.code === 0) sessionsRecording = {file, ...(await scanRecording(file))};
		else failures.push(`sessions recording: exit ${made.code ?? made.signal}\n${made.stderrTail}`);
		if (sessionsRecording) {
			log(`report and replay of ${sessionsRecording.file} (${integer(sessionsRecording.lines)} lines, ${integer(sessionsRecording.events)} events)...`);
			reports = await measureReports({root, work, recording: sessionsRecording.file, log});
			for (const run of reports.filter(r => r.code !== 0)) failures.push(`${run.what}: exit ${run.code}\n${run.stderrTail}`);
			log('replay dashboard...');
			replayDashboard = await measureReplayDashboard({root, work, recording: sessionsRecording.file});
			log(`  replay dashboard: open ${seconds(replayDashboard.openMs)}, read ${seconds(replayDashboard.readMs)}, End ${seconds(replayDashboard.endMs)}, Home ${seconds(replayDashboard.homeMs)}, peak RSS ${megabytes(replayDashboard.rss)} ${replayDashboard.notes.join('; ')}`);
		}
	}
	if (sessionsRecording) rmSync(sessionsRecording.file, {force: true});

	if (server && wants('dashboard')) dashboard = await measureDashboardCpu(server.url);
	if (wants('block-accuracy')) blockAccuracy = await measureBlockAccuracy();
} finally {
	server?.stop();
}
const loadAtEnd = loadavg();

// ---------------------------------------------------------------------------
// The tables.

const byId = Object.fromEntries(results.map(r => [r.workload.id, r]));
const verdict = ok => (ok === null ? 'n/a' : ok ? 'PASS' : '**MISS**');
const within = (value, budget) => Number.isFinite(value) && value <= budget;
const atLeast = (value, budget) => Number.isFinite(value) && value >= budget;
const rssText = bytes => (Number.isFinite(bytes) ? megabytes(bytes) : 'n/a');
const secondsOrNot = (ms, timeoutNote) => (Number.isFinite(ms) ? seconds(ms) : timeoutNote);

/** Issue 12's table: one row per budget, before (the issue's "Measured today") and after (this run). */
const issueRows = [];
const row = (measure, budget, before, beforePeer, after, afterPeer, result) => issueRows.push([measure, budget, before, beforePeer, after, afterPeer, result]);

if (byId.awaits) {
	const r = byId.awaits;
	const ok = within(r.ratio.record, r.workload.budget);
	row(
		r.workload.label,
		`≤ ${r.workload.budget}× node; stretch ${r.workload.stretch}×`,
		BEFORE.awaits.asyncmon,
		BEFORE.awaits.peer,
		`${ratio(r.ratio.record)}, monitor peak RSS ${rssText(r.rssPeak.record)}`,
		`${ratio(r.ratio.peer)}, ${rssText(r.rssPeak.peer)}`,
		`${verdict(ok)} (stretch: ${verdict(within(r.ratio.record, r.workload.stretch))})`,
	);
}
if (byId.tasks) {
	const r = byId.tasks;
	const found = r.report?.taskCount;
	row(
		r.workload.label,
		`≤ ${r.workload.budget}× node`,
		BEFORE.tasks.asyncmon,
		BEFORE.tasks.peer,
		`${ratio(r.ratio.record)} (report: ${integer(found)} of ${integer(r.workload.expectedTasks)} tasks)`,
		ratio(r.ratio.peer),
		verdict(within(r.ratio.record, r.workload.budget) && found === r.workload.expectedTasks),
	);
}
for (const id of ['http-1ms', 'http-5ms']) {
	const r = byId[id];
	if (!r) continue;
	const {budget, belowPeer} = r.workload;
	const ok = within(r.ratio.record, budget) && (!belowPeer || r.ratio.record < r.ratio.peer);
	row(r.workload.label, `≤ ${budget.toFixed(2)}× node${belowPeer ? ', below the peer' : ''}`, BEFORE[id].asyncmon, BEFORE[id].peer, ratio(r.ratio.record), ratio(r.ratio.peer), verdict(ok));
}

/** Express: per setup, medians over rounds of req/s, p99, and each against node's in the same round. */
const expressSummary = express
	? Object.fromEntries(
			EXPRESS_SETUPS.map(({id}) => {
				const rounds = express.results.map(r => ({run: r[id], node: r.node})).filter(({run, node}) => run && !run.error && node && !node.error);
				return [
					id,
					{
						rps: median(rounds.map(({run}) => run.rps)),
						p99: median(rounds.map(({run}) => run.p99)),
						rpsRatio: median(rounds.map(({run, node}) => run.rps / node.rps)),
						p99Ratio: median(rounds.map(({run, node}) => run.p99 / node.p99)),
						errors: express.results.reduce((sum, r) => sum + (r[id]?.errors ?? 0), 0),
						failed: express.results.filter(r => !r[id] || r[id].error).length,
					},
				];
			}),
		)
	: null;
if (expressSummary) {
	const {node: n, plain, dashboard: dash, peer} = expressSummary;
	const vsNode = s => `${ratio(s.rpsRatio)} (${integer(s.rps)} vs ${integer(n.rps)} req/s)`;
	const p99VsNode = s => `${ratio(s.p99Ratio)} (${s.p99} vs ${n.p99} ms)`;
	row('Express under autocannon (50 connections, 10 s): requests/s, `--plain --record`', '≥ 0.85× node', BEFORE['express-plain'], '—', vsNode(plain), vsNode(peer), verdict(atLeast(plain.rpsRatio, 0.85)));
	row('Express: requests/s, dashboard in a terminal, `--record`', '≥ 0.80× node', BEFORE['express-dashboard'], '—', vsNode(dash), vsNode(peer), verdict(atLeast(dash.rpsRatio, 0.8)));
	for (const [setup, label] of [
		[plain, '`--plain --record`'],
		[dash, 'dashboard'],
	])
		row(`Express: p99 latency, ${label}`, '≤ 1.5× node', BEFORE['express-p99'], '—', p99VsNode(setup), p99VsNode(peer), verdict(within(setup.p99Ratio, 1.5)));
}
row('10-minute soak, server at 1,000 req/s, dashboard', 'monitor RSS ≤ 250 MB, +≤ 10 % from minute 2; CPU ≤ 15 %; child RSS ≤ 1.3× node', BEFORE.soak, '—', 'not in `npm run bench`: see "Soak" below', '—', 'see below');
if (reports && sessionsRecording) {
	const size = `${integer(sessionsRecording.events)} events`;
	for (const run of reports) {
		row(`\`${run.what}\` of the ${size}: peak RSS`, '≤ 300 MB', run.format ? BEFORE.report : '—', '—', `${rssText(run.rss)} (${seconds(run.ms)}${run.code === 0 ? '' : `, exit ${run.code}`})`, '—', verdict(run.code === 0 && within(run.rss, 300 * MB)));
	}
	const json = reports.find(run => run.format === 'json');
	row(`\`report --format json\` of the ${size}: time`, '≤ 5 s', '—', '—', seconds(json.ms), '—', verdict(json.code === 0 && within(json.ms, 5000)));
}
if (replayDashboard && sessionsRecording) {
	const d = replayDashboard;
	const what = `replay dashboard of the ${integer(sessionsRecording.events)} events`;
	const timedOut = limit => `not within ${limit}`;
	row(`${what}: opens (first frame drawn)`, '≤ 2 s', BEFORE.replay, '—', secondsOrNot(d.openMs, timedOut('120 s')), '—', verdict(within(d.openMs, 2000)));
	row(`${what}: read whole in the background, playing at 1x (no budget)`, '—', '—', '—', secondsOrNot(d.readMs, Number.isFinite(d.openMs) ? timedOut('180 s') : 'not reached'), '—', '—');
	row(`${what}: seek to the end (End), once read`, '≤ 1 s', '—', '—', secondsOrNot(d.endMs, Number.isFinite(d.readMs) ? timedOut('30 s') : 'not reached'), '—', verdict(within(d.endMs, 1000)));
	row(`${what}: seek to the start (Home)`, '≤ 1 s', '—', '—', secondsOrNot(d.homeMs, Number.isFinite(d.endMs) ? timedOut('30 s') : 'not reached'), '—', verdict(within(d.homeMs, 1000)));
	row(`${what}: peak RSS`, '≤ 300 MB', BEFORE.replay, '—', `${rssText(d.rss)}${d.notes.length ? ` (${d.notes.join('; ')})` : ''}`, '—', verdict(within(d.rss, 300 * MB)));
}
if (byId.startup) {
	const r = byId.startup;
	row('startup, trivial script (spawn to exit)', `≤ ${r.workload.budget}× \`node script.ts\``, '— (not in the issue; the previous bench: 1.60×)', '—', ratio(r.ratio.record), ratio(r.ratio.peer), verdict(within(r.ratio.record, r.workload.budget)));
}
/** Every recording made, and every warning of a report or replay about dropped events. */
const expressRecordings = EXPRESS_SETUPS.map(setup => ({setup, scans: (express?.recordings ?? []).filter(r => r.setup === setup.id)})).filter(({scans}) => scans.length);
const allRecordings = [
	...results.filter(r => r.recording).map(r => ({what: r.workload.label, ...r.recording})),
	...(sessionsRecording ? [{what: `${integer(SESSION_TASKS)} tiny tasks, for report and replay (one run)`, ...sessionsRecording}] : []),
	// Medians over rounds, as for the workloads; dropped is the most of any round.
	...expressRecordings.map(({setup, scans}) => ({
		what: `Express (warm-up and load), ${setup.label}`,
		...Object.fromEntries(['bytes', 'lines', 'events'].map(key => [key, median(scans.map(r => r[key]))])),
		dropped: Math.max(...scans.map(r => r.dropped)),
	})),
];
const droppedWarnings = [...results.flatMap(r => r.report?.warnings ?? []), ...(reports ?? []).flatMap(r => r.warnings)].filter(w => /dropped/i.test(w));
if (allRecordings.length) {
	const dropped = allRecordings.reduce((sum, r) => sum + r.dropped, 0);
	row('dropped events, in all of the above', '0', '—', '—', `${dropped} in ${allRecordings.length} kinds of recording (every round's); ${droppedWarnings.length} warnings`, '—', verdict(dropped === 0 && droppedWarnings.length === 0));
}
const issueTable = table(['measure', 'budget', 'before: asyncmon', 'before: peer', 'after: asyncmon', 'after: peer', 'result'], issueRows, ['left', 'left', 'right', 'right', 'right', 'right', 'left']);

const wallTable = table(
	['workload', 'node', 'asyncmon --plain --record', 'peer (async_hooks + ALS)', 'monitor peak RSS', 'peer: script peak RSS', 'first output: node / asyncmon'],
	results.map(r => [
		r.workload.label,
		seconds(r.medianMs.node),
		`${seconds(r.medianMs.record)} (${ratio(r.ratio.record)})`,
		`${seconds(r.medianMs.peer)} (${ratio(r.ratio.peer)})`,
		rssText(r.rssPeak.record),
		rssText(r.rssPeak.peer),
		// Elsewhere --plain prints task lines before the script's own output: only startup's first output means something.
		r.workload.id.startsWith('startup') ? `${seconds(r.firstOutputMs.node)} / ${seconds(r.firstOutputMs.record)} (${ratio(r.firstOutputRatio.record)})` : '—',
	]),
	['left', 'right', 'right', 'right', 'right', 'right', 'right'],
);

const expressTable = expressSummary
	? table(
			['setup', 'requests/s (median)', 'vs node', 'p99 latency (median)', 'vs node', 'errors (all rounds)', 'failed rounds'],
			EXPRESS_SETUPS.map(({id, label}) => {
				const s = expressSummary[id];
				return [label, integer(s.rps), ratio(s.rpsRatio), `${s.p99} ms`, ratio(s.p99Ratio), String(s.errors), String(s.failed)];
			}),
			['left', 'right', 'right', 'right', 'right', 'right', 'right'],
		)
	: '';

const sessionsTable =
	reports && sessionsRecording
		? table(
				['command', 'time', 'peak RSS', 'exit'],
				[
					...reports.map(run => [`\`asyncmon ${run.what}\``, seconds(run.ms), rssText(run.rss), String(run.code)]),
					...(replayDashboard
						? [['`asyncmon replay` (dashboard, 160×45): open / read / End / Home', `${secondsOrNot(replayDashboard.openMs, 'n/a')} / ${secondsOrNot(replayDashboard.readMs, 'n/a')} / ${secondsOrNot(replayDashboard.endMs, 'n/a')} / ${secondsOrNot(replayDashboard.homeMs, 'n/a')}`, rssText(replayDashboard.rss), replayDashboard.notes.join('; ') || '—']]
						: []),
				],
				['left', 'right', 'right', 'left'],
			)
		: '';

const recordingTable = table(
	['recording (medians over rounds)', 'lines', 'events', 'size', 'bytes/line', 'dropped (most in a round)'],
	allRecordings.map(r => [r.what, integer(r.lines), integer(r.events), megabytes(r.bytes).replace(/^0 MB$/, `${integer(r.bytes)} B`), (r.bytes / r.lines).toFixed(1), String(r.dropped)]),
	['left', 'right', 'right', 'right', 'right', 'right'],
);

const otherRows = [];
if (dashboard) {
	const what = 'dashboard: monitor CPU during a steady fan-out (140×40, 32 in flight, 20 ms per response)';
	if (dashboard.error) otherRows.push([what, '≤ 15 % of one core', `n/a: ${dashboard.error}`, 'n/a']);
	else {
		const percent = median(dashboard.percents);
		otherRows.push([what, '≤ 15 % of one core', `${percent.toFixed(1)} % (median of ${dashboard.percents.length}: ${dashboard.percents.map(p => p.toFixed(1)).join(', ')})`, verdict(percent <= 15)]);
	}
}
if (blockAccuracy) {
	const what = `block durations vs node's own gaps (${STRETCH_SIZES.join(', ')} ms busy loops, ~400 ms of acorn parsing, ~400 ms of a recursive fib), less the wait for a CPU`;
	const budget = `within ${BLOCK_ACCURACY.share * 100} % or ${BLOCK_ACCURACY.ms} ms`;
	if (blockAccuracy.error) otherRows.push([what, budget, `n/a: ${blockAccuracy.error}`, 'n/a']);
	else {
		const judged = blockAccuracy.rows.map(r => (Number.isFinite(r.nodeOwnMs) ? [r.blockOwnMs, r.nodeOwnMs] : [r.blockMs, r.nodeMs]));
		otherRows.push([what, budget, judged.map(([block, gap]) => ratio(block / gap)).join(', '), verdict(judged.every(([block, gap]) => accurate(block, gap)))]);
	}
}
const otherTable = otherRows.length ? table(['check', 'budget', 'measured', 'result'], otherRows, ['left', 'left', 'right', 'left']) : '';

const milliseconds = ms => (Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : 'n/a');
const blockTable =
	blockAccuracy && !blockAccuracy.error
		? table(
				['stretch', 'node: gap', 'asyncmon: block', 'block / gap', "the script's own gap under asyncmon", 'less the wait for a CPU: node / block', 'block / gap', 'within 10 % or 10 ms'],
				blockAccuracy.rows.map(r => {
					const judged = Number.isFinite(r.nodeOwnMs) ? accurate(r.blockOwnMs, r.nodeOwnMs) : accurate(r.blockMs, r.nodeMs);
					return [
						`${stretchLabel(r.name)}${r.blocksFound < runs ? ` (${r.blocksFound} of ${runs} runs had its block)` : ''}`,
						milliseconds(r.nodeMs),
						milliseconds(r.blockMs),
						ratio(r.blockMs / r.nodeMs),
						milliseconds(r.scriptMs),
						`${milliseconds(r.nodeOwnMs)} / ${milliseconds(r.blockOwnMs)}`,
						ratio(r.blockOwnMs / r.nodeOwnMs),
						verdict(r.blocksFound > 0 && judged),
					];
				}),
				['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
			)
		: '';

let frameSection = '';
if (existsSync(join(root, 'dist/bench-frame.js')) && !only) {
	log('  dashboard frame build (dist/bench-frame.js)...');
	// The dashboard runs React's production build (source/ui/load-dashboard.ts): measure that one, at two terminal sizes.
	const env = {...process.env, NODE_ENV: 'production'};
	const sizes = [[], ['50', '120', '40']];
	const frameRuns = sizes.map(size => spawnSync(node, [join(root, 'dist/bench-frame.js'), ...size], {cwd: root, encoding: 'utf8', timeout: 120_000, env}));
	const frame = frameRuns.find(run => run.status !== 0) ?? {...frameRuns[0], stdout: frameRuns.map(run => run.stdout.trim()).join('\n')};
	frameSection = frame.status === 0 ? frame.stdout.trim() : `bench-frame failed (exit ${frame.status ?? frame.signal}): ${(frame.stderr ?? '').slice(-500)}`;
}

const cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
const machine = `${cpus().length} CPUs (nproc ${spawnSync('nproc', {encoding: 'utf8'}).stdout.trim() || '?'}), ${cpuModel}, Node ${process.version}, ${process.platform}/${process.arch}`;
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: root, encoding: 'utf8'}).stdout.trim() || 'unknown';
const totalSeconds = ((performance.now() - benchStarted) / 1000).toFixed(0);
const load = values => values.map(l => l.toFixed(2)).join(' ');
const conditions = [
	`- Machine: ${machine}`,
	`- Date: ${new Date().toISOString()}, commit ${commit}`,
	`- Load average (1, 5, 15 min): ${load(loadAtStart)} at the start, ${load(loadAtEnd)} at the end (2 cores: above 2, other work competed with the bench)`,
	`- Rounds: ${runs} per workload (setups interleaved, rotated order each round); ratio = median over rounds of (setup wall time / node wall time in the same round)${quick ? '; **QUICK run: counts shrunk, budgets indicative only**' : ''}`,
	`- Express: ${express ? express.results.length : 0} round(s) of ${q(10, 3)} s after a ${q(2, 1)} s warm-up, per setup`,
	`- HTTP server for the fetches: a separate process on 127.0.0.1, keep-alive, the delay asked for in the path`,
	`- Whole bench took ${totalSeconds} s`,
].join('\n');

const section = (title, body, after = []) => (body ? [`## ${title}`, '', body, '', ...after] : []);
const output = [
	...section('Issue 12 budgets: before → after', issueTable, [
		'"Before" quotes the issue\'s "Measured today"; "after" is this run. A ratio is asyncmon\'s (or the peer\'s) wall time over node\'s; for Express, requests/s and p99 over node\'s.',
		'',
	]),
	...section('Wall times (medians)', wallTable),
	...section('Express under autocannon (50 connections)', expressTable),
	...section(
		sessionsRecording ? `Report and replay of one recording (${integer(sessionsRecording.lines)} lines, ${integer(sessionsRecording.events)} events, ${megabytes(sessionsRecording.bytes)})` : 'Report and replay',
		sessionsTable,
	),
	...section('Recordings', recordingTable),
	...section('Other checks (earlier issues)', otherTable),
	...section("Block accuracy against node's own gaps (medians)", blockTable, blockTable ? [`Calibrated under node: ${integer(blockAccuracy.perMs)} busy-loop iterations per ms; ${blockAccuracy.parses} parses of acorn's source; ${blockAccuracy.fibs} calls of fib(25).`, ''] : []),
	...(frameSection ? ['## Dashboard frame build (dist/bench-frame.js)', '', '```', frameSection, '```', ''] : []),
	'## Conditions',
	'',
	conditions,
	...(failures.length ? ['', '## Failed runs', '', '```', ...failures, '```'] : []),
].join('\n');

process.stdout.write(`\n${output}\n`);
writeFileSync(join(work, 'results.json'), JSON.stringify({machine, commit, runs, quick, results, express, reports, replayDashboard, sessionsRecording, blockAccuracy, dashboard, failures}, null, 2));
log(`raw results: ${join(work, 'results.json')}`);

if (writeDocs) {
	const intro = readFileSync(join(root, 'bench/lib/benchmarks-intro.md'), 'utf8');
	// Without its placeholder the intro would be written alone, the results dropped (it happened once).
	if (!intro.includes('<!-- RESULTS -->')) throw new Error('bench/lib/benchmarks-intro.md has lost its <!-- RESULTS --> line: docs/benchmarks.md left as it was');
	const docs = intro.replace('<!-- RESULTS -->', output);
	writeFileSync(join(root, 'docs/benchmarks.md'), docs);
	log('wrote docs/benchmarks.md');
}
// Recordings are removed as they are read; the scratch directory keeps only results.json and the small RSS files.
process.exitCode = failures.length ? 1 : 0;
