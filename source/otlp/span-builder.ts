import {type Attributes, type HrTime, type Link, type SpanContext, SpanKind, SpanStatusCode, TraceFlags} from '@opentelemetry/api';
import {addHrTimes, hrTimeDuration, millisToHrTime} from '@opentelemetry/core';
import type {Resource} from '@opentelemetry/resources';
import type {ReadableSpan, TimedEvent} from '@opentelemetry/sdk-trace';
import {
	ATTR_CODE_COLUMN_NUMBER,
	ATTR_CODE_FILE_PATH,
	ATTR_CODE_FUNCTION_NAME,
	ATTR_CODE_LINE_NUMBER,
	ATTR_ERROR_TYPE,
	ATTR_EXCEPTION_MESSAGE,
	ATTR_EXCEPTION_STACKTRACE,
	ATTR_EXCEPTION_TYPE,
	ATTR_HTTP_RESPONSE_STATUS_CODE,
	ATTR_HTTP_ROUTE,
} from '@opentelemetry/semantic-conventions';
import {type AsyncmonEvent, type ErrorInfo, type HeaderEvent, isScriptsMainThreadId, type Location, type Ms, type ProcessDetails, type ProcessExit, type ProtocolLine, type WaitTarget} from '../protocol/events.js';
import {laneRootOf} from '../protocol/child-config.js';
import {functionName} from '../protocol/function-name.js';
import {redactText} from '../protocol/redaction.js';
import {parseTraceparent, sessionTraceId, spanIdOf, type TraceId} from '../protocol/trace-context.js';
import {clientRequestAttributes, clientUrlAttributes, httpMethod, serverRequestAttributes} from './http-attributes.js';
import {INSTRUMENTATION_SCOPE, sessionResource} from './resource.js';
import {keepLatest} from '../protocol/keep-latest.js';

/** As the SDK's default span limits: a span with more is cut, and says how much it lost. */
export const EVENTS_PER_SPAN = 128;
export const LINKS_PER_SPAN = 128;

/** A task's or an op's span while it lasts. */
interface OpenSpan {
	/** A request served is named by its method until its framework's route is known, at its end. */
	name: string;
	readonly kind: SpanKind;
	readonly context: SpanContext;
	readonly parent: SpanContext | undefined;
	readonly start: Ms;
	readonly attributes: Attributes;
	readonly events: TimedEvent[];
	readonly links: Link[];
	droppedEvents: number;
	droppedLinks: number;
	/** A task's, not an op's. */
	readonly task: boolean;
	/** A task between its await and its resume. */
	waiting: boolean;
	/** Its latest await, whose wait is measured when the task resumes. */
	await: {t: Ms; event: TimedEvent} | null;
	/** HTTP: when the request was sent and the response's headers came. */
	sentAt?: Ms;
	headersAt?: Ms;
	status: {code: SpanStatusCode; message?: string};
}

interface BlockStart {
	t: Ms;
	task: number | null;
	location?: Location;
}

/** Names besides the semantic conventions' are asyncmon's own, under `asyncmon.`. */
const ATTR = {
	id: 'asyncmon.id',
	kind: 'asyncmon.kind',
	call: 'asyncmon.task.call',
	busyMs: 'asyncmon.task.busy_ms',
	waitMs: 'asyncmon.task.wait_ms',
	schedMs: 'asyncmon.task.sched_ms',
	awaits: 'asyncmon.task.awaits',
	unfinished: 'asyncmon.unfinished',
	cancelled: 'asyncmon.op.cancelled',
	timerDelayMs: 'asyncmon.timer.delay_ms',
	timerRepeat: 'asyncmon.timer.repeat',
	timerFires: 'asyncmon.timer.fires',
	timerLateMs: 'asyncmon.timer.late_ms',
	bytes: 'http.response.body.size',
	thread: 'thread.id',
	pid: 'process.pid',
	commandLine: 'process.command_line',
	exitCode: 'process.exit.code',
	signal: 'asyncmon.process.signal',
} as const;

/** A child process's span: its pid and command line, the semantic conventions' process attributes. */
function processAttributes(details: ProcessDetails | undefined): Attributes {
	if (!details) return {};
	return details.pid === undefined ? {[ATTR.commandLine]: details.command} : {[ATTR.pid]: details.pid, [ATTR.commandLine]: details.command};
}

/** How it ended: its exit code, or the signal that killed it. */
function exitAttributes(exit: ProcessExit | undefined): Attributes {
	if (!exit) return {};
	return exit.signal ? {[ATTR.signal]: exit.signal} : exit.code === null ? {} : {[ATTR.exitCode]: exit.code};
}

