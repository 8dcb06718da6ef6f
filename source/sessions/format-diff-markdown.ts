import {escapeInline, markdownSection} from './format-markdown.js';
import type {ReportDocument} from './report-document.js';

/** The diff as a PR comment: a heading, the headline change in bold, one table per section. */
export function formatDiffMarkdown(doc: ReportDocument): string {
	return [`## ${escapeInline(doc.title)}`, `**${escapeInline(doc.subtitle)}**`, ...doc.sections.map(markdownSection)].join('\n\n') + '\n';
}
