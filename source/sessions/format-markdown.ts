import type {ModelState} from '../model/state.js';
import type {Insight} from '../model/insights.js';
import {reportDocument, type ReportSection} from './report-document.js';

/** Markdown for a PR comment: a heading, then one table per section. */
export function formatMarkdown(state: ModelState, insights: readonly Insight[] = []): string {
	const doc = reportDocument(state, insights);
	const parts = [`## ${escapeInline(doc.title)}`, escapeInline(doc.subtitle), ...doc.sections.map(markdownSection)];
	return parts.join('\n\n') + '\n';
}

export function markdownSection(section: ReportSection): string {
	const lines = [
		`### ${escapeInline(section.title)}`,
		'',
		row(section.columns.map(c => escapeInline(c.header))),
		row(section.columns.map(c => (c.align === 'right' ? '---:' : ':---'))),
		...section.rows.map(cells => row(cells.map(escapeInline))),
	];
	if (section.note) lines.push('', `_${escapeInline(section.note)}_`);
	return lines.join('\n');
}

const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;

/** Task names and error messages come from user code: they must not break the table or inject markup. */
export function escapeInline(text: string): string {
	return text
		.replace(/[\\`*_[\]<>|#~]/g, char => `\\${char}`)
		.replace(/&/g, '&amp;');
}