/**
 * Spans from a session's events, one per task and op, handed on as each ends: fed live by the session pipeline
 * (run, demo, connect) or with a recording's lines (report). It keeps only what is still open, so a long session
 * costs memory by what runs at once, not by its length.
 *
 * - a task is an INTERNAL span under its parent task's; a `server` task a SERVER span, a child of the caller's
 *   span when its request carried a `traceparent` (its subtree then joins the caller's trace);
 * - an HTTP request is a CLIENT span, timers, fs and dns calls INTERNAL spans, under the task that made them;
 * - awaits and blocks are span events, `Promise.all` over tasks or ops links to their spans;
 * - a failure sets status ERROR and records the exception.
 * Span ids come from trace-context.ts, as the child's `traceparent`s name them.
 */
/** `error.type` of a request served whose client went away first: no status code or exception names it. */
const CLIENT_ABORTED = 'client_aborted';

export class SpanBuilder {
	private header: HeaderEvent | null = null;
	private resource: Resource | null = null;
	private sessionTrace: TraceId = '';
	private startTime: HrTime = [0, 0];
	private readonly open = new Map<number, OpenSpan>();
	/** Tasks and ops in another trace than the session's (under a server task with a `traceparent`), for their children. */
	private readonly foreignTraces = new Map<number, TraceId>();
	private readonly blocks = new Map<number, BlockStart>();
	/**
	 * Block events whose block's stack had not come by its end (a native call's is read once the call returns, and
	 * comes by the watchdog's pipe): it names their location when it comes, in a span not yet handed on. The latest few.
	 */
	private readonly blocksAwaitingStack = new Map<number, Attributes>();
	private rootId: number | null = null;
	private lastT: Ms = 0;
	/** When the script's own process.exit() ended its process, if it did. */
	private exitCalledAt: Ms | null = null;
	/** Spans handed on so far. */
	spans = 0;

	constructor(private readonly onSpan: (span: ReadableSpan) => void) {}

	take(line: ProtocolLine): void {
		if (line.type === 'header') {
			this.header = line;
			this.sessionTrace = sessionTraceId(line);
			this.startTime = millisToHrTime(line.startedAt);
			this.resource = sessionResource(line);
			return;
		}
		// No header, no clock or trace: the child session delivers it first.
		if (!this.header) return;
		if (line.t > this.lastT) this.lastT = line.t;
		this.apply(line);
	}

	/** The session is over: what is still open ends at its last moment, marked unfinished. */
	end(): void {
		for (const [id, span] of this.open) {
			span.attributes[ATTR.unfinished] = true;
			this.close(id, span, this.lastT);
		}
	}

