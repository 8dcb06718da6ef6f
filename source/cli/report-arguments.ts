import {DIFF_FORMATS, type DiffFormat} from '../sessions/diff-formats.js';
import {REPORT_FORMATS, type ReportFormat} from '../sessions/report-formats.js';
import {RETENTION_OPTIONS} from './retention-arguments.js';

/** What `asyncmon report` writes: a report of the session, or its spans as OTLP JSON. */
export const REPORT_COMMAND_FORMATS = [...REPORT_FORMATS, 'otlp-json', 'ndjson'] as const;
export type ReportCommandFormat = ReportFormat | 'otlp-json' | 'ndjson';

/** `asyncmon report`'s options, with the formats it writes; the renderers load only when it runs. */
export const REPORT_OPTIONS = {
	format: {choices: REPORT_COMMAND_FORMATS, describe: 'Output format (otlp-json: the spans as an OTLP ExportTraceServiceRequest; ndjson: every event as a JSON object, for jq) [default: text, none with --otlp]'},
	o: {alias: 'out', type: 'string', describe: 'Write to this file instead of stdout'},
	lenient: {type: 'boolean', default: false, describe: 'Skip corrupt lines instead of failing'},
	otlp: {type: 'string', describe: 'Send the session as spans to this OpenTelemetry collector (OTLP/HTTP base URL, e.g. http://127.0.0.1:4318)'},
	retain: RETENTION_OPTIONS.retain,
} as const;

/** `asyncmon diff`'s options: the report's output and reading, with the formats a diff is written in. */
export const DIFF_OPTIONS = {
	format: {choices: DIFF_FORMATS, default: 'text' as DiffFormat, describe: 'Output format'},
	o: REPORT_OPTIONS.o,
	lenient: REPORT_OPTIONS.lenient,
} as const;
