// `report` (every format), `replay --plain` and the replay dashboard over one big recording: time and
// peak RSS of each CLI process (bench/lib/rss-probe.mjs, or /proc for the dashboard in a terminal).
import {spawn} from 'node:child_process';
import {readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {isAlive, peakRssOf, waitFor} from './proc.mjs';
import {openTerminal} from './tmux.mjs';

export const REPORT_FORMATS = ['text', 'md', 'json', 'html', 'chrome-trace', 'otlp-json', 'ndjson'];
const TIMEOUT_MS = 300_000;

/** One CLI run with the RSS probe: {ms, rss, code, warnings} (stdout drained, stderr's `asyncmon:` lines kept). */
function runProbed({root, work, args, name}) {
	const rssFile = join(work, `${name}.rss`);
	return new Promise(resolve => {
		const started = performance.now();
		const child = spawn(process.execPath, ['--import', join(root, 'bench/lib/rss-probe.mjs'), join(root, 'dist/cli.js'), ...args], {
			cwd: root,
			env: {...process.env, BENCH_RSS_OUT: rssFile},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
		let stderr = '';
		child.stdout.resume();
		child.stderr.on('data', chunk => (stderr = (stderr + chunk).slice(-20_000)));
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			let rss = NaN;
			try {
				rss = Number(readFileSync(rssFile, 'utf8'));
			} catch {}
			const warnings = stderr.split('\n').filter(line => line.startsWith('asyncmon:'));
			resolve({ms: performance.now() - started, rss, code: code ?? signal, warnings, stderrTail: stderr.slice(-400)});
		});
	});
}

/** Every report format (to a file, as `-o` writes it) and `replay --plain` (its lines through a pipe). */
export async function measureReports({root, work, recording, log}) {
	const runs = [];
	for (const format of REPORT_FORMATS) {
		const out = join(work, `report.${format}`);
		const run = await runProbed({root, work, name: `report-${format}`, args: ['report', recording, '--format', format, '-o', out]});
		rmSync(out, {force: true});
		runs.push({what: `report --format ${format}`, format, ...run});
		log(`  report --format ${format}: ${(run.ms / 1000).toFixed(2)} s, peak RSS ${(run.rss / 2 ** 20).toFixed(0)} MB${run.code === 0 ? '' : `, exit ${run.code}`}`);
	}
	const replay = await runProbed({root, work, name: 'replay-plain', args: ['replay', '--plain', recording]});
	runs.push({what: 'replay --plain', ...replay});
	log(`  replay --plain: ${(replay.ms / 1000).toFixed(2)} s, peak RSS ${(replay.rss / 2 ** 20).toFixed(0)} MB${replay.code === 0 ? '' : `, exit ${replay.code}`}`);
	return runs;
}

/** The replay line of the dashboard's header: `replay ███░░ paused 1x  235ms / 11.2s` (`reading 43%` before the clock while it reads), as {position, duration} (formatDuration text). */
function replayClock(screen) {
	const match = /^replay .* (\S+) \/ (\S+)\s*$/m.exec(screen);
	return match ? {position: match[1], duration: match[2]} : null;
}

/** Milliseconds of present/durations.ts's formatDuration: 0.4ms 12ms 1.23s 12.3s 2m05s 1h02m. */
function durationMs(text) {
	const match = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:([\d.]+)s)?(?:([\d.]+)ms)?$/.exec(text);
	if (!match) return NaN;
	const [, h = 0, m = 0, s = 0, ms = 0] = match;
	return Number(h) * 3_600_000 + Number(m) * 60_000 + Number(s) * 1000 + Number(ms);
}

/**
 * The replay dashboard in a 160×45 terminal: time to the first frame (its replay line drawn), then to the
 * whole recording read (it plays meanwhile, the line saying `reading N%`), then End (until the clock
 * shows the end) and Home (until it shows a position before the middle): seeks from its checkpoints. And
 * the process's peak RSS throughout. A step that does not happen within its timeout is reported as such.
 */
export async function measureReplayDashboard({root, work, recording, openTimeoutMs = 120_000, readTimeoutMs = 180_000, seekTimeoutMs = 30_000}) {
	const quote = text => `'${String(text).replaceAll("'", "'\\''")}'`;
	const started = performance.now();
	const terminal = openTerminal(work, `exec ${[process.execPath, join(root, 'dist/cli.js'), 'replay', recording].map(quote).join(' ')}`, {name: 'replay'});
	const pid = terminal.pid();
	const result = {openMs: NaN, readMs: NaN, endMs: NaN, homeMs: NaN, rss: NaN, notes: []};
	// Sampled as it goes: a process that runs out of memory takes its high-water mark with it.
	const sample = () => {
		const peak = peakRssOf(pid);
		if (peak > result.rss || Number.isNaN(result.rss)) result.rss = peak;
	};
	const sampler = setInterval(sample, 200);
	try {
		await terminal.waitForScreen(replayClock, 'the first frame', openTimeoutMs, 50);
		result.openMs = performance.now() - started;
		await terminal.waitForScreen(screen => replayClock(screen) && !/ reading \d+% /.test(screen), 'the whole recording read', readTimeoutMs, 100);
		result.readMs = performance.now() - started;
		const seek = async (key, reached, what) => {
			const from = performance.now();
			terminal.keys(key);
			await terminal.waitForScreen(screen => {
				const clock = replayClock(screen);
				return clock && reached(clock);
			}, what, seekTimeoutMs, 20);
			return performance.now() - from;
		};
		result.endMs = await seek('End', clock => clock.position === clock.duration, 'End to show the end');
		result.homeMs = await seek('Home', clock => durationMs(clock.position) < durationMs(clock.duration) / 2, 'Home to show the start');
	} catch (error) {
		result.notes.push(String(error.message ?? error).slice(0, 200));
	} finally {
		clearInterval(sampler);
		sample();
		if (isAlive(pid)) terminal.keys('q');
		else result.notes.push('the replay process had exited');
		await waitFor(() => !isAlive(pid), 'the replay to close', 5000).catch(() => {});
		terminal.close();
	}
	return result;
}
