/** `45%`: a share of a whole, rounded to a whole percent. */
export function formatPercent(part: number, whole: number): string {
	return whole > 0 ? `${Math.round((part / whole) * 100)}%` : '0%';
}

/** `2.0×` (`2.0x` in ASCII): how many times one figure holds another, such as concurrency or parallelism. */
export function formatTimes(value: number, ascii = false): string {
	return `${value.toFixed(1)}${ascii ? 'x' : '×'}`;
}
