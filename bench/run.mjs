// `npm run bench`: asyncmon's overhead, side by side with plain node and with a
// peer tracker (async_hooks + AsyncLocalStorage), in one run.
//
// For each workload, every round runs each setup once (in a rotated order, so
// no setup always goes first); the headline is the median over rounds of each
// setup's wall time divided by plain node's in the same round.
//
//   BENCH_RUNS=N        rounds per workload (default 5; 2 with BENCH_QUICK)
//   BENCH_QUICK=1       shrink every count for a smoke run; budgets are then only indicative,
//                       and docs/benchmarks.md is not rewritten (unless BENCH_WRITE_DOCS=1)
//   BENCH_ONLY=a,b      only these workloads (ids as in WORKLOADS below, or `dashboard`, `block-accuracy`)
//   BENCH_HTTP_DELAY_MS server delay per response for http-fanout (default 0)
//   BENCH_WRITE_DOCS=0  do not rewrite docs/benchmarks.md
import {spawn, spawnSync} from 'node:child_process';
import {createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {cpus, tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {integer, median, megabytes, ratio, seconds, table} from './lib/stats.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;
const cli = join(root, 'dist/cli.js');
const quick = process.env.BENCH_QUICK === '1';
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? (quick ? 2 : 5)));
const httpDelayMs = Number(process.env.BENCH_HTTP_DELAY_MS ?? 0);
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const writeDocs = process.env.BENCH_WRITE_DOCS ? process.env.BENCH_WRITE_DOCS === '1' : !quick;
const RUN_TIMEOUT_MS = 180_000;
const work = mkdtempSync(join(tmpdir(), 'asyncmon-bench-'));
const q = (full, small) => (quick ? small : full);

/**
 * The workloads. `budget` is the issue's budget for `asyncmon --plain --record`
 * vs node (a wall-time ratio); workloads without one are for information.
 */
const WORKLOADS = [
	{id: 'startup', label: 'startup, trivial script (time to exit)', file: 'startup.ts', args: [], budget: 2.0},
	// A script's first run under asyncmon (or any run with the cache off) compiles it: for information.
	{id: 'startup-cold', label: 'startup, trivial script, transform cache off (a first run)', file: 'startup.ts', args: [], env: {ASYNCMON_NO_CACHE: '1'}},
	{id: 'http-fanout', label: `${integer(q(2000, 200))} HTTP requests, 64 in flight`, file: 'http-fanout.ts', args: [String(q(2000, 200)), '64'], server: true, budget: 1.1, bytesPerEventBudget: 120},
	{id: 'http-fanout-5ms', label: `${integer(q(2000, 200))} HTTP requests, 64 in flight, 5 ms server delay`, file: 'http-fanout.ts', args: [String(q(2000, 200)), '64', '5'], server: true},
	{id: 'awaits-200k', label: `${integer(q(200_000, 20_000))} awaits of Promise.resolve() (issue 1)`, file: 'awaits.ts', args: ['value', String(q(200_000, 20_000))]},
	{id: 'awaits-1m', label: `${integer(q(1_000_000, 100_000))} awaits, short timer-free promise (Promise.resolve)`, file: 'awaits.ts', args: ['value', String(q(1_000_000, 100_000))], budget: 3.0},
	{id: 'awaits-tiny', label: `${integer(q(200_000, 20_000))} awaits of a tiny async function (one task each)`, file: 'awaits.ts', args: ['short', String(q(200_000, 20_000))]},
	{id: 'awaits-sleep', label: `${integer(q(2000, 200))} awaits of sleep(0), sequential`, file: 'awaits.ts', args: ['sleep', String(q(2000, 200))], budget: 1.5},
	{
		id: 'tasks',
		label: `${integer(q(100_000, 10_000))} short tasks in waves of 1,000`,
		file: 'tasks.ts',
		args: [String(q(100, 10)), '1000'],
		budget: 2.0,
		rssBudget: 300 * 1024 * 1024,
		expectedTasks: q(100, 10) * 1000 + q(100, 10),
	},
].filter(w => !only || only.has(w.id));

