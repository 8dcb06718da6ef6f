import {spawn} from 'node:child_process';
import {mkdirSync, statSync, symlinkSync, writeFileSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {readRecording} from '../helpers/recorded.js';
import {CLI, runCli, SCRIPTS} from '../helpers/run-cli.js';
import {tempDir} from '../helpers/temp.js';

const FIXTURE_RECORDING = join(SCRIPTS, '../sessions/three-requests.ndjson');

describe('where recordings and reports are written', () => {
	it('a --record path that cannot be written is the user’s mistake: one line, exit 1, and the script never ran', async () => {
		const directory = tempDir();
		const victim = join(directory, 'victim');
		writeFileSync(victim, 'precious');
		symlinkSync(victim, join(directory, 'link.ndjson'));
		mkdirSync(join(directory, 'folder'));
		for (const [path, reason] of [
			[join(directory, 'missing', 'x.ndjson'), 'its directory does not exist'],
			[join(directory, 'folder'), 'it is a directory'],
			[join(directory, 'link.ndjson'), 'it is a symbolic link, which asyncmon does not write through'],
		] as const) {
			const result = await runCli(['--plain', '--record', path, 'gather.ts']);
			expect(result.code, path).toBe(1);
			expect(result.stderr).toBe(`asyncmon: cannot write the recording '${path}': ${reason}\n`);
			expect(result.stdout).not.toContain('All done');
		}
		expect(readFileSync(victim, 'utf8')).toBe('precious');
	});

	it('a report written with -o is private (0600), and -o through a symbolic link is refused', async () => {
		const directory = tempDir();
		const out = join(directory, 'report.md');
		const written = await runCli(['report', FIXTURE_RECORDING, '--format', 'md', '-o', out]);
		expect(written.code).toBe(0);
		expect(statSync(out).mode & 0o777).toBe(0o600);
		symlinkSync(out, join(directory, 'link.md'));
		const refused = await runCli(['report', FIXTURE_RECORDING, '-o', join(directory, 'link.md')]);
		expect(refused.code).toBe(1);
		expect(refused.stderr).toMatch(/^asyncmon: cannot write the report '.*link\.md': it is a symbolic link/);
	});

	it('an output naming a file the command reads (a recording, the script) is refused, one line and exit 1, the file left as it was', async () => {
		const directory = tempDir();
		const recording = join(directory, 'session.ndjson');
		const original = readFileSync(FIXTURE_RECORDING);
		writeFileSync(recording, original);
		for (const args of [
			['report', recording, '--format', 'md', '-o', recording],
			['report', recording, '--format', 'ndjson', '-o', join(directory, '.', 'session.ndjson')],
			['diff', FIXTURE_RECORDING, recording, '-o', recording],
		]) {
			const refused = await runCli(args);
			expect(refused.code, args.join(' ')).toBe(1);
			expect(refused.stderr).toMatch(/^asyncmon: -o '.*session\.ndjson' would overwrite '.*session\.ndjson', which this command reads: name another file\n$/);
			expect(readFileSync(recording)).toEqual(original);
		}
		const script = join(directory, 'script.mjs');
		writeFileSync(script, "console.log('ran');\n");
		const recordOverScript = await runCli(['--plain', '--record', script, script]);
		expect(recordOverScript.code).toBe(1);
		expect(recordOverScript.stderr).toBe(`asyncmon: --record '${script}' would overwrite '${script}', which this command reads: name another file\n`);
		expect(recordOverScript.stdout).toBe('');
		expect(readFileSync(script, 'utf8')).toBe("console.log('ran');\n");
	});

	it('a recording replaces an earlier recording or an empty file, never another file (a module the script imports): refused, the file left as it was', async () => {
		const directory = tempDir();
		writeFileSync(join(directory, 'lib.mjs'), 'export const answer = 42;\n');
		writeFileSync(join(directory, 'main.mjs'), "import {answer} from './lib.mjs';\nconsole.log('answer', answer);\n");
		const refused = await runCli(['--plain', '--record', 'lib.mjs', 'main.mjs'], {cwd: directory});
		expect(refused.code).toBe(1);
		expect(refused.stderr).toBe("asyncmon: --record 'lib.mjs' is a file that is no recording of asyncmon's: name another file, or remove it first\n");
		expect(refused.stdout).toBe('');
		expect(readFileSync(join(directory, 'lib.mjs'), 'utf8')).toBe('export const answer = 42;\n');
		// An earlier recording is replaced, as is an empty file.
		writeFileSync(join(directory, 'empty.ndjson'), '');
		for (const file of ['again.ndjson', 'again.ndjson', 'empty.ndjson']) {
			const recorded = await runCli(['--plain', '--record', file, 'main.mjs'], {cwd: directory});
			expect(recorded.code, file).toBe(0);
			expect(recorded.stdout).toContain('answer 42');
			expect(readFileSync(join(directory, file), 'utf8')).toMatch(/^\{"type":"header"/);
		}
	});

	it('a recording that fails mid-run (here a file size limit) says so once, stays readable, and asyncmon exits 4', async () => {
		const file = join(tempDir(), 'session.ndjson');
		// `ulimit -f 16`: writes past 8 kB fail with EFBIG, as they would on a full disk with ENOSPC.
		const child = spawn('sh', ['-c', `ulimit -f 16; exec "${process.execPath}" "${CLI}" --plain --record "${file}" many-tasks.ts`], {cwd: SCRIPTS, env: {...process.env, NO_COLOR: '1'}});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
		child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
		const code = await new Promise(resolve => child.once('close', resolve));
		expect(code).toBe(4);
		expect(stderr.match(/asyncmon: the recording .* stopped: EFBIG while writing it; it is readable up to there \(asyncmon report reads it, a cut-off last line left out\)/g)).toHaveLength(1);
		// Monitoring went on: the run's summary covers every task.
		expect(stdout).toMatch(/All done in [^·]+· 30,0[0-9]{2} tasks/);
		const {state} = await readRecording(file);
		expect(state.header?.script).toBe("many-tasks.ts");
		expect(state.nodes.size).toBeGreaterThan(0);
	});
});
