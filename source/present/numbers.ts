/** `55,210`: a count, its thousands grouped (counts of tasks run large). */
export function formatCount(count: number): string {
	// Not toLocaleString('en-US'): its first call loads ICU, about 30 ms of the monitor's.
	const [whole, fraction] = String(count).split('.');
	const grouped = whole!.replace(/\B(?=(\d{3})+$)/g, ',');
	return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** `45%`: a share of a whole, rounded to a whole percent. */
export function formatPercent(part: number, whole: number): string {
	return whole > 0 ? `${Math.round((part / whole) * 100)}%` : '0%';
}

/** `2.0×` (`2.0x` in ASCII): how many times one figure holds another, such as concurrency or parallelism. */
export function formatTimes(value: number, ascii = false): string {
	return `${value.toFixed(1)}${ascii ? 'x' : '×'}`;
}
