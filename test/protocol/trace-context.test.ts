import {describe, expect, it} from 'vitest';
import {newTraceId, parseTraceparent, sessionTraceId, spanIdOf, traceparentOf} from '../../source/protocol/trace-context.js';
import {header} from '../helpers/events.js';

describe('trace context', () => {
	it('gives each session a trace id of its own: 32 hex digits', () => {
		const ids = new Set(Array.from({length: 50}, newTraceId));
		expect(ids.size).toBe(50);
		for (const id of ids) expect(id).toMatch(/^[\da-f]{32}$/);
	});

	it("names a node's span by the session and the node alone: the child and the monitor agree", () => {
		const trace = newTraceId();
		expect(spanIdOf(trace, 7)).toBe(spanIdOf(trace, 7));
		expect(spanIdOf(trace, 7)).toMatch(/^[\da-f]{16}$/);
		expect(spanIdOf(trace, 7)).not.toBe(spanIdOf(trace, 8));
		expect(spanIdOf(trace, 7)).not.toBe(spanIdOf(newTraceId(), 7));
		const ids = new Set(Array.from({length: 10_000}, (_, i) => spanIdOf(trace, i + 1)));
		expect(ids.size).toBe(10_000);
	});

	it("takes a recording's trace from its header, or derives one from an older header the same way each time", () => {
		expect(sessionTraceId(header({traceId: 'f'.repeat(32)}))).toBe('f'.repeat(32));
		const old = header({pid: 9, startedAt: 1_700_000_000_123});
		expect(sessionTraceId(old)).toMatch(/^[\da-f]{32}$/);
		expect(sessionTraceId(old)).toBe(sessionTraceId({...old}));
		expect(sessionTraceId(old)).not.toBe(sessionTraceId(header({pid: 10, startedAt: 1_700_000_000_123})));
	});

	it('writes and reads W3C traceparent headers', () => {
		const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
		const span = '00f067aa0ba902b7';
		expect(traceparentOf(trace, span)).toBe(`00-${trace}-${span}-01`);
		expect(parseTraceparent(`00-${trace}-${span}-01`)).toEqual({traceId: trace, spanId: span, sampled: true});
		expect(parseTraceparent(` 00-${trace}-${span}-00 `)).toEqual({traceId: trace, spanId: span, sampled: false});
		// A later version may add fields; version 00 may not.
		expect(parseTraceparent(`01-${trace}-${span}-01-more`)).toMatchObject({traceId: trace});
		for (const invalid of [
			`00-${trace}-${span}-01-more`,
			`ff-${trace}-${span}-01`,
			`00-${'0'.repeat(32)}-${span}-01`,
			`00-${trace}-${'0'.repeat(16)}-01`,
			`00-${trace.toUpperCase()}-${span}-01`,
			`00-${trace}-${span}`,
			'',
		]) {
			expect(parseTraceparent(invalid), invalid).toBeNull();
		}
	});
});
