import type {UnhandledRejectionInsight} from '../../model/insights.js';
import {lineLocation} from '../locations.js';
import {errorText} from '../errors.js';

export function unhandledRejectionMessage(insight: UnhandledRejectionInsight): string {
	const {error, taskName} = insight;
	const where = error.location ? ` (${lineLocation(error.location)})` : '';
	return (
		`A promise rejected with nothing handling it${taskName === null ? '' : ` in ${taskName}`}: ${errorText(error)}${where}; ` +
		'await it or add .catch() where it is created'
	);
}
