import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {startCli} from '../helpers/run-cli.js';

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

describe('the script never outlives asyncmon', () => {
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
