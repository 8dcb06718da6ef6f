import {spawn} from 'node:child_process';
import {closeSync, openSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {gunzipSync} from 'node:zlib';
import {describe, expect, it} from 'vitest';
import type {OutputEvent} from '../../source/protocol/events.js';
import {recordedLines} from '../helpers/recorded.js';
import {CLI, runCli, SCRIPTS, startCli} from '../helpers/run-cli.js';
import {tempFile} from '../helpers/temp.js';
import {useTerminal} from '../helpers/terminal.js';

const terminal = useTerminal();

/** What the recording holds of the script's own output on one stream, in order. */
function recordedOutput(file: string, stream: 'stdout' | 'stderr' = 'stdout'): string {
	return recordedLines(file)
		.filter((line): line is OutputEvent => line.type === 'output' && line.stream === stream && line.lane === undefined)
		.map(line => line.text)
		.join('');
}

/** Resolves once `text` has been read from the stream. */
function seen(stream: NodeJS.ReadableStream, text: string): Promise<void> {
	return new Promise(resolve => {
		let read = '';
		const look = (chunk: Buffer | string): void => {
			read += String(chunk);
			if (!read.includes(text)) return;
			stream.off('data', look);
			resolve();
		};
		stream.on('data', look);
	});
}

describe('the script’s output, as under node, however it ends', () => {
	it('what it printed just before a SIGKILL is printed and recorded', async () => {
		const file = tempFile('sigkill.ndjson');
		const result = await runCli(['--plain', '--record', file, 'last-words-then-sigkill.js']);
		expect(result.code).toBe(137);
		expect(result.stdout.startsWith('last words\n')).toBe(true);
		expect(recordedOutput(file)).toBe('last words\n');
	});

	it('what it printed before it spun forever is printed and recorded when a Ctrl-C ends it', async () => {
		const file = tempFile('spin.ndjson');
		const run = startCli(['--plain', '--record', file, 'print-then-spin.js']);
		// The block is told while it lasts: the script is spinning by then.
		await seen(run.child.stdout!, 'BLOCKED');
		run.child.kill('SIGINT');
		const result = await run.result;
		// Stuck, with no handler of its own: ended for the SIGINT, as node would have (see signals.test.ts).
		expect(result.code).toBe(130);
		expect(result.stdout).toContain('spinning\n');
		expect(recordedOutput(file)).toBe('spinning\n');
	});

	for (const stream of ['stdout', 'stderr'] as const) {
		it(`a reader of its ${stream} that goes away (| head) makes its next write there fail with EPIPE, as under node: it ends, and so does asyncmon`, async () => {
			const file = tempFile(`epipe-${stream}.ndjson`);
			const run = startCli(['--plain', '--record', file, 'write-until-epipe.js', stream]);
			const reader = run.child[stream]!;
			await seen(reader, 'line 1\n');
			reader.destroy();
			const result = await run.result;
			// Node's own report of the unhandled EPIPE, and its exit code, 1, which asyncmon returns as the script's.
			expect(result.code).toBe(1);
			if (stream === 'stdout') expect(result.stderr).toContain('Error: write EPIPE');
			const lines = recordedLines(file);
			expect(lines.at(-1)).toMatchObject({type: 'exit', code: 1});
			// The recording has what the script wrote before the pipe closed, every line in order.
			const written = recordedOutput(file, stream).split('\n');
			expect(written.length).toBeGreaterThan(2);
			expect(written.slice(0, -1).every((line, i) => line === `line ${i}`)).toBe(true);
		}, 30_000);
	}

	it('console.log to a reader that went away (| head) fails quietly, as under node: the script ends with code 0', async () => {
		const underNode = spawn(process.execPath, [join(SCRIPTS, 'log-until-epipe.js')], {stdio: ['ignore', 'pipe', 'pipe']});
		const nodeEnd = new Promise<[number | null, string]>(resolve => {
			let stderr = '';
			underNode.stderr.on('data', chunk => (stderr += chunk));
			underNode.on('close', code => resolve([code, stderr]));
		});
		const run = startCli(['--plain', 'log-until-epipe.js']);
		for (const child of [underNode, run.child]) {
			await seen(child.stdout!, 'line 1\n');
			child.stdout!.destroy();
		}
		expect(await nodeEnd).toEqual([0, '']);
		const result = await run.result;
		expect(result.stderr).not.toContain('EPIPE');
		expect(result.code).toBe(0);
	}, 30_000);

	/** The 5,000 rows and the END that print-then-exit.js writes before its process.exit(3). */
	const printedBeforeExit = Array.from({length: 5000}, (_, i) => `row ${i} ${'y'.repeat(100)}\n`).join('') + 'END\n';

	it('what it prints just before process.exit() is all printed to a file, as node writes a file: synchronously', async () => {
		const out = tempFile('print-then-exit.out');
		const file = tempFile('print-then-exit.ndjson');
		const fd = openSync(out, 'w');
		// Its 5,000 rows written at once may block the loop past 50 ms on a loaded machine, a block told in the same file:
		// no part of what this test asks.
		const child = spawn(process.execPath, [CLI, '--plain', '--block-threshold', '5000', '--record', file, 'print-then-exit.js'], {cwd: SCRIPTS, env: {...process.env, NO_COLOR: '1'}, stdio: ['ignore', fd, 'pipe']});
		closeSync(fd);
		const code = await new Promise(resolve => child.once('close', resolve));
		expect(code).toBe(3);
		const printed = readFileSync(out, 'utf8');
		expect(printed.slice(0, printed.indexOf('── asyncmon ──'))).toBe(printedBeforeExit);
		expect(recordedOutput(file)).toBe(printedBeforeExit);
	}, 30_000);

	it('what it prints just before process.exit() is all printed to a terminal, as node writes a terminal: synchronously', async () => {
		terminal.open(`node ${CLI} --plain print-then-exit.js`, 120, 20);
		await terminal.until('asyncmon to exit', text => text.includes('EXIT:3'), 20_000);
		const screen = terminal.screen({history: true});
		expect(screen).toContain(`row 4999 ${'y'.repeat(100)}`);
		expect(screen).toMatch(/^END$/m);
	}, 30_000);

	it("stdout redirected to a file from a terminal: the file holds the script's bytes alone, as under node; asyncmon's lines go to the terminal", async () => {
		const out = tempFile('rows.gz');
		terminal.open(`node ${CLI} gzip-to-stdout.mjs > ${out}`, 120, 20);
		const screen = await terminal.until('asyncmon to exit', text => text.includes('EXIT:0'), 20_000);
		// Plain mode, stdout not being a terminal, but its lines and summary on the terminal (stderr).
		expect(screen).toContain('── asyncmon ──');
		expect(screen).toMatch(/All done in /);
		const node = await new Promise<Buffer>(resolve => {
			const child = spawn(process.execPath, ['gzip-to-stdout.mjs'], {cwd: SCRIPTS, stdio: ['ignore', 'pipe', 'inherit']});
			const chunks: Buffer[] = [];
			child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
			child.once('close', () => resolve(Buffer.concat(chunks)));
		});
		expect(gunzipSync(readFileSync(out)).toString()).toBe(gunzipSync(node).toString());
		expect(readFileSync(out)).toEqual(node);
	}, 30_000);

	it('300,000 lines arrive whole and in order, on stdout and in the recording', async () => {
		const file = tempFile('lines.ndjson');
		const result = await runCli(['--plain', '--record', file, 'three-hundred-thousand-lines.js']);
		expect(result.code).toBe(0);
		const expected = Array.from({length: 300_000}, (_, i) => `line ${i}\n`).join('');
		expect(recordedOutput(file)).toBe(expected);
		// Before the summary's rule, between asyncmon's own lines (a block, say), the script's output, whole.
		const printed = result.stdout.slice(0, result.stdout.indexOf('── asyncmon ──'));
		expect(printed.replaceAll(/^\[ *\d+\.\d{3}s\] .*\n/gm, '')).toBe(expected);
	}, 120_000);
});
