import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {readRecording} from '../helpers/recorded.js';
import {runCli, SCRIPTS, startCli} from '../helpers/run-cli.js';
import {dirWithScript, tempFile} from '../helpers/temp.js';

/** The recording's first block.start, a line of its own (JSON object lines, as in protocol 1). */
const blockStart = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8').split('\n').find(line => line.startsWith('{"type":"block.start"'))!);

const pause = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

/** A script of `lines` that prints `ready` once its handlers are in place, run with `--plain --record`: resolved once it said so. */
async function readyService(script: string, lines: readonly string[]) {
	const directory = dirWithScript(script, lines);
	const file = tempFile(`${script}.ndjson`);
	const run = startCli(['--plain', '--record', file, script], {cwd: directory});
	await new Promise<void>(resolve => run.child.stdout!.on('data', (text: string) => text.includes('ready') && resolve()));
	return {directory, file, run};
}

/** Resolves once the script printed its pid, and then some: it is spinning in synchronous code by then. */
function spinning(stdout: NodeJS.ReadableStream): Promise<void> {
	return new Promise(resolve => {
		let seen = '';
		stdout.on('data', (text: string) => {
			seen += text;
			if (/pid \d+/.test(seen)) resolve(pause(300));
		});
	});
}

describe('signals stop a script stuck in synchronous code, in plain mode', () => {
	// Under node a signal the script does not handle ends it at once, stuck or not. asyncmon's own handler (which
	// sends what is buffered first) cannot run in a stuck script: the monitor ends it, as node would have.
	for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
		it(`one ${signal} ends a stuck script that does not handle it at once, with the code node gives (${code}); the recording says so`, async () => {
			const file = tempFile('interrupted.ndjson');
			const run = startCli(['--plain', '--record', file, 'pid-then-spin.ts']);
			await spinning(run.child.stdout!);
			run.child.kill(signal);
			const result = await run.result;
			// Its own code, not 137: not the SIGKILL that ends a script given 2 s to handle SIGTERM, nor a second Ctrl-C's.
			expect(result.code).toBe(code);
			expect(result.stdout).toContain(`Killed by ${signal}`);
			expect(result.stdout).toContain(`does not handle ${signal} itself: asyncmon ended it with SIGKILL`);
			expect((await readRecording(file)).state.exit).toMatchObject({signal: 'SIGKILL', stoppedFor: signal});
			// The watchdog told which stop signals the script handles: none.
			expect(blockStart(file)).toMatchObject({handles: []});
		});
	}
});

describe('a script that signals itself', () => {
	for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
		it(`dies of a ${signal} it sends itself from its last callback at once, as under node (${code}), not of a loop that ran dry first`, async () => {
			expect(spawnSync(process.execPath, ['self-signal.cjs', signal], {cwd: SCRIPTS}).signal).toBe(signal);
			const file = tempFile('self-signalled.ndjson');
			const result = await runCli(['--plain', '--record', file, 'self-signal.cjs', signal]);
			expect(result.code).toBe(code);
			expect(result.stdout).toContain(`Killed by ${signal} after`);
			expect((await readRecording(file)).state.exit).toMatchObject({code: null, signal});
		});
	}
});

describe('signals to a stuck script that handles them itself, in plain mode', () => {
	it('a first Ctrl-C waits for its handler, as under node; a second one ends it at once', async () => {
		const file = tempFile('interrupted.ndjson');
		const run = startCli(['--plain', '--record', file, 'handler-then-spin.ts']);
		await spinning(run.child.stdout!);
		run.child.kill('SIGINT');
		await pause(600);
		expect(run.child.exitCode).toBeNull();
		run.child.kill('SIGINT');
		const result = await run.result;
		expect(result.code).toBe(137);
		expect(result.stdout).toContain('Killed by SIGKILL');
		expect(result.stdout).toContain('asyncmon ended it with SIGKILL at a second Ctrl-C (SIGINT)');
		const {state} = await readRecording(file);
		expect(state.exit).toMatchObject({signal: 'SIGKILL', forced: {after: 'SIGINT', because: 'again'}});
		expect(state.exit!.stoppedFor).toBeUndefined();
		expect(blockStart(file)).toMatchObject({handles: ['SIGINT', 'SIGTERM']});
	});

	it('a SIGTERM is left to its handler for as long as it is stuck, as under node; a second one ends it at once, and asyncmon says it did', async () => {
		const file = tempFile('terminated.ndjson');
		const run = startCli(['--plain', '--record', file, 'handler-then-spin.ts']);
		await spinning(run.child.stdout!);
		run.child.kill('SIGTERM');
		// Longer than the 2 s a handler was given before.
		await pause(2600);
		expect(run.child.exitCode).toBeNull();
		run.child.kill('SIGTERM');
		const result = await run.result;
		expect(result.code).toBe(137);
		expect(result.stdout).toContain('Killed by SIGKILL');
		expect(result.stdout).toContain('asyncmon ended it with SIGKILL at a second SIGTERM');
		expect((await readRecording(file)).state.exit).toMatchObject({signal: 'SIGKILL', forced: {after: 'SIGTERM', because: 'again'}});
	});
});

