import {SpanKind, SpanStatusCode} from '@opentelemetry/api';
import {hrTimeToMilliseconds} from '@opentelemetry/core';
import type {ReadableSpan} from '@opentelemetry/sdk-trace';
import {describe, expect, it} from 'vitest';
import {EVENTS_PER_SPAN, LINKS_PER_SPAN, SpanBuilder} from '../../source/otlp/span-builder.js';
import type {ProtocolLine} from '../../source/protocol/events.js';
import {sessionTraceId, spanIdOf} from '../../source/protocol/trace-context.js';
import {event, header, STARTED_AT} from '../helpers/events.js';

const TRACE = 'a'.repeat(32);

function build(lines: ProtocolLine[], {end = true} = {}): ReadableSpan[] {
	const spans: ReadableSpan[] = [];
	const builder = new SpanBuilder(span => spans.push(span));
	for (const line of lines) builder.take(line);
	if (end) builder.end();
	return spans;
}

const named = (spans: readonly ReadableSpan[], name: string): ReadableSpan => {
	const span = spans.find(s => s.name === name);
	if (!span) throw new Error(`no span ${name}; spans: ${spans.map(s => s.name).join(', ')}`);
	return span;
};

const root = [header({traceId: TRACE}), event('task.start', {t: 0, id: 1, kind: 'script', name: 'app.ts', loc: 'app.ts:1:1'})];

