import type {AsyncmonEvent, HeaderEvent, ProtocolLine, WaitTarget} from './events.js';
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
	const written = new Set<number>(spans.values());
	let text = '';
	for (let i = 0; i < events.length; i++) {
		if (written.has(i)) continue;
		const end = spans.get(i);
		text += end === undefined ? serializeLine(events[i]!) : `${spanText(events[i] as never, events[end] as never)}\n`;
	}
	return text;
}

/** The index of each task's or op's start that can be one span with its end, to the end's index. */
function pairedEnds(events: ReadonlyArray<AsyncmonEvent | HeaderEvent>): Map<number, number> {
	const pairs = new Map<number, number>();
	/** Starts in this batch not yet ended, by id (tasks and ops have ids of their own: one counter). */
	const open = new Map<number, number>();
	for (let i = 0; i < events.length; i++) {
		const event = events[i]!;
		switch (event.type) {
			case 'task.start':
			case 'op.start':
				taint(open, event.parent);
				open.set(event.id, i);
				break;
			case 'task.end':
			case 'op.end': {
				const start = open.get(event.id);
				if (start !== undefined && events[start]!.type === (event.type === 'task.end' ? 'task.start' : 'op.start')) pairs.set(start, i);
				open.delete(event.id);
				break;
			}
			case 'task.await':
				open.delete(event.id);
				taintTarget(open, event.on);
				break;
			case 'task.ready':
			case 'task.resume':
			case 'op.phase':
			case 'op.fire':
				open.delete(event.id);
				break;
			case 'block.start':
			case 'block.end':
			case 'uncaught':
				taint(open, event.task);
				break;
			case 'floating':
				taint(open, event.task);
				taint(open, event.by);
				break;
			default:
		}
	}
	return pairs;
}

function taint(open: Map<number, number>, id: number | null): void {
	if (id !== null) open.delete(id);
}

function taintTarget(open: Map<number, number>, on: WaitTarget): void {
	if (on.kind === 'task' || on.kind === 'op') open.delete(on.id);
	else if (on.kind === 'promise') {
		for (const id of on.tasks ?? []) open.delete(id);
		for (const id of on.ops ?? []) open.delete(id);
	}
}
