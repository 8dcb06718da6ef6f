/** Query parameters whose values are secrets often enough that recordings never keep them. */
const SECRET_PARAM = /(token|key|secret|password|passwd|pwd|auth|session|signature|sig|credential|code)/i;
export const REDACTED = 'REDACTED';

/** URL userinfo and token-like query values are replaced; everything else is kept. */
export function redactUrl(raw: string): string {
	// No '@', no '?': no userinfo and no query, so nothing to redact and no parse (a few µs a request).
	if (!raw.includes('@') && !raw.includes('?')) return raw;
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		return raw;
	}
	if (url.username) url.username = REDACTED;
	if (url.password) url.password = REDACTED;
	for (const name of [...url.searchParams.keys()]) {
		if (SECRET_PARAM.test(name)) url.searchParams.set(name, REDACTED);
	}
	return url.href;
}
