import type {Attributes} from '@opentelemetry/api';
import {
	ATTR_HTTP_REQUEST_METHOD,
	ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
	ATTR_SERVER_ADDRESS,
	ATTR_SERVER_PORT,
	ATTR_URL_FULL,
	ATTR_URL_PATH,
	ATTR_URL_QUERY,
	ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type {HttpDetails, ServerRequestDetails} from '../protocol/events.js';
import {redactText, redactUrl} from '../protocol/redaction.js';

/** The methods the HTTP semantic conventions know; any other is `_OTHER`, its own spelling kept apart. */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE', 'QUERY']);

export function httpMethod(method: string): {method: string; original?: string} {
	const upper = method.toUpperCase();
	if (!KNOWN_METHODS.has(upper)) return {method: '_OTHER', original: method};
	return upper === method ? {method} : {method: upper, original: method};
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = {'http:': 80, 'https:': 443};

function methodAttributes(raw: string): Attributes {
	const {method, original} = httpMethod(raw);
	const attributes: Attributes = {[ATTR_HTTP_REQUEST_METHOD]: method};
	if (original !== undefined) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = original;
	return attributes;
}

/**
 * A CLIENT span's request attributes (stable HTTP semantic conventions). The URL is redacted again, whatever the
 * recording's `--no-redact`: spans leave the machine.
 */
export function clientRequestAttributes(http: HttpDetails): Attributes {
	const attributes = {...methodAttributes(http.method), ...clientUrlAttributes(http.url)};
	if (http.client) attributes['asyncmon.http.client'] = http.client;
	return attributes;
}

/** A CLIENT span's URL attributes; the server's address and port only where the URL is whole (see op.dequeued). */
export function clientUrlAttributes(text: string): Attributes {
	let url: URL | null = null;
	try {
		url = new URL(text);
	} catch {}
	const attributes: Attributes = {[ATTR_URL_FULL]: url ? redactUrl(text) : redactText(text)};
	if (url) {
		attributes[ATTR_URL_SCHEME] = url.protocol.slice(0, -1);
		attributes[ATTR_SERVER_ADDRESS] = url.hostname.replace(/^\[(.*)\]$/, '$1');
		const port = url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol];
		if (port !== undefined) attributes[ATTR_SERVER_PORT] = port;
	}
	return attributes;
}

/** A SERVER span's name as it starts (its method: its route is known at its end) and request attributes. */
export function serverRequestAttributes(http: ServerRequestDetails): {name: string; attributes: Attributes} {
	const attributes = methodAttributes(http.method);
	const target = redactText(http.url);
	const queryAt = target.indexOf('?');
	attributes[ATTR_URL_PATH] = queryAt === -1 ? target : target.slice(0, queryAt);
	if (queryAt !== -1) attributes[ATTR_URL_QUERY] = target.slice(queryAt + 1);
	const host = http.host ? /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(http.host) : null;
	if (host) {
		attributes[ATTR_SERVER_ADDRESS] = host[1]!.replace(/^\[(.*)\]$/, '$1');
		if (host[2]) attributes[ATTR_SERVER_PORT] = Number(host[2]);
	}
	return {name: String(attributes[ATTR_HTTP_REQUEST_METHOD]), attributes};
}
