import type {Ansi} from '../present/paint.js';
import type {ReportDocument} from './report-document.js';
import {textSection} from './format-text.js';

/** The diff for a terminal: changes coloured for better and worse when `ansi` is 'color'. */
export function formatDiffText(doc: ReportDocument, ansi: Ansi): string {
	return [doc.title, doc.subtitle, ...doc.sections.map(section => textSection(section, {ansi, wholeLastColumn: true}))].join('\n\n') + '\n';
}
