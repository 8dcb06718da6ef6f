import {computeInsights} from '../../model/insights.js';
import type {DiffFormat} from '../../sessions/diff-formats.js';
import {runDiff} from '../../sessions/diff-command.js';
import {terminalColor} from '../terminal.js';
import {printWarnings, requireOutputApart, requireRecording} from './recording-file.js';

export interface DiffArgs {
	before: string;
	after: string;
	format: DiffFormat;
	/** Output file; stdout when absent. */
	out?: string;
	lenient: boolean;
}

/** `asyncmon diff <before> <after>`: did the change help? Two recordings compared, their insights included. */
export async function diffCommand(args: DiffArgs): Promise<void> {
	requireRecording(args.before);
	requireRecording(args.after);
	requireOutputApart(args.out, '-o', [args.before, args.after]);
	const {warnings} = await runDiff({
		...args,
		color: terminalColor(),
		progress: process.stderr.isTTY ? process.stderr : null,
		insights: computeInsights,
	});
	printWarnings(warnings);
}