	private apply(event: AsyncmonEvent): void {
		switch (event.type) {
			case 'task.start': {
				this.rootId ??= event.parent === null ? event.id : null;
				const remote = event.kind === 'server' && event.http?.traceparent ? parseTraceparent(event.http.traceparent) : null;
				const {name, attributes} = event.kind === 'server' && event.http ? serverRequestAttributes(event.http) : taskNaming(event.name);
				attributes[ATTR.id] = event.id;
				attributes[ATTR.kind] = event.kind;
				if (event.thread !== undefined) attributes[ATTR.thread] = event.thread;
				Object.assign(attributes, codeAttributes(event.loc), processAttributes(event.process));
				const parent = remote ? {traceId: remote.traceId, spanId: remote.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true} : this.contextOf(event.parent);
				this.openSpan(event.id, event.t, {name, kind: event.kind === 'server' ? SpanKind.SERVER : SpanKind.INTERNAL, parent, attributes, task: true});
				break;
			}
			case 'task.await': {
				const span = this.open.get(event.id);
				if (!span) break;
				span.waiting = true;
				const attributes: Attributes = {'asyncmon.await.on': describeTarget(event.on)};
				if (event.site) attributes['asyncmon.await.site'] = event.site;
				if (event.dependent) attributes['asyncmon.await.dependent'] = true;
				const awaited: TimedEvent = {name: 'await', time: this.time(event.t), attributes};
				span.await = this.addEvent(span, awaited) ? {t: event.t, event: awaited} : null;
				if (event.on.kind === 'promise') for (const id of [...(event.on.tasks ?? []), ...(event.on.ops ?? [])]) this.addLink(span, id);
				break;
			}
			case 'task.resume': {
				const span = this.open.get(event.id);
				if (!span) break;
				span.waiting = false;
				if (!span.await) break;
				span.await.event.attributes!['asyncmon.await.wait_ms'] = round(event.readyAt - span.await.t);
				span.await.event.attributes!['asyncmon.await.sched_ms'] = round(event.t - event.readyAt);
				span.await = null;
				break;
			}
			case 'task.end': {
				const span = this.open.get(event.id);
				if (!span) break;
				Object.assign(span.attributes, exitAttributes(event.exit), {
					[ATTR.busyMs]: round(event.busy),
					[ATTR.waitMs]: round(event.wait),
					[ATTR.schedMs]: round(event.sched),
					[ATTR.awaits]: event.awaits,
				});
				if (event.error) this.fail(span, event.t, event.error);
				// As the HTTP conventions name a server span whose route is known: `GET /users/:id`.
				if (event.route !== undefined && span.kind === SpanKind.SERVER) {
					const route = redactText(event.route);
					span.attributes[ATTR_HTTP_ROUTE] = route;
					span.name = `${span.name} ${route}`;
				}
				if (event.status !== undefined) {
					span.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = event.status;
					// A server's 4xx is the client's mistake, answered as it should be; a 5xx is the server's failure.
					if (event.status >= 500) {
						span.attributes[ATTR_ERROR_TYPE] ??= String(event.status);
						span.status = {code: SpanStatusCode.ERROR};
					}
				}
				// A request whose client went away failed, as every view counts it, with no error of the script's to record.
				if (event.aborted && span.status.code !== SpanStatusCode.ERROR) {
					span.attributes[ATTR_ERROR_TYPE] ??= CLIENT_ABORTED;
					span.status = {code: SpanStatusCode.ERROR, message: event.status === undefined ? 'aborted by the client' : 'the client left as the response was written'};
				}
				this.close(event.id, span, event.t);
				break;
			}
			case 'op.start': {
				const attributes: Attributes = {[ATTR.id]: event.id, [ATTR.kind]: event.kind, ...codeAttributes(event.loc ?? null), ...processAttributes(event.process)};
				let name = redactText(event.name);
				if (event.http) {
					Object.assign(attributes, clientRequestAttributes(event.http));
					name = httpMethod(event.http.method).method;
				}
				if (event.timer) Object.assign(attributes, {[ATTR.timerDelayMs]: event.timer.delayMs, [ATTR.timerRepeat]: event.timer.repeat});
				this.openSpan(event.id, event.t, {name, kind: event.http ? SpanKind.CLIENT : SpanKind.INTERNAL, parent: this.contextOf(event.parent), attributes, task: false});
				break;
			}
			case 'op.dequeued': {
				// A request queued in a pool: its whole URL is known once it is made.
				const span = this.open.get(event.id);
				if (span && event.url !== undefined) Object.assign(span.attributes, clientUrlAttributes(event.url));
				break;
			}
			case 'op.phase': {
				const span = this.open.get(event.id);
				if (!span) break;
				if (event.phase === 'sent') {
					span.sentAt = event.t;
					this.addEvent(span, {
						name: 'http.request.sent',
						time: this.time(event.t),
						attributes: {'asyncmon.http.queue_ms': round(event.queueMs ?? 0), 'asyncmon.http.connect_ms': round(event.connectMs ?? 0)},
					});
				} else {
					span.headersAt = event.t;
					const attributes: Attributes = {};
					if (span.sentAt !== undefined) attributes['asyncmon.http.ttfb_ms'] = round(event.t - span.sentAt);
					if (event.status !== undefined) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = event.status;
					this.addEvent(span, {name: 'http.response.headers', time: this.time(event.t), attributes});
				}
				break;
			}
			case 'op.fire': {
				const span = this.open.get(event.id);
				if (!span) break;
				span.attributes[ATTR.timerFires] = Number(span.attributes[ATTR.timerFires] ?? 0) + 1;
				span.attributes[ATTR.timerLateMs] = Math.max(Number(span.attributes[ATTR.timerLateMs] ?? 0), round(event.lateMs));
				break;
			}
			case 'op.end': {
				const span = this.open.get(event.id);
				if (!span) break;
				if (event.cancelled) span.attributes[ATTR.cancelled] = true;
				Object.assign(span.attributes, exitAttributes(event.exit));
				if (event.lateMs !== undefined) span.attributes[ATTR.timerLateMs] = Math.max(Number(span.attributes[ATTR.timerLateMs] ?? 0), round(event.lateMs));
				if (event.bytes !== undefined && span.kind === SpanKind.CLIENT) span.attributes[ATTR.bytes] = event.bytes;
				if (span.headersAt !== undefined) span.attributes['asyncmon.http.download_ms'] = round(event.t - span.headersAt);
				if (event.status !== undefined) {
					span.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = event.status;
					// For a client, any 4xx or 5xx answer is an error (the HTTP semantic conventions).
					if (event.status >= 400) {
						span.attributes[ATTR_ERROR_TYPE] = String(event.status);
						span.status = {code: SpanStatusCode.ERROR};
					}
				}
				if (event.error) this.fail(span, event.t, event.error);
				else if (!event.ok) span.status = {code: SpanStatusCode.ERROR};
				this.close(event.id, span, event.t);
				break;
			}
			case 'block.start':
				this.blocks.set(event.id, {t: event.t, task: event.task});
				break;
			case 'script.exit':
				this.exitCalledAt = event.exitCall ? event.t : null;
				break;
			case 'exit':
				if (this.exitCalledAt !== null && event.signal === null) this.endExitCallers(this.exitCalledAt);
				break;
			case 'block.stack': {
				const location = event.frames[0]?.loc;
				const block = this.blocks.get(event.id);
				if (block && location) block.location = location;
				const ended = this.blocksAwaitingStack.get(event.id);
				if (ended && location) ended['asyncmon.block.location'] = location;
				this.blocksAwaitingStack.delete(event.id);
				break;
			}
			case 'block.end':
				this.blocked(event.id, event.t, event.durationMs, event.task, event.exact, event.starved === true);
				break;
			default:
				break;
		}
	}

