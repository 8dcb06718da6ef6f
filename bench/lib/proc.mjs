// Reading a running process from /proc (Linux), and waiting on a condition: for the benchmarks
// that watch a server or a dashboard they did not spawn directly (bench/run.mjs, bench/soak.mjs).
import {readFileSync, readdirSync} from 'node:fs';

const CLOCK_TICKS = 100;

const statusField = (pid, field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;

/** Resident set size now, bytes. */
export const rssOf = pid => statusField(pid, 'VmRSS');

/** Peak resident set size so far (the high-water mark), bytes; NaN once the process is gone. */
export function peakRssOf(pid) {
	try {
		return statusField(pid, 'VmHWM');
	} catch {
		return NaN;
	}
}

/** User plus system CPU seconds of a process so far. */
export function cpuOf(pid) {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

export const childrenOf = pid =>
	readdirSync(`/proc/${pid}/task`).flatMap(task => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));

export function commandOf(pid) {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
	} catch {
		return [];
	}
}

export const isAlive = pid => commandOf(pid).length > 1;

export const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns something truthy; throws after `timeoutMs`. */
export async function waitFor(check, what, timeoutMs = 30_000, everyMs = 100) {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const value = check();
		if (value) return value;
		if (Date.now() > until) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await sleep(everyMs);
	}
}
