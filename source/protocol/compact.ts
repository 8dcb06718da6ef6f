import type {AsyncmonEvent, OpEndEvent, OpStartEvent, TaskEndEvent, TaskStartEvent} from './events.js';
import {EVENT_SHAPES, type Field, fieldsOf} from './schema.js';
import {rounded, roundMs} from './rounding.js';

/**
 * Protocol 2's compact lines. The events a busy script sends by the million
 * are written as JSON arrays, `[code, t, field, field, …]`, their fields in
 * the order EVENT_SHAPES lists them: no keys to write, send, parse or keep.
 * A task or an op that started and ended within one flush of the child's is
 * one array holding both events (a span). Everything else stays a JSON
 * object, as in protocol 1: rare, and readable as it is.
 *
 * Codes are positions in these lists: never reorder them, only append. A
 * field added to an event goes at the end of its shape, so older readers
 * ignore it and newer ones find it absent in older lines.
 */
const COMPACT_TYPES = ['task.start', 'task.await', 'task.ready', 'task.resume', 'task.end', 'op.start', 'op.phase', 'op.fire', 'op.end', 'loop'] as const;
export type CompactType = (typeof COMPACT_TYPES)[number];

/** A task that started and ended within one flush: `task.start`'s fields, then `task.end`'s but its id. */
export const TASK_SPAN_CODE = 100;
/** The same for an op: `op.start`'s fields, then `op.end`'s but its id. */
export const OP_SPAN_CODE = 101;

/** A field of a compact line: where absent optional values are written as null (see decodeCompact). */
interface Column extends Field {
	/** The field's shape accepts null itself, so a null is the value, not an absent field. */
	nullable: boolean;
}

function columnsOf(type: CompactType): Column[] {
	const t: Column = {name: 't', what: 'a finite number', test: value => typeof value === 'number' && Number.isFinite(value), optional: false, nullable: false};
	return [t, ...fieldsOf(EVENT_SHAPES[type]).map(field => ({...field, nullable: field.test(null)}))];
}

const COLUMNS = new Map<CompactType, Column[]>(COMPACT_TYPES.map(type => [type, columnsOf(type)]));
const CODES = new Map<string, number>(COMPACT_TYPES.map((type, index) => [type, index + 1]));
/** The end's columns in a span: its id is the start's. */
const TASK_END_IN_SPAN = COLUMNS.get('task.end')!.filter(column => column.name !== 'id');
const OP_END_IN_SPAN = COLUMNS.get('op.end')!.filter(column => column.name !== 'id');

export function isCompactType(type: string): type is CompactType {
	return CODES.has(type);
}

/** A value as a compact line holds it: numbers at any depth rounded to microseconds, absent as null. */
function compactValue(value: unknown): unknown {
	if (typeof value === 'number') return roundMs(value);
	if (value === undefined) return null;
	return rounded(value);
}

/** Appends the values of `event` under `columns` to `values`; trailing absent ones left out unless `pad`. */
function pushValues(values: unknown[], event: object, columns: readonly Column[], pad: boolean): void {
	const record = event as Record<string, unknown>;
	let last = columns.length;
	if (!pad) while (last > 0 && record[columns[last - 1]!.name] === undefined) last--;
	for (let i = 0; i < last; i++) values.push(compactValue(record[columns[i]!.name]));
}

/** A compact line (no newline) for an event of a compact type. One native JSON.stringify of an array: the cheapest text there is. */
export function compactText(event: AsyncmonEvent & {type: CompactType}): string {
	const values: unknown[] = [CODES.get(event.type)!];
	pushValues(values, event, COLUMNS.get(event.type)!, false);
	return JSON.stringify(values);
}

/** One line for a task or an op that started and ended within one flush. */
export function spanText(start: TaskStartEvent, end: TaskEndEvent): string;
export function spanText(start: OpStartEvent, end: OpEndEvent): string;
export function spanText(start: TaskStartEvent | OpStartEvent, end: TaskEndEvent | OpEndEvent): string {
	const task = start.type === 'task.start';
	const values: unknown[] = [task ? TASK_SPAN_CODE : OP_SPAN_CODE];
	pushValues(values, start, COLUMNS.get(start.type)!, true);
	pushValues(values, end, task ? TASK_END_IN_SPAN : OP_END_IN_SPAN, false);
	return JSON.stringify(values);
}

/**
 * The events of a compact line, with their fields named, unchecked (decode.ts
 * checks them as it checks objects): one event, two for a span, or the reason
 * the array is no compact line.
 */
export function expandCompact(values: unknown[]): Array<Record<string, unknown>> | string {
	const code = values[0];
	if (code === TASK_SPAN_CODE || code === OP_SPAN_CODE) {
		const task = code === TASK_SPAN_CODE;
		const startColumns = COLUMNS.get(task ? 'task.start' : 'op.start')!;
		const start = named(task ? 'task.start' : 'op.start', values, 1, startColumns);
		const end = named(task ? 'task.end' : 'op.end', values, 1 + startColumns.length, task ? TASK_END_IN_SPAN : OP_END_IN_SPAN);
		end.id = start.id;
		return [start, end];
	}
	const type = typeof code === 'number' ? COMPACT_TYPES[code - 1] : undefined;
	if (!type) return `an array of unknown code ${JSON.stringify(code)}`;
	return [named(type, values, 1, COLUMNS.get(type)!)];
}

/** An event object from `values[from…]` under `columns`: a null is an absent optional field unless the field may be null. */
function named(type: string, values: readonly unknown[], from: number, columns: readonly Column[]): Record<string, unknown> {
	const event: Record<string, unknown> = {type};
	for (let i = 0; i < columns.length; i++) {
		const column = columns[i]!;
		const value = values[from + i];
		if (value === undefined || (value === null && column.optional && !column.nullable)) continue;
		event[column.name] = value;
	}
	return event;
}
