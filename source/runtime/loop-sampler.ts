import {monitorEventLoopDelay, performance as perf} from 'node:perf_hooks';
import type {EventSink} from './event-sink.js';

export const LOOP_SAMPLE_MS = 250;

/** Loop delay and utilisation over time, for the sparklines and trace counters. */
export function sampleLoop(sink: EventSink, every: typeof setInterval): void {
	const delay = monitorEventLoopDelay({resolution: 10});
	delay.enable();
	let last = perf.eventLoopUtilization();
	every(() => {
		const now = perf.eventLoopUtilization();
		const window = perf.eventLoopUtilization(now, last);
		last = now;
		sink.push({type: 'loop', t: performance.now(), delayMs: delay.max / 1e6, utilization: window.utilization});
		delay.reset();
	}, LOOP_SAMPLE_MS).unref();
}
