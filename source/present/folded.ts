import {isTaskKind, type Aggregated, type ModelState, type SiteAggregate} from '../model/state.js';
import {latencyStats} from '../model/latency.js';
import {formatDuration} from './durations.js';
import {formatCount} from './numbers.js';
import {SENT_BURST, SENT_PER_SECOND} from '../protocol/fold.js';

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

/**
 * `12,000 done folded into per-site rows`: the header's short word after its counts, of the tasks done alone (the ops
 * folded with them, its timers and requests, are no tasks it counts); null when nothing was. No `of them`: after
 * the counts and the requests in flight, cut at a narrow width beside the lanes running, it read as theirs.
 * `brief`: `12,000 folded`, for a terminal too narrow for the words.
 */
export function foldedShort(aggregated: Aggregated, brief = false): string | null {
	const words = brief ? 'folded' : 'done folded into per-site rows';
	if (aggregated.tasks > 0) return `${formatCount(aggregated.tasks)} ${words}`;
	return aggregated.nodes > 0 ? `${formatCount(aggregated.nodes)} ops ${words}` : null;
}

/** What was folded, by whom, and how to keep every one: a report's note and plain mode's closing line. */
export interface FoldedFigures {
	/** Folded tasks and ops, all told. */
	nodes: number;
	/** Of them, the quick calls the script's process folded before sending (see protocol/fold.ts). */
	atSource: number;
	/** Of them, tasks and ops alike, those the script's process folded: the rest the reader folded. */
	nodesAtSource: number;
	/** Of them, those a running service's agent had folded before the client joined. */
	beforeJoin: number;
	/** The per-site totals they were folded into. */
	sites: number;
	/** The reader's window, null when it kept every one it was sent. */
	retention: {maxFinished: number; maxAgeMs: number | null} | null;
}

/** The sentence on what was folded and why; null when nothing was. */
export function foldedSentence(figures: FoldedFigures): string | null {
	const {nodes, atSource, nodesAtSource, beforeJoin, sites, retention} = figures;
	if (nodes === 0) return null;
	const totals = `${formatCount(sites)} per-site ${sites === 1 ? 'total' : 'totals'}`;
	const parts: string[] = [];
	const byReader = nodes - nodesAtSource - beforeJoin;
	// The totals are named once, in the first part.
	const into = (): string => (parts.length === 0 ? `into ${totals} ` : '');
	if (beforeJoin > 0) parts.push(`${formatCount(beforeJoin)} tasks the service ran before this client joined were folded ${into()}by its agent`);
	if (byReader > 0 && retention) {
		parts.push(
			`${formatCount(byReader)} finished tasks and ops were folded ${into()}to bound memory (kept one by one: ${keptOneByOne(retention.maxFinished, retention.maxAgeMs)}), and --retain all keeps every one`,
		);
	}
	if (nodesAtSource > 0) {
		// Tasks are what it counts; the timers and requests they made folded with them. Those alone: quick ones sent by a task sent one by one.
		const what = atSource > 0 ? `${formatCount(atSource)} tasks` : `${formatCount(nodesAtSource)} timers and requests`;
		parts.push(
			`${what} were folded ${into()}by the script's process, beyond ${formatCount(SENT_BURST)} at once and ${formatCount(SENT_PER_SECOND)} a second per function or route, besides the slowest yet and those another task's await, an error or a block names (a run with --retain all sends every one)`,
		);
	}
	return `${parts.join('; ')}; the figures include them`;
}

/** Figures of a live model's folds, for foldedSentence. */
export function foldedFiguresOf(aggregated: Aggregated): FoldedFigures {
	const retention = aggregated.retention;
	return {nodes: aggregated.nodes, atSource: aggregated.atSource, nodesAtSource: aggregated.nodesAtSource, beforeJoin: aggregated.beforeJoin, sites: aggregated.sites.size, retention: retention && {maxFinished: retention.maxFinished, maxAgeMs: retention.maxAgeMs}};
}

/** `the latest 10,000, if they finished within the last 5m00s`: which finished tasks a view keeps whole. */
function keptOneByOne(maxFinished: number, maxAgeMs: number | null): string {
	const age = maxAgeMs === null || maxAgeMs === Infinity ? '' : `, if they finished within the last ${formatDuration(maxAgeMs)}`;
	return `the latest ${formatCount(maxFinished)}${age}`;
}

/**
 * A figure the agent of a service joined late (`asyncmon connect`) keeps no count of from before the client came:
 * the HTTP requests the service sent (its folded tasks and the requests it received are counted since its start).
 */
export function sinceJoined(state: Pick<ModelState, 'joinedMs'>): string {
	return state.joinedMs === null ? '' : ' since this client joined';
}