	/**
	 * The script's own process.exit() ended its process: the tasks of its main thread still running then (the one
	 * that called it, and those that called that one without awaiting) end with it, as the model has them finish
	 * (see finishExitCallers in model/reducer.ts). What still waited was cut off, and is ended unfinished.
	 */
	private endExitCallers(t: Ms): void {
		for (const [id, span] of this.open) {
			if (span.task && !span.waiting && isScriptsMainThreadId(id)) this.close(id, span, t);
		}
	}

	private openSpan(id: number, t: Ms, init: {name: string; kind: SpanKind; parent: SpanContext | undefined; attributes: Attributes; task: boolean}): void {
		const traceId = init.parent?.traceId ?? this.sessionTrace;
		if (traceId !== this.sessionTrace) this.noteForeignTrace(id, traceId);
		this.open.set(id, {
			...init,
			context: {traceId, spanId: spanIdOf(this.sessionTrace, id), traceFlags: TraceFlags.SAMPLED},
			start: t,
			events: [],
			links: [],
			droppedEvents: 0,
			droppedLinks: 0,
			waiting: false,
			await: null,
			status: {code: SpanStatusCode.UNSET},
		});
	}

	/** The span of task or op `id`, for a child's parent or a link. */
	private contextOf(id: number | null): SpanContext | undefined {
		if (id === null) return undefined;
		return {traceId: this.foreignTraces.get(id) ?? this.sessionTrace, spanId: spanIdOf(this.sessionTrace, id), traceFlags: TraceFlags.SAMPLED};
	}

	/** Kept past the node's end (a callback it scheduled may start children later), the oldest forgotten beyond a bound. */
	private noteForeignTrace(id: number, traceId: TraceId): void {
		keepLatest(this.foreignTraces, id, traceId, FOREIGN_TRACES_KEPT);
	}

	private addEvent(span: OpenSpan, event: TimedEvent): boolean {
		if (span.events.length >= EVENTS_PER_SPAN) {
			span.droppedEvents++;
			return false;
		}
		span.events.push(event);
		return true;
	}

	private addLink(span: OpenSpan, id: number): void {
		if (span.links.length >= LINKS_PER_SPAN) {
			span.droppedLinks++;
			return;
		}
		span.links.push({context: this.contextOf(id)!, attributes: {'asyncmon.link': 'joined'}});
	}

	/** Status ERROR and the exception, as `Span.recordException` records it; words from the script are redacted. */
	private fail(span: OpenSpan, t: Ms, error: ErrorInfo): void {
		const type = redactText(error.name);
		const message = redactText(error.message);
		span.status = {code: SpanStatusCode.ERROR, message: message ? `${type}: ${message}` : type};
		span.attributes[ATTR_ERROR_TYPE] ??= type;
		const attributes: Attributes = {[ATTR_EXCEPTION_TYPE]: type, [ATTR_EXCEPTION_MESSAGE]: message};
		if (error.stack) attributes[ATTR_EXCEPTION_STACKTRACE] = redactText(error.stack);
		this.addEvent(span, {name: 'exception', time: this.time(t), attributes});
	}

