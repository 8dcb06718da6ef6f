import type {UnhandledRejectionInsight} from '../../model/insights.js';
import {lineLocation} from '../locations.js';
import {errorText} from '../errors.js';
import {formatCount} from '../numbers.js';

export function unhandledRejectionMessage(insight: UnhandledRejectionInsight): string {
	const {error, taskName} = insight;
	const where = error.location ? ` (${lineLocation(error.location)})` : '';
	// Caught by the process-level handler, last of all: true of the code, and the summary says the process went on.
	const handling = insight.handled ? " but the script's own process-level handler" : '';
	const times = insight.count !== undefined && insight.count > 1 ? `, ${formatCount(insight.count)} times` : '';
	// A message's own last full stop goes before the advice's semicolon (Node's words for a rejection with no Error end in one).
	const text = where === '' ? errorText(error).replace(/\.$/, '') : errorText(error);
	return (
		`A promise rejected with nothing handling it${handling}${taskName === null ? '' : ` in ${taskName}`}${times}: ${text}${where}; ` +
		'await it or add .catch() where it is created'
	);
}
