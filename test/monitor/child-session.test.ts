import {writeFileSync} from 'node:fs';
import {recordedLines} from '../helpers/recorded.js';
import {pathToFileURL} from 'node:url';
import {join} from 'node:path';
import {ChildSession} from '../../source/monitor/child-session.js';
import {ScriptProcess} from '../../source/monitor/script-process.js';
import type {HeaderEvent, ProtocolLine} from '../../source/protocol/events.js';
import {describe, expect, it} from 'vitest';
import {readRecording} from '../helpers/recorded.js';
import {underNodeAndAsyncmonBytes} from '../helpers/node-parity.js';
import {ROOT, runCli, SCRIPTS} from '../helpers/run-cli.js';
import {tempFile} from '../helpers/temp.js';

describe('the child\'s event stream', () => {
	it('a corrupt line is skipped, but counted, recorded and shown', async () => {
		const file = tempFile('corrupt.ndjson');
		const live = await runCli(['--plain', '--record', file, 'corrupt-events.ts']);
		expect(live.code).toBe(0);
		expect(live.stdout).toContain('wrote two corrupt lines');
		expect(live.stdout).toContain("asyncmon skipped 2 corrupt lines in the script's event stream; figures may be incomplete");

		const recorded = recordedLines(file);
		const corrupt = recorded.filter(line => line.type === 'corrupt');
		expect(corrupt.reduce((sum, line) => sum + line.count!, 0)).toBe(2);
		expect(corrupt[0]!.reason).toBe('not JSON');
		expect(recorded.at(-1)!.type).toBe('exit');
		expect((await readRecording(file)).state.corruptLines).toBe(2);

		const report = await runCli(['report', file]);
		expect(report.code).toBe(0);
		expect(report.stderr).toContain('the monitor skipped 2 corrupt lines from the script while recording');
	});
});

describe("the script's output", () => {
	it('is recorded byte for byte as node writes it: binary bytes, and characters cut across writes', async () => {
		const {node, asyncmon} = await underNodeAndAsyncmonBytes('binary-output.mjs', [], SCRIPTS);
		expect(node.stdout.includes(Buffer.from([0xff, 0x00, 0xfe, 0x80]))).toBe(true);
		expect(asyncmon.code).toBe(node.code);
		expect(asyncmon.stdout.equals(node.stdout)).toBe(true);
		expect(asyncmon.stderr.equals(node.stderr)).toBe(true);
	});
});

describe('a process the script leaves behind holding its stdout', () => {
	it('is listened to while it writes, until it is quiet', async () => {
		const result = await runCli(['--plain', 'chatty-daemon.mjs', '6']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('spawned a chatty daemon');
		expect(result.stdout).toContain('tick 6');
	});

	it('keeps asyncmon no longer than 2 s after the script exits, however long it writes', async () => {
		const started = Date.now();
		const result = await runCli(['--plain', 'chatty-daemon.mjs', '100']);
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/All done in [\d.]+ms/);
		expect(Date.now() - started).toBeLessThan(4000);
	});
});

describe('the script started before its reader (asyncmon starts it first, then loads the rest)', () => {
	it('a script that wrote and exited before the session was read loses nothing: its header, output and exit come as they were', async () => {
		const options = {
			script: join(SCRIPTS, 'exit-code.ts'),
			scriptName: 'exit-code.ts',
			args: [],
			blockThresholdMs: 100,
			redact: true,
			stdin: 'none' as const,
			preload: pathToFileURL(join(ROOT, 'dist/preload-gate.cjs')),
		};
		const started = new ScriptProcess(options);
		await new Promise<number>(resolve => started.exit.hear(resolve));
		const session = new ChildSession(options, started);
		const lines: ProtocolLine[] = [];
		session.onLine(line => lines.push(line));
		expect(await session.exited).toEqual({code: 7, signal: null});
		expect(lines[0]!.type).toBe('header');
		const output = lines.flatMap(line => (line.type === 'output' ? [line.text] : []));
		expect(output.join('')).toBe('leaving early\n');
		const exit = lines.at(-1)!;
		expect(exit).toMatchObject({type: 'exit', code: 7});
		// Its time is when the process exited, before the reader was made, on the session's clock.
		expect((exit as {t: number}).t).toBeGreaterThan(0);
	});
});

describe('a child that dies before saying hello', () => {
	it('still gets a header, made by the monitor, that keeps no secret of its arguments', async () => {
		// A preload that ends the process before asyncmon's could write anything.
		const preload = tempFile('dies-at-once.mjs');
		writeFileSync(preload, 'process.exit(3);\n');
		const session = new ChildSession({
			script: 'gather.ts',
			scriptName: 'gather.ts',
			args: ['--db', 'postgres://app:db-secret-13@127.0.0.1/app'],
			blockThresholdMs: 100,
			redact: true,
			stdin: 'none',
			preload: pathToFileURL(preload),
		});
		const lines: ProtocolLine[] = [];
		session.onLine(line => lines.push(line));
		expect((await session.exited).code).toBe(3);
		const header = lines[0] as HeaderEvent;
		expect(header.type).toBe('header');
		expect(header.argv).toEqual(['--db', 'postgres://REDACTED:REDACTED@127.0.0.1/app']);
	});
});
