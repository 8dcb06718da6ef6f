import {shownEndpoint, tracesEndpoint} from '../otlp/endpoint.js';
import type {LiveSpanExport} from '../otlp/live-export.js';
import {UsageError} from './usage-error.js';

/** `--otlp <url>`: the collector's traces endpoint, or a usage error for what is no http(s) base URL. */
export function otlpEndpointOf(url: string | undefined): string | undefined {
	if (url === undefined) return undefined;
	const endpoint = tracesEndpoint(url);
	if (endpoint === null) throw new UsageError(`--otlp needs the collector's http(s) base URL, e.g. http://127.0.0.1:4318; got '${url}'`);
	return endpoint;
}

/** The export module and the OpenTelemetry SDK load only for `--otlp`: a plain run starts without them. */
export async function liveSpanExport(endpoint: string, onFailure: (message: string) => void): Promise<LiveSpanExport> {
	const {LiveSpanExport} = await import('../otlp/live-export.js');
	return new LiveSpanExport({endpoint, onFailure});
}

/** Said once the export closed: how many spans never reached the collector. */
export function undeliveredText(exported: {undelivered: number; spans: number} | undefined, endpoint: string | undefined): string | null {
	if (!exported?.undelivered || endpoint === undefined) return null;
	return `asyncmon: OTLP export: ${exported.undelivered} of ${exported.spans} spans were not delivered to ${shownEndpoint(endpoint)}\n`;
}
