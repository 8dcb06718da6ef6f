import type {ChannelListens} from './agent-channel.js';
import {startOwnThread} from './own-thread.js';
import {F64_HEARTBEAT, I32_PAUSED, WATCH_BUFFER_BYTES, type WatchdogData} from './watchdog-layout.js';

/** A watchdog thread at work on its buffer, held (I32_PAUSED) until the script's entry starts: see LoopWatch. */
export type RunningWatchdog = SharedArrayBuffer;

/**
 * Starts a process's watchdog thread. The script's preload does it first of all, before loading the rest of
 * asyncmon: the thread then boots (some 20-40 ms) while the runtime loads, instead of after it, and a short
 * script's exit, which waits for every thread that is still booting, does not wait for it (measured: 30-45 ms
 * of a trivial script's exit). Loading asyncmon is no block of the script's: it is held until the entry starts.
 */
export function startWatchdog(dist: URL, settings: WatchdogSettings): RunningWatchdog {
	const buffer = new SharedArrayBuffer(WATCH_BUFFER_BYTES);
	new Int32Array(buffer)[I32_PAUSED] = 1;
	new Float64Array(buffer)[F64_HEARTBEAT] = performance.timeOrigin + performance.now();
	startOwnThread(new URL('watchdog.js', dist), {...settings, buffer} satisfies WatchdogData);
	return buffer;
}

type WatchdogSettings = Omit<WatchdogData, 'buffer'>;

/** What the watchdog of a process that starts at `startedAt` (epoch ms) is told. */
export function watchdogSettings(config: {blockThresholdMs: number; startedAt: number}, fd: number, monitorPid: number, idBase: number, listens?: ChannelListens): WatchdogSettings {
	return {fd, thresholdMs: config.blockThresholdMs, startedAt: config.startedAt, cwd: process.cwd(), monitorPid, idBase, listens};
}
