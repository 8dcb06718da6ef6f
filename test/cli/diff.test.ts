import {copyFileSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {DEMO_SLOW_ENV} from '../../source/demo/catalog.js';
import {serializeLine} from '../../source/protocol/encode.js';
import {controlCharacters, foreignMarkup, HOSTILE_STRINGS, hostileSession} from '../helpers/hostile.js';
import {recordRun} from '../helpers/recorded.js';
import {ROOT, runCli} from '../helpers/run-cli.js';
import {tempDir, tempFile} from '../helpers/temp.js';

/**
 * The seed's story as a user lives it: seed.ts awaits its three requests one after another (6 s) and is
 * recorded; then it gathers them with Promise.all (examples/06-seed-requests.ts, 3 s) and is recorded again.
 * Both run at half the demo's human pace, the seed's own 1 s, 3 s and 2 s.
 * (examples/03-sequential.ts and 05-gather.ts are other scripts, with no function in common to match.)
 */
const dir = tempDir();
const BEFORE = join(dir, 'before.ndjson');
const AFTER = join(dir, 'after.ndjson');

/** The example with its requests awaited in turn: the same lines, simulateRequest at the same place. */
function sequentialSeed(): string {
	const gathered = readFileSync(join(ROOT, 'examples/06-seed-requests.ts'), 'utf8');
	const sequential = gathered
		.replace('await Promise.all([', '[')
		.replace(/^(\t\t)(simulateRequest\()/gm, '$1await $2')
		.replace(/^\t\]\);$/m, '\t];');
	expect(sequential.match(/await simulateRequest\(/g)).toHaveLength(3);
	expect(sequential).not.toContain('Promise.all');
	return sequential;
}

beforeAll(async () => {
	const env = {[DEMO_SLOW_ENV]: '0.5'};
	copyFileSync(join(ROOT, 'examples/pace.ts'), join(dir, 'pace.ts'));
	writeFileSync(join(dir, 'seed.ts'), sequentialSeed());
	expect((await recordRun(['seed.ts'], {cwd: dir, file: BEFORE, env})).result.code).toBe(0);
	copyFileSync(join(ROOT, 'examples/06-seed-requests.ts'), join(dir, 'seed.ts'));
	expect((await recordRun(['seed.ts'], {cwd: dir, file: AFTER, env})).result.code).toBe(0);
}, 60_000);

const diff = (...args: string[]) => runCli(['diff', ...args], {cwd: dir});

/** `1.23s` or `456ms` in milliseconds. */
function ms(text: string): number {
	return text.endsWith('ms') ? Number(text.slice(0, -2)) : Number(text.slice(0, -1)) * 1000;
}

describe('asyncmon diff <before> <after>', () => {
	it('text: the seed reads 6 s → 3 s, 2× faster, with simulateRequest matched 3 → 3', async () => {
		const result = await diff('before.ndjson', 'after.ndjson');
		expect(result.code).toBe(0);
		expect(result.stderr).toBe('');
		const headline = /^duration (\S+) → (\S+) \(−(\d+)%, (\d\.\d)× faster\)$/m.exec(result.stdout);
		expect(headline, result.stdout).not.toBeNull();
		const [, before, after, percent, times] = headline!;
		expect(ms(before!)).toBeGreaterThanOrEqual(6000);
		expect(ms(before!)).toBeLessThan(6600);
		expect(ms(after!)).toBeGreaterThanOrEqual(3000);
		expect(ms(after!)).toBeLessThan(3300);
		expect(Number(percent)).toBeGreaterThanOrEqual(45);
		expect(Number(percent)).toBeLessThanOrEqual(51);
		expect(Number(times)).toBeGreaterThanOrEqual(1.8);
		expect(Number(times)).toBeLessThanOrEqual(2.1);
		expect(result.stdout).toMatch(/^concurrency +1\.0× +2\.0× +\+1\.0×$/m);
		expect(result.stdout).toMatch(/^simulateRequest +seed\.ts:15:1 +3 → 3 /m);
		const [, gone, added] = /\nInsights that went away\n([^]*?)\n\nNew insights\n([^]*?)(?:\n\n|$)/.exec(result.stdout) ?? [];
		expect(gone).toMatch(/^sequential-awaits +main\(\) awaited 3 operations in sequence \(\S+\); started together with Promise\.all they would take ~\S+, if none needs what another does$/m);
		expect(added).toMatch(/^concurrency +4 tasks ran or waited \S+ in all, not counting their waits on each other, in \S+: concurrency 2\.0×$/m);
		// Not a terminal: no colour.
		expect(controlCharacters(result.stdout)).toBeNull();
	});

	it('json: the issue’s shape, with simulateRequest matched, 3 tasks on each side', async () => {
		const result = await diff('before.ndjson', 'after.ndjson', '--format', 'json');
		expect(result.code).toBe(0);
		const json = JSON.parse(result.stdout);
		expect(json.before).toMatchObject({file: 'before.ndjson', script: 'seed.ts', exitCode: 0});
		expect(json.before.durationMs).toBeGreaterThanOrEqual(6000);
		expect(json.before.durationMs).toBeLessThan(6600);
		expect(json.after.durationMs).toBeGreaterThanOrEqual(3000);
		expect(json.after.durationMs).toBeLessThan(3300);
		expect(json.before.concurrency).toBeCloseTo(1, 1);
		expect(json.after.concurrency).toBeGreaterThan(1.8);
		expect(json.change.durationRatio).toBeGreaterThan(0.45);
		expect(json.change.durationRatio).toBeLessThan(0.55);
		const simulate = json.sites.find((site: {name: string}) => site.name === 'simulateRequest');
		expect(simulate).toMatchObject({site: 'seed.ts:15:1', status: 'same', before: {count: 3}, after: {count: 3}});
		for (const side of [simulate.before, simulate.after]) {
			// 1 s + 3 s + 2 s of waiting whether awaited in turn or together. A timer is due by the loop's clock,
			// cached when it was set, so a sleep can measure a fraction of a millisecond short.
			expect(side.totalMs).toBeGreaterThanOrEqual(5997);
			expect(side.totalMs).toBeLessThan(6600);
			expect(side.p99Ms).toBeGreaterThanOrEqual(2999);
			expect(side.p99Ms).toBeLessThan(3300);
		}
		const main = json.sites.find((site: {name: string}) => site.name === 'main');
		expect(main).toMatchObject({site: 'seed.ts:22:1', status: 'same', before: {count: 1}, after: {count: 1}});
		expect(main.change.totalMs).toBeLessThan(-2700);
		expect(json.hosts).toEqual([]);
		const kinds = (insights: Array<{kind: string}>) => insights.map(insight => insight.kind);
		expect(kinds(json.insights.gone)).toContain('sequential-awaits');
		expect(kinds(json.insights.new)).toEqual(['concurrency']);
		const sequential = json.insights.gone.find((insight: {kind: string}) => insight.kind === 'sequential-awaits');
		expect(sequential.message).toMatch(/^main\(\) awaited 3 operations in sequence/);
		expect(sequential.savesMs).toBeGreaterThan(2700);
	});

	it('md for a PR comment, html with both waterfalls on one time scale', async () => {
		const md = await diff('before.ndjson', 'after.ndjson', '--format', 'md');
		expect(md.code).toBe(0);
		expect(md.stdout).toMatch(/^## asyncmon diff: seed\.ts\n\n\*\*duration \S+ → \S+ \(−\d+%, \d\.\d× faster\)\*\*\n/);
		expect(md.stdout).toMatch(/^\| simulateRequest \| seed\.ts:15:1 \| 3 → 3 \|/m);
		const html = await diff('before.ndjson', 'after.ndjson', '--format', 'html');
		expect(html.code).toBe(0);
		expect(html.stdout).toMatch(/^<!doctype html>/);
		expect(foreignMarkup(html.stdout)).toBeNull();
		const charts = html.stdout.split('<svg class="chart"').slice(1);
		expect(charts).toHaveLength(2);
		expect(html.stdout).toContain('<h3>Before: before.ndjson</h3>');
		expect(html.stdout).toContain('<h3>After: after.ndjson</h3>');
		// One scale: the same ticks at the same places, though the second session is half as long.
		const ticks = (svg: string) => [...svg.matchAll(/<text class="tick" x="([\d.]+)"[^>]*>([^<]*)</g)].map(match => `${match[2]}@${match[1]}`);
		expect(ticks(charts[0]!).length).toBeGreaterThan(3);
		expect(ticks(charts[1]!)).toEqual(ticks(charts[0]!));
		expect(ticks(charts[0]!).some(tick => tick.startsWith('6.00s@'))).toBe(true);
		expect(html.stdout).toMatch(/<td class="better">−\d+%, \d\.\d× faster<\/td>/);
	});

	it('-o writes the diff privately (0600)', async () => {
		const out = tempFile('diff.md');
		const result = await diff('before.ndjson', 'after.ndjson', '--format', 'md', '-o', out);
		expect(result.code).toBe(0);
		expect(result.stdout).toBe('');
		expect(statSync(out).mode & 0o777).toBe(0o600);
		expect(readFileSync(out, 'utf8')).toMatch(/^## asyncmon diff/);
	});

	it('the same recording twice: allowed, every change zero', async () => {
		const json = JSON.parse((await diff('after.ndjson', 'after.ndjson', '--format', 'json')).stdout);
		expect(json.change).toEqual({durationMs: 0, durationRatio: 1, concurrency: 0, longestBlockMs: 0});
		for (const site of json.sites) {
			expect(site.status).toBe('same');
			expect(site.change).toEqual({count: 0, totalMs: 0, p50Ms: 0, p99Ms: 0});
		}
		expect(json.insights.gone).toEqual([]);
		expect(json.insights.new).toEqual([]);
		const text = await diff('after.ndjson', 'after.ndjson');
		expect(text.stdout).toMatch(/^duration (\S+) → \1 \(no change\)$/m);
	});

	it('a recording cut short (no exit) is said to be part of a run, in the headline and on stderr', async () => {
		const cut = join(dir, 'cut.ndjson');
		const lines = readFileSync(AFTER, 'utf8').split('\n');
		writeFileSync(cut, `${lines.slice(0, Math.floor(lines.length / 2)).join('\n')}\n`);
		const result = await diff('before.ndjson', 'cut.ndjson');
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/^duration [^\n]*; not whole runs: the after recording has no exit \(cut short, or the monitor was killed\)$/m);
		expect(result.stderr).toBe('asyncmon: cut.ndjson: it records no exit (cut short, or the monitor was killed): its figures are part of a run, not a whole one\n');
		const whole = await diff('before.ndjson', 'after.ndjson');
		expect(whole.stdout).not.toContain('not whole runs');
		expect(whole.stderr).toBe('');
	});

	it('untrusted names: html escaped, text and md free of terminal escapes', async () => {
		const text = HOSTILE_STRINGS.join('');
		const hostile = join(dir, 'hostile.ndjson');
		writeFileSync(hostile, hostileSession(text).map(serializeLine).join(''));
		const html = await diff('before.ndjson', 'hostile.ndjson', '--format', 'html');
		expect(html.code).toBe(0);
		expect(foreignMarkup(html.stdout)).toBeNull();
		expect(html.stdout).toContain('&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;');
		for (const format of ['text', 'md']) {
			const result = await diff('hostile.ndjson', 'before.ndjson', '--format', format);
			expect(result.code).toBe(0);
			expect(controlCharacters(result.stdout)).toBeNull();
		}
	});
});

describe('asyncmon diff on bad input: one line, exit 1', () => {
	it('a missing recording', async () => {
		const result = await diff('before.ndjson', 'nowhere.ndjson');
		expect(result.code).toBe(1);
		expect(result.stderr).toBe("asyncmon: cannot find recording 'nowhere.ndjson'\n");
	});

	it('a corrupt recording, unless --lenient', async () => {
		const corrupt = join(dir, 'corrupt.ndjson');
		const lines = readFileSync(AFTER, 'utf8').split('\n');
		lines.splice(3, 0, 'not json at all');
		writeFileSync(corrupt, lines.join('\n'));
		const strict = await diff('before.ndjson', 'corrupt.ndjson');
		expect(strict.code).toBe(1);
		expect(strict.stderr).toMatch(/^asyncmon: [^\n]*corrupt\.ndjson:4: corrupt line[^\n]*\n$/);
		const lenient = await diff('before.ndjson', 'corrupt.ndjson', '--lenient');
		expect(lenient.code).toBe(0);
		expect(lenient.stderr).toMatch(/^asyncmon: corrupt\.ndjson: skipped 1/);
	});

	it('a file that is no recording', async () => {
		const result = await diff('before.ndjson', join(ROOT, 'package.json'));
		expect(result.code).toBe(1);
		expect(result.stderr.trim().split('\n')).toHaveLength(1);
		expect(result.stderr).toMatch(/^asyncmon: .*package\.json/);
	});

	it('an unknown format, and a missing second recording', async () => {
		const format = await diff('before.ndjson', 'after.ndjson', '--format', 'xml');
		expect(format.code).toBe(1);
		expect(format.stderr.trim().split('\n')).toHaveLength(1);
		expect(format.stderr).toMatch(/^asyncmon: --format must be one of "text", "md", "json", "html" \(got "xml"\)$/m);
		const one = await diff('before.ndjson');
		expect(one.code).toBe(1);
		expect(one.stderr).toBe('asyncmon: name two recordings: asyncmon diff <before> <after>\n');
	});

	it('asyncmon --help lists it', async () => {
		const help = await runCli(['--help']);
		expect(help.stdout).toMatch(/asyncmon diff <before> <after> +Compare two recorded sessions/);
	});
});

// A fix to a server's slow route: the diff told the client's side and the functions, nothing of the routes.
describe("a server's diff", () => {
	const served = (reportMs: number): string[] => [
		"const http = require('node:http')",
		`const server = http.createServer((req, res) => setTimeout(() => res.end('ok'), req.url.startsWith('/report') ? ${reportMs} : 5))`,
		'server.listen(0, "127.0.0.1", async () => {',
		'  const base = `http://127.0.0.1:${server.address().port}`',
		"  for (const path of ['/users/1', '/users/2', '/report/3']) await (await fetch(base + path)).text()",
		'  server.close()',
		'})',
	];

	it('compares the requests it received, by route: counts, failures and latency, before and after', async () => {
		const before = tempFile('slow.ndjson');
		const after = tempFile('fixed.ndjson');
		for (const [file, reportMs] of [[before, 300], [after, 20]] as const) {
			const cwd = tempDir();
			writeFileSync(join(cwd, 'app.js'), served(reportMs).join('\n'));
			expect((await recordRun(['app.js'], {cwd, file})).result.code).toBe(0);
		}
		const text = await runCli(['diff', before, after]);
		expect(text.code).toBe(0);
		expect(text.stdout).toMatch(/^HTTP requests received +3 +3 /m);
		expect(text.stdout).toMatch(/HTTP received by route/);
		expect(text.stdout).toMatch(/^GET \/report\/:id +1 → 1 +0 → 0 +(29\d|3\d\d)ms → \d\dms /m);
		const json = JSON.parse((await runCli(['diff', before, after, '--format', 'json'])).stdout);
		expect(json.before).toMatchObject({httpReceived: 3, failedReceived: 0});
		const report = json.routes.find((route: {route: string}) => route.route === 'GET /report/:id');
		// A 300 ms timer in the handler: Node's timers count from the loop's cached millisecond, so a little under it.
		expect(report.before.latency.p50Ms).toBeGreaterThanOrEqual(290);
		expect(report.after.latency.p50Ms).toBeLessThan(100);
	});
});
