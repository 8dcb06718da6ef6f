import type {ProtocolLine} from './events.js';

/** Times carry microsecond precision, no more: shorter lines, same meaning. */
function roundMs(value: number): number {
	return Number.isInteger(value) ? value : Math.round(value * 1000) / 1000;
}

/**
 * `value` with every non-integer number rounded to microseconds, at any
 * depth. A copy where something changed; parts that need no change are
 * shared, and nothing passed in is modified.
 */
function rounded(value: unknown): unknown {
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

/** Rounds the top-level numbers of an event in place; nested values are replaced by rounded copies, never modified. */
function roundInPlace(line: Record<string, unknown>): void {
	for (const key of Object.keys(line)) {
		const item = line[key];
		if (typeof item === 'number') {
			if (!Number.isInteger(item)) line[key] = Math.round(item * 1000) / 1000;
		} else if (item !== null && typeof item === 'object') {
			const next = rounded(item);
			if (next !== item) line[key] = next;
		}
	}
}

/** One line of NDJSON; `line` itself is left as it is. */
export function serializeLine(line: ProtocolLine): string {
	return `${JSON.stringify(rounded(line))}\n`;
}

/**
 * The same line as serializeLine, for an event the caller owns and will not
 * read again (the child's event sink): its numbers are rounded in place, so
 * the hot events (task start, await, ready, resume, end) cost one native
 * JSON.stringify and no copy. Fields that only some events carry are
 * handled generically, so new event types need nothing here.
 */
export function serializeOwnedLine(line: ProtocolLine): string {
	const event = line as unknown as Record<string, unknown> & {t: number};
	switch (line.type) {
		case 'task.resume':
			event.t = roundMs(event.t);
			line.readyAt = roundMs(line.readyAt);
			line.wait = roundMs(line.wait);
			line.sched = roundMs(line.sched);
			break;
		case 'task.await':
			event.t = roundMs(event.t);
			line.busy = roundMs(line.busy);
			break;
		case 'task.ready':
		case 'task.start':
			event.t = roundMs(event.t);
			break;
		case 'task.end':
			if (line.error) {
				roundInPlace(event);
				break;
			}
			event.t = roundMs(event.t);
			line.busy = roundMs(line.busy);
			line.wait = roundMs(line.wait);
			line.sched = roundMs(line.sched);
			break;
		default:
			roundInPlace(event);
	}
	return `${JSON.stringify(line)}\n`;
}
