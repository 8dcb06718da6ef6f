import type {Ms} from '../protocol/events.js';
import {formatDuration} from './durations.js';
import {formatCount, formatTimes} from './numbers.js';

/** Whether a change is for the better or the worse, where a figure has a better direction. */
export type Tone = 'better' | 'worse';

const MINUS = '−';

/** The change in whole percent; 0 for a change too small to round to one. */
function percentChange(before: number, after: number): number {
	return before === 0 ? (after === 0 ? 0 : Infinity) : Math.round(((after - before) / before) * 100);
}

/**
 * `−50%, 2.0× faster`: how a duration moved. `no change` when it moved less than half a percent; a time that
 * was zero and is not says how much it grew instead of an infinite percentage. The times are left out when
 * they would read 1.0× (`+3%`, not `+3%, 1.0× slower`).
 */
export function durationChange(beforeMs: Ms, afterMs: Ms): string {
	const percent = percentChange(beforeMs, afterMs);
	if (percent === 0) return 'no change';
	if (percent === Infinity) return `+${formatDuration(afterMs)}`;
	if (afterMs === 0) return `${MINUS}100%`;
	const faster = percent < 0;
	const times = formatTimes(faster ? beforeMs / afterMs : afterMs / beforeMs);
	const signed = faster ? `${MINUS}${-percent}%` : `+${percent}%`;
	return times === formatTimes(1) ? signed : `${signed}, ${times} ${faster ? 'faster' : 'slower'}`;
}

/** `+2`, `−1` or `no change`: how a count moved. */
export function countChange(before: number, after: number): string {
	const delta = after - before;
	return delta === 0 ? 'no change' : delta > 0 ? `+${formatCount(delta)}` : `${MINUS}${formatCount(-delta)}`;
}

/** `+1.0×` or `no change`: how a multiple such as concurrency moved, between the tenths shown (1.5× → 1.2× is −0.3×, whatever the hundredths). */
export function timesChange(before: number, after: number): string {
	const shown = (value: number): number => Number(value.toFixed(1));
	const delta = Math.round((shown(after) - shown(before)) * 10) / 10;
	return delta === 0 ? 'no change' : delta > 0 ? `+${formatTimes(delta)}` : `${MINUS}${formatTimes(-delta)}`;
}

/** Better or worse for a figure where less is better (durations, failures); null for no change worth a colour. */
export function lowerIsBetter(before: number, after: number): Tone | null {
	const percent = percentChange(before, after);
	return percent === 0 ? null : percent < 0 ? 'better' : 'worse';
}
