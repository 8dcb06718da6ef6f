import type {ModelState} from '../model/state.js';
import {paint, type Ansi, type Color} from '../present/paint.js';
import type {Tone} from '../present/changes.js';
import {fit, textWidth} from '../present/text.js';
import type {Insight} from '../model/insights.js';
import {reportDocument, type ReportSection} from './report-document.js';

/** Widest a column may grow before its cells are cut, so one long URL cannot push the table off a PR page. */
const MAX_COLUMN_WIDTH = 60;

export function formatText(state: ModelState, insights: readonly Insight[] = []): string {
	const doc = reportDocument(state, insights);
	const parts = [doc.title, doc.subtitle, ...doc.sections.map(section => textSection(section, {wholeLastColumn: true}))];
	return parts.join('\n\n') + '\n';
}

const TONE_COLORS: Readonly<Record<Tone, Color>> = {better: 'green', worse: 'red'};

export interface TextTableOptions {
	/** Colour a cell's tone when 'color'. */
	ansi?: Ansi;
	/** Leave the last column's cells whole: a sentence (an insight) read to its end. */
	wholeLastColumn?: boolean;
}

/** A table in columns (the cells are sanitized before). */
export function textSection(section: ReportSection, {ansi = 'none', wholeLastColumn = false}: TextTableOptions = {}): string {
	const widths = section.columns.map((column, i) => {
		const widest = Math.max(textWidth(column.header), ...section.rows.map(row => textWidth(row[i] ?? '')));
		return wholeLastColumn && i === section.columns.length - 1 ? widest : Math.min(MAX_COLUMN_WIDTH, widest);
	});
	const line = (cells: string[], tones: ReadonlyArray<Tone | null> = []): string =>
		cells
			.map((cell, i) => {
				const tone = tones[i];
				const text = fit(cell, widths[i]!, section.columns[i]!.align);
				if (!tone) return text;
				// The padding stays outside the colour, so a line's end still trims.
				const [, before, content, after] = /^( *)(.*?)( *)$/s.exec(text)!;
				return before + paint([{text: content!, color: TONE_COLORS[tone]}], ansi) + after;
			})
			.join('  ')
			.trimEnd();
	const lines = [
		section.title,
		line(section.columns.map(c => c.header)),
		line(widths.map(w => '-'.repeat(w))),
		...section.rows.map((row, i) => line(row, section.tones?.[i])),
	];
	if (section.note) lines.push(section.note);
	return lines.join('\n');
}
