import {targetIds, type AsyncmonEvent, type HeaderEvent, type ProtocolLine, type WaitTarget} from './events.js';
import {compactText, isCompactType, spanText} from './compact.js';
import {rounded} from './rounding.js';

/** One line of protocol 1's NDJSON, every event an object: what `report --format ndjson` writes for jq. */
export function readableLine(line: ProtocolLine): string {
	return `${JSON.stringify(rounded(line))}\n`;
}

/** One line of the stream, compact where the event's type is (see compact.ts); `line` itself is left as it is. */
export function serializeLine(line: ProtocolLine): string {
	return isCompactType(line.type) ? `${compactText(line as Parameters<typeof compactText>[0])}\n` : readableLine(line);
}

/**
 * A batch of the child's events, one flush, as lines: a task or an op whose
 * start and end are both in the batch, with nothing between them that names
 * it (a child, an await on it, its own await), is one span line, written
 * where its start was. The reader expands it into the same two events, so
 * the model sees what it would have seen; only the order of that end among
 * events unrelated to it moves.
 */
export function serializeBatch(events: ReadonlyArray<AsyncmonEvent | HeaderEvent>): string {
	const spans = pairedEnds(events);
	const written = new Uint8Array(events.length);
	let text = '';
	for (let i = 0; i < events.length; i++) {
		if (written[i]) continue;
		const end = spans[i]!;
		if (end < 0) text += serializeLine(events[i]!);
		else {
			written[end] = 1;
			text += `${spanText(events[i] as never, events[end] as never)}\n`;
		}
	}
	return text;
}

/** By an event's index in a batch: for a task's or op's start that can be one span with its end, the end's index; else -1. */
type Spans = Int32Array;

/** The lowest and highest id of the tasks and ops that start in a batch, or null when none does: ids are given as they start, so a batch's new ones are a dense range. */
export function startedIds(events: ReadonlyArray<AsyncmonEvent | HeaderEvent>, from = 0): [first: number, last: number] | null {
	let first = Infinity;
	let last = -Infinity;
	for (let i = from; i < events.length; i++) {
		const event = events[i]!;
		if (event.type === 'task.start' || event.type === 'op.start') {
			if (event.id < first) first = event.id;
			if (event.id > last) last = event.id;
		}
	}
	return first > last ? null : [first, last];
}

/**
 * Pairs each start with its end, where nothing between them names it. Called on every flush of a busy
 * script, so the starts still open are found by id in an array over the batch's range of new ids, not a Map.
 */
function pairedEnds(events: ReadonlyArray<AsyncmonEvent | HeaderEvent>): Spans {
	const spans = new Int32Array(events.length).fill(-1);
	const range = startedIds(events);
	if (!range) return spans;
	const [first, last] = range;
	/** Starts in this batch not yet ended, by id less `first`: their index, or -1 (tasks and ops share one counter). */
	const open = new Int32Array(last - first + 1).fill(-1);
	const close = (id: number | null): number => {
		if (id === null || id < first || id > last) return -1;
		const at = open[id - first]!;
		open[id - first] = -1;
		return at;
	};
	const closeTarget = (on: WaitTarget): void => {
		for (const id of targetIds(on)) close(id);
	};
	for (let i = 0; i < events.length; i++) {
		const event = events[i]!;
		switch (event.type) {
			case 'task.start':
			case 'op.start':
				close(event.parent);
				open[event.id - first] = i;
				break;
			case 'task.end':
			case 'op.end': {
				const start = close(event.id);
				if (start >= 0 && events[start]!.type === (event.type === 'task.end' ? 'task.start' : 'op.start')) spans[start] = i;
				break;
			}
			case 'task.await':
				close(event.id);
				closeTarget(event.on);
				break;
			case 'task.ready':
			case 'task.resume':
			case 'op.phase':
			case 'op.dequeued':
			case 'op.fire':
				close(event.id);
				break;
			case 'block.start':
			case 'block.end':
			case 'uncaught':
				close(event.task);
				break;
			case 'floating':
				close(event.task);
				close(event.by);
				break;
			default:
		}
	}
	return spans;
}
