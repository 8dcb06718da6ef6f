import {KILL_GRACE_MS, type ErrorInfo, type ForcedKill, type ProcessDetails, type ProcessExit} from '../protocol/events.js';
import type {Block, TaskNode} from '../model/state.js';
import {formatBytes, formatDuration} from './durations.js';
import {counted} from './text.js';

/** How a child process ended, for the status column (6 wide): its exit code, or its signal without `SIG` (`KILL`). */
export function exitStatusText(exit: ProcessExit): string {
	return exit.signal ? exit.signal.replace(/^SIG/, '') : String(exit.code ?? '');
}

/** How a child process ended, in words: `exited 0`, `exited with code 3`, `killed by SIGKILL`, `stopped by the script (SIGTERM)`. */
export function exitOutcome(exit: ProcessExit | undefined): string {
	if (!exit) return 'ended';
	if (exit.signal) return exit.byScript ? `stopped by the script (${exit.signal})` : `killed by ${exit.signal}`;
	return exit.code === 0 ? 'exited 0' : `exited with code ${exit.code}`;
}

/**
 * How a child process ended, or why it has no exit: with neither a code nor a signal, it never started (Node's error
 * says why: `spawn nosuch ENOENT`), or it is gone with its end not seen (see docs/protocol.md).
 */
export function processOutcome(exit: ProcessExit, error: ErrorInfo | null | undefined): string {
	return exit.code === null && exit.signal === null ? (error?.message ?? 'no exit known') : exitOutcome(exit);
}

/** The signal that ended the script, as node would have it: the one asyncmon ended it for when it was stuck, else the one that killed it. */
export function endingSignal(exit: {signal: string | null; stoppedFor?: string}): string | null {
	return exit.stoppedFor ?? exit.signal;
}

/** A joined service's connection closed before it told its exit: an exit with neither a code nor a signal (docs/protocol.md). */
export function connectionClosed(exit: {code: number | null; signal: string | null}): boolean {
	return exit.code === null && exit.signal === null;
}

/** Why a stuck script died of SIGKILL rather than of the signal it got; null when it did not. */
export function stoppedForText(exit: {stoppedFor?: string}): string | null {
	if (!exit.stoppedFor) return null;
	return `it was stuck in synchronous code, where no handler runs, and does not handle ${exit.stoppedFor} itself: asyncmon ended it with SIGKILL, as ${exit.stoppedFor} would have ended it at once under node`;
}

/** Why asyncmon sent the script SIGKILL after a stop signal, in words; null when it did not. */
export function forcedText(exit: {forced?: ForcedKill; signal?: string | null}): string | null {
	const forced = exit.forced;
	if (!forced) return null;
	const signal = forced.after === 'SIGINT' ? 'Ctrl-C (SIGINT)' : forced.after;
	switch (forced.because) {
		case 'again':
			return `asyncmon ended it with SIGKILL at a second ${signal}`;
		case 'grace':
			return `asyncmon ended it with SIGKILL: it was still running ${formatDuration(KILL_GRACE_MS)} after ${signal}`;
		case 'quit':
			return exit.signal === 'SIGKILL'
				? `asyncmon ended it with SIGKILL: it was still running ${formatDuration(KILL_GRACE_MS)} after the dashboard was quit (${signal})`
				: `the dashboard was quit: asyncmon sent it ${signal}, which ended it`;
	}
}

/** A followed process, as the block that held its loop names it: `pid 4242 (node worker.js)`. */
export function processText(process: ProcessDetails | null): string {
	if (!process) return 'a followed process';
	return process.pid === undefined ? process.command : `pid ${process.pid} (${process.command})`;
}

/** Whose loop a block held, for a followed process's: ` of pid 4242 (node worker.js)`; '' for the script's own. */
export function loopOwner(block: Block): string {
	return block.processId === null ? '' : ` of ${processText(block.process)}`;
}

/** A `child` op's name with its pid: `sh -c exit 3 (pid 4242)`. */
export function processLabel(node: TaskNode): string {
	return node.process?.pid === undefined ? node.name : `${node.name} (pid ${node.process.pid})`;
}

/** What a followed process wrote to its stdout and stderr, in all: `3 lines, 41B`. */
export function outputSize(output: {lines: number; bytes: number}): string {
	return `${counted(output.lines, 'line')}, ${formatBytes(output.bytes)}`;
}
