/** `55,210`: a count, its thousands grouped (counts of tasks run large). */
export function formatCount(count: number): string {
	// Not toLocaleString('en-US'): its first call loads ICU, about 30 ms of the monitor's.
	const [whole, fraction] = String(count).split('.');
	const grouped = whole!.replace(/\B(?=(\d{3})+$)/g, ',');
	return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** A count in at most five characters, for a narrow column: `9,999`, then `12k`, `3M`. */
export function shortCount(count: number): string {
	if (count < 10_000) return formatCount(count);
	return count < 1_000_000 ? `${Math.floor(count / 1000)}k` : `${Math.floor(count / 1_000_000)}M`;
}

/** `45%`: a share of a whole, rounded to a whole percent. */
export function formatPercent(part: number, whole: number): string {
	return whole > 0 ? `${Math.round((part / whole) * 100)}%` : '0%';
}

/** `2.0×` (`2.0x` in ASCII): how many times one figure holds another, such as concurrency or parallelism. */
export function formatTimes(value: number, ascii = false): string {
	return `${value.toFixed(1)}${ascii ? 'x' : '×'}`;
}
