import type {AsyncmonEvent, OpEndEvent, OpStartEvent, TaskEndEvent, TaskStartEvent} from './events.js';
import {EVENT_SHAPES, type Field, fieldsOf} from './schema.js';
import {once} from './once.js';
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

/** Appends an event's values under some columns to `values`: its own trailing absent ones left out unless padded. */
type PushValues = (values: unknown[], event: object) => void;

/**
 * The values of `event` under `columns`, appended to `values`; trailing absent ones left out unless `pad`. Made
 * once per event type and column list: read by name in code of its own, each field is a fast property load where a
 * loop reading `event[column.name]` over every type's events is a slow, megamorphic one (the child encodes every
 * event it sends: 0.9 µs an event before). Where the process forbids making code from strings
 * (`--disallow-code-generation-from-strings`), the loop.
 */
function valuesPusher(columns: readonly Column[], pad: boolean): PushValues {
	const names = columns.map(column => column.name);
	try {
		const reads = names.map(name => `event[${JSON.stringify(name)}]`).join(', ');
		const trim = pad ? '' : 'while (last > 0 && read[last - 1] === undefined) last--;';
		return new Function('compactValue', `return (values, event) => { const read = [${reads}]; let last = read.length; ${trim} for (let i = 0; i < last; i++) values.push(compactValue(read[i])); };`)(compactValue) as PushValues;
	} catch {
		return (values, event) => {
			const record = event as Record<string, unknown>;
			let last = names.length;
			if (!pad) while (last > 0 && record[names[last - 1]!] === undefined) last--;
			for (let i = 0; i < last; i++) values.push(compactValue(record[names[i]!]));
		};
	}
}

/**
 * Made on first use, per type: each process encodes or decodes, never both, and uses few of the types (a short
 * script's process sends five); making them all at load took 1-2 ms of each process's start.
 */
const PUSH = new Map<CompactType, PushValues>();

function pusherOf(type: CompactType): PushValues {
	let push = PUSH.get(type);
	if (!push) PUSH.set(type, (push = valuesPusher(COLUMNS.get(type)!, false)));
	return push;
}

/** A span's start, every column written: the end's values follow at known places. */
const spanPushers = once(() => ({
	taskStart: valuesPusher(COLUMNS.get('task.start')!, true),
	opStart: valuesPusher(COLUMNS.get('op.start')!, true),
	taskEnd: valuesPusher(TASK_END_IN_SPAN, false),
	opEnd: valuesPusher(OP_END_IN_SPAN, false),
}));

/** A compact line (no newline) for an event of a compact type. One native JSON.stringify of an array: the cheapest text there is. */
export function compactText(event: AsyncmonEvent & {type: CompactType}): string {
	const values: unknown[] = [CODES.get(event.type)!];
	pusherOf(event.type)(values, event);
	return JSON.stringify(values);
}

/** One line for a task or an op that started and ended within one flush. */
export function spanText(start: TaskStartEvent, end: TaskEndEvent): string;
export function spanText(start: OpStartEvent, end: OpEndEvent): string;
export function spanText(start: TaskStartEvent | OpStartEvent, end: TaskEndEvent | OpEndEvent): string {
	const task = start.type === 'task.start';
	const values: unknown[] = [task ? TASK_SPAN_CODE : OP_SPAN_CODE];
	const push = spanPushers();
	(task ? push.taskStart : push.opStart)(values, start);
	(task ? push.taskEnd : push.opEnd)(values, end);
	return JSON.stringify(values);
}

/**
 * The events of a compact line, each checked as decode.ts checks an object line, with its fields named: one event,
 * two for a span, or why the line is corrupt (`task.await: 'on' is missing`, as for an object line). The values
 * are checked where they stand in the array, and named by code made once per event type: reading a record's fields
 * back by name, over every type's events, was the slow half of decoding.
 */
