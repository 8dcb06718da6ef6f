import type {Ms} from '../protocol/events.js';
import type {ModelState} from '../model/state.js';
import {buildReport} from '../model/summary.js';
import type {Insight, InsightKind} from '../model/insights.js';
import {insightMessage} from '../present/insights.js';
import {safeJson} from './safe-json.js';

/** An insight as the JSON report gives it: its kind, its words, the nodes it is about. */
interface ReportInsight {
	kind: InsightKind;
	message: string;
	taskIds: number[];
	savesMs?: Ms;
}

/** The JSON report contract (`SessionReport`), plus `insights` when a caller computed them. */
export function formatJson(state: ModelState, insights?: readonly Insight[]): string {
	const report = buildReport(state);
	return safeJson(insights ? {...report, insights: insights.map(insight => reportInsight(state, insight))} : report, 2) + '\n';
}

export function reportInsight(state: ModelState, insight: Insight): ReportInsight {
	const {kind, taskIds, savesMs} = insight;
	// JSON leaves out an undefined savesMs, as the report always has.
	return {kind, message: insightMessage(state, insight), taskIds, savesMs};
}
