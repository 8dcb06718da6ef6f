import {openSync, readSync} from 'node:fs';

/**
 * A stall: a stretch in which the main thread's loop did not turn. It is the
 * script's block only if the script took the time. Two shares of a stall are
 * not the script's: asyncmon's own hold on the thread (reading its stack
 * through the inspector), and the time the thread was ready to run but
 * waited for a CPU because the machine was busy.
 */
export interface Stall {
	/** The stall's span less asyncmon's own hold on the thread. */
	durationMs: number;
	/** Of `durationMs`, the time the thread waited for a CPU; NaN where the system does not say. */
	queuedMs: number;
}

export function stallOf(spanMs: number, heldMs: number, queuedMs: number): Stall {
	const durationMs = Math.max(0, spanMs - heldMs);
	return {durationMs, queuedMs: Math.min(Math.max(0, queuedMs), durationMs)};
}

/**
 * The script's block: less the time its thread waited for a CPU, the stall
 * still lasted the threshold. Time in a synchronous call that sleeps (a
 * `readFileSync`, an `execSync`, `Atomics.wait`) counts: the thread was not
 * waiting for a CPU, it was the script's. Where the system does not tell the
 * wait for a CPU apart, every stall is the script's.
 */
export const isScriptsBlock = (stall: Stall, thresholdMs: number): boolean => stall.durationMs - (Number.isNaN(stall.queuedMs) ? 0 : stall.queuedMs) >= thresholdMs;

/**
 * A clock of how long the main thread has waited for a CPU while ready to
 * run, in ms: the second field of Linux's schedstat for the thread (its id
 * is the process id), read the same from any thread. NaN elsewhere, or where
 * the kernel keeps no such count.
 */
export function mainThreadQueuedClock(): () => number {
	let fd: number;
	try {
		fd = openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
	} catch {
		return () => Number.NaN;
	}
	const buffer = Buffer.alloc(96);
	return () => {
		try {
			// "<ns on a CPU> <ns waiting for one> <timeslices>\n", current at every read from the start.
			const text = buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0));
			return Number(text.split(' ')[1]) / 1e6;
		} catch {
			return Number.NaN;
		}
	};
}
