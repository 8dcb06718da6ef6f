// The rules for what a recording never keeps, shared by both sides: the runtime applies them to what the script
// does, the monitor to what it records itself (a header it makes up for a child that died before saying hello).
/**
 * Names whose values are secrets often enough that recordings never keep them: a query parameter is
 * redacted when its whole name, or any word of it (`access_token`, `X-Amz-Signature`, `sessionId`), is one
 * of these. The README's "Security" section lists them.
 */
export const SECRET_NAMES: ReadonlySet<string> = new Set([
	'token',
	'access_token',
	'refresh_token',
	'id_token',
	'api_key',
	'apikey',
	'key',
	'secret',
	'client_secret',
	'password',
	'passwd',
	'pass',
	'pwd',
	'auth',
	'authorization',
	'credential',
	'credentials',
	'jwt',
	'bearer',
	'session',
	'sid',
	'sig',
	'signature',
	'x-amz-signature',
	'x-amz-credential',
	'code',
	'private',
	'private_key',
]);
export const REDACTED = 'REDACTED';

/** Word boundaries inside a parameter name: separators, and lower-to-upper case changes. */
const WORDS = /[-_.]+|(?<=[a-z0-9])(?=[A-Z])/;

export function isSecretName(name: string): boolean {
	return SECRET_NAMES.has(name.toLowerCase()) || name.split(WORDS).some(word => SECRET_NAMES.has(word.toLowerCase()));
}

/**
 * A function parameter whose value is shown as REDACTED in its calls' names: narrower than a query's names
 * (`key`, `code`, `session` name a cache key, a status, a session object as often as a secret), so only the
 * words that mean a secret, and whole names made of two that do (`apiKey`, `private_key`).
 */
const SECRET_PARAMETER_WORDS: ReadonlySet<string> = new Set(['password', 'passwd', 'passphrase', 'pwd', 'secret', 'token', 'credential', 'credentials', 'jwt', 'bearer', 'signature']);
const SECRET_PARAMETER_NAMES: ReadonlySet<string> = new Set(['apikey', 'privatekey', 'accesskey', 'secretkey', 'authkey']);

export function isSecretParameterName(name: string): boolean {
	return SECRET_PARAMETER_NAMES.has(name.replace(/[-_]/g, '').toLowerCase()) || name.split(WORDS).some(word => SECRET_PARAMETER_WORDS.has(word.toLowerCase()));
}

/** `scheme://userinfo@`, for a URL the parser refuses (cut short, say) whose credentials must still go. */
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/i;

/** Put before a request target (`/path?query`) to parse it: joined as text, so `//host/x` stays a path. */
const TARGET_ORIGIN = 'http://target.invalid';

/** URL userinfo and secret-named query values are replaced; everything else is kept, as it was written. */
export function redactUrl(raw: string): string {
	// No '@', no '?': no userinfo and no query, so nothing to redact and no parse (a few µs a request).
	if (!raw.includes('@') && !raw.includes('?')) return raw;
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		return raw.replace(USERINFO, `$1${REDACTED}@`);
	}
	let changed = false;
	if (url.username) {
		url.username = REDACTED;
		changed = true;
	}
	if (url.password) {
		url.password = REDACTED;
		changed = true;
	}
	for (const name of [...url.searchParams.keys()]) {
		if (!isSecretName(name)) continue;
		url.searchParams.set(name, REDACTED);
		changed = true;
	}
	// The parser normalises what it reads (case, escapes): a URL with no secret in it is kept byte for byte.
	return changed ? url.href : raw;
}

/**
 * A request's target as a server received it, redacted as redactUrl redacts a URL: the path and query
 * (`/users?token=…`), or an absolute URL (a proxy's request).
 */
export function redactRequestTarget(target: string): string {
	if (!target.startsWith('/')) return redactUrl(target);
	const redacted = redactUrl(TARGET_ORIGIN + target);
	return redacted.startsWith(`${TARGET_ORIGIN}/`) ? redacted.slice(TARGET_ORIGIN.length) : target;
}

