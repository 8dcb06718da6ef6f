import {constants, PerformanceObserver} from 'node:perf_hooks';
import v8 from 'node:v8';

/**
 * How large asyncmon lets V8's young generation (its new space: two semi-spaces) grow. V8 sizes it to the
 * machine's memory, to 128 MB on a machine with gigabytes to spare, and a process that allocates as fast as a
 * monitor or a report keeps it all: its RSS carries it. At 32 MB the work takes the same CPU time (see
 * docs/benchmarks.md).
 */
export const YOUNG_GENERATION_CAP_BYTES = 32 * 2 ** 20;

/**
 * Caps the young generation of this process, the monitor's. `--max-semi-space-size` is read only as the process
 * starts, and asyncmon is started as `asyncmon …`, `npx asyncmon …` or `node dist/cli.js …`: no command line of
 * its own. V8 reads the growth factor each time it grows the space, though: once a scavenge finds the space at
 * the cap, a factor of 1 keeps it there. The script's process is untouched: it runs with node's own heap.
 */
export function capYoungGeneration(): void {
	const observer = new PerformanceObserver(list => {
		if (!list.getEntries().some(entry => (entry as {detail?: {kind?: number}}).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR)) return;
		const young = v8.getHeapSpaceStatistics().find(space => space.space_name === 'new_space');
		if (!young || young.space_size < YOUNG_GENERATION_CAP_BYTES) return;
		v8.setFlagsFromString('--semi-space-growth-factor=1');
		observer.disconnect();
	});
	observer.observe({entryTypes: ['gc']});
}
