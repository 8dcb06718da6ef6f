import type {ModelState} from '../model/state.js';
import type {Insight} from '../model/insights.js';
import {htmlPage, htmlSection} from './html-page.js';
import {reportDocument} from './report-document.js';
import {LEGEND, waterfallSvg} from './waterfall-svg.js';

/** The report as one self-contained page: the waterfall, then the report's tables. */
export function formatHtml(state: ModelState, insights: readonly Insight[] = []): string {
	const doc = reportDocument(state, insights);
	const body = `<section class="waterfall">
<h2>Waterfall</h2>
${LEGEND}
${waterfallSvg(state)}
</section>
${doc.sections.map(htmlSection).join('\n')}`;
	return htmlPage(doc.title, doc.subtitle, body);
}
