import {PROTOCOL_VERSION, type AsyncmonEvent, type HeaderEvent, type ProtocolLine} from './events.js';
import {EVENT_SHAPES, HEADER_SHAPES, fieldProblem, fieldsOf, isRecord, type Field} from './schema.js';
import {readCompact} from './compact.js';

/** Why a line is corrupt, in a few words fit for one line of an error: `task.await: 'on' is missing`. */
export type CorruptReason = string;

/** The reason of a line that does not parse: a line cut off mid-write is one. */
export const NOT_JSON: CorruptReason = 'not JSON';

/** A first line that is not a header this asyncmon can read, and why. */
export type HeaderProblem =
	| {problem: 'not-a-header'}
	| {problem: 'newer-protocol'; protocol: number}
	| {problem: 'corrupt'; reason: CorruptReason};

const EVENT_FIELDS = new Map<string, readonly Field[]>(Object.entries(EVENT_SHAPES).map(([type, shapes]) => [type, fieldsOf(shapes)]));
const HEADER_FIELDS = fieldsOf(HEADER_SHAPES);

/**
 * The header a session starts with. Its `protocol` decides whether the rest
 * can be read at all, so it is checked before the other fields: a newer
 * protocol may have changed them.
 */
export function decodeHeader(text: string): HeaderEvent | HeaderProblem {
	const value = parseLine(text);
	if (typeof value === 'string' || Array.isArray(value) || value.type !== 'header') return {problem: 'not-a-header'};
	return checkHeader(value);
}

/**
 * The events of one line after the header: one, or two for a compact span
 * (see compact.ts). Unknown event types pass with only the shape all events
 * share (`type`, a finite `t`): a newer minor writer may add types, and
 * readers ignore them.
 */
export function decodeEvent(text: string): AsyncmonEvent[] | CorruptReason {
	const value = parseLine(text);
	if (typeof value === 'string') return value;
	if (Array.isArray(value)) return checkCompact(value);
	if (value.type === 'header') return 'a second header';
	return one(checkEvent(value));
}

/** A line of the live stream, where the header may come after the watchdog's first lines. */
export function decodeLine(text: string): ProtocolLine[] | CorruptReason {
	const value = parseLine(text);
	if (typeof value === 'string') return value;
	if (Array.isArray(value)) return checkCompact(value);
	if (value.type !== 'header') return one(checkEvent(value));
	const header = checkHeader(value);
	if (!('problem' in header)) return [header];
	switch (header.problem) {
		case 'not-a-header':
			return "header: 'protocol' is not a version number";
		case 'newer-protocol':
			return `header: protocol ${header.protocol} is newer than ${PROTOCOL_VERSION}`;
		case 'corrupt':
			return header.reason;
	}
}

/** An event object (protocol 1 and 2) or a compact array (protocol 2). */
function parseLine(text: string): Record<string, unknown> | unknown[] | CorruptReason {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return NOT_JSON;
	}
	return isRecord(value) || Array.isArray(value) ? value : 'not a JSON object or array';
}

function one(event: AsyncmonEvent | CorruptReason): AsyncmonEvent[] | CorruptReason {
	return typeof event === 'string' ? event : [event];
}

/** A compact line's events, each checked as an object line is (see readCompact). */
function checkCompact(values: unknown[]): AsyncmonEvent[] | CorruptReason {
	return readCompact(values) as AsyncmonEvent[] | CorruptReason;
}

function checkHeader(value: Record<string, unknown>): HeaderEvent | HeaderProblem {
	const protocol = value.protocol;
	if (!Number.isInteger(protocol) || (protocol as number) < 1) return {problem: 'not-a-header'};
	if ((protocol as number) > PROTOCOL_VERSION) return {problem: 'newer-protocol', protocol: protocol as number};
	const problem = fieldProblem(value, HEADER_FIELDS);
	return problem === null ? (value as unknown as HeaderEvent) : {problem: 'corrupt', reason: `header: ${problem}`};
}

function checkEvent(value: Record<string, unknown>): AsyncmonEvent | CorruptReason {
	const type = value.type;
	if (typeof type !== 'string') return type === undefined ? "'type' is missing" : "'type' is not a string";
	const fields = EVENT_FIELDS.get(type);
	// An unknown type is not named in the reason: it is whatever the line held.
	const name = fields ? type : 'an event of unknown type';
	const t = value.t;
	if (typeof t !== 'number' || !Number.isFinite(t)) return `${name}: 't' ${t === undefined ? 'is missing' : 'is not a finite number'}`;
	if (fields) {
		const problem = fieldProblem(value, fields);
		if (problem !== null) return `${type}: ${problem}`;
	}
	return value as unknown as AsyncmonEvent;
}
