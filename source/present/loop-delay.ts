/**
 * The runtime samples the loop with perf_hooks' monitorEventLoopDelay at a
 * 10 ms resolution (runtime/loop-sampler.ts). Its histogram records the time
 * between its own timer's turns, so a loop with nothing to do reads 10 ms:
 * the delay is what exceeds it.
 */
export const LOOP_DELAY_RESOLUTION_MS = 10;

/** How late the loop was, from a `loop` event's `delayMs`. */
export function loopDelayMs(sampledMs: number): number {
	return Math.max(0, sampledMs - LOOP_DELAY_RESOLUTION_MS);
}
