import {detectResources, resourceAttributesEnvDetector, resourceFromAttributes, serviceNameEnvDetector, type Resource} from '@opentelemetry/resources';
import type {InstrumentationScope} from '@opentelemetry/core';
import {ATTR_SERVICE_NAME} from '@opentelemetry/semantic-conventions';
import type {HeaderEvent} from '../protocol/events.js';

/** Who made the spans. */
export const INSTRUMENTATION_SCOPE: InstrumentationScope = {name: 'asyncmon'};

/**
 * The process a session ran: the service is named after the script (`api/server.ts` is `server`) unless
 * `OTEL_SERVICE_NAME` says otherwise; `OTEL_RESOURCE_ATTRIBUTES` adds to it, as for any OpenTelemetry SDK.
 */
export function sessionResource(header: HeaderEvent): Resource {
	const script = header.script.split(/[\\/]/).pop() ?? header.script;
	const own = resourceFromAttributes({
		[ATTR_SERVICE_NAME]: script.replace(/\.[cm]?[jt]sx?$/, '') || script,
		'process.pid': header.pid,
		'process.runtime.name': 'nodejs',
		'process.runtime.version': header.node.replace(/^v/, ''),
	});
	return own.merge(detectResources({detectors: [resourceAttributesEnvDetector, serviceNameEnvDetector]}));
}
