import {types} from 'node:util';
import {REDACTED} from '../protocol/redaction.js';
import {recordedText, redacting} from './redact.js';

/** Arguments shown; a call keeps one more, to know whether to show `…`. */
export const MAX_ARGS = 4;
const MAX_STRING = 24;
const MAX_PREVIEW = 60;
/**
 * How much of a string argument is redacted before it is cut to MAX_STRING: enough to hold a whole URL
 * up to its query, so a cut never splits the credentials from what marks them as such.
 */
const MAX_REDACTED = 2048;

/** Shown as `REDACTED` in a call's preview: the value of a parameter named like a secret (see hideSecretArguments). */
const SECRET_ARGUMENT = Symbol('secret argument');
/** What an arrow's destructured parameter is passed as, bound to no name (see arrowArguments in transform.ts): `{…}`, `[…]`. */
export const DESTRUCTURED_OBJECT = Symbol('destructured object');
export const DESTRUCTURED_ARRAY = Symbol('destructured array');
/** Where the runtime (the Tracker) holds them, for the instrumented code to pass. */
export const DESTRUCTURED_OBJECT_KEY = 'dObject';
export const DESTRUCTURED_ARRAY_KEY = 'dArray';

/** A call's arguments (its own copy) with those of parameters named like a secret hidden, unless the run keeps secrets. */
export function hideSecretArguments(args: unknown[], positions: readonly number[]): void {
	if (!redacting()) return;
	for (const position of positions) if (position < args.length) args[position] = SECRET_ARGUMENT;
}

/** A call rendered like asyncio's task repr: `simulateRequest("request-A", 1000)`. */
export function formatCall(name: string, args: ArrayLike<unknown>): string {
	const parts: string[] = [];
	const count = Math.min(args.length, MAX_ARGS);
	for (let i = 0; i < count; i++) parts.push(formatValue(args[i]));
	if (args.length > MAX_ARGS) parts.push('…');
	let preview = parts.join(', ');
	if (preview.length > MAX_PREVIEW) preview = `${preview.slice(0, MAX_PREVIEW - 1)}…`;
	return `${name}(${preview})`;
}

export function formatValue(value: unknown): string {
	if (value === SECRET_ARGUMENT) return REDACTED;
	if (value === DESTRUCTURED_OBJECT) return '{…}';
	if (value === DESTRUCTURED_ARRAY) return '[…]';
	switch (typeof value) {
		case 'string':
			return quoted(value);
		case 'number':
		case 'boolean':
		case 'undefined':
			return String(value);
		case 'bigint':
			return `${value}n`;
		case 'symbol':
			return value.toString();
		case 'function': {
			const name = ownDataValue(value, 'name');
			return typeof name === 'string' && name !== '' ? `ƒ ${name}` : 'ƒ';
		}
		default:
			if (value === null) return 'null';
			if (types.isProxy(value)) return '{Proxy…}';
			if (Array.isArray(value)) return `[…${value.length}]`;
			try {
				if (value instanceof URL) return quoted(value.href);
			} catch {
				// A Proxy up its prototype chain threw: no URL.
			}
			return `{${constructorName(value as object)}…}`.replace('{Object…}', '{…}');
	}
}

/*
 * A preview runs none of the script's code: it reads no getter (an object's `constructor`, a class's `name`)
 * and never touches a Proxy (revoked, its traps throw, or they watch what is read), as node does not when
 * the script merely passes the value on.
 */

/** An own property's value, when it is one and not a getter; undefined otherwise (a Proxy has none here). */
function ownDataValue(object: object, key: string): unknown {
	if (types.isProxy(object)) return undefined;
	const descriptor = Object.getOwnPropertyDescriptor(object, key);
	return descriptor && 'value' in descriptor ? descriptor.value : undefined;
}

/** The name of the class an object was made by, read as `object.constructor.name` would be but through data properties only; '' when unknown. */
function constructorName(object: object): string {
	for (let holder: object | null = object; holder !== null && !types.isProxy(holder); holder = Object.getPrototypeOf(holder)) {
		const descriptor = Object.getOwnPropertyDescriptor(holder, 'constructor');
		if (!descriptor) continue;
		const constructor = 'value' in descriptor ? descriptor.value : undefined;
		if (typeof constructor !== 'function') return '';
		const name = ownDataValue(constructor, 'name');
		return typeof name === 'string' ? name : '';
	}
	return '';
}

/** An absolute URL's scheme, and its credentials once redacted: what a URL cut short leaves out first (see quoted). */
const URL_HEAD = new RegExp(`^[a-z][a-z0-9+.-]*://(?:${REDACTED}(?::${REDACTED})?@)?`, 'i');

/**
 * A string argument, redacted (a URL with credentials is a common one), then cut and quoted. A URL cut short keeps
 * its end, where its path and query are (`"…127.0.0.1:4000/users/1"`): calls of one helper on URLs of one host told
 * apart, not all `"http://127.0.0.1:4000/…"` (which read as the same call repeated: a retry, no sequential awaits).
 */
function quoted(value: string): string {
	const shown = recordedText(value.length > MAX_REDACTED ? value.slice(0, MAX_REDACTED) : value);
	if (shown.length <= MAX_STRING) return JSON.stringify(shown);
	const head = URL_HEAD.exec(shown);
	if (head) return JSON.stringify(`…${shown.slice(Math.max(head[0].length, shown.length - (MAX_STRING - 1)))}`);
	return JSON.stringify(`${shown.slice(0, MAX_STRING - 1)}…`);
}
