import {performance as perf} from 'node:perf_hooks';
import type {ListeningServer} from '../protocol/events.js';
import type {Tracker} from './tracker.js';
import type {LoopWatch} from './watchdog.js';

export const LOOP_SAMPLE_MS = 250;
/** Below this utilisation the loop is doing nothing but wait (asyncmon's own sampling aside). */
const IDLE_UTILIZATION = 0.05;
/** Idle this long and still alive: the script looks hung, so say what holds it. */
export const KEEPALIVE_REPORT_MS = 2000;

/**
 * Loop delay and utilisation over time, for the sparklines and trace
 * counters; and, once the loop has sat idle for a while with the process
 * still alive, the resources that keep it alive. `turns`: the loop's turns,
 * as the block watch counts them.
 */
export function sampleLoop(tracker: Tracker, turns: Pick<LoopWatch, 'takeLongestTurnMs'>, every: typeof setInterval, listening: () => ListeningServer[]): void {
	// asyncmon's own handles are there from the start; only what the script adds is its.
	const baseline = countResources();
	let last = perf.eventLoopUtilization();
	let reportedFor = -1;
	/**
	 * The end of the last sample in which the loop did work: code that is no task (a timer's callback, a signal's
	 * handler) runs without the tracker seeing any activity, and a script whose timers spun for a second was said
	 * to have run nothing for three.
	 */
	let busyUntil = 0;
	every(() => {
		const now = performance.now();
		const current = perf.eventLoopUtilization();
		const window = perf.eventLoopUtilization(current, last);
		last = current;
		tracker.emit({type: 'loop', t: now, delayMs: turns.takeLongestTurnMs(), utilization: window.utilization});
		if (window.utilization >= IDLE_UTILIZATION) busyUntil = now;
		const idleSince = Math.max(tracker.lastActivityAt, busyUntil);
		if (now - idleSince < KEEPALIVE_REPORT_MS || reportedFor === idleSince) return;
		reportedFor = idleSince;
		const resources = scriptResources(baseline);
		if (Object.keys(resources).length === 0) return;
		const servers = listening();
		tracker.emit({type: 'alive', t: now, idleSince, resources, ...(servers.length > 0 ? {servers} : {})});
	}, LOOP_SAMPLE_MS).unref();
}

function countResources(): Map<string, number> {
	const counts = new Map<string, number>();
	for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
	return counts;
}

function scriptResources(baseline: Map<string, number>): Record<string, number> {
	const held: Record<string, number> = {};
	for (const [type, count] of countResources()) {
		const own = count - (baseline.get(type) ?? 0);
		if (own > 0) held[type] = own;
	}
	return held;
}
