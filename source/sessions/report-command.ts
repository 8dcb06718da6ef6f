import {stat} from 'node:fs/promises';
import type {ModelState, Retention} from '../model/state.js';
import {renderReport, type ReportFormat} from './formats.js';
import type {Insight} from '../model/insights.js';
import {loadSession} from './reader.js';
import {writePrivateFile} from './private-file.js';
import {writeOut} from './write-out.js';

export interface ReportCommandOptions {
	file: string;
	format: ReportFormat;
	/** Output file; stdout when absent. */
	out?: string;
	lenient: boolean;
	/** Where to draw read progress for big files (the CLI passes stderr when it is a TTY), or null for none. */
	progress: NodeJS.WritableStream | null;
	insights?: (state: ModelState) => Insight[];
	/** Defaults to process.stdout. */
	stdout?: NodeJS.WritableStream;
	/** Which finished nodes are kept one by one; the rest fold into per-site totals. By default every one. */
	retention?: Retention | null;
}

/** Smaller files read in well under a second: a progress line would only flicker. */
export const PROGRESS_MIN_BYTES = 5 * 1024 * 1024;

export async function runReport(options: ReportCommandOptions): Promise<{warnings: string[]}> {
	const loaded = await loadRecording(options.file, options);
	const text = renderReport(options.format, loaded.state, options.insights?.(loaded.state));
	await writeReport(text, options);
	return {warnings: loaded.warnings};
}

/** A recording read for a report, with a progress line for a big one. */
export async function loadRecording(
	file: string,
	options: {lenient: boolean; progress: NodeJS.WritableStream | null; retention?: Retention | null},
): Promise<{state: ModelState; warnings: string[]}> {
	const {size} = await stat(file);
	const progress = options.progress && size > PROGRESS_MIN_BYTES ? progressWriter(options.progress, file) : null;
	try {
		return await loadSession(file, {lenient: options.lenient, onProgress: progress?.update, retention: options.retention});
	} finally {
		progress?.clear();
	}
}

/** A report into its file (private, see writePrivateFile), or to stdout. */
export async function writeReport(text: string, options: {out?: string; stdout?: NodeJS.WritableStream}): Promise<void> {
	if (options.out) writePrivateFile(options.out, text, 'report');
	else await writeOut(options.stdout ?? process.stdout, text);
}

/** `reading big.ndjson  42% (28.1 of 66.9 MB)`, fit for redrawing in place. */
export function formatProgress(file: string, bytesRead: number, totalBytes: number): string {
	const percent = totalBytes > 0 ? Math.floor((bytesRead / totalBytes) * 100) : 100;
	const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
	return `reading ${file}  ${String(percent).padStart(3)}% (${mb(bytesRead)} of ${mb(totalBytes)} MB)`;
}

/** Redraws only when the whole percentage changes: a chunk arrives every 64 kB. */
function progressWriter(stream: NodeJS.WritableStream, file: string): {update: (read: number, total: number) => void; clear: () => void} {
	let shownPercent = -1;
	let drawn = false;
	return {
		update(read, total) {
			const percent = total > 0 ? Math.floor((read / total) * 100) : 100;
			if (percent === shownPercent) return;
			shownPercent = percent;
			drawn = true;
			stream.write(`\r${formatProgress(file, read, total)}`);
		},
		clear() {
			if (drawn) stream.write('\r\x1b[K');
		},
	};
}