describe('SpanBuilder', () => {
	it('gives a request queued in a pool knowing only its path its whole URL once it leaves the queue', () => {
		const spans = build([
			...root,
			event('op.start', {t: 1, id: 3, parent: 1, kind: 'http', name: 'GET /items', http: {method: 'GET', url: '/items?page=2', client: 'undici', queue: {ahead: 0, inFlight: 4}}}),
			event('op.dequeued', {t: 40, id: 3, url: 'http://127.0.0.1:8080/items?page=2'}),
			event('op.end', {t: 50, id: 3, status: 200}),
			event('task.end', {t: 60, id: 1}),
		]);
		expect(named(spans, 'GET').attributes).toMatchObject({'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:8080/items?page=2', 'server.address': '127.0.0.1', 'server.port': 8080});
	});

	it('makes a span of each task and op, under its parent, at the session clock', () => {
		const spans = build([
			...root,
			event('task.start', {t: 1, id: 2, parent: 1, name: 'load(7)', loc: 'app.ts:3:1'}),
			event('op.start', {t: 2, id: 3, parent: 2, kind: 'timer', name: 'setTimeout 10ms', timer: {delayMs: 10, repeat: false}}),
			event('op.end', {t: 12.5, id: 3, lateMs: 0.5}),
			event('task.end', {t: 13, id: 2, busy: 1, wait: 11, sched: 0.25, awaits: 1}),
			event('task.end', {t: 14, id: 1}),
		]);
		expect(spans.map(span => span.name)).toEqual(['setTimeout 10ms', 'load', 'app.ts']);
		const [timer, load, script] = spans as [ReadableSpan, ReadableSpan, ReadableSpan];
		expect(script.parentSpanContext).toBeUndefined();
		expect(script.spanContext()).toMatchObject({traceId: TRACE, spanId: spanIdOf(TRACE, 1)});
		expect(load.parentSpanContext).toMatchObject({traceId: TRACE, spanId: spanIdOf(TRACE, 1)});
		expect(timer.parentSpanContext?.spanId).toBe(load.spanContext().spanId);
		expect(load.kind).toBe(SpanKind.INTERNAL);
		expect(timer.kind).toBe(SpanKind.INTERNAL);
		expect(hrTimeToMilliseconds(load.startTime)).toBeCloseTo(STARTED_AT + 1, 3);
		expect(hrTimeToMilliseconds(load.endTime)).toBeCloseTo(STARTED_AT + 13, 3);
		expect(load.attributes).toMatchObject({
			'code.function.name': 'load',
			'asyncmon.task.call': 'load(7)',
			'code.file.path': 'app.ts',
			'code.line.number': 3,
			'code.column.number': 1,
			'asyncmon.task.busy_ms': 1,
			'asyncmon.task.wait_ms': 11,
			'asyncmon.task.sched_ms': 0.25,
			'asyncmon.task.awaits': 1,
		});
		expect(timer.attributes).toMatchObject({'asyncmon.kind': 'timer', 'asyncmon.timer.delay_ms': 10, 'asyncmon.timer.late_ms': 0.5});
		expect(script.resource.attributes).toMatchObject({'service.name': 'app', 'process.pid': 42, 'process.runtime.name': 'nodejs', 'process.runtime.version': '24.0.0'});
	});

	it('makes awaits and blocks span events, and a join links to the joined tasks and ops', () => {
		const spans = build([
			...root,
			event('task.start', {t: 1, id: 2, parent: 1, name: 'a()'}),
			event('task.start', {t: 1, id: 3, parent: 1, name: 'b()'}),
			event('op.start', {t: 1, id: 4, parent: 1, kind: 'dns', name: 'dns.lookup'}),
			event('task.await', {t: 2, id: 1, site: 'app.ts:9:1', on: {kind: 'promise', tasks: [2, 3], ops: [4]}}),
			event('block.start', {t: 3, id: 1, task: 2, detectedAt: 3.06}),
			event('block.stack', {t: 3.1, id: 1, frames: [{fn: 'spin', loc: 'app.ts:20:3'}]}),
			event('block.end', {t: 3.2, id: 1, durationMs: 120, task: 2, exact: true}),
			event('task.end', {t: 4, id: 2}),
			event('task.end', {t: 5, id: 3}),
			event('op.end', {t: 5, id: 4}),
			event('task.resume', {t: 6, id: 1, readyAt: 5}),
			event('task.end', {t: 7, id: 1}),
		]);
		const script = named(spans, 'app.ts');
		expect(script.links.map(link => link.context.spanId)).toEqual([spanIdOf(TRACE, 2), spanIdOf(TRACE, 3), spanIdOf(TRACE, 4)]);
		expect(script.events).toEqual([
			{
				name: 'await',
				time: expect.any(Array),
				attributes: {'asyncmon.await.on': 'all of tasks 2, 3; ops 4', 'asyncmon.await.site': 'app.ts:9:1', 'asyncmon.await.wait_ms': 3, 'asyncmon.await.sched_ms': 1},
			},
		]);
		const [block] = named(spans, 'a').events;
		expect(block).toMatchObject({name: 'block', attributes: {'asyncmon.block.duration_ms': 120, 'asyncmon.block.location': 'app.ts:20:3', 'asyncmon.block.task': 2}});
		expect(hrTimeToMilliseconds(block!.time)).toBeCloseTo(STARTED_AT + 3, 3);
	});

	it("a block's stack that comes after its end (a native call's, read once it returns) still names its location", () => {
		const spans = build([
			...root,
			event('task.start', {t: 1, id: 2, parent: 1, name: 'a()'}),
			event('block.start', {t: 3, id: 1, task: 2, detectedAt: 3.06}),
			event('block.end', {t: 4.1, id: 1, durationMs: 1010, task: 2, exact: true}),
			event('block.stack', {t: 4.2, id: 1, frames: [{fn: 'waitForShell', loc: 'app.ts:5:3'}]}),
			event('task.end', {t: 5, id: 2}),
			event('task.end', {t: 7, id: 1}),
		]);
		const [block] = named(spans, 'a').events;
		expect(block).toMatchObject({name: 'block', attributes: {'asyncmon.block.duration_ms': 1010, 'asyncmon.block.location': 'app.ts:5:3'}});
	});

	it('sets status ERROR and records the exception of a failure, its words redacted even where the recording is not', () => {
		const spans = build([
			header({traceId: TRACE, redacted: false}),
			event('task.start', {t: 0, id: 1, kind: 'script', name: 'app.ts', loc: null}),
			event('task.start', {t: 1, id: 2, parent: 1, name: "get('https://x.test/?token=abc123')"}),
			event('op.start', {t: 1, id: 3, parent: 2, kind: 'http', name: 'GET /', http: {method: 'get', url: 'https://bob:pw1@x.test/?token=abc123&page=2', client: 'undici'}}),
			event('op.end', {t: 2, id: 3, ok: false, error: {name: 'TypeError', message: 'fetch failed for https://x.test/?token=abc123', stack: 'TypeError: fetch failed\n    at get (app.ts:4:9)'}}),
			event('task.end', {t: 3, id: 2, ok: false, error: {name: 'TypeError', message: 'fetch failed'}}),
		]);
		const request = spans.find(span => span.kind === SpanKind.CLIENT)!;
		expect(request.name).toBe('GET');
		expect(request.attributes).toMatchObject({
			'http.request.method': 'GET',
			'http.request.method_original': 'get',
			'url.full': 'https://REDACTED:REDACTED@x.test/?token=REDACTED&page=2',
			'url.scheme': 'https',
			'server.address': 'x.test',
			'server.port': 443,
			'error.type': 'TypeError',
		});
		expect(request.status).toEqual({code: SpanStatusCode.ERROR, message: 'TypeError: fetch failed for https://x.test/?token=REDACTED'});
		expect(request.events.find(e => e.name === 'exception')?.attributes).toMatchObject({
			'exception.type': 'TypeError',
			'exception.message': 'fetch failed for https://x.test/?token=REDACTED',
			'exception.stacktrace': 'TypeError: fetch failed\n    at get (app.ts:4:9)',
		});
		const task = named(spans, 'get');
		expect(task.status.code).toBe(SpanStatusCode.ERROR);
		expect(task.attributes['asyncmon.task.call']).toBe("get('https://x.test/?token=REDACTED')");
		expect(JSON.stringify(spans.map(span => [span.name, span.attributes, span.events, span.status]))).not.toContain('abc123');
	});

	it('makes an HTTP answer of 4xx or 5xx a client error, with the status as error.type', () => {
		const spans = build([
			...root,
			event('op.start', {t: 1, id: 2, parent: 1, kind: 'http', name: 'POST /x', http: {method: 'POST', url: 'http://[::1]:8080/x'}}),
			event('op.phase', {t: 2, id: 2, phase: 'sent', queueMs: 0.5, connectMs: 0.25}),
			event('op.phase', {t: 4, id: 2, phase: 'headers', status: 503}),
			event('op.end', {t: 5, id: 2, status: 503, bytes: 12}),
		]);
		const request = spans.find(span => span.kind === SpanKind.CLIENT)!;
		expect(request.attributes).toMatchObject({'server.address': '::1', 'server.port': 8080, 'http.response.status_code': 503, 'error.type': '503', 'http.response.body.size': 12, 'asyncmon.http.download_ms': 1});
		expect(request.status.code).toBe(SpanStatusCode.ERROR);
		expect(request.events.map(e => [e.name, e.attributes])).toEqual([
			['http.request.sent', {'asyncmon.http.queue_ms': 0.5, 'asyncmon.http.connect_ms': 0.25}],
			['http.response.headers', {'asyncmon.http.ttfb_ms': 2, 'http.response.status_code': 503}],
		]);
	});

	describe('server tasks', () => {
		const CALLER_TRACE = 'c'.repeat(32);
		const CALLER_SPAN = 'd'.repeat(16);

		it('makes a SERVER span, a child of the caller span its traceparent names; its subtree joins the caller trace', () => {
			const spans = build([
				...root,
				event('task.start', {
					t: 5,
					id: 2,
					parent: 1,
					kind: 'server',
					name: 'GET /users',
					loc: null,
					http: {method: 'GET', url: '/users?id=7&api_key=k-secret', host: 'api.local:3000', traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`},
				}),
				event('task.start', {t: 6, id: 3, parent: 2, name: 'findUser(7)'}),
				event('op.start', {t: 6, id: 4, parent: 3, kind: 'http', name: 'GET /db', http: {method: 'GET', url: 'http://db.local/db'}}),
				event('op.end', {t: 7, id: 4, status: 200}),
				event('task.end', {t: 8, id: 3}),
				event('task.end', {t: 9, id: 2, status: 200}),
				event('task.end', {t: 10, id: 1}),
			]);
			const server = spans.find(span => span.kind === SpanKind.SERVER)!;
			expect(server.name).toBe('GET');
			expect(server.spanContext()).toMatchObject({traceId: CALLER_TRACE, spanId: spanIdOf(TRACE, 2)});
			expect(server.parentSpanContext).toMatchObject({traceId: CALLER_TRACE, spanId: CALLER_SPAN, isRemote: true});
			expect(server.attributes).toMatchObject({
				'http.request.method': 'GET',
				'url.path': '/users',
				'url.query': 'id=7&api_key=REDACTED',
				'server.address': 'api.local',
				'server.port': 3000,
				'http.response.status_code': 200,
			});
			expect(server.status.code).toBe(SpanStatusCode.UNSET);
			const child = named(spans, 'findUser');
			expect(child.spanContext().traceId).toBe(CALLER_TRACE);
			expect(child.parentSpanContext).toMatchObject({traceId: CALLER_TRACE, spanId: spanIdOf(TRACE, 2)});
			const request = spans.find(span => span.kind === SpanKind.CLIENT)!;
			expect(request.spanContext().traceId).toBe(CALLER_TRACE);
			expect(request.parentSpanContext?.spanId).toBe(child.spanContext().spanId);
			expect(named(spans, 'app.ts').spanContext().traceId).toBe(TRACE);
		});

		it("names a request by its method and the route its framework matched, as the HTTP conventions do, once its end tells the route", () => {
			const spans = build([
				...root,
				event('task.start', {t: 5, id: 2, parent: 1, kind: 'server', name: 'GET /users/7', loc: null, http: {method: 'GET', url: '/users/7?token=abc'}}),
				event('task.end', {t: 6, id: 2, status: 200, route: '/users/:id'}),
				event('task.start', {t: 7, id: 3, parent: 1, kind: 'server', name: 'GET /nowhere', loc: null, http: {method: 'GET', url: '/nowhere'}}),
				event('task.end', {t: 8, id: 3, status: 404}),
			]);
			const [matched, unmatched] = spans.filter(span => span.kind === SpanKind.SERVER);
			expect(matched!.name).toBe('GET /users/:id');
			expect(matched!.attributes).toMatchObject({'http.route': '/users/:id', 'url.path': '/users/7', 'url.query': 'token=REDACTED'});
			expect(unmatched!.name).toBe('GET');
			expect(unmatched!.attributes).not.toHaveProperty('http.route');
		});

		// Every view counts it failed; the export read it a success (status UNSET), named nothing.
		it('makes a request whose client went away an error, with no exception: before its answer, or as it was written', () => {
			const spans = build([
				...root,
				event('task.start', {t: 5, id: 2, parent: 1, kind: 'server', name: 'GET /slow', loc: null, http: {method: 'GET', url: '/slow'}}),
				event('task.end', {t: 6, id: 2, ok: false, aborted: true}),
				event('task.start', {t: 7, id: 3, parent: 1, kind: 'server', name: 'GET /stream', loc: null, http: {method: 'GET', url: '/stream'}}),
				event('task.end', {t: 9, id: 3, ok: false, aborted: true, status: 200}),
			]);
			const [gone, left] = spans.filter(span => span.kind === SpanKind.SERVER);
			expect(gone!.status).toEqual({code: SpanStatusCode.ERROR, message: 'aborted by the client'});
			expect(gone!.attributes['error.type']).toBe('client_aborted');
			expect(gone!.events.filter(e => e.name === 'exception')).toEqual([]);
			expect(left!.status).toEqual({code: SpanStatusCode.ERROR, message: 'the client left as the response was written'});
			expect(left!.attributes['http.response.status_code']).toBe(200);
		});

		it('starts no other trace for a request without a valid traceparent, and makes a 5xx answer an error', () => {
			const spans = build([
				...root,
				event('task.start', {t: 5, id: 2, parent: 1, kind: 'server', name: 'POST /x', loc: null, http: {method: 'POST', url: '/x', traceparent: '00-not-a-trace-01'}}),
				event('task.end', {t: 6, id: 2, status: 500}),
			]);
			const server = named(spans, 'POST');
			expect(server.spanContext().traceId).toBe(TRACE);
			expect(server.parentSpanContext).toMatchObject({traceId: TRACE, spanId: spanIdOf(TRACE, 1)});
			expect(server.status.code).toBe(SpanStatusCode.ERROR);
			expect(server.attributes['error.type']).toBe('500');
		});
	});

	it('ends what is still open when the session ends, marked unfinished, at its last moment', () => {
		const spans = build([...root, event('task.start', {t: 1, id: 2, parent: 1, name: 'forever()'}), event('task.await', {t: 2, id: 2, on: {kind: 'value'}}), event('exit', {t: 9})]);
		expect(spans.map(span => [span.name, span.attributes['asyncmon.unfinished']])).toEqual([
			['app.ts', true],
			['forever', true],
		]);
		expect(hrTimeToMilliseconds(named(spans, 'forever').endTime)).toBeCloseTo(STARTED_AT + 9, 3);
	});

	it("ends the tasks running as the script's own process.exit() ended it, as the reports finish them; what waited is unfinished", () => {
		const spans = build([
			...root,
			event('task.await', {t: 1, id: 1, on: {kind: 'promise'}}),
			event('task.start', {t: 2, id: 2, parent: 1, name: 'idle()'}),
			event('task.await', {t: 3, id: 2, on: {kind: 'value'}}),
			// A SIGINT handler that awaited its cleanup, resumed, and called process.exit(0).
			event('task.start', {t: 5, id: 3, parent: 1, name: "<process.on 'SIGINT' callback>()"}),
			event('task.await', {t: 6, id: 3, on: {kind: 'value'}}),
			event('task.resume', {t: 7, id: 3, readyAt: 7}),
			event('script.exit', {t: 8, code: 0, exitCall: {site: 'app.ts:9:3'}}),
			event('exit', {t: 12, code: 0, signal: null}),
		]);
		expect(spans.map(span => [span.name, span.attributes['asyncmon.unfinished'] ?? false])).toEqual([
			["<process.on 'SIGINT' callback>", false],
			['app.ts', true],
			['idle', true],
		]);
		expect(hrTimeToMilliseconds(named(spans, "<process.on 'SIGINT' callback>").endTime)).toBeCloseTo(STARTED_AT + 8, 3);
		// Killed by a signal, nothing ran to its end.
		const killed = build([...root, event('task.start', {t: 5, id: 3, parent: 1, name: 'busy()'}), event('script.exit', {t: 8, code: 0, exitCall: {site: 'app.ts:9:3'}}), event('exit', {t: 12, code: null, signal: 'SIGKILL'})]);
		expect(killed.every(span => span.attributes['asyncmon.unfinished'] === true)).toBe(true);
	});

	it('cuts a span at the SDK limits of events and links, counting what it dropped', () => {
		const many = Array.from({length: 200}, (_, i) => i + 10);
		const lines: ProtocolLine[] = [...root];
		for (const id of many) lines.push(event('task.start', {t: 1, id, parent: 1, name: 'leaf()'}), event('task.end', {t: 2, id}));
		for (let i = 0; i < 150; i++) lines.push(event('task.await', {t: 3 + i, id: 1, on: {kind: 'value'}}), event('task.resume', {t: 3.5 + i, id: 1, readyAt: 3.5 + i}));
		lines.push(event('task.await', {t: 200, id: 1, on: {kind: 'promise', tasks: many}}));
		const script = named(build(lines), 'app.ts');
		expect(script.events).toHaveLength(EVENTS_PER_SPAN);
		expect(script.droppedEventsCount).toBe(151 - EVENTS_PER_SPAN);
		expect(script.links).toHaveLength(LINKS_PER_SPAN);
		expect(script.droppedLinksCount).toBe(200 - LINKS_PER_SPAN);
	});

	it('gives a recording without a trace id in its header the same ids each time', () => {
		const old = header();
		delete old.traceId;
		const ids = () => build([old, event('task.start', {t: 0, id: 1, kind: 'script', name: 'app.ts', loc: null})]).map(span => span.spanContext());
		expect(ids()).toEqual(ids());
		expect(ids()[0]!.traceId).toBe(sessionTraceId(old));
	});
});
