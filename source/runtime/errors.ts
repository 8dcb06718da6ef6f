import {relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import {inspect, types} from 'node:util';
import type {ErrorInfo} from '../protocol/events.js';
import {isSecretParameterName, REDACTED} from '../protocol/redaction.js';
import {recordedText, redacting} from './redact.js';

/** A frame in a file, or in the code of a worker made from a string, which Node names `[worker eval]`. */
const FRAME = /(?:\(|at )((?:file:\/\/)?\/[^():]+|\[worker eval\]):(\d+):(\d+)\)?$/;

/**
 * Name, message, stack and the first frame in the user's own files. Messages and stacks repeat the URLs
 * that failed (fetch's does, credentials and all): they are recorded redacted.
 * `runtimeDirectory` holds asyncmon's own bundle, whose frames are never the user's.
 */
export function describeError(error: unknown, cwd: string, runtimeDirectory: string, seen: ReadonlySet<unknown> = new Set()): ErrorInfo {
	if (!isError(error)) return {name: typeof error, message: thrownValueText(error)};
	// Its name, message and stack may be getters of the script's, which may throw: read as node reads them to print it.
	const info: ErrorInfo = {name: recordedText(safeString(readSafely(error, 'name'))), message: recordedText(safeString(readSafely(error, 'message')))};
	const stack = readSafely(error, 'stack');
	if (typeof stack === 'string') {
		info.stack = recordedText(stack);
		const location = firstUserFrame(stack, cwd, runtimeDirectory);
		if (location) info.location = location;
	}
	// The chain, as node prints it under the stack: a cycle, or a chain deeper than a reader follows, ends it.
	const cause = causeOf(error);
	if (cause !== undefined && seen.size < MAX_CAUSES && !seen.has(cause) && cause !== error) info.cause = describeError(cause, cwd, runtimeDirectory, new Set([...seen, error]));
	return info;
}

/**
 * Whether `value` is an Error, asking it as little as can be: a Proxy (revoked, or with traps that throw or
 * watch) is never one here, so its traps never run. An Error of another realm (a vm context, a test runner's
 * sandbox) is one, though no `instanceof Error` here.
 */
export function isError(value: unknown): value is Error {
	if (types.isNativeError(value)) return true;
	if (typeof value !== 'object' || value === null || types.isProxy(value)) return false;
	try {
		return value instanceof Error;
	} catch {
		// A Proxy further up its prototype chain threw.
		return false;
	}
}

/** A property of the script's object, or undefined where reading it throws (a getter of its own). */
function readSafely(object: object, key: string): unknown {
	try {
		return (object as Record<string, unknown>)[key];
	} catch {
		return undefined;
	}
}

/** How deep a chain of causes is described. */
const MAX_CAUSES = 4;

/** `error.cause`, read as Node reads it to print it: a getter that throws has none. */
function causeOf(error: Error): unknown {
	try {
		return 'cause' in error ? error.cause : undefined;
	} catch {
		return undefined;
	}
}

export function firstUserFrame(stack: string, cwd: string, runtimeDirectory: string): string | undefined {
	for (const line of stack.split('\n').slice(1)) {
		const match = FRAME.exec(line.trim());
		if (!match) continue;
		const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
		if (file.includes('/node_modules/') || file.startsWith(runtimeDirectory)) continue;
		return `${relative(cwd, file)}:${match[2]}:${match[3]}`;
	}
	return undefined;
}

/** What node shows of a value thrown or rejected that is no Error (`throw {code: 42}`): a string as it is, anything else inspected. */
function thrownValueText(value: unknown): string {
	if (typeof value === 'string') return recordedText(value);
	let text: string;
	try {
		// A Proxy is inspected as its target, its traps never run (`<Revoked Proxy>` for a revoked one).
		// Node groups a long array's items in rows, whatever the line's length.
		text = inspect(value, THROWN_VALUE).replace(/\n\s*/g, ' ');
	} catch {
		// Its own [util.inspect.custom] threw: what String() makes of it, as before.
		text = safeString(value);
	}
	if (text.length > MAX_THROWN_TEXT) text = `${text.slice(0, MAX_THROWN_TEXT - 1)}…`;
	return recordedText(redacting() ? text.replace(SECRET_PROPERTY, (whole, name: string) => (isSecretParameterName(name) ? `${name}: ${REDACTED}` : whole)) : text);
}

/** A message's length at most, inspected: an Error inside a Proxy inspects with its whole stack. */
const MAX_THROWN_TEXT = 1000;

/** One line, and bounded: a message, not a dump. */
const THROWN_VALUE = {depth: 2, breakLength: Number.POSITIVE_INFINITY, maxArrayLength: 10, maxStringLength: 200, colors: false} as const;
/** `password: 'hunter2'` in an inspected object: a property named like a secret parameter, with a string value. */
const SECRET_PROPERTY = /\b([\w$]+): '(?:[^'\\]|\\.)*'/g;

function safeString(value: unknown): string {
	try {
		return String(value);
	} catch {
		return '<unprintable>';
	}
}
