import {apply} from '../../source/model/reducer.js';
import type {ModelSource} from '../../source/model/source.js';
import {createState, type ModelState, type StateOptions} from '../../source/model/state.js';
import {type AsyncmonEvent, type HeaderEvent, PROTOCOL_VERSION, type ProtocolLine} from '../../source/protocol/events.js';

/**
 * The one builder of protocol events for tests, typed by the protocol
 * itself: a test writes the fields its case is about, and what it leaves
 * out takes the neutral values below.
 */

export type EventType = AsyncmonEvent['type'];
export type EventOf<T extends EventType> = Extract<AsyncmonEvent, {type: T}>;

/** What a test may leave out, and what it then is: no parent, no location, no time spent, a clean end. */
const NEUTRAL = {
	'task.start': {parent: null, kind: 'task', loc: null},
	'task.await': {site: null, busy: 0},
	'task.resume': {wait: 0, sched: 0},
	'task.end': {ok: true, busy: 0, wait: 0, sched: 0, awaits: 0},
	'op.start': {parent: null},
	'op.end': {ok: true},
	'block.end': {task: null, exact: true},
	output: {stream: 'stdout'},
	uncaught: {task: null},
	exit: {code: 0, signal: null},
} as const satisfies {[T in EventType]?: Partial<EventOf<T>>};

type NeutralKey<T extends EventType> = T extends keyof typeof NEUTRAL ? keyof (typeof NEUTRAL)[T] : never;

/** An event's fields but its type; the neutral ones may be left out. */
export type EventFields<T extends EventType> = Omit<EventOf<T>, 'type' | NeutralKey<T>> & Partial<Omit<EventOf<T>, 'type'>>;

export function event<T extends EventType>(type: T, fields: EventFields<T>): EventOf<T> {
	const neutral: object = (NEUTRAL as Partial<Record<EventType, object>>)[type] ?? {};
	return {type, ...neutral, ...fields} as EventOf<T>;
}

/** Wall-clock time of a session's t = 0 unless a test sets `startedAt`. */
export const STARTED_AT = 1_700_000_000_000;

export function header(fields: Partial<Omit<HeaderEvent, 'type'>> = {}): HeaderEvent {
	return {
		type: 'header',
		protocol: PROTOCOL_VERSION,
		script: 'app.ts',
		argv: [],
		cwd: '/app',
		node: 'v24.0.0',
		pid: 42,
		startedAt: STARTED_AT,
		blockThresholdMs: 50,
		redacted: false,
		...fields,
	};
}

/** The model the reducer makes of `lines`, as a recording read back would be. */
export function reduce(lines: Iterable<ProtocolLine>, options?: StateOptions): ModelState {
	const state = createState(options);
	for (const line of lines) apply(state, line);
	return state;
}

/**
 * A session fed by hand, one event at a time, through the real reducer:
 * views subscribe to it as they do to a live run.
 */
export class FakeSession implements ModelSource {
	readonly state: ModelState = createState();
	private readonly listeners = new Set<() => void>();

	constructor(headerFields: Partial<Omit<HeaderEvent, 'type'>> = {}) {
		apply(this.state, header(headerFields));
	}

	subscribe(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	emit<T extends EventType>(type: T, fields: EventFields<T>): this {
		apply(this.state, event(type, fields));
		for (const listener of this.listeners) listener();
		return this;
	}

	/** A wall clock `nowMs` into the session, for views that read one. */
	clockAt(nowMs: number): () => number {
		return () => this.state.header!.startedAt + nowMs;
	}
}
