import type {Ms} from '../protocol/events.js';

/**
 * Compact durations that fit a 6-cell column: 0.4ms 12ms 1.23s 12.3s 2m05s 1h02m. Each unit is chosen after
 * rounding to its precision, so a rounding carries into the next: 999.6 ms is 1.00s, never 1000ms.
 */
export function formatDuration(ms: Ms): string {
	const value = Math.max(0, ms);
	const tenthsOfMs = Math.round(value * 10) / 10;
	if (tenthsOfMs < 10) return `${trimZero(tenthsOfMs.toFixed(1))}ms`;
	if (Math.round(value) < 1000) return `${Math.round(value)}ms`;
	const hundredthsOfS = Math.round(value / 10) / 100;
	if (hundredthsOfS < 10) return `${hundredthsOfS.toFixed(2)}s`;
	const tenthsOfS = Math.round(value / 100) / 10;
	if (tenthsOfS < 60) return `${tenthsOfS.toFixed(1)}s`;
	const totalSeconds = Math.round(value / 1000);
	if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m${pad2(totalSeconds % 60)}s`;
	const totalMinutes = Math.round(value / 60_000);
	return `${Math.floor(totalMinutes / 60)}h${pad2(totalMinutes % 60)}m`;
}

/** Elapsed-time clock for the header: 00:12.3, or 1:02:03 past an hour. */
export function formatClock(ms: Ms): string {
	const tenths = Math.floor(Math.max(0, ms) / 100);
	const seconds = Math.floor(tenths / 10);
	const minutes = Math.floor(seconds / 60);
	if (minutes >= 60) return `${Math.floor(minutes / 60)}:${pad2(minutes % 60)}:${pad2(seconds % 60)}`;
	return `${pad2(minutes)}:${pad2(seconds % 60)}.${tenths % 10}`;
}

/** Time since the session began, to the millisecond, for a log's column: `   1.234s`, `1234.567s`. */
export function formatOffset(ms: Ms): string {
	return `${(ms / 1000).toFixed(3).padStart(8)}s`;
}

export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes}B`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)}kB`;
	return `${(bytes / 1024 / 1024).toFixed(1)}MB`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const trimZero = (text: string): string => text.replace(/\.0$/, '');
