import type {ModelState} from '../model/state.js';
import {fit, textWidth} from '../present/text.js';
import type {Insight} from '../model/insights.js';
import {reportDocument, type ReportSection} from './report-document.js';

/** Widest a column may grow before its cells are cut, so one long URL cannot push the table off a PR page. */
const MAX_COLUMN_WIDTH = 60;

export function formatText(state: ModelState, insights: readonly Insight[] = []): string {
	const doc = reportDocument(state, insights);
	const parts = [doc.title, doc.subtitle, ...doc.sections.map(textSection)];
	return parts.join('\n\n') + '\n';
}

function textSection(section: ReportSection): string {
	const widths = section.columns.map((column, i) =>
		Math.min(MAX_COLUMN_WIDTH, Math.max(textWidth(column.header), ...section.rows.map(row => textWidth(row[i] ?? '')))),
	);
	const line = (cells: string[]): string =>
		cells
			.map((cell, i) => fit(cell, widths[i]!, section.columns[i]!.align))
			.join('  ')
			.trimEnd();
	const lines = [
		section.title,
		line(section.columns.map(c => c.header)),
		line(widths.map(w => '-'.repeat(w))),
		...section.rows.map(line),
	];
	if (section.note) lines.push(section.note);
	return lines.join('\n');
}
