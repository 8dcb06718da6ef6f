// Small statistics and formatting helpers for bench/run.mjs.
export function median(values) {
	const sorted = values.filter(v => Number.isFinite(v)).sort((a, b) => a - b);
	if (sorted.length === 0) return NaN;
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const ratio = value => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');
export const seconds = ms => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(3)} s` : 'n/a');
export const megabytes = bytes => (Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(0)} MB` : 'n/a');
export const integer = n => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

/** A GitHub-flavoured markdown table. */
export function table(headers, rows, align = headers.map(() => 'left')) {
	const line = cells => `| ${cells.join(' | ')} |`;
	const rule = align.map(a => (a === 'right' ? '---:' : '---'));
	return [line(headers), line(rule), ...rows.map(line)].join('\n');
}
