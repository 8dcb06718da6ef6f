import {redactArgv, redactRequestTarget, redactText, redactUrl} from '../protocol/redaction.js';

/**
 * Whether recorded strings are redacted: the run's `redact` option (`--no-redact` turns it off). The preload
 * sets it in each thread before the script runs; the ops, error descriptions and argument previews read it,
 * so none of them needs the option handed down.
 */
let redactingOn = true;

export function setRedaction(on: boolean): void {
	redactingOn = on;
}

/** Whether this run keeps secrets out of what it records. */
export function redacting(): boolean {
	return redactingOn;
}

/** A string bound for the recording (a message, a stack, a preview, a command line), as the run's option wants it. */
export function recordedText(text: string): string {
	return redactingOn ? redactText(text) : text;
}

/** A command line's arguments bound for the recording, as the run's option wants them. */
export function recordedArgv(args: readonly string[]): string[] {
	return redactingOn ? redactArgv(args) : [...args];
}

/** A URL bound for the recording, as the run's option wants it. */
export function recordedUrl(url: string): string {
	return redactingOn ? redactUrl(url) : url;
}

/** The path and query a server received, bound for the recording, as the run's option wants it. */
export function recordedRequestTarget(target: string): string {
	return redactingOn ? redactRequestTarget(target) : target;
}
