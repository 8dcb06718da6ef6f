import {setFlagsFromString} from 'node:v8';

/** After each full collection, V8 lets the old generation grow to this multiple of what survived before the next. */
const OLD_GENERATION_GROWTH_PERCENT = 50;

/**
 * By default V8 lets the old generation grow to four times what survived its last full collection before it
 * collects again (its trace: `[HeapController] factor 4.0`). A monitor that keeps about 40 MB under a server's
 * steady load, much of what it promotes short-lived (a frame's rows, a flush's events), so swung between 40 and
 * 130 MB of heap, and its resident memory followed the peaks: 254 MB after three minutes. At 1.5 times it stays
 * near 190 MB (docs/benchmarks.md, the soak). For every command of asyncmon's; the script's own process is untouched.
 */
export function limitHeapGrowth(): void {
	setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
}
