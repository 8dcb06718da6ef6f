import type {Insight} from '../../model/insights.js';
import type {ModelState} from '../../model/state.js';
import type {Line} from './line.js';
import {insightMessage} from '../../present/insights.js';
import {counted, wrapText} from '../../present/text.js';

/** The insights pane: each finding as a short heading and its advice, wrapped to the width. */
export function insightLines(state: ModelState, insights: readonly Insight[], width: number): Line[] {
	if (insights.length === 0) return [[{text: 'No insights yet: nothing to change so far.', dim: true}]];
	const lines: Line[] = [[{text: 'Insights', bold: true}, {text: `  ${insights.length} · Esc or n to close`, dim: true}], []];
	for (const insight of insights) {
		lines.push([{text: `▸ ${insight.kind}`, color: 'yellow', bold: true}]);
		for (const part of wrapText(insightMessage(state, insight), Math.max(10, width - 4))) lines.push([{text: `  ${part}`}]);
		lines.push([]);
	}
	return lines;
}

/** The header's badge: `3 insights (n)`, or nothing. */
export function insightBadge(insights: readonly Insight[]): Line {
	if (insights.length === 0) return [];
	return [{text: `  ${counted(insights.length, 'insight')} (n)`, color: 'yellow', bold: true}];
}

/** How often the dashboard works its insights out while the script runs, at most. */
export const INSIGHTS_EVERY_MS = 1000;
/**
 * The share of a core insights may take: they scan every task kept, up to 10,000 finished ones and their awaits (a
 * steady fan-out of 1,500 requests a second: 25-45 ms a pass). A costlier pass waits longer for the next, up to
 * MAX_INSIGHTS_EVERY_MS; opening the insights pane works them out at once, so only the header's count may lag.
 */
export const INSIGHTS_SHARE = 0.01;
/** A pass over 155,000 tasks kept (`--retain all`) takes about 300 ms: once in 30 s, 1 % of a core. */
export const MAX_INSIGHTS_EVERY_MS = 30_000;

/** How long after a pass of the insights that took `costMs` the next one comes. */
export function insightsPauseMs(costMs: number): number {
	return Math.min(MAX_INSIGHTS_EVERY_MS, Math.max(INSIGHTS_EVERY_MS, costMs / INSIGHTS_SHARE));
}
