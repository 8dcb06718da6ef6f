import type {ErrorInfo} from '../protocol/events.js';

/** `Error: login failed; caused by TypeError: fetch failed`: an error and its chain of causes, as one line says them. */
export function errorText(error: ErrorInfo): string {
	let text = `${error.name}: ${error.message}`;
	for (let cause = error.cause; cause; cause = cause.cause) text += `; caused by ${cause.name}: ${cause.message}`;
	return text;
}
