import {spawn} from 'node:child_process';
import {closeSync, openSync, readFileSync} from 'node:fs';
import {describe, expect, it, vi} from 'vitest';
import {PipeWriter} from '../../source/runtime/pipe-writer.js';
import {useBusyProcesses} from '../helpers/busy-processes.js';
import {recordedOutput, runNodeBytes} from '../helpers/node-parity.js';
import {recordRun} from '../helpers/recorded.js';
import {SCRIPTS} from '../helpers/run-cli.js';
import {tempFile} from '../helpers/temp.js';

/** Opening the thread's times as a loaded machine may: slowly; and writing as a collection of the heap in the middle would: on the CPU. */
const slow = vi.hoisted(() => ({openMs: 0, writeOnCpuMs: 0}));
vi.mock('node:fs', async importOriginal => {
	const fs = await importOriginal<typeof import('node:fs')>();
	const openSync: typeof fs.openSync = (path, ...rest) => {
		if (String(path).endsWith('/schedstat')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, slow.openMs);
		return fs.openSync(path, ...rest);
	};
	const writeSync = ((...args: Parameters<typeof fs.writeSync>) => {
		for (const until = performance.now() + slow.writeOnCpuMs; performance.now() < until; );
		return fs.writeSync(...args);
	}) as typeof fs.writeSync;
	return {...fs, default: {...fs, openSync, writeSync}, openSync, writeSync};
});

describe('every event reaches the monitor, however far behind it is', () => {
	it('the monitor stopped (SIGSTOP) for 3 s as a burst exits: the script waits for it, and nothing is lost', async () => {
		const {result, file} = await recordRun(['burst-then-stop-monitor.mjs', '12000']);
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/All done in/);
		const {stdout} = await recordedOutput(file);
		const lines = stdout.toString().split('\n').filter(Boolean);
		expect(lines).toHaveLength(12_000);
		expect(lines.at(-1)).toBe('line 11999');
	}, 60_000);

	describe('under CPU load', () => {
		const busy = useBusyProcesses();

		it('50 MB written to stdout beside two busy loops: every byte, in order', async () => {
			busy.start();
			const {result, file} = await recordRun(['write-megabytes.mjs', '50']);
			expect(result.code).toBe(0);
			const recorded = (await recordedOutput(file)).stdout;
			const node = (await runNodeBytes('write-megabytes.mjs', ['50'], SCRIPTS)).stdout;
			expect(node.length).toBe(50 * 1024 * 1024);
			expect(recorded.length).toBe(node.length);
			expect(recorded.equals(node)).toBe(true);
		}, 120_000);
	});
});

describe("the script's own thread writing", () => {
	/** What a write that found room may still count on a loaded machine (see below). */
	const NOISE_MS = 10;

	it('counts a write that waited for a full pipe as holding the script back, and one that did not as nothing', async () => {
		// A reader that starts reading after 300 ms: 1 MB does not fit in its pipe before then.
		const reader = spawn(process.execPath, ['-e', 'setTimeout(() => process.stdin.resume(), 300)'], {stdio: ['pipe', 'ignore', 'ignore']});
		const exited = new Promise(resolve => reader.once('exit', resolve));
		const fd = (reader.stdin as unknown as {_handle: {fd: number}})._handle.fd;
		const writer = new PipeWriter(fd, null);
		// The first write opens the main thread's times, which a loaded machine can take milliseconds to do: no wait for the monitor.
		slow.openMs = 20;
		writer.write(new Uint8Array(100));
		slow.openMs = 0;
		// None, or on a loaded machine the few milliseconds the thread may sleep in a write with room (its heap's
		// collection waiting for helper threads without a CPU): far from a wait for the monitor.
		expect(writer.takeHeldBackMs()).toBeLessThan(NOISE_MS);
		// 40 ms on the CPU within a write, with room in the pipe: the script's own time, no wait for the monitor.
		slow.writeOnCpuMs = 40;
		writer.write(new Uint8Array(100));
		slow.writeOnCpuMs = 0;
		expect(writer.takeHeldBackMs()).toBeLessThan(NOISE_MS);
		writer.write(new Uint8Array(1024 * 1024).fill(0x0a));
		expect(writer.takeHeldBackMs()).toBeGreaterThan(200);
		expect(writer.takeHeldBackMs()).toBe(0);
		reader.stdin!.end();
		await exited;
	});
});

describe('the writer thread', () => {
	const WRITER = new URL('../../dist/pipe-writer.js', import.meta.url);
	const batch = (tag: string, lines: number): Uint8Array => new TextEncoder().encode(Array.from({length: lines}, (_, i) => `${tag} ${i} ${'x'.repeat(40)}\n`).join(''));

	it('takes over at a large batch once the monitor fell behind, is let go after small ones once it wrote all it took; every line in order', async () => {
		// A monitor that reads nothing for 150 ms, then everything, into a file.
		const out = tempFile('pipe-writer.out');
		const reader = spawn(process.execPath, ['-e', `setTimeout(() => process.stdin.pipe(require('node:fs').createWriteStream(${JSON.stringify(out)})), 150)`], {stdio: ['pipe', 'ignore', 'ignore']});
		const exited = new Promise(resolve => reader.once('exit', resolve));
		const writer = new PipeWriter((reader.stdin as unknown as {_handle: {fd: number}})._handle.fd, {file: WRITER}, 0);
		const sent = [batch('small', 3), batch('large', 4000)];
		writer.write(sent[0]!.slice());
		expect(writer.handsOff).toBe(false);
		// Larger than the pipe: written on this thread, it waits for the monitor to read.
		writer.write(sent[1]!.slice());
		expect(writer.handsOff).toBe(false);
		expect(writer.takeHeldBackMs()).toBeGreaterThan(50);
		sent.push(batch('taken', 4000));
		writer.write(sent[2]!.slice());
		expect(writer.handsOff).toBe(true);
		writer.drain();
		// Idle (here at once) and nothing left to write: this batch is written on the script's own thread.
		sent.push(batch('after', 3));
		writer.write(sent[3]!.slice());
		expect(writer.handsOff).toBe(false);
		// The monitor keeps up now: a large batch needs no thread.
		sent.push(batch('again', 1000));
		writer.write(sent[4]!.slice());
		expect(writer.handsOff).toBe(false);
		reader.stdin!.end();
		await exited;
		expect(readFileSync(out, 'utf8')).toBe(sent.map(bytes => new TextDecoder().decode(bytes)).join(''));
	});
});
