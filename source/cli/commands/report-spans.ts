import {closeSync, writeSync} from 'node:fs';
import {collectorExporter, exportBatch, failureReason} from '../../otlp/collector.js';
import {shownEndpoint} from '../../otlp/endpoint.js';
import {otlpJsonLine} from '../../otlp/otlp-json.js';
import {exportRecording} from '../../otlp/recording-export.js';
import type {ProtocolLine} from '../../protocol/events.js';
import {openPrivateFile} from '../../sessions/private-file.js';
import {writeOut} from '../../sessions/write-out.js';
import {loadWarnings, readSession, type RecordedLosses} from '../../sessions/reader.js';
import {counted} from '../../present/text.js';
import {UsageError} from '../usage-error.js';
import {printWarnings} from './recording-file.js';

/** Sending a recording waits for a collector longer than a live run does (retries included): the user waits for nothing else. */
const EXPORT_TIMEOUT_MS = 5000;

export interface ReportSpansOptions {
	file: string;
	lenient: boolean;
	/** `--format otlp-json`: to `out`, or stdout. */
	json: {out?: string} | null;
	/** `--otlp`: the collector's traces URL. */
	endpoint?: string;
	/** Whether to say what reading skipped (unless the report of the same file said it already). */
	warn: boolean;
}

/** A recording's spans, in one pass: written as OTLP JSON (a line per ExportTraceServiceRequest), sent to a collector, or both. */
export async function reportSpans(options: ReportSpansOptions): Promise<void> {
	const lines = readSession(options.file, {lenient: options.lenient});
	const losses: RecordedLosses = {droppedEvents: 0, corruptLines: 0};
	const fd = options.json?.out === undefined ? null : openPrivateFile(options.json.out, 'report');
	const exporter = options.endpoint ? collectorExporter(options.endpoint, EXPORT_TIMEOUT_MS) : null;
	let spans: number;
	try {
		spans = await exportRecording(tallied(lines, losses), async batch => {
			if (options.json) {
				const line = otlpJsonLine(batch);
				// A reader gone from stdout (`| head`) ends the printing, not the sending to a collector.
				if (fd === null) await writeOut(process.stdout, line);
				else writeSync(fd, line);
			}
			if (exporter && batch.length > 0) {
				await exportBatch(exporter, batch).catch((error: unknown) => {
					throw new UsageError(`could not send the spans to ${shownEndpoint(options.endpoint!)}: ${failureReason(error)}`);
				});
			}
		});
	} finally {
		if (fd !== null) closeSync(fd);
		await exporter?.shutdown();
	}
	if (options.warn) printWarnings(loadWarnings(lines.stats, losses));
	if (exporter) process.stderr.write(`asyncmon: sent ${counted(spans, 'span')} to ${shownEndpoint(options.endpoint!)}\n`);
}

/** The lines, as they pass, counting what the monitor said it lost while recording. */
async function* tallied(lines: AsyncIterable<ProtocolLine>, losses: RecordedLosses): AsyncGenerator<ProtocolLine> {
	for await (const line of lines) {
		if (line.type === 'dropped') losses.droppedEvents += line.count;
		else if (line.type === 'corrupt') losses.corruptLines += line.count;
		yield line;
	}
}
