import {existsSync, readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {CLI, runCli, startCli} from '../helpers/run-cli.js';
import {tempFile} from '../helpers/temp.js';
import {useTerminal} from '../helpers/terminal.js';

const terminal = useTerminal();

/** The script's pid, once it printed `pid N` (plain mode passes its output through). */
function scriptPid(stdout: NodeJS.ReadableStream): Promise<number> {
	return new Promise((resolve, reject) => {
		let seen = '';
		stdout.on('data', (text: string) => {
			seen += text;
			const match = /pid (\d+)/.exec(seen);
			if (match) resolve(Number(match[1]));
		});
		stdout.once('end', () => reject(new Error(`the script never said its pid: ${seen}`)));
	});
}

/** Running, as opposed to gone or a zombie: an ended orphan stays a zombie until init gets round to reaping it. */
function alive(pid: number): boolean {
	try {
		return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
	} catch {
		return false;
	}
}

/** How long after `since` the process was seen gone, polling every 20 ms for at most `limitMs`. */
async function goneAfter(pid: number, since: number, limitMs: number): Promise<number | null> {
	while (performance.now() - since < limitMs) {
		if (!alive(pid)) return performance.now() - since;
		await new Promise(resolve => setTimeout(resolve, 20));
	}
	if (alive(pid)) process.kill(pid, 'SIGKILL');
	return null;
}

/** The pids the script printed as `children A B`. */
function childPids(stdout: NodeJS.ReadableStream): Promise<number[]> {
	return new Promise((resolve, reject) => {
		let seen = '';
		stdout.on('data', (text: string) => {
			seen += text;
			const match = /children (\d+) (\d+)/.exec(seen);
			if (match) resolve([Number(match[1]), Number(match[2])]);
		});
		stdout.once('end', () => reject(new Error(`the script never said its children's pids: ${seen}`)));
	});
}

describe('the script never outlives asyncmon', () => {
	it('a Ctrl-C ends the processes the script started too, as a terminal\'s Ctrl-C ends those node started', async () => {
		// No terminal: the script has a process group of its own, which the terminal's Ctrl-C would not reach.
		const {child, result} = startCli(['--plain', 'starts-children-then-waits.js']);
		const pids = await childPids(child.stdout!);
		child.kill('SIGINT');
		expect((await result).code).toBe(130);
		const since = performance.now();
		for (const pid of pids) expect(await goneAfter(pid, since, 3000)).toBeLessThan(1000);
	});

	// The script died first, telling no child's end: the report read 'running at the end' for a child long gone.
	it("after a Ctrl-C the followed child's end is told as what is known: gone, its end not seen; the report says so", async () => {
		const file = tempFile('ctrl-c.ndjson');
		const {child, result} = startCli(['--plain', '--record', file, 'starts-children-then-waits.js']);
		// Once its lane is in the stream: it is followed.
		const forked = await new Promise<number>(resolve => {
			let seen = '';
			child.stdout!.on('data', (text: string) => {
				seen += text;
				const pid = /children (\d+) /.exec(seen)?.[1];
				if (pid && seen.includes(`start  pid ${pid}:`)) resolve(Number(pid));
			});
		});
		child.kill('SIGINT');
		const outcome = await result;
		expect(outcome.code).toBe(130);
		// The script may see a child die first, and tell its end (killed by SIGINT), or die first itself: either way
		// the child's end is what is known, never that it runs.
		const ended = '(gone, its end not seen|killed by SIGINT)';
		expect(outcome.stdout).toMatch(new RegExp(`pid ${forked}: .* ${ended}`));
		const report = await runCli(['report', file]);
		// The forked child (followed) and `sleep 300` (an op).
		expect(report.stdout).toMatch(new RegExp(` ${forked} +yes +${ended}`));
		expect(report.stdout).toMatch(new RegExp(`^sleep 300 +\\d+ +no +${ended}`, 'm'));
		expect(report.stdout).not.toContain('running at the end');
	});

	it('quitting the dashboard ends the processes the script started too', async () => {
		const file = tempFile('children.txt');
		terminal.open(`CHILDREN_FILE=${file} ${process.execPath} ${CLI} starts-children-then-waits.js`);
		await terminal.until('the dashboard', text => text.includes('starts-children-then-waits.js') && existsSync(file));
		terminal.keys('q');
		terminal.keys('q');
		await terminal.until('asyncmon to exit', text => /EXIT:\d+/.test(text));
		const since = performance.now();
		for (const pid of readFileSync(file, 'utf8').split(' ').map(Number)) expect(await goneAfter(pid, since, 3000)).toBeLessThan(1000);
	});

	it('a SIGTERM goes to the script alone, as `kill PID` to node does: what it started is its own to end', async () => {
		const {child, result} = startCli(['--plain', 'starts-children-then-waits.js']);
		const pids = await childPids(child.stdout!);
		child.kill('SIGTERM');
		expect((await result).code).toBe(143);
		for (const pid of pids) {
			expect(alive(pid)).toBe(true);
			process.kill(pid, 'SIGKILL');
		}
	});

	it.each([
		['an idle server', 'pid-then-serve.ts'],
		['a script stuck in synchronous code', 'pid-then-spin.ts'],
	])('%s ends within 1 s of asyncmon being killed with SIGKILL', async (_what, script) => {
		const {child, result} = startCli(['--plain', script]);
		const pid = await scriptPid(child.stdout!);
		child.kill('SIGKILL');
		await result;
		const since = performance.now();
		expect(await goneAfter(pid, since, 3000)).toBeLessThan(1000);
	});
});
