import {compareSessions, type Comparison} from '../model/comparison.js';
import type {Insight} from '../model/insights.js';
import type {ModelState} from '../model/state.js';
import {diffDocument, endsUnrecorded, type DiffSides} from './diff-document.js';
import type {DiffFormat} from './diff-formats.js';
import {formatDiffHtml} from './format-diff-html.js';
import {formatDiffJson} from './format-diff-json.js';
import {formatDiffMarkdown} from './format-diff-markdown.js';
import {formatDiffText} from './format-diff-text.js';
import {loadRecording, writeReport} from './report-command.js';
import {REPORT_RETENTION} from '../model/state.js';

export interface DiffCommandOptions {
	before: string;
	after: string;
	format: DiffFormat;
	/** Output file; stdout when absent. */
	out?: string;
	lenient: boolean;
	/** Colour the text format's changes (the CLI says so for a terminal without NO_COLOR, never for a file). */
	color: boolean;
	/** Where to draw read progress for big files (the CLI passes stderr when it is a TTY), or null for none. */
	progress: NodeJS.WritableStream | null;
	insights: (state: ModelState) => Insight[];
	/** Defaults to process.stdout. */
	stdout?: NodeJS.WritableStream;
}

/** Reads both recordings, compares them and writes the diff; the warnings name the recording they are about. */
export async function runDiff(options: DiffCommandOptions): Promise<{warnings: string[]}> {
	// Two big recordings at once: each keeps what a report keeps, and folds the rest into per-site totals the comparison reads.
	const before = await loadRecording(options.before, {...options, retention: REPORT_RETENTION});
	const after = await loadRecording(options.after, {...options, retention: REPORT_RETENTION});
	const comparison = compareSessions(
		{state: before.state, insights: options.insights(before.state)},
		{state: after.state, insights: options.insights(after.state)},
	);
	const sides: DiffSides = {before: {file: options.before, state: before.state}, after: {file: options.after, state: after.state}};
	await writeReport(renderDiff(options.format, comparison, sides, options.color && !options.out), options);
	const partial = (file: string, figures: Comparison['before']): string[] => (endsUnrecorded(figures) ? [`${file}: it records no exit (cut short, or the monitor was killed): its figures are part of a run, not a whole one`] : []);
	return {
		warnings: [
			...before.warnings.map(w => `${options.before}: ${w}`),
			...partial(options.before, comparison.before),
			...after.warnings.map(w => `${options.after}: ${w}`),
			...partial(options.after, comparison.after),
		],
	};
}

/** Pure: the whole diff as one string. */
export function renderDiff(format: DiffFormat, comparison: Comparison, sides: DiffSides, color = false): string {
	switch (format) {
		case 'text':
			return formatDiffText(diffDocument(comparison, sides), color ? 'color' : 'none');
		case 'md':
			return formatDiffMarkdown(diffDocument(comparison, sides));
		case 'json':
			return formatDiffJson(comparison, sides);
		case 'html':
			return formatDiffHtml(diffDocument(comparison, sides), sides);
	}
}