// `docker stop`, Kubernetes and systemd send SIGTERM and give a service 10-30 s to drain before they kill it
// themselves: under asyncmon it was killed 2 s after the SIGTERM, its drain cut short.
it('a graceful shutdown longer than 2 s runs to its end, as under node: its output and exit code are its own', async () => {
	const {file, run} = await readyService('drain.js', [
		"process.on('SIGTERM', () => {",
		"  console.log('draining')",
		'  let left = 3',
		"  const tick = setInterval(() => { console.log(`left ${--left}`); if (left === 0) { clearInterval(tick); console.log('clean shutdown'); process.exit(0) } }, 1000)",
		'})',
		"setInterval(() => {}, 1000)",
		"console.log('ready')",
	]);
	run.child.kill('SIGTERM');
	const result = await run.result;
	expect(result.code).toBe(0);
	expect(result.stdout).toMatch(/draining\n(.*\n)*left 2\n(.*\n)*left 1\n(.*\n)*left 0\n(.*\n)*clean shutdown/);
	expect((await readRecording(file)).state.exit).toEqual(expect.objectContaining({code: 0, signal: null}));
});

// A supervisor or a `kill` loop may send SIGTERM more than once: node hands each to the script's handler.
it("a second SIGTERM while the script drains reaches its handler again, as under node: the drain runs to its end", async () => {
	const {file, run} = await readyService('drain-twice.js', [
		'let terms = 0',
		"process.on('SIGTERM', () => {",
		'  console.log(`SIGTERM #${++terms}`)',
		"  if (terms === 1) setTimeout(() => { console.log('drained'); process.exit(0) }, 1500)",
		'})',
		'setInterval(() => {}, 1000)',
		"console.log('ready')",
	]);
	run.child.kill('SIGTERM');
	await pause(300);
	run.child.kill('SIGTERM');
	const result = await run.result;
	expect(result.code).toBe(0);
	expect(result.stdout).toMatch(/SIGTERM #1\n(.*\n)*SIGTERM #2\n(.*\n)*drained/);
	expect((await readRecording(file)).state.exit).toEqual(expect.objectContaining({code: 0, signal: null}));
});

// `process.once('SIGTERM', …)` is gone as its handler runs: a shutdown that then computes or writes synchronously
// for longer than a block (a cache saved with writeFileSync) was taken for a script stuck without a handler, and
// killed half-way through, its file never written (node: exit 0).
it('a process.once SIGTERM handler whose shutdown blocks the loop runs to its end, as under node', async () => {
	const {directory, file, run} = await readyService('save-on-stop.js', [
		"const {writeFileSync} = require('node:fs')",
		'const keepAlive = setInterval(() => {}, 1000)',
		"process.once('SIGTERM', () => {",
		'  clearInterval(keepAlive)',
		'  const start = Date.now()',
		'  while (Date.now() - start < 400) {}',
		"  writeFileSync('saved.txt', 'saved')",
		"  console.log('saved')",
		'})',
		"console.log('ready')",
	]);
	run.child.kill('SIGTERM');
	const result = await run.result;
	expect(result.code).toBe(0);
	expect(result.stdout).toMatch(/saved\n/);
	expect(readFileSync(`${directory}/saved.txt`, 'utf8')).toBe('saved');
	const {state} = await readRecording(file);
	expect(state.exit).toEqual(expect.objectContaining({code: 0, signal: null}));
	// Its shutdown's block is the script's, told as any other.
	expect(state.blocks.some(block => (block.durationMs ?? 0) >= 300)).toBe(true);
});
