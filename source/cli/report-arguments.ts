import {DIFF_FORMATS, type DiffFormat} from '../sessions/diff-formats.js';
import {REPORT_FORMATS, type ReportFormat} from '../sessions/report-formats.js';
import {RETENTION_OPTIONS} from './retention-arguments.js';

/** `asyncmon report`'s options, with the formats it writes; the renderers load only when it runs. */
export const REPORT_OPTIONS = {
	format: {choices: REPORT_FORMATS, default: 'text' as ReportFormat, describe: 'Output format'},
	o: {alias: 'out', type: 'string', describe: 'Write to this file instead of stdout'},
	lenient: {type: 'boolean', default: false, describe: 'Skip corrupt lines instead of failing'},
	retain: RETENTION_OPTIONS.retain,
} as const;

/** `asyncmon diff`'s options: the report's, with the formats a diff is written in. */
export const DIFF_OPTIONS = {
	...REPORT_OPTIONS,
	format: {choices: DIFF_FORMATS, default: 'text' as DiffFormat, describe: 'Output format'},
} as const;
