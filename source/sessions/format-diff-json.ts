import type {Comparison, SessionFigures, SiteComparison} from '../model/comparison.js';
import {change} from '../model/comparison.js';
import type {Insight} from '../model/insights.js';
import type {ModelState} from '../model/state.js';
import type {DiffSides} from './diff-document.js';
import {reportInsight} from './format-json.js';
import {safeJson} from './safe-json.js';

/** The JSON diff (documented in docs/diff.md): the comparison's data, with each side's file and each insight's words. */
export function formatDiffJson(comparison: Comparison, sides: DiffSides): string {
	const words = (insights: readonly Insight[], state: ModelState) => insights.map(insight => reportInsight(state, insight));
	const json = {
		version: 1,
		before: side(sides.before.file, comparison.before),
		after: side(sides.after.file, comparison.after),
		change: {
			durationMs: delta(comparison.before.durationMs, comparison.after.durationMs),
			durationRatio: ratio(comparison.before.durationMs, comparison.after.durationMs),
			concurrency: delta(comparison.before.concurrency, comparison.after.concurrency),
			longestBlockMs: delta(comparison.before.longestBlockMs, comparison.after.longestBlockMs),
		},
		sites: comparison.sites.map(site),
		hosts: comparison.hosts,
		routes: comparison.routes,
		insights: {
			gone: words(comparison.insights.gone, sides.before.state),
			new: words(comparison.insights.new, sides.after.state),
			kept: words(comparison.insights.kept, sides.after.state),
		},
	};
	return safeJson(json, 2) + '\n';
}

const round = (value: number): number => Math.round(value * 1000) / 1000;
const delta = (before: number, after: number): number => round(change(before, after).delta);
const ratio = (before: number, after: number): number | null => {
	const value = change(before, after).ratio;
	return value === null ? null : round(value);
};

function side(file: string, figures: SessionFigures) {
	return {file, ...figures};
}

/** The shape (`site`, `name`, `before`, `after`), with the status, a moved site's old place and the deltas. */
function site(comparison: SiteComparison) {
	const {before, after} = comparison;
	return {
		site: comparison.site,
		name: comparison.name,
		status: comparison.status,
		...(comparison.status === 'moved' ? {movedFrom: comparison.movedFrom ?? null} : {}),
		before,
		after,
		change:
			before && after
				? {
						count: after.count - before.count,
						totalMs: delta(before.totalMs, after.totalMs),
						p50Ms: delta(before.p50Ms, after.p50Ms),
						p99Ms: delta(before.p99Ms, after.p99Ms),
					}
				: null,
	};
}
