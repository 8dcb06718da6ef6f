/** Times carry microsecond precision, no more: shorter lines, same meaning. */
export function roundMs(value: number): number {
	return Number.isInteger(value) ? value : Math.round(value * 1000) / 1000;
}

/**
 * `value` with every non-integer number rounded to microseconds, at any
 * depth. A copy where something changed; parts that need no change are
 * shared, and nothing passed in is modified.
 */
export function rounded(value: unknown): unknown {
	if (typeof value === 'number') return roundMs(value);
	if (value === null || typeof value !== 'object') return value;
	if (Array.isArray(value)) {
		let copy: unknown[] | null = null;
		for (let i = 0; i < value.length; i++) {
			const item: unknown = value[i];
			const next = rounded(item);
			if (next !== item) (copy ??= value.slice())[i] = next;
		}
		return copy ?? value;
	}
	if (typeof (value as {toJSON?: unknown}).toJSON === 'function') return value;
	let copy: Record<string, unknown> | null = null;
	const record = value as Record<string, unknown>;
	for (const key of Object.keys(record)) {
		const item = record[key];
		const next = rounded(item);
		if (next !== item) (copy ??= {...record})[key] = next;
	}
	return copy ?? value;
}

