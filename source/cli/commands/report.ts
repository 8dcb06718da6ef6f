import {computeInsights} from '../../model/insights.js';
import {runReport} from '../../sessions/report-command.js';
import {tracesEndpoint} from '../../otlp/endpoint.js';
import type {ReportCommandFormat} from '../report-arguments.js';
import {requireFileName, UsageError} from '../usage-error.js';
import {printWarnings, requireOutputApart, requireRecording} from './recording-file.js';
import {retentionOf} from '../retention-arguments.js';

export interface ReportArgs {
	file: string;
	/** Text unless --otlp alone says where the session goes. */
	format?: ReportCommandFormat;
	/** Output file; stdout when absent. */
	out?: string;
	lenient: boolean;
	retain: string;
	/** The OTLP collector's base URL. */
	otlp?: string;
}

/** `asyncmon report <file>`: a recorded session summarised, its insights included; or its spans, written or sent. */
export async function reportCommand(args: ReportArgs): Promise<void> {
	requireRecording(args.file);
	requireFileName(args.out, '-o');
	requireOutputApart(args.out, '-o', [args.file]);
	const endpoint = args.otlp === undefined ? undefined : tracesEndpoint(args.otlp);
	if (endpoint === null) throw new UsageError(`--otlp needs the collector's http(s) base URL, e.g. http://127.0.0.1:4318; got '${args.otlp}'`);
	const format = args.format ?? (endpoint && args.out === undefined ? undefined : 'text');
	if (format === 'ndjson') {
		const {exportNdjson} = await import('../../sessions/ndjson-export.js');
		printWarnings((await exportNdjson({file: args.file, out: args.out, lenient: args.lenient})).warnings);
	} else if (format !== undefined && format !== 'otlp-json') {
		const {warnings} = await runReport({
			file: args.file,
			format,
			out: args.out,
			lenient: args.lenient,
			progress: process.stderr.isTTY ? process.stderr : null,
			insights: computeInsights,
			retention: retentionOf({retain: args.retain}),
		});
		printWarnings(warnings);
	}
	if (format === 'otlp-json' || endpoint) {
		// The OpenTelemetry SDK loads only for the spans.
		const {reportSpans} = await import('./report-spans.js');
		await reportSpans({file: args.file, lenient: args.lenient, json: format === 'otlp-json' ? {out: args.out} : null, endpoint, warn: format === 'otlp-json' || format === undefined});
	}
}