const SETUPS = [
	{id: 'node', label: 'node'},
	{id: 'asyncmon', label: 'asyncmon --plain'},
	{id: 'record', label: 'asyncmon --plain --record'},
	{id: 'peer', label: 'peer (async_hooks + ALS)'},
];

function command(setup, workload, files) {
	const script = join(root, 'bench/workloads', workload.file);
	const probe = ['--import', join(root, 'bench/lib/rss-probe.mjs')];
	switch (setup.id) {
		case 'node':
			return [script, ...workload.args];
		case 'asyncmon':
			return [...probe, cli, '--plain', script, ...workload.args];
		case 'record':
			return [...probe, cli, '--plain', '--record', files.recording, script, ...workload.args];
		case 'peer':
			return ['--import', join(root, 'bench/peer/tracker.mjs'), script, ...workload.args];
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

async function startServer() {
	const server = spawn(node, [join(root, 'bench/lib/server.mjs')], {
		env: {...process.env, BENCH_SERVER_DELAY_MS: String(httpDelayMs)},
		stdio: ['pipe', 'pipe', 'inherit'],
	});
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

/** Lines (events) of a recording and how many are `dropped` notices, read as a stream. */
async function scanRecording(file) {
	let lines = 0;
	let dropped = 0;
	let carry = '';
	for await (const chunk of createReadStream(file, {encoding: 'utf8', highWaterMark: 1 << 20})) {
		const text = carry + chunk;
		let start = 0;
		for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
			lines++;
			if (text.startsWith('{"type":"dropped"', start)) dropped++;
			start = end + 1;
		}
		carry = text.slice(start);
	}
	if (carry) lines++;
	return {bytes: statSync(file).size, lines, dropped};
}

/** `asyncmon report FILE --format json`: the task count it finds, and any warnings it prints. */
function reportOf(file) {
	const started = performance.now();
	const result = spawnSync(node, [cli, 'report', file, '--format', 'json'], {cwd: root, encoding: 'utf8', maxBuffer: 1 << 30});
	const ms = performance.now() - started;
	if (result.status !== 0) return {error: `report exited ${result.status}: ${result.stderr.slice(-500)}`, ms};
	const report = JSON.parse(result.stdout);
	const warnings = result.stderr.split('\n').filter(line => line.startsWith('asyncmon:'));
	return {taskCount: report.summary.taskCount, warnings, ms};
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
 * steady fan-out: asyncmon runs in a real pseudo-terminal of 140x40 (util-linux
 * `script`), and bench/lib/cpu-probe.mjs times it from 1 s after start to exit.
 */
async function measureDashboardCpu(url) {
	if (spawnSync('script', ['--version']).error) return {error: 'util-linux `script` not found'};
	const seconds = quick ? 2 : 5;
	const percents = [];
	for (let round = 0; round < (quick ? 1 : 3); round++) {
		const out = join(work, `dashboard-${round}.json`);
		const inner = [node, '--import', join(root, 'bench/lib/cpu-probe.mjs'), cli, '--exit-on-end', join(root, 'bench/workloads/steady-fanout.ts'), String(seconds)].map(shellQuote).join(' ');
		const result = await runCommand('script', ['-q', '-e', '-c', `stty cols 140 rows 40; exec ${inner}`, '/dev/null'], {BENCH_URL: url, BENCH_CPU_OUT: out});
		if (result.code !== 0) return {error: `exit ${result.code ?? result.signal}: ${result.stderrTail.slice(-300)}`};
		const {cpuMs, wallMs} = JSON.parse(readFileSync(out, 'utf8'));
		percents.push((100 * cpuMs) / wallMs);
		log(`  dashboard round ${round + 1}: monitor CPU ${percents.at(-1).toFixed(1)} % of one core`);
	}
	return {percents, seconds};
}

/** The stretches of bench/workloads/stretches.ts, in ms of work (iterations calibrated under node). */
const STRETCH_SIZES = [50, 200, 500];
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
	const perMs = Number(calibration.stdoutTail.trim());
	if (calibration.code !== 0 || !(perMs > 0)) return {error: `calibration failed: ${calibration.stderrTail.slice(-300)}`};
	const args = [String(perMs), ...STRETCH_SIZES.map(String)];
	const bySize = new Map(STRETCH_SIZES.map(ms => [ms, {node: [], block: [], script: []}]));
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
				for (const gap of stretchLines(run.stdoutTail)) bySize.get(gap.ms)?.node.push(gap);
			} else {
				const {gaps, blocks} = readStretchRecording(recording);
				for (const gap of gaps) bySize.get(gap.ms)?.script.push(gap);
				for (const block of blocks) bySize.get(block.ms)?.block.push(block);
				rmSync(recording, {force: true});
			}
		}
		log(`  block accuracy round ${round + 1}/${runs}: ${STRETCH_SIZES.map(ms => `${ms} ms: node ${bySize.get(ms).node.at(-1)?.gapMs.toFixed(0)}, block ${bySize.get(ms).block.at(-1)?.gapMs.toFixed(0)}`).join('; ')}`);
	}
	const own = gap => (gap.queuedMs === null ? NaN : gap.gapMs - gap.queuedMs);
	return {
		perMs,
		rows: STRETCH_SIZES.map(ms => {
			const {node: nodeGaps, block, script} = bySize.get(ms);
			return {
				ms,
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

/** The JSON lines of bench/workloads/stretches.ts: {ms, gapMs, queuedMs}. */
function stretchLines(text) {
	return text
		.split('\n')
		.filter(line => line.startsWith('{"ms"'))
		.map(line => JSON.parse(line));
}

/** From an asyncmon recording of the stretches: the script's own gaps (its output) and each stretch's block, as {ms, gapMs, queuedMs}. */
function readStretchRecording(file) {
	const events = readFileSync(file, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map(line => JSON.parse(line));
	const sizeOfTask = new Map();
	const taskOfBlock = new Map();
	const gaps = [];
	const blocks = [];
	for (const event of events) {
		if (event.type === 'task.start') sizeOfTask.set(event.id, Number(/^stretch\((\d+)/.exec(event.name)?.[1]));
		else if (event.type === 'block.start') taskOfBlock.set(event.id, event.task);
		else if (event.type === 'output' && event.stream === 'stdout') gaps.push(...stretchLines(event.text));
		else if (event.type === 'block.end') blocks.push({ms: sizeOfTask.get(event.task ?? taskOfBlock.get(event.id)), gapMs: event.durationMs, queuedMs: event.queuedMs ?? null});
	}
	return {gaps, blocks};
}

/** Within the target: BLOCK_ACCURACY.share of the node gap, or BLOCK_ACCURACY.ms. */
const accurate = (blockMs, nodeMs) => Math.abs(blockMs - nodeMs) <= Math.max(BLOCK_ACCURACY.ms, BLOCK_ACCURACY.share * nodeMs);

function log(text) {
	process.stderr.write(`${text}\n`);
}

// ---------------------------------------------------------------------------

const benchStarted = performance.now();
if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `node scripts/build.mjs` (npm run bench does)');
log(`asyncmon bench: ${runs} round(s) per workload${quick ? ', QUICK counts' : ''}; node ${process.version}; scratch ${work}`);
const measuresDashboard = !only || only.has('dashboard');
const measuresBlocks = !only || only.has('block-accuracy');
const server = WORKLOADS.some(w => w.server) || measuresDashboard ? await startServer() : null;
const results = [];
const failures = [];
/** The dashboard's CPU during a steady fan-out: {percents, seconds} or {error}. */
let dashboard = null;
/** Block durations against node's gaps: {perMs, rows} or {error}. */
let blockAccuracy = null;

try {
	// Warm the file cache and the compile cache of each setup once, untimed.
	const warm = WORKLOADS.find(w => w.id === 'startup') ?? {file: 'startup.ts', args: []};
	for (const setup of SETUPS) await runOnce(command(setup, warm, {recording: join(work, 'warm.ndjson')}), {BENCH_RSS_OUT: join(work, 'warm.rss')});

	for (const workload of WORKLOADS) {
		const samples = Object.fromEntries(SETUPS.map(s => [s.id, []]));
		const recordings = [];
		const rss = {asyncmon: [], record: []};
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
					if (round === 0) report = reportOf(files.recording);
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
						events: median(recordings.map(r => r.lines)),
						bytesPerEvent: median(recordings.map(r => r.bytes / r.lines)),
						dropped: Math.max(...recordings.map(r => r.dropped)),
					}
				: null,
			report,
			rssPeak: {asyncmon: Math.max(...rss.asyncmon), record: Math.max(...rss.record)},
		});
	}
	if (server && measuresDashboard) dashboard = await measureDashboardCpu(server.url);
	if (measuresBlocks) blockAccuracy = await measureBlockAccuracy();
} finally {
	server?.stop();
}

// ---------------------------------------------------------------------------
// The tables.

const byId = Object.fromEntries(results.map(r => [r.workload.id, r]));
const verdict = ok => (ok === null ? 'n/a' : ok ? 'PASS' : 'MISS');

const ratioTable = table(
	['workload', 'node (median)', ...SETUPS.slice(1).map(s => s.label), 'budget (--record)', 'result'],
	results.map(r => {
		const budget = r.workload.budget;
		return [
			r.workload.label,
			seconds(r.medianMs.node),
			...SETUPS.slice(1).map(s => ratio(r.ratio[s.id])),
			budget ? `≤ ${budget.toFixed(2)}×` : '—',
			budget ? verdict(Number.isFinite(r.ratio.record) ? r.ratio.record <= budget : false) : '(info)',
		];
	}),
	['left', 'right', 'right', 'right', 'right', 'right', 'left'],
);

const budgetRows = [];
const pushBudget = (what, budget, measured, ok) => budgetRows.push([what, budget, measured, verdict(ok)]);
const ratioRow = (id, what, budget) => {
	const r = byId[id];
	if (!r) return;
	const value = r.ratio.record;
	pushBudget(what, `≤ ${budget.toFixed(2)}×`, ratio(value), Number.isFinite(value) && value <= budget);
};
ratioRow('http-fanout', byId['http-fanout']?.workload.label ?? '', 1.1);
ratioRow('awaits-1m', byId['awaits-1m']?.workload.label ?? '', 3.0);
ratioRow('awaits-sleep', byId['awaits-sleep']?.workload.label ?? '', 1.5);
if (byId.tasks) {
	const r = byId.tasks;
	const value = r.ratio.record;
	const rssPeak = Math.max(r.rssPeak.record, r.rssPeak.asyncmon);
	const dropped = (r.recording?.dropped ?? NaN) + (r.report?.warnings?.filter(w => /dropped/.test(w)).length ?? NaN);
	const found = r.report?.taskCount;
	const expected = r.workload.expectedTasks;
	pushBudget(`${r.workload.label}: wall`, '≤ 2.00×', ratio(value), Number.isFinite(value) && value <= 2.0);
	pushBudget(`${r.workload.label}: monitor RSS (peak)`, '≤ 300 MB', megabytes(rssPeak), Number.isFinite(rssPeak) && rssPeak <= r.workload.rssBudget);
	pushBudget(
		`${r.workload.label}: no dropped events`,
		`0 dropped; ${integer(expected)} tasks`,
		`${Number.isFinite(dropped) ? dropped : 'n/a'} dropped; ${integer(found)} tasks found`,
		dropped === 0 && found === expected,
	);
}
if (byId.tasks?.recording && byId.tasks.report?.ms) {
	// The monitor's own path (split lines, parse, reduce) over the biggest recording, start-up included: a lower bound.
	const r = byId.tasks;
	const perSecond = r.recording.events / (r.report.ms / 1000);
	pushBudget(`event ingest: report over the ${r.workload.label} recording`, '≥ 200,000 events/s', `${integer(Math.round(perSecond))} events/s`, perSecond >= 200_000);
}
if (dashboard) {
	const what = 'dashboard: monitor CPU during a steady fan-out (140×40, 32 in flight, 20 ms per response)';
	if (dashboard.error) pushBudget(what, '≤ 15 % of one core', `n/a: ${dashboard.error}`, null);
	else {
		const percent = median(dashboard.percents);
		pushBudget(what, '≤ 15 % of one core', `${percent.toFixed(1)} % (median of ${dashboard.percents.length}: ${dashboard.percents.map(p => p.toFixed(1)).join(', ')})`, percent <= 15);
	}
}
if (byId.startup) {
	const r = byId.startup;
	pushBudget('startup to first output, trivial script', '≤ 2.00×', ratio(r.firstOutputRatio.record), r.firstOutputRatio.record <= 2.0);
	pushBudget('startup to exit, trivial script', '≤ 2.00×', ratio(r.ratio.record), r.ratio.record <= 2.0);
}
if (byId['http-fanout']?.recording) {
	const value = byId['http-fanout'].recording.bytesPerEvent;
	pushBudget('recording size on fan-out', '≤ 120 bytes/event', `${value.toFixed(1)} bytes/event`, value <= 120);
}
if (blockAccuracy) {
	const what = `block durations vs node's own gaps (${STRETCH_SIZES.join(', ')} ms stretches), less the wait for a CPU`;
	const budget = `within ${BLOCK_ACCURACY.share * 100} % or ${BLOCK_ACCURACY.ms} ms`;
	if (blockAccuracy.error) pushBudget(what, budget, `n/a: ${blockAccuracy.error}`, null);
	else {
		const rows = blockAccuracy.rows;
		const judged = rows.map(r => (Number.isFinite(r.nodeOwnMs) ? [r.blockOwnMs, r.nodeOwnMs] : [r.blockMs, r.nodeMs]));
		pushBudget(what, budget, judged.map(([block, gap]) => ratio(block / gap)).join(', '), judged.every(([block, gap]) => accurate(block, gap)));
	}
}
const budgetTable = table(['budget row (asyncmon --plain --record vs node)', 'budget', 'measured', 'result'], budgetRows, ['left', 'left', 'right', 'left']);

const recordingTable = table(
	['workload', 'events (lines)', 'recording', 'bytes/event', 'dropped', 'report: tasks', 'report time', 'monitor RSS peak (--plain / --record)'],
	results
		.filter(r => r.recording)
		.map(r => [
			r.workload.label,
			integer(r.recording.events),
			megabytes(r.recording.bytes).replace(/^0 MB$/, `${integer(r.recording.bytes)} B`),
			r.recording.bytesPerEvent.toFixed(1),
			String(r.recording.dropped + (r.report?.warnings?.filter(w => /dropped/.test(w)).length ?? 0)),
			r.report?.error ? 'error' : `${integer(r.report?.taskCount)}${r.workload.expectedTasks ? ` (expected ${integer(r.workload.expectedTasks)})` : ''}`,
			seconds(r.report?.ms),
			`${megabytes(r.rssPeak.asyncmon)} / ${megabytes(r.rssPeak.record)}`,
		]),
	['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
);

const absoluteTable = table(
	['workload', ...SETUPS.map(s => s.label), 'first output: node / --record'],
	results.map(r => [
		r.workload.label,
		...SETUPS.map(s => seconds(r.medianMs[s.id])),
		// Elsewhere --plain prints task lines before the script's own output: only startup's first output means something.
		r.workload.id === 'startup' ? `${seconds(r.firstOutputMs.node)} / ${seconds(r.firstOutputMs.record)}` : '—',
	]),
	['left', 'right', 'right', 'right', 'right', 'right'],
);

const milliseconds = ms => (Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : 'n/a');
const blockTable =
	blockAccuracy && !blockAccuracy.error
		? table(
				['stretch (ms of work)', 'node: gap', 'asyncmon: block', 'block / gap', "the script's own gap under asyncmon", 'less the wait for a CPU: node / block', 'block / gap', 'within 10 % or 10 ms'],
				blockAccuracy.rows.map(r => {
					const judged = Number.isFinite(r.nodeOwnMs) ? accurate(r.blockOwnMs, r.nodeOwnMs) : accurate(r.blockMs, r.nodeMs);
					return [
						`${r.ms}${r.blocksFound < runs ? ` (${r.blocksFound} of ${runs} runs had its block)` : ''}`,
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
	const runs = sizes.map(size => spawnSync(node, [join(root, 'dist/bench-frame.js'), ...size], {cwd: root, encoding: 'utf8', timeout: 120_000, env}));
	const frame = runs.find(run => run.status !== 0) ?? {...runs[0], stdout: runs.map(run => run.stdout.trim()).join('\n')};
	frameSection = frame.status === 0 ? frame.stdout.trim() : `bench-frame failed (exit ${frame.status ?? frame.signal}): ${(frame.stderr ?? '').slice(-500)}`;
}

const cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
const machine = `${cpus().length} CPUs (nproc ${spawnSync('nproc', {encoding: 'utf8'}).stdout.trim() || '?'}), ${cpuModel}, Node ${process.version}, ${process.platform}/${process.arch}`;
const totalSeconds = ((performance.now() - benchStarted) / 1000).toFixed(0);
const conditions = [
	`- Machine: ${machine}`,
	`- Date: ${new Date().toISOString()}`,
	`- Rounds: ${runs} per workload (setups interleaved, rotated order each round); ratio = median over rounds of (setup wall time / node wall time in the same round)${quick ? '; **QUICK run: counts shrunk, budgets indicative only**' : ''}`,
	`- HTTP server: separate process on 127.0.0.1, keep-alive, ${httpDelayMs} ms delay per response`,
	`- Whole bench took ${totalSeconds} s`,
].join('\n');

const output = [
	'## Overhead vs plain node (median wall-time ratio)',
	'',
	ratioTable,
	'',
	'## Budgets',
	'',
	budgetTable,
	'',
	'## Recordings (asyncmon --plain --record)',
	'',
	recordingTable,
	'',
	...(blockTable ? ["## Block accuracy against node's own gaps (medians)", '', blockTable, '', `Busy-loop iterations per ms (calibrated under node): ${integer(blockAccuracy.perMs)}.`, ''] : []),
	'## Median wall times (for reference)',
	'',
	absoluteTable,
	'',
	...(frameSection ? ['## Dashboard frame build (dist/bench-frame.js)', '', '```', frameSection, '```', ''] : []),
	'## Conditions',
	'',
	conditions,
	...(failures.length ? ['', '## Failed runs', '', '```', ...failures, '```'] : []),
].join('\n');

process.stdout.write(`\n${output}\n`);
writeFileSync(join(work, 'results.json'), JSON.stringify({machine, runs, quick, results, blockAccuracy, failures}, null, 2));
log(`raw results: ${join(work, 'results.json')}`);

if (writeDocs) {
	const docs = readFileSync(join(root, 'bench/lib/benchmarks-intro.md'), 'utf8').replace('<!-- RESULTS -->', output);
	writeFileSync(join(root, 'docs/benchmarks.md'), docs);
	log('wrote docs/benchmarks.md');
}
// Recordings are removed as they are read; the scratch directory keeps only results.json and the small RSS files.
process.exitCode = failures.length ? 1 : 0;
