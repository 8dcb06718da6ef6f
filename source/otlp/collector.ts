import {ExportResultCode} from '@opentelemetry/core';
import {OTLPTraceExporter} from '@opentelemetry/exporter-trace-otlp-http';
import type {ReadableSpan, SpanExporter} from '@opentelemetry/sdk-trace';

/**
 * The OpenTelemetry SDK's OTLP/HTTP (JSON) exporter for `endpoint`. Headers come from
 * `OTEL_EXPORTER_OTLP_HEADERS` / `OTEL_EXPORTER_OTLP_TRACES_HEADERS`, as for any OpenTelemetry SDK.
 * `timeoutMillis` bounds one export, retries included.
 */
export function collectorExporter(endpoint: string, timeoutMillis: number): SpanExporter {
	return new OTLPTraceExporter({url: endpoint, timeoutMillis});
}

/** One export, as a promise: rejected with the exporter's error when the collector did not take the spans. */
export function exportBatch(exporter: SpanExporter, spans: ReadableSpan[]): Promise<void> {
	return new Promise((resolve, reject) => {
		exporter.export(spans, result => {
			if (result.code === ExportResultCode.SUCCESS) resolve();
			else reject(result.error ?? new Error('the collector did not take the spans'));
		});
	});
}

/** An export failure in one line: a network error's own words (`connect ECONNREFUSED 127.0.0.1:4318`), or the collector's status. */
export function failureReason(error: unknown): string {
	if (!(error instanceof Error)) return String(error);
	const code = (error as {code?: unknown}).code;
	const message = error.message.split('\n')[0] || error.name;
	if (typeof code === 'number') return `the collector answered ${code}${message ? ` (${message})` : ''}`;
	if (typeof code === 'string' && !message.includes(code)) return `${code}: ${message}`;
	return message;
}