	/**
	 * A block is an event of the task it blocked in, or, when that task's span has ended (the watchdog's lines come
	 * by a pipe of their own), of its process's: the script's span, or a followed process's lane (see laneIdBase).
	 */
	private blocked(id: number, t: Ms, durationMs: Ms, task: number | null, exact: boolean, starved: boolean): void {
		const start = this.blocks.get(id);
		this.blocks.delete(id);
		if (starved) return;
		const taskId = task ?? start?.task ?? null;
		const processRoot = laneRootOf(id) ?? this.rootId;
		const span = (taskId === null ? undefined : this.open.get(taskId)) ?? (processRoot === null ? undefined : this.open.get(processRoot));
		if (!span) return;
		const attributes: Attributes = {'asyncmon.block.duration_ms': round(durationMs), 'asyncmon.block.exact': exact};
		if (taskId !== null) attributes['asyncmon.block.task'] = taskId;
		if (start?.location) attributes['asyncmon.block.location'] = start.location;
		if (!this.addEvent(span, {name: 'block', time: this.time(start?.t ?? t - durationMs), attributes}) || !start || start.location) return;
		keepLatest(this.blocksAwaitingStack, id, attributes, BLOCKS_AWAITING_STACK);
	}

	private close(id: number, span: OpenSpan, t: Ms): void {
		this.open.delete(id);
		const startTime = this.time(span.start);
		const endTime = this.time(Math.max(t, span.start));
		this.spans++;
		this.onSpan({
			name: span.name,
			kind: span.kind,
			spanContext: () => span.context,
			parentSpanContext: span.parent,
			startTime,
			endTime,
			duration: hrTimeDuration(startTime, endTime),
			status: span.status,
			attributes: span.attributes,
			links: span.links,
			events: span.events,
			ended: true,
			resource: this.resource!,
			instrumentationScope: INSTRUMENTATION_SCOPE,
			droppedAttributesCount: 0,
			droppedEventsCount: span.droppedEvents,
			droppedLinksCount: span.droppedLinks,
		});
	}

	private time(t: Ms): HrTime {
		return addHrTimes(this.startTime, millisToHrTime(t));
	}
}

/** Server tasks in another trace remembered for their late children; a bound, not a budget. */
const FOREIGN_TRACES_KEPT = 100_000;
/** How many block events wait for their stack at most (see blocksAwaitingStack). */
const BLOCKS_AWAITING_STACK = 16;

const round = (ms: Ms): number => Math.round(ms * 1000) / 1000;

/** `fetchUser(42)` is the span `fetchUser`: names stay few, as backends group by them; the call itself is an attribute. */
function taskNaming(call: string): {name: string; attributes: Attributes} {
	const safe = redactText(call);
	const name = functionName(safe);
	const attributes: Attributes = {[ATTR_CODE_FUNCTION_NAME]: name};
	if (name !== safe) attributes[ATTR.call] = safe;
	return {name, attributes};
}

const LOCATION = /^(.*):(\d+):(\d+)$/;

function codeAttributes(loc: Location | null): Attributes {
	const match = loc ? LOCATION.exec(loc) : null;
	if (!match) return {};
	return {[ATTR_CODE_FILE_PATH]: match[1]!, [ATTR_CODE_LINE_NUMBER]: Number(match[2]), [ATTR_CODE_COLUMN_NUMBER]: Number(match[3])};
}

function describeTarget(on: WaitTarget): string {
	switch (on.kind) {
		case 'task':
			return `task ${on.id}`;
		case 'op':
			return `op ${on.id}`;
		case 'promise': {
			const events = (on.events ?? []).map(({event, source}) => `'${event}' of ${source}`);
			const parts = [on.tasks?.length ? `tasks ${on.tasks.join(', ')}` : '', on.ops?.length ? `ops ${on.ops.join(', ')}` : '', events.length ? `events ${events.join(', ')}` : ''].filter(Boolean);
			return parts.length ? `all of ${parts.join('; ')}` : 'a promise';
		}
		case 'peer':
			return `a reply from ${on.address}`;
		case 'event':
			return `the event '${on.event}' of ${on.source}`;
		case 'response':
			return 'its response being written';
		case 'value':
			return 'a value';
	}
}
