import {STOP_SIGNALS, type AsyncmonEvent, type BlockCallback, type BlockStackSamples, type ErrorInfo, type EventWait, type ExitCall, type FirstOf, type ForcedKill, type FoldedLeaves, type FoldedName, type FoldEvent, type JoinedEvent, type HeaderEvent, type HttpClient, type HttpDetails, type HttpQueue, type ListeningServer, type ProcessDetails, type ProcessExit, type ProcessLaunch, type ServerRequestDetails, type SkippedOutput, type StackFrame, type TimerDetails, type WaitTarget} from './events.js';

/**
 * What one field of a protocol line must hold. `V` is the field's type in
 * events.ts, and exactly it (`in out`): the tables below are checked against
 * the event interfaces, so a field cannot be missing here, nor checked as a
 * string where events.ts says `string | null`.
 */
export interface Shape<in out V> {
	/** How a corrupt line's reason names what was expected: `'id' is not an id (a positive integer)`. */
	readonly what: string;
	readonly test: (value: unknown) => boolean;
	readonly optional: false;
}

/** A field that may be absent (`undefined` is absent: JSON has none). */
export interface OptionalShape<in out V> extends Omit<Shape<V>, 'optional'> {
	readonly optional: true;
}

type OptionalKeys<T> = {[K in keyof T]-?: {} extends Pick<T, K> ? K : never}[keyof T];

/** One shape per field of `T` but the `Skip`ped ones, optional exactly where `T`'s field is. */
export type FieldShapes<T, Skip extends keyof T = never> = {
	readonly [K in Exclude<keyof T, Skip>]-?: K extends OptionalKeys<T> ? OptionalShape<Exclude<T[K], undefined>> : Shape<T[K]>;
};

/** A field table flattened for the decoder's loop. */
export interface Field {
	readonly name: string;
	readonly what: string;
	readonly test: (value: unknown) => boolean;
	readonly optional: boolean;
}

const shape = <V>(what: string, test: (value: unknown) => boolean): Shape<V> => ({what, test, optional: false});

