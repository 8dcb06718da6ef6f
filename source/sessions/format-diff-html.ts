import type {ModelState} from '../model/state.js';
import {escapeHtml, htmlPage, htmlSection} from './html-page.js';
import type {DiffSides} from './diff-document.js';
import type {ReportDocument} from './report-document.js';
import {LEGEND, waterfallSpan, waterfallSvg} from './waterfall-svg.js';

/** One page: the two waterfalls one above the other on one time scale, then the diff's tables. */
export function formatDiffHtml(doc: ReportDocument, sides: DiffSides): string {
	const scaleMs = Math.max(waterfallSpan(sides.before.state), waterfallSpan(sides.after.state));
	const waterfall = (label: string, file: string, state: ModelState): string => `<h3>${escapeHtml(`${label}: ${file}`)}</h3>\n${waterfallSvg(state, scaleMs)}`;
	const body = `<section class="waterfall">
<h2>Waterfalls, on one time scale</h2>
${LEGEND}
${waterfall('Before', sides.before.file, sides.before.state)}
${waterfall('After', sides.after.file, sides.after.state)}
</section>
${doc.sections.map(htmlSection).join('\n')}`;
	return htmlPage(doc.title, doc.subtitle, body);
}
