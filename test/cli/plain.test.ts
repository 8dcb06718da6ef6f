import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {useBusyProcesses} from '../helpers/busy-processes.js';
import {runCli, startCli} from '../helpers/run-cli.js';
import {dirWithScript, tempDir, tempFile} from '../helpers/temp.js';

/** The times of plain mode's event lines, in seconds, in the order printed. */
const lineTimes = (stdout: string): number[] => [...stdout.matchAll(/^\[ *([\d.]+)s\]/gm)].map(match => Number(match[1]));

describe('plain mode, through the real CLI', () => {
	it('tells a block while it lasts, and prints the script\'s own lines in time order with its own', async () => {
		// The top level computes for 3 s; then main() sleeps and prints "slept".
		const {child, result} = startCli(['--plain', '--block-threshold', '100', 'sleep-then-catch.cjs'], {env: {SPIN_MS: '3000'}});
		const seen = new Map<string, number>();
		let stdout = '';
		child.stdout!.on('data', (text: string) => {
			stdout += text;
			for (const mark of ['⚠ BLOCKED', '⚠ block ', 'slept']) if (!seen.has(mark) && stdout.includes(mark)) seen.set(mark, performance.now());
		});
		expect((await result).code).toBe(0);
		// Seen while the loop was blocked: long before the block's end was (3 s of it).
		expect(seen.get('⚠ block ')! - seen.get('⚠ BLOCKED')!).toBeGreaterThan(1000);
		expect(lineTimes(stdout)).toEqual([...lineTimes(stdout)].sort((a, b) => a - b));
		expect(stdout.indexOf('⚠ block ')).toBeLessThan(stdout.indexOf('slept\n'));
	});

	it("prints the main thread's and a worker's lines in time order, and a replay prints exactly the same", async () => {
		const file = tempFile('lanes.ndjson');
		const live = await runCli(['--plain', '--record', file, 'interleaved-lanes.ts']);
		expect(live.code).toBe(0);
		const times = lineTimes(live.stdout);
		// Both lanes' 15 awaits of a timer, each a start, an await and an end at least.
		expect(times.length).toBeGreaterThan(2 * 15 * 3);
		expect(live.stdout).toMatch(/done +tick\("worker", 14\)/);
		expect(times).toEqual([...times].sort((a, b) => a - b));
		// Every line the script wrote, then asyncmon's summary, under its rule.
		for (const lane of ['main', 'worker']) for (const n of [0, 5, 10]) expect(live.stdout.split('\n')).toContain(`${lane} ${n}`);
		expect(live.stdout).toMatch(/\n── asyncmon ──\nAll done in /);
		const replayed = await runCli(['replay', file, '--plain']);
		expect(replayed.code).toBe(0);
		expect(replayed.stdout).toBe(live.stdout);
	});
});

describe("a call's name, through the real CLI", () => {
	it("shows an arrow's destructured parameters as the values they were, GraphQL resolvers' way: not undefined", async () => {
		const cwd = tempDir();
		writeFileSync(
			join(cwd, 'resolvers.cjs'),
			[
				'const resolvers = {',
				'\tuser: async (_, {id}, {loader}) => { await null; return id; },',
				'\tpair: async ([a, b], {scale} = {}) => { await null; return a + b; },',
				'};',
				'async function main() {',
				"\tawait resolvers.user(undefined, {id: 7}, {loader: 'L'});",
				'\tawait resolvers.pair([1, 2]);',
				'}',
				'main();',
				'',
			].join('\n'),
		);
		const result = await runCli(['--plain', 'resolvers.cjs'], {cwd});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('▶ start  user(undefined, {…}, {…})');
		expect(result.stdout).toContain('▶ start  pair([…], {…})');
	});
});

describe('plain mode with --ascii, through the real CLI', () => {
	it("writes ASCII alone when the script's names are not: cuts, accents and wide characters", async () => {
		const result = await runCli(['--plain', '--ascii', 'unicode-names.ts']);
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/v done +greet\("cafe \? \?\?\?\?", "one", "two", "three", ~\) in /);
		expect(result.stdout).toContain('\n-- asyncmon --\nAll done in ');
		expect([...Buffer.from(result.stdout + result.stderr)].filter(byte => byte >= 0x80)).toEqual([]);
	});
});

describe('what plain mode says of asyncmon itself', () => {
	const busy = useBusyProcesses();

	// A write whose thread waited for a CPU, not for the monitor, held nothing back: said on a busy CI machine, it was noise.
	it('never says a trivial script was held back, on a machine busy with two spinning processes', async () => {
		busy.start();
		const directory = dirWithScript('clean.js', ["async function handler () { await new Promise(r => setTimeout(r, 50)); console.log('done') }", 'handler()']);
		for (let run = 0; run < 4; run++) {
			const result = await runCli(['--plain', 'clean.js'], {cwd: directory});
			expect(result.code).toBe(0);
			expect(result.stdout).toContain('done');
			expect(result.stdout).not.toContain('held the script back');
		}
	}, 60_000);
});
