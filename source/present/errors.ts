import type {ErrorInfo} from '../protocol/events.js';

/** `Error: login failed; caused by TypeError: fetch failed`: an error and its chain of causes, as one line says them. */
export function errorText(error: ErrorInfo): string {
	let text = `${error.name}: ${error.message}`;
	for (let cause = error.cause; cause; cause = cause.cause) text += `; caused by ${cause.name}: ${cause.message}`;
	return text;
}

/** A failure in words: its error, or, a request's that failed without one, how it ended. */
export function failureText({error, status, aborted}: {error?: ErrorInfo | null; status?: number | null; aborted?: boolean}): string {
	if (error) return errorText(error);
	if (aborted) return 'the client went away before the response finished';
	return status ? `answered ${status}` : 'failed';
}
