/** A request's site is its method and host: the script's process folds by it, and the model counts by it. */
export function hostOf(url: string): string {
	// A URL's host is its origin's: each origin is parsed once, not each request's URL at every pass of the insights.
	// Found in place, not in a copy of the URL's tail: retention folds each finished request through here.
	const authority = url.indexOf('//');
	AUTHORITY_END.lastIndex = authority + 2;
	const end = authority === -1 ? null : AUTHORITY_END.exec(url);
	const origin = end ? url.slice(0, end.index) : url;
	let host = hostsByOrigin.get(origin);
	if (host === undefined) {
		if (hostsByOrigin.size >= MAX_ORIGINS_KEPT) hostsByOrigin.clear();
		host = parsedHost(origin);
		hostsByOrigin.set(origin, host);
	}
	return host;
}

/** Where an authority ends: a path, a query, a fragment, or a backslash (a path to the URL parser). */
const AUTHORITY_END = /[/?#\\]/g;
const MAX_ORIGINS_KEPT = 1024;
const hostsByOrigin = new Map<string, string>();

function parsedHost(url: string): string {
	try {
		return new URL(url).host || url;
	} catch {
		return url;
	}
}
