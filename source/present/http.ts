import type {HttpInfo} from '../model/state.js';
import type {Color} from './paint.js';

/** A request's status as a table shows it: the code, `ERR` for a network error, blank while it runs. */
export function httpStatusText(http: HttpInfo, failed: boolean): string {
	if (http.status !== undefined) return String(http.status);
	return failed ? 'ERR' : '';
}

/** Server errors and network errors read red, like any failure; a 4xx is the server's answer, in yellow. */
export function httpStatusColor(http: HttpInfo, failed: boolean): Color | undefined {
	if (failed) return 'red';
	return http.status !== undefined && http.status >= 400 ? 'yellow' : undefined;
}
