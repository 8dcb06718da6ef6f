import {openSync, readSync} from 'node:fs';
import type {BlockEndEvent} from '../protocol/events.js';

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
 * Completes a stall's block.end: its wait for a CPU where known, and whether
 * that wait is what made it a stall (starved: the watchdog reported it while
 * it lasted, yet it is no block).
 */
export function stallEnd(event: BlockEndEvent, stall: Stall, thresholdMs: number): BlockEndEvent {
	if (!Number.isNaN(stall.queuedMs)) event.queuedMs = stall.queuedMs;
	if (!isScriptsBlock(stall, thresholdMs)) event.starved = true;
	return event;
}

/** A reading of the main thread's wait for a CPU (ThreadTimes.queuedMs) taken at `at`, epoch ms. */
export interface QueuedReading {
	at: number;
	queuedMs: number;
}

/**
 * Where the silence the watchdog sees began, with the wait for a CPU read then: at the stretch that runs now,
 * read before it began, or else at the last beat. Not the last reading before the stretch that runs now, had it
 * begun and ended since the beat: a watchdog that looks late, on a busy machine, would count the wait of the
 * stretches in between as the script's time (a CI run counted 5 ms of a stall's 40 so, and made a block of a
 * stretch its own measurement had found starved). Nor a stretch that began more than `turnMs` after the beat:
 * an idle loop beats within that, so this one had not turned since, and what ran before the stretch (a loop of
 * awaits, one short stretch per continuation, from Node's microtask queue) held it too.
 */
export function silenceStart(beat: QueuedReading, stretch: QueuedReading, turnMs: number): QueuedReading {
	return stretch.at > beat.at && stretch.at - beat.at <= turnMs ? stretch : beat;
}

/** The main thread as the scheduler sees it, in ms since it started: NaN where the system does not say. */
export interface ThreadTimes {
	/** On a CPU. */
	runMs: number;
	/** Ready to run, waiting for a CPU. Counted when the thread gets one: a wait under way is not in it yet. */
	queuedMs: number;
}

const UNKNOWN_TIMES: ThreadTimes = Object.freeze({runMs: Number.NaN, queuedMs: Number.NaN});

/**
 * The main thread's times (Linux: its schedstat; its thread id is the
 * process id), read the same from any thread. Elsewhere, or where the kernel
 * keeps no such count, NaN.
 */
export function mainThreadTimes(): () => ThreadTimes {
	const read = procFile('schedstat');
	return () => {
		// "<ns on a CPU> <ns waiting for one> <timeslices>\n"
		const fields = read()?.split(' ');
		return fields ? {runMs: Number(fields[0]) / 1e6, queuedMs: Number(fields[1]) / 1e6} : UNKNOWN_TIMES;
	};
}

/** Whether the main thread is running or ready to run (state R), rather than asleep; false where the system does not say. */
export function mainThreadRunnable(): () => boolean {
	const read = procFile('stat');
	return () => {
		// "<pid> (<name>) <state> …": the name may hold spaces and parentheses.
		const text = read();
		return text !== null && text[text.lastIndexOf(')') + 2] === 'R';
	};
}

/** A file of the main thread's in /proc, read afresh from the start at every call; null if there is none. */
function procFile(name: string): () => string | null {
	let fd: number;
	try {
		fd = openSync(`/proc/self/task/${process.pid}/${name}`, 'r');
	} catch {
		return () => null;
	}
	const buffer = Buffer.alloc(1024);
	return () => {
		try {
			return buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0));
		} catch {
			return null;
		}
	};
}