/**
 * An absolute URL inside some text; it ends at white space, a quote or a closing bracket, and a colon or a comma
 * at its end is the sentence's (`failed for http://…?token=abc: timeout`), not the URL's, as linkifiers read it.
 */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"`<>()[\]{}]*[^\s'"`<>()[\]{}:,]/gi;
/** `?name=value` or `&name=value` inside some text, with or without the URL around it; a colon or comma ending it is the sentence's. */
const PARAM_IN_TEXT = /([?&;])([^=&;\s?#'"`]+)=([^&;\s#'"`]*?)(?=[:,]*(?:[&;\s#'"`]|$))/g;
/** `name=value` as log lines and messages write it (`retry with token=abc123`), after a space, a bracket or a comma. */
const SETTING_IN_TEXT = /(^|[\s,([{])([A-Za-z][\w.-]*)=([^&;\s,'"`)\]}]+)/g;
/**
 * Names that mark a secret in a query, but in free text as often mean something else (`exit code=1`, `key=3`):
 * a `name=value` of text is redacted for the other secret names, and for longer names with these as a word.
 */
const PLAIN_WORDS_IN_TEXT: ReadonlySet<string> = new Set(['key', 'code', 'sid', 'sig', 'session', 'auth', 'pass', 'private']);
/** Longer names with one of those words that name no secret in code and logs (`process.exitCode=5`, `statusCode=404`): said as they are. */
const PLAIN_NAMES_IN_TEXT: ReadonlySet<string> = new Set(['exitcode', 'statuscode', 'errorcode', 'returncode', 'responsecode', 'keycode', 'charcode', 'countrycode', 'zipcode', 'postalcode', 'passcount']);

/** A name written `name=value` in text that is a plain word, or a plain name (the last part of a dotted one: `process.exitCode`). */
function plainInText(name: string): boolean {
	const lower = name.toLowerCase();
	return PLAIN_WORDS_IN_TEXT.has(lower) || PLAIN_NAMES_IN_TEXT.has(lower.slice(lower.lastIndexOf('.') + 1).replaceAll(/[-_]/g, ''));
}
/**
 * A command-line flag and its value in text: `--password=hunter2`, `-p=…`, `--token abc` (a single dash and a space
 * is too often just a hyphen). A flag that names a secret is one whatever its word: `--key`, `--auth` and `--pass`
 * stand for a credential on a command line.
 */
const FLAG_IN_TEXT = /(^|\s)(-{1,2})([A-Za-z][\w.-]*)(=|\s+)([^\s'"`]+)/g;
/** A command-line flag on its own, as an argument of its own (`['--password', 'hunter2']`): its value is the next argument. */
const FLAG_ALONE = /^--?([A-Za-z][\w.-]*)$/;

/**
 * An HTTP credential written out: `Bearer eyJ…`, however short, and `Basic dXNlcjpw…` (of six characters or more:
 * `Basic usage` is English).
 */
const CREDENTIAL_IN_TEXT = /\b(?:(Bearer)\s+[A-Za-z0-9._~+/=-]+|(Basic)\s+[A-Za-z0-9._~+/=-]{6,})/g;

/** A command line's arguments, each redacted as text, and the argument after a flag of its own that names a secret (`--token`, `abc`). */
export function redactArgv(args: readonly string[]): string[] {
	return args.map((arg, i) => {
		const flag = i > 0 ? FLAG_ALONE.exec(args[i - 1]!) : null;
		return flag && isSecretName(flag[1]!) && !arg.startsWith('-') ? REDACTED : redactText(arg);
	});
}

/**
 * Every URL and query-like `name=value` in an error message, a stack, a task's argument preview or a
 * command line, redacted as redactUrl does, and written-out bearer or basic credentials.
 */
export function redactText(text: string): string {
	// Each rule runs only where its mark is: most previews and messages have none, and are returned untouched.
	let redacted = text;
	if (redacted.includes('://')) redacted = redacted.replace(URL_IN_TEXT, redactUrl);
	if (redacted.includes('=')) {
		redacted = redacted.replace(PARAM_IN_TEXT, (whole, mark: string, name: string) => (isSecretName(name) ? `${mark}${name}=${REDACTED}` : whole));
		redacted = redacted.replace(SETTING_IN_TEXT, (whole, before: string, name: string, value: string) =>
			value !== REDACTED && isSecretName(name) && !plainInText(name) ? `${before}${name}=${REDACTED}` : whole,
		);
	}
	if (redacted.includes('-')) {
		redacted = redacted.replace(FLAG_IN_TEXT, (whole, before: string, dashes: string, name: string, between: string, value: string) =>
			value !== REDACTED && !value.startsWith('-') && (between === '=' || dashes === '--') && isSecretName(name) ? `${before}${dashes}${name}${between}${REDACTED}` : whole,
		);
	}
	if (redacted.includes('Bearer') || redacted.includes('Basic')) redacted = redacted.replace(CREDENTIAL_IN_TEXT, (_whole, bearer?: string, basic?: string) => `${bearer ?? basic} ${REDACTED}`);
	return redacted;
}
