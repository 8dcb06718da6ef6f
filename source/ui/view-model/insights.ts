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
