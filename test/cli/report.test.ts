import {appendFileSync, readFileSync, writeFileSync} from 'node:fs';
import {dirname} from 'node:path';
import {describe, expect, it} from 'vitest';
import {spawnSync} from 'node:child_process';
import {CLI, runCli} from '../helpers/run-cli.js';
import {tempFile} from '../helpers/temp.js';

async function recordGather(): Promise<string> {
	const file = tempFile('gather.ndjson');
	expect((await runCli(['--plain', '--record', file, 'gather.ts'])).code).toBe(0);
	return file;
}

describe('asyncmon report and replay on recordings', () => {
	it('reports the same figures twice in a row, in every format', async () => {
		const file = await recordGather();
		for (const format of ['text', 'md', 'json', 'chrome-trace', 'html']) {
			const first = await runCli(['report', file, '--format', format]);
			const second = await runCli(['report', file, '--format', format]);
			expect(first.code).toBe(0);
			expect(first.stdout.length).toBeGreaterThan(100);
			expect(second.stdout).toBe(first.stdout);
		}
		const json = JSON.parse((await runCli(['report', file, '--format', 'json'])).stdout);
		expect(json.summary).toMatchObject({maxInFlight: 3, taskCount: 4});
		expect(json.insights.map((insight: {kind: string}) => insight.kind)).toContain('concurrency');
	});

	it('names how folded work failed: the error, how often and where, in the text and in the JSON', async () => {
		const file = tempFile('fails.ndjson');
		expect((await runCli(['--plain', '--record', file, 'fails-then-succeeds.js'])).code).toBe(0);
		const text = await runCli(['report', file, '--retain', '5']);
		expect(text.code).toBe(0);
		const failures = text.stdout.slice(text.stdout.indexOf('Failures'));
		expect(failures).toMatch(/×3 query\(\) +Error: relation "no_such_table" does not exist +fails-then-succeeds\.js:4:\d+/);
		const json = JSON.parse((await runCli(['report', file, '--retain', '5', '--format', 'json'])).stdout);
		const site = json.folded.sites.find((candidate: {name: string}) => candidate.name === 'query()');
		expect(site).toMatchObject({failed: 3, failures: [{error: {name: 'Error', message: 'relation "no_such_table" does not exist'}, count: 3}]});
	});

	it('a reader that goes away (`| head`) ends the output of report, diff and replay: exit 0, no error of its own', async () => {
		const file = await recordGather();
		const commands = [...['ndjson', 'json', 'text', 'md', 'html', 'chrome-trace', 'otlp-json'].map(format => `report ${file} --format ${format}`), `diff ${file} ${file}`, `replay --plain ${file}`];
		for (const command of commands) {
			// `true` reads nothing and is gone before asyncmon writes: every write finds no reader (EPIPE).
			const piped = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" ${command} | true; echo "exit \${PIPESTATUS[0]}" >&2`], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
			expect({command, stderr: piped.stderr}).toEqual({command, stderr: 'exit 0\n'});
		}
	});

	it("says in the JSON whether the recording holds the script's exit: a CI job tells a cut recording from a whole one", async () => {
		const file = await recordGather();
		const whole = JSON.parse((await runCli(['report', file, '--format', 'json'])).stdout);
		expect(whole).toMatchObject({complete: true, exitCode: 0});
		const cut = tempFile('cut.ndjson');
		const lines = readFileSync(file, 'utf8').split('\n');
		writeFileSync(cut, `${lines.slice(0, Math.floor(lines.length / 2)).join('\n')}\n`);
		const report = await runCli(['report', cut, '--format', 'json']);
		expect(report.code).toBe(0);
		expect(JSON.parse(report.stdout)).toMatchObject({complete: false, exitCode: null, signal: null});
	});

	it('writes to a file with -o', async () => {
		const file = await recordGather();
		const out = tempFile('report.html');
		expect((await runCli(['report', file, '--format', 'html', '-o', out])).code).toBe(0);
		expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>/i);
	});

	it('replays in plain mode with the same lines as the live run', async () => {
		const file = tempFile('gather.ndjson');
		const live = await runCli(['--plain', '--record', file, 'gather.ts']);
		const replayed = await runCli(['replay', file, '--plain']);
		expect(replayed.code).toBe(0);
		const taskLines = (text: string) => text.split('\n').filter(line => /^\[ *\d/.test(line));
		expect(taskLines(replayed.stdout)).toEqual(taskLines(live.stdout));
	});

	it('a truncated recording: everything up to the last whole line, and a warning', async () => {
		const file = await recordGather();
		appendFileSync(file, '{"type":"task.start","t":9');
		const result = await runCli(['report', file, '--format', 'json']);
		expect(result.code).toBe(0);
		expect(JSON.parse(result.stdout).summary.maxInFlight).toBe(3);
		expect(result.stderr).toMatch(/^asyncmon: the recording ends mid-line/);
	});

	it('a corrupt line: one line naming it and exit 1, unless --lenient', async () => {
		const file = await recordGather();
		const lines = readFileSync(file, 'utf8').split('\n');
		lines.splice(3, 0, 'not json at all');
		writeFileSync(file, lines.join('\n'));
		const strict = await runCli(['report', file]);
		expect(strict.code).toBe(1);
		expect(strict.stderr.trim().split('\n')).toHaveLength(1);
		expect(strict.stderr).toMatch(/^asyncmon: .*gather\.ndjson:4: corrupt line/);
		const lenient = await runCli(['report', file, '--lenient']);
		expect(lenient.code).toBe(0);
		expect(lenient.stderr).toMatch(/skipped 1/);
	});

	it('a well-formed JSON line missing a field: one line naming it and exit 1, not a crash', async () => {
		const file = await recordGather();
		const lines = readFileSync(file, 'utf8').split('\n');
		lines.splice(3, 0, '{"type":"task.await","t":1,"id":2,"site":null,"busy":0}');
		writeFileSync(file, lines.join('\n'));
		for (const format of ['text', 'html']) {
			const strict = await runCli(['report', file, '--format', format]);
			expect(strict.code).toBe(1);
			expect(strict.stderr).toMatch(/^asyncmon: .*gather\.ndjson:4: corrupt line \(task\.await: 'on' is missing\)[^\n]*\n$/);
		}
	});

	it('an empty file, a file that is no session, and a future protocol version', async () => {
		const empty = tempFile('empty.ndjson');
		writeFileSync(empty, '');
		const notSession = tempFile('notes.txt');
		writeFileSync(notSession, 'hello\n');
		const future = tempFile('future.ndjson');
		writeFileSync(future, `${JSON.stringify({type: 'header', protocol: 9, script: 'x.ts', argv: [], cwd: '/', node: 'v24', pid: 1, startedAt: 0, blockThresholdMs: 50, redacted: true})}\n`);
		for (const file of [empty, notSession, future, tempFile('missing.ndjson')]) {
			const result = await runCli(['report', file]);
			expect(result.code).toBe(1);
			expect(result.stderr).toMatch(/^asyncmon: [^\n]+\n$/);
		}
		// A directory is there: it is said to be one, not to be missing.
		const directory = dirname(empty);
		for (const command of ['report', 'replay']) {
			const result = await runCli([command, '--plain', directory].filter(arg => command === 'replay' || arg !== '--plain'));
			expect(result.code).toBe(1);
			expect(result.stderr).toBe(`asyncmon: '${directory}' is a directory, not a recording: name the file asyncmon --record wrote\n`);
		}
	});
});
