import {MockOtlpServer, normalizeTrace} from '@elastic/mockotlpserver';
import {useStarted} from './use-started.js';

/** A span as @elastic/mockotlpserver's normalizeTrace gives it. */
export interface ReceivedSpan {
	traceId: string;
	spanId: string;
	parentSpanId?: string;
	name: string;
	kind: 'SPAN_KIND_INTERNAL' | 'SPAN_KIND_SERVER' | 'SPAN_KIND_CLIENT' | 'SPAN_KIND_PRODUCER' | 'SPAN_KIND_CONSUMER';
	startTimeUnixNano: string;
	endTimeUnixNano: string;
	status: {code: 'STATUS_CODE_UNSET' | 'STATUS_CODE_OK' | 'STATUS_CODE_ERROR'; message?: string};
	attributes: Record<string, unknown>;
	events: Array<{name: string; timeUnixNano: string; attributes: Record<string, unknown>}>;
	links: Array<{traceId: string; spanId: string; attributes: Record<string, unknown>}>;
}

/** A normalized ExportTraceServiceRequest. */
export interface ReceivedTrace {
	resourceSpans: Array<{resource: {attributes: Record<string, unknown>}; scopeSpans: Array<{scope: {name: string}; spans: ReceivedSpan[]}>}>;
}

/** Any OTLP JSON request (a received one, or a line of `--format otlp-json`) in the normalized shape. */
export function normalized(request: unknown): ReceivedTrace {
	return normalizeTrace(request) as ReceivedTrace;
}

export function spansOf(traces: readonly ReceivedTrace[]): ReceivedSpan[] {
	return traces.flatMap(trace => trace.resourceSpans.flatMap(resource => resource.scopeSpans.flatMap(scope => scope.spans)));
}

export function resourcesOf(traces: readonly ReceivedTrace[]): Array<Record<string, unknown>> {
	return traces.flatMap(trace => trace.resourceSpans.map(resource => resource.resource.attributes));
}

/** A real OTLP/HTTP receiver on 127.0.0.1, on a free port: what it received, decoded. */
export interface OtlpReceiver {
	/** `http://127.0.0.1:PORT`: the collector's base URL. */
	readonly url: string;
	readonly traces: ReceivedTrace[];
	/** Forgets what it received so far. */
	clear(): void;
	close(): Promise<void>;
}

/** The receiver for the tests around the call: started before them, closed after them. */
export function useOtlpReceiver(): () => OtlpReceiver {
	return useStarted(startOtlpReceiver);
}

async function startOtlpReceiver(): Promise<OtlpReceiver> {
	const traces: ReceivedTrace[] = [];
	const server = new MockOtlpServer({services: ['http'], httpHostname: '127.0.0.1', httpPort: 0, logLevel: 'warn', onTrace: trace => traces.push(normalized(trace))});
	await server.start();
	return {
		url: server.httpUrl!.origin,
		traces,
		clear: () => void traces.splice(0),
		close: () => server.close(),
	};
}
