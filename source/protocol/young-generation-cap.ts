import {getHeapSpaceStatistics, setFlagsFromString} from 'node:v8';

/** The monitor's: past about 32 MB a bigger young generation makes it no faster. */
export const MONITOR_YOUNG_GENERATION_BYTES = 32 * 1024 * 1024;

/**
 * The script's process's: the young generation a busy server reaches under node (16.8 MB for the Express
 * benchmark at 1,000 requests a second). asyncmon's own short-lived objects (events, task records) would grow
 * it to 64 MB, as much as the whole server's memory under node; capped here, the same server's process takes
 * 134–158 MB instead of 175–185 MB (node: 103–111 MB), for the same CPU time (6.0–6.6 s for 30 s at 1,000
 * requests a second, capped or not).
 */
export const SCRIPT_YOUNG_GENERATION_BYTES = 16 * 1024 * 1024;

const CHECK_EVERY_MS = 50;

/**
 * Under a fast stream of short-lived objects V8 doubles the young generation up to 64 MB (Node 24; 128 MB in the
 * monitor's case, measured on 100,000 tasks: peak RSS 300 MB before, 240 MB after a 32 MB cap, same wall time).
 * Its size is fixed at start-up, but how much it grows is a flag read each time it grows: once it reaches the
 * cap, growth stops. The flag is the process's, for every thread's heap. Both of asyncmon's processes cap theirs:
 * the monitor in every command, the script's process (run, a followed child, the agent) as it starts.
 */
export function capYoungGeneration(capBytes: number): void {
	const timer = setInterval(() => {
		const young = getHeapSpaceStatistics().find(space => space.space_name === 'new_space');
		if (!young || young.space_size < capBytes) return;
		setFlagsFromString('--semi-space-growth-factor=1');
		clearInterval(timer);
	}, CHECK_EVERY_MS);
	timer.unref();
}
