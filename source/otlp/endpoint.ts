import {redactUrl} from '../protocol/redaction.js';

const TRACES_PATH = '/v1/traces';

/**
 * Where a collector takes spans over OTLP/HTTP, from its base URL (`http://127.0.0.1:4318` →
 * `http://127.0.0.1:4318/v1/traces`); a URL that names the traces path already is kept. Null for anything that
 * is not an http(s) URL.
 */
export function tracesEndpoint(base: string): string | null {
	let url: URL;
	try {
		url = new URL(base);
	} catch {
		return null;
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
	const path = url.pathname.replace(/\/+$/, '');
	if (!path.endsWith(TRACES_PATH)) url.pathname = `${path}${TRACES_PATH}`;
	return url.href;
}

/** The endpoint as it may be shown: a collector's credentials in its URL are not. */
export function shownEndpoint(endpoint: string): string {
	return redactUrl(endpoint);
}
