import type {ModelState, Uncaught} from '../model/state.js';
import type {ErrorInfo} from '../protocol/events.js';
import {formatCount} from './numbers.js';
import type {Segment} from './paint.js';
import {glyphs, stateIcon} from './states.js';
import {sanitize} from './text.js';

/** `Error: login failed; caused by TypeError: fetch failed`: an error and its chain of causes, as one line says them. */
export function errorText(error: ErrorInfo): string {
	// A message that ends in a line break (assert's do) would end the line: what follows it (a location) stays apart.
	let text = `${error.name}: ${error.message.trim()}`;
	for (let cause = error.cause; cause; cause = cause.cause) text += `; caused by ${cause.name}: ${cause.message.trim()}`;
	return text;
}

/** How the tasks a stop signal or a crash cut short ended, in words (`interrupted by SIGINT`, `cut short by the uncaught exception`); null for neither. */
export function cutShortText(killedBy: string | null, crash: Uncaught | undefined): string | null {
	if (killedBy) return `interrupted by ${killedBy}`;
	return crash ? `cut short by the ${crash.origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception'}` : null;
}

/** A failure in words: its error, or, a request's that failed without one, how it ended. */
export function failureText({error, status, aborted}: {error?: ErrorInfo | null; status?: number | null; aborted?: boolean}): string {
	if (error) return errorText(error);
	if (aborted) return 'the client went away before the response finished';
	return status ? `answered ${status}` : 'failed';
}

/**
 * An uncaught exception or an unhandled rejection of the script's, as the summary and the dashboard's header say
 * it: `✖ Uncaught exception: TypeError: … at app.js:4:11`; in yellow, with a warning sign, where the script's own
 * process.on('uncaughtException') took it and the process went on.
 */
export function uncaughtSegment({origin, error, handled, count}: Uncaught, ascii: boolean): Segment {
	// A rejection reaches the script's process.on('unhandledRejection'), or, with none, its process.on('uncaughtException').
	const handler = origin === 'unhandledRejection' ? "the script's own handler" : "the script's process.on('uncaughtException')";
	const what = `${origin === 'unhandledRejection' ? 'Unhandled rejection' : 'Uncaught exception'}${handled ? `, handled by ${handler}` : ''}`;
	const icon = handled ? glyphs(ascii).warning : stateIcon('failed', ascii);
	const times = count !== undefined && count > 1 ? ` ×${formatCount(count)}` : '';
	return {text: sanitize(`${icon} ${what}${times}: ${errorText(error)}${error.location ? ` at ${error.location}` : ''}`), color: handled ? 'yellow' : 'red'};
}

/** How many uncaught exceptions and unhandled rejections came in all, each repeat and those not listed included. */
export function uncaughtTotal(state: Pick<ModelState, 'uncaught' | 'uncaughtUnlisted'>): number {
	return state.uncaught.reduce((total, one) => total + (one.count ?? 1), state.uncaughtUnlisted);
}
