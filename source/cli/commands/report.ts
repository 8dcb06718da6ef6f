import {computeInsights} from '../../model/insights.js';
import type {ReportFormat} from '../../sessions/report-formats.js';
import {runReport} from '../../sessions/report-command.js';
import {printWarnings, requireRecording} from './recording-file.js';
import {retentionOf} from '../retention-arguments.js';

export interface ReportArgs {
	file: string;
	format: ReportFormat;
	/** Output file; stdout when absent. */
	out?: string;
	lenient: boolean;
	retain: string;
}

/** `asyncmon report <file>`: a recorded session summarised, its insights included. */
export async function reportCommand(args: ReportArgs): Promise<void> {
	requireRecording(args.file);
	const {warnings} = await runReport({
		file: args.file,
		format: args.format,
		out: args.out,
		lenient: args.lenient,
		progress: process.stderr.isTTY ? process.stderr : null,
		insights: computeInsights,
		retention: retentionOf({retain: args.retain}),
	});
	printWarnings(warnings);
}
