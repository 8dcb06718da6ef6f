import {JsonTraceSerializer} from '@opentelemetry/otlp-transformer';
import type {ReadableSpan} from '@opentelemetry/sdk-trace';

const utf8 = new TextDecoder();

/** An OTLP JSON `ExportTraceServiceRequest` of `spans`, serialized by the OpenTelemetry SDK, as one line. */
export function otlpJsonLine(spans: ReadableSpan[]): string {
	const bytes = JsonTraceSerializer.serializeRequest(spans);
	return `${bytes ? utf8.decode(bytes) : '{"resourceSpans":[]}'}\n`;
}
