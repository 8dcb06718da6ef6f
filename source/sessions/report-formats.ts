/** The report formats, apart from their renderers so the CLI can list them without loading those. */
export const REPORT_FORMATS = ['text', 'md', 'json', 'chrome-trace', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(name: string): name is ReportFormat {
	return (REPORT_FORMATS as readonly string[]).includes(name);
}
