import type {ModelState} from '../model/state.js';
import {formatChromeTrace} from './format-chrome-trace.js';
import {formatHtml} from './format-html.js';
import {formatJson} from './format-json.js';
import {formatMarkdown} from './format-markdown.js';
import {formatText} from './format-text.js';
import type {Insight} from '../model/insights.js';

import type {ReportFormat} from './report-formats.js';

export {REPORT_FORMATS, isReportFormat, type ReportFormat} from './report-formats.js';

/** Pure: the whole report as one string. The trace has no place for insights. */
export function renderReport(format: ReportFormat, state: ModelState, insights?: readonly Insight[]): string {
	switch (format) {
		case 'text':
			return formatText(state, insights);
		case 'md':
			return formatMarkdown(state, insights);
		case 'json':
			return formatJson(state, insights);
		case 'chrome-trace':
			return formatChromeTrace(state);
		case 'html':
			return formatHtml(state, insights);
	}
}