export function optional<V>(required: Shape<V>): OptionalShape<V> {
	return {what: required.what, test: required.test, optional: true};
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Ids are positive integers: reports write them into HTML attributes and element ids. */
const ID = shape<number>('an id (a positive integer)', value => Number.isInteger(value) && (value as number) > 0);
const ID_OR_NULL = shape<number | null>('an id (a positive integer) or null', value => value === null || (Number.isInteger(value) && (value as number) > 0));
const COUNT = shape<number>('a whole number', value => Number.isInteger(value) && (value as number) >= 0);
const INTEGER_OR_NULL = shape<number | null>('an integer or null', value => value === null || Number.isInteger(value));
const INTEGER = shape<number>('an integer', value => Number.isInteger(value));
/** Finite: JSON has no NaN, but `1e999` parses as Infinity. */
const NUMBER = shape<number>('a finite number', value => typeof value === 'number' && Number.isFinite(value));
const STRING = shape<string>('a string', value => typeof value === 'string');
const STRING_OR_NULL = shape<string | null>('a string or null', value => value === null || typeof value === 'string');
/** Only the base64 alphabet, padded: readers decode it as the script's bytes. */
const BASE64 = shape<string>('base64 text', value => typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0);
/** Base64 of a size a pattern would take long to scan (a fold line's packed times, 21 bytes a task): its reader checks what it decodes (see fold.ts). */
const LONG_BASE64 = shape<string>('base64 text', value => typeof value === 'string' && value.length % 4 === 0);
const BOOLEAN = shape<boolean>('a boolean', value => typeof value === 'boolean');

function oneOf<const V extends string>(...values: V[]): Shape<V> {
	const allowed = new Set<unknown>(values);
	return shape(`one of ${values.map(value => `'${value}'`).join(', ')}`, value => allowed.has(value));
}

function listOf<V>(what: string, item: Shape<V>): Shape<V[]> {
	const test = item.test;
	return shape(what, value => {
		if (!Array.isArray(value)) return false;
		for (let i = 0; i < value.length; i++) if (!test(value[i])) return false;
		return true;
	});
}

/** A table of FieldShapes as the decoder's loop reads it. */
export function fieldsOf(shapes: object): readonly Field[] {
	return Object.entries(shapes as Record<string, Omit<Field, 'name'>>).map(([name, {what, test, optional}]) => ({name, what, test, optional}));
}

/**
 * The first field of `record` that breaks its shape, as a reason
 * (`'on' is missing`), or null. Fields not in the table pass: a newer
 * writer may add some.
 */
export function fieldProblem(record: Record<string, unknown>, fields: readonly Field[]): string | null {
	for (let i = 0; i < fields.length; i++) {
		const field = fields[i]!;
		const value = record[field.name];
		if (value === undefined) {
			if (!field.optional) return `'${field.name}' is missing`;
		} else if (!field.test(value)) {
			return `'${field.name}' is not ${field.what}`;
		}
	}
	return null;
}

function objectOf<T>(what: string, shapes: FieldShapes<T>): Shape<T> {
	const fields = fieldsOf(shapes);
	return shape(what, value => isRecord(value) && fieldProblem(value, fields) === null);
}

/** A union told apart by its `kind`, like WaitTarget. */
function variantsOf<V extends {kind: string}>(what: string, variants: {readonly [K in V['kind']]: FieldShapes<Extract<V, {kind: K}>, 'kind'>}): Shape<V> {
	const byKind = new Map<unknown, readonly Field[]>(Object.entries(variants as Record<string, object>).map(([kind, shapes]) => [kind, fieldsOf(shapes)]));
	return shape(what, value => {
		if (!isRecord(value)) return false;
		const fields = byKind.get(value.kind);
		return fields !== undefined && fieldProblem(value, fields) === null;
	});
}

const COUNTS_BY_NAME = shape<Record<string, number>>('an object of whole numbers', value => {
	if (!isRecord(value)) return false;
	for (const key in value) if (!COUNT.test(value[key])) return false;
	return true;
});

const FOLDED_NAME = objectOf<FoldedName>('per-site totals {count, failed, totalMs, busyMs, waitMs, name?, kind?, loc?}', {
	count: COUNT,
	failed: COUNT,
	totalMs: NUMBER,
	busyMs: NUMBER,
	waitMs: NUMBER,
	name: optional(STRING),
	kind: optional(oneOf('task', 'server')),
	loc: optional(STRING_OR_NULL),
});
const FOLDED_LEAVES = objectOf<FoldedLeaves>('leaf totals {count, totalMs, activeMs}', {count: COUNT, totalMs: NUMBER, activeMs: NUMBER});
const FOLDED = objectOf<JoinedEvent['folded']>('folded totals {tasks, failed, taskTimeMs, byName, leaves, activeMs}', {
	tasks: COUNT,
	failed: COUNT,
	taskTimeMs: NUMBER,
	leaves: optional(FOLDED_LEAVES),
	activeMs: optional(NUMBER),
	byName: shape('an object of per-name totals', value => {
		if (!isRecord(value)) return false;
		for (const key in value) if (!FOLDED_NAME.test(value[key])) return false;
		return true;
	}),
});

const IDS = listOf('a list of ids', ID);
const ERROR_INFO_WHAT = 'an ErrorInfo {name, message, stack?, location?, cause?}';
/** Its `cause` is one too: checked when a value comes, once ERROR_INFO is made. */
const CAUSE = shape<ErrorInfo>(ERROR_INFO_WHAT, value => ERROR_INFO.test(value));
const ERROR_INFO: Shape<ErrorInfo> = objectOf<ErrorInfo>(ERROR_INFO_WHAT, {
	name: STRING,
	message: STRING,
	stack: optional(STRING),
	location: optional(STRING),
	cause: optional(CAUSE),
});
/** A flag that is present only when set. */
const FLAG = shape<true>('true', value => value === true);
const EVENT_WAITS = listOf('a list of events {event, source}', objectOf<EventWait>('an event {event, source}', {event: STRING, source: STRING}));
const WAIT_TARGET = variantsOf<WaitTarget>("a WaitTarget ({kind: 'task' | 'op', id}, {kind: 'promise', tasks?, ops?, events?}, {kind: 'peer', address}, {kind: 'event', event, source}, {kind: 'response'} or {kind: 'value'})", {
	task: {id: ID, guess: optional(FLAG), name: optional(STRING)},
	op: {id: ID, guess: optional(FLAG)},
	promise: {tasks: optional(IDS), ops: optional(IDS), events: optional(EVENT_WAITS), taskCount: optional(COUNT), opCount: optional(COUNT), eventCount: optional(COUNT), others: optional(COUNT), first: optional(oneOf<FirstOf>('race', 'any')), guess: optional(FLAG)},
	peer: {address: STRING},
	event: {event: STRING, source: STRING},
	response: {},
	value: {},
});
const PROCESS_DETAILS = objectOf<ProcessDetails>('process details {pid?, command}', {pid: optional(COUNT), command: STRING});
const PROCESS_LAUNCH = objectOf<ProcessLaunch>('a process launch {t, parent, process}', {t: NUMBER, parent: ID_OR_NULL, process: PROCESS_DETAILS});
const PROCESS_EXIT = objectOf<ProcessExit>('a process exit {code, signal, byScript}', {code: INTEGER_OR_NULL, signal: STRING_OR_NULL, byScript: optional(FLAG)});
const STACK_FRAME = objectOf<StackFrame>('a stack frame', {fn: STRING, loc: STRING});
const STACK_SAMPLES = objectOf<BlockStackSamples>('a count of stack reads {same, of}', {same: COUNT, of: COUNT});
const STACK_FRAMES = listOf('a list of stack frames {fn, loc}', STACK_FRAME);

/** The header's fields; `protocol` has rules of its own (see decodeHeader). */
export const HEADER_SHAPES: FieldShapes<HeaderEvent, 'type' | 'protocol'> = {
	script: STRING,
	argv: listOf('a list of strings', STRING),
	cwd: STRING,
	node: STRING,
	pid: COUNT,
	startedAt: NUMBER,
	blockThresholdMs: NUMBER,
	redacted: BOOLEAN,
	traceId: optional(STRING),
};

/**
 * Every event type's fields but `type` and `t`, which all events share. This
 * is the one place that says what a well-formed line holds: the readers
 * (reducer, printers, reports) rely on nothing else.
 */
export const EVENT_SHAPES: {readonly [E in AsyncmonEvent as E['type']]: FieldShapes<E, 'type' | 't'>} = {
	'task.start': {
		id: ID,
		parent: ID_OR_NULL,
		kind: oneOf('script', 'task', 'worker', 'server', 'process'),
		name: STRING,
		loc: STRING_OR_NULL,
		thread: optional(COUNT),
		http: optional(
			objectOf<ServerRequestDetails>('request details {method, url, host?, traceparent?}', {method: STRING, url: STRING, host: optional(STRING), traceparent: optional(STRING)}),
		),
		process: optional(PROCESS_DETAILS),
	},
	'task.await': {id: ID, site: STRING_OR_NULL, on: WAIT_TARGET, dependent: optional(BOOLEAN), busy: NUMBER},
	'task.ready': {id: ID},
	'task.resume': {id: ID, readyAt: NUMBER, wait: NUMBER, sched: NUMBER},
	'task.end': {
		id: ID,
		ok: BOOLEAN,
		error: optional(ERROR_INFO),
		busy: NUMBER,
		wait: NUMBER,
		sched: NUMBER,
		awaits: COUNT,
		status: optional(COUNT),
		aborted: optional(BOOLEAN),
		route: optional(STRING),
		exit: optional(PROCESS_EXIT),
		launched: optional(PROCESS_LAUNCH),
	},
	'op.start': {
		id: ID,
		parent: ID_OR_NULL,
		kind: oneOf('http', 'timer', 'fs', 'dns', 'child'),
		name: STRING,
		loc: optional(STRING_OR_NULL),
		http: optional(
			objectOf<HttpDetails>('HTTP details {method, url, client?, queue?}', {
				method: STRING,
				url: STRING,
				client: optional(oneOf<HttpClient>('undici', 'node:http', 'node:http2')),
				queue: optional(objectOf<HttpQueue>('HTTP queue {ahead, inFlight}', {ahead: COUNT, inFlight: COUNT})),
			}),
		),
		timer: optional(objectOf<TimerDetails>('timer details {delayMs, repeat}', {delayMs: NUMBER, repeat: BOOLEAN})),
		process: optional(PROCESS_DETAILS),
	},
	'op.phase': {id: ID, phase: oneOf('sent', 'headers'), queueMs: optional(NUMBER), connectMs: optional(NUMBER), status: optional(COUNT)},
	'op.dequeued': {id: ID, url: optional(STRING)},
	'op.fire': {id: ID, lateMs: NUMBER},
	'op.end': {id: ID, ok: BOOLEAN, status: optional(COUNT), bytes: optional(COUNT), error: optional(ERROR_INFO), lateMs: optional(NUMBER), cancelled: optional(BOOLEAN), exit: optional(PROCESS_EXIT)},
	'block.start': {id: ID, task: ID_OR_NULL, callback: optional(objectOf<BlockCallback>('a callback {op}', {op: ID_OR_NULL})), detectedAt: NUMBER, handles: optional(listOf('a list of stop signals', oneOf(...STOP_SIGNALS)))},
	'block.stack': {id: ID, frames: STACK_FRAMES, loading: optional(FLAG), module: optional(STRING), callee: optional(STACK_FRAME), library: optional(STACK_FRAME), samples: optional(STACK_SAMPLES), task: optional(ID)},
	'block.end': {id: ID, durationMs: NUMBER, task: ID_OR_NULL, exact: BOOLEAN, queuedMs: optional(NUMBER), starved: optional(BOOLEAN), loading: optional(FLAG)},
	loop: {delayMs: NUMBER, utilization: NUMBER},
	output: {
		stream: oneOf('stdout', 'stderr'),
		text: STRING,
		base64: optional(BASE64),
		lane: optional(ID),
		skipped: optional(objectOf<SkippedOutput>('skipped output {bytes, lines}', {bytes: COUNT, lines: COUNT})),
	},
	wrote: {stream: oneOf('stdout', 'stderr'), bytes: COUNT, head: optional(BASE64)},
	notice: {message: STRING},
	fatal: {kind: oneOf('syntax', 'load', 'internal'), message: STRING, loc: optional(STRING), frame: optional(STRING)},
	uncaught: {origin: oneOf('uncaughtException', 'unhandledRejection'), error: ERROR_INFO, task: ID_OR_NULL, handled: optional(FLAG)},
	signal: {signal: oneOf(...STOP_SIGNALS)},
	'script.start': {},
	'script.exit': {code: INTEGER, exitCall: optional(objectOf<ExitCall>('an exit call {site}', {site: STRING_OR_NULL}))},
	exit: {
		code: INTEGER_OR_NULL,
		signal: STRING_OR_NULL,
		stoppedFor: optional(oneOf(...STOP_SIGNALS)),
		forced: optional(objectOf<ForcedKill>("{after: a stop signal, because: 'again', 'grace' or 'quit'}", {after: oneOf(...STOP_SIGNALS), because: oneOf('again', 'grace', 'quit')})),
	},
	floating: {task: ID_OR_NULL, by: ID, site: STRING},
	alive: {
		idleSince: NUMBER,
		resources: COUNTS_BY_NAME,
		servers: optional(listOf('a list of servers {address, loc, connections?}', objectOf<ListeningServer>('a server', {address: STRING, loc: STRING_OR_NULL, connections: optional(COUNT)}))),
	},
	backpressure: {heldMs: NUMBER},
	held: {tasks: COUNT, http: COUNT},
	dropped: {count: COUNT},
	corrupt: {count: COUNT, reason: STRING},
	joined: {folded: FOLDED, omitted: COUNT},
	fold: {
		kind: oneOf('task', 'server', 'timer'),
		name: STRING,
		loc: STRING_OR_NULL,
		parent: ID_OR_NULL,
		leaf: BOOLEAN,
		request: optional(objectOf<NonNullable<FoldEvent['request']>>('request {method, url, route?}', {method: STRING, url: STRING, route: optional(STRING)})),
		count: COUNT,
		totalMs: NUMBER,
		busyMs: NUMBER,
		waitMs: NUMBER,
		tasks: LONG_BASE64,
	},
	'fold.http': {
		method: STRING,
		url: STRING,
		client: optional(oneOf<HttpClient>('undici', 'node:http', 'node:http2')),
		loc: STRING_OR_NULL,
		parent: ID_OR_NULL,
		count: COUNT,
		totalMs: NUMBER,
		requests: LONG_BASE64,
	},
};