export function readCompact(values: unknown[]): Array<Record<string, unknown>> | string {
	const code = values[0];
	if (code === TASK_SPAN_CODE || code === OP_SPAN_CODE) {
		const span = spanReaders();
		const start = code === TASK_SPAN_CODE ? span.task : span.op;
		const end = code === TASK_SPAN_CODE ? span.taskEnd : span.opEnd;
		const problem = start.problem(values, 1) ?? end.problem(values, 1 + start.columns.length);
		if (problem !== null) return problem;
		const startEvent = start.name(values, 1);
		const endEvent = end.name(values, 1 + start.columns.length);
		endEvent.id = startEvent.id;
		return [startEvent, endEvent];
	}
	const reader = typeof code === 'number' ? readerAt(code) : undefined;
	if (!reader) return `an array of unknown code ${JSON.stringify(code)}`;
	const problem = reader.problem(values, 1);
	return problem ?? [reader.name(values, 1)];
}

/** The event of `type` whose values stand from `from` on under `columns`. */
interface Reader {
	columns: readonly Column[];
	/** What is wrong with the values, prefixed with the type, as decode.ts says it of an object; null when nothing. */
	problem(values: readonly unknown[], from: number): string | null;
	name(values: readonly unknown[], from: number): Record<string, unknown>;
}

function readerOf(type: CompactType, columns: readonly Column[]): Reader {
	return {
		columns,
		problem(values, from) {
			for (let i = 0; i < columns.length; i++) {
				const column = columns[i]!;
				const value = values[from + i];
				if (isAbsent(value, column)) {
					if (!column.optional) return `${type}: '${column.name}' is missing`;
				} else if (!column.test(value)) {
					return `${type}: '${column.name}' is not ${column.what}`;
				}
			}
			return null;
		},
		name: namer(type, columns),
	};
}

/** A null is an absent optional field, unless the field may be null. */
function isAbsent(value: unknown, column: Column): boolean {
	return value === undefined || (value === null && column.optional && !column.nullable);
}

/**
 * Names the values of one event type, in its columns' order, leaving absent ones out: `e.t = v[f]; e.id = v[f + 1];
 * if (v[f + 2] !== undefined && v[f + 2] !== null) e.loc = v[f + 2]; …`, one fast store after another on one
 * shape, where a loop storing `event[column.name]` for every type made each store slow. Where the process forbids
 * making code from strings (`--disallow-code-generation-from-strings`), the loop.
 */
function namer(type: CompactType, columns: readonly Column[]): Reader['name'] {
	try {
		const stores = columns
			.map((column, i) => {
				const store = `e[${JSON.stringify(column.name)}] = v[f + ${i}];`;
				if (!column.optional) return store;
				const absent = column.nullable ? `v[f + ${i}] === undefined` : `v[f + ${i}] === undefined || v[f + ${i}] === null`;
				return `if (!(${absent})) ${store}`;
			})
			.join(' ');
		return new Function(`return (v, f) => { const e = {type: ${JSON.stringify(type)}}; ${stores} return e; };`)() as Reader['name'];
	} catch {
		return (values, from) => {
			const event: Record<string, unknown> = {type};
			for (let i = 0; i < columns.length; i++) {
				const column = columns[i]!;
				const value = values[from + i];
				if (!isAbsent(value, column)) event[column.name] = value;
			}
			return event;
		};
	}
}

const READERS: Array<Reader | undefined> = [];

/** The reader of the type whose code is `code`, made on first use (see PUSH); undefined for no type's code. */
function readerAt(code: number): Reader | undefined {
	const type = COMPACT_TYPES[code - 1];
	if (type === undefined) return undefined;
	return (READERS[code - 1] ??= readerOf(type, COLUMNS.get(type)!));
}

/** A span's start reads as its type's own line; its end without the id, which the start gives. */
const spanReaders = once(() => ({
	task: readerAt(CODES.get('task.start')!)!,
	taskEnd: readerOf('task.end', TASK_END_IN_SPAN),
	op: readerAt(CODES.get('op.start')!)!,
	opEnd: readerOf('op.end', OP_END_IN_SPAN),
}));
