import type {ModelState} from '../model/state.js';
import {buildReport} from '../model/summary.js';
import type {Insight} from '../model/insights.js';

/** The JSON report contract (`SessionReport`), plus `insights` when a caller computed them. */
export function formatJson(state: ModelState, insights?: readonly Insight[]): string {
	const report = buildReport(state);
	return JSON.stringify(insights ? {...report, insights} : report, null, 2) + '\n';
}
