import {isTaskKind, type Aggregated, type SiteAggregate} from '../model/state.js';
import {latencyStats} from '../model/latency.js';
import {formatDuration} from './durations.js';

/** `55,210`: counts of folded tasks run large. */
export function formatCount(count: number): string {
	return count.toLocaleString('en-US');
}

/** `×55,210` (`x55,210` in ASCII): how many finished tasks one folded row stands for. */
export function foldedCountLabel(site: SiteAggregate, ascii = false): string {
	return `${ascii ? 'x' : '×'}${formatCount(site.count)}`;
}

/** A folded row is failed only when every one of its tasks failed. */
export function foldedState(site: SiteAggregate): 'finished' | 'failed' {
	return site.failed === site.count ? 'failed' : 'finished';
}

/** `×55,210 getUser()`, the op's kind before an op's name. */
export function foldedLabel(site: SiteAggregate, ascii = false): string {
	return `${foldedCountLabel(site, ascii)} ${isTaskKind(site.kind) ? site.name : `${site.kind} ${site.name}`}`;
}

/** `p50 1.2ms  p99 9ms`, of the folded tasks' total times; with its failures when there were any. */
export function sitePercentiles(site: SiteAggregate): string {
	const total = latencyStats(site.total);
	const failed = site.failed > 0 ? `  ${formatCount(site.failed)} failed` : '';
	return `p50 ${formatDuration(total.p50Ms)}  p99 ${formatDuration(total.p99Ms)}${failed}`;
}

/** `12,000 folded`: the header's short word; null when nothing was folded. */
export function foldedShort(aggregated: Aggregated): string | null {
	return aggregated.nodes > 0 ? `${formatCount(aggregated.nodes)} done folded into per-site rows` : null;
}

/** The summary's sentence on what was folded and why; null when nothing was. */
export function foldedSentence(aggregated: Aggregated): string | null {
	const retention = aggregated.retention;
	if (aggregated.nodes === 0 || !retention) return null;
	return (
		`${formatCount(aggregated.nodes)} finished tasks and ops were folded into ${formatCount(aggregated.sites.size)} per-site ${aggregated.sites.size === 1 ? 'total' : 'totals'} to bound memory ` +
		`(kept one by one: ${keptOneByOne(retention.maxFinished, retention.maxAgeMs)}); the figures above include them, and a recording (--record) keeps every one`
	);
}

/** `the latest 10,000, if they finished within the last 5m00s`: which finished tasks a view keeps whole. */
export function keptOneByOne(maxFinished: number, maxAgeMs: number | null): string {
	const age = maxAgeMs === null || maxAgeMs === Infinity ? '' : `, if they finished within the last ${formatDuration(maxAgeMs)}`;
	return `the latest ${formatCount(maxFinished)}${age}`;
}
