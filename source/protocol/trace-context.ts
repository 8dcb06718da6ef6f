import type {HeaderEvent} from './events.js';

/**
 * W3C trace context ids for the OpenTelemetry export. Both sides name a task's or an op's span alike: the monitor
 * exports it, and the child (with `--otlp-propagate`) names it in the `traceparent` of the request it stands for,
 * before the monitor has seen that request. So a span's id is a function of the session and the node's id, here.
 */

/** 32 lowercase hex digits: a trace id, one per session. */
export type TraceId = string;
/** 16 lowercase hex digits: a span id. */
export type SpanId = string;

const ZERO_SPAN: SpanId = '0'.repeat(16);

/**
 * A session's own trace: random, as W3C trace ids should be. From Math.random, as the OpenTelemetry SDK's own
 * RandomIdGenerator makes them: an id needs to be unique, not secret, and node:crypto would take 8 ms of every
 * start to load.
 */
export function newTraceId(): TraceId {
	let id = '';
	for (let i = 0; i < 4; i++) id += Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
	// 2^-128: said only because an all-zero id is invalid.
	return id === '0'.repeat(32) ? newTraceId() : id;
}

/** The span id of task or op `nodeId` of the session whose trace is `sessionTraceId`: the same in the child and the monitor. */
export function spanIdOf(sessionTraceId: TraceId, nodeId: number): SpanId {
	const id = sha256(`${sessionTraceId}:${nodeId}`).slice(0, 16);
	return id === ZERO_SPAN ? '0'.repeat(15) + '1' : id;
}

/** The trace a recording's spans go to: its header's, or (recordings made before headers carried one) one derived from the header, so that exporting it twice gives the same ids. */
export function sessionTraceId(header: HeaderEvent): TraceId {
	return header.traceId ?? sha256(`${header.pid}:${header.startedAt}:${header.script}`).slice(0, 32);
}

/** node:crypto is loaded when a span is first named (an export, or a propagated request), not at every start. */
function sha256(text: string): string {
	return process.getBuiltinModule('node:crypto').hash('sha256', text);
}

/** A sampled span's `traceparent` header value. */
export function traceparentOf(traceId: TraceId, spanId: SpanId): string {
	return `00-${traceId}-${spanId}-01`;
}

export interface RemoteParent {
	traceId: TraceId;
	spanId: SpanId;
	sampled: boolean;
}

const TRACEPARENT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})(-.*)?$/;

/** A `traceparent` header as W3C Trace Context reads it, or null when it is not one (the request then starts a trace of its own). */
export function parseTraceparent(value: string): RemoteParent | null {
	const match = TRACEPARENT.exec(value.trim());
	if (!match) return null;
	const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
	// Version ff is invalid; version 00 has exactly four fields. Later versions may add fields after them.
	if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
	if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return null;
	return {traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1};
}
