import type {Ms} from '../protocol/events.js';
import type {Comparison, HostFigures, SessionFigures, SiteComparison} from '../model/comparison.js';
import type {Insight} from '../model/insights.js';
import type {SiteFigures} from '../model/site-statistics.js';
import type {ModelState} from '../model/state.js';
import {countChange, durationChange, lowerIsBetter, timesChange, type Tone} from '../present/changes.js';
import {formatDuration} from '../present/durations.js';
import {insightMessage} from '../present/insights.js';
import {formatCount, formatTimes} from '../present/numbers.js';
import {sanitize} from '../present/text.js';
import {left, right, sanitizeSection, type ReportDocument, type ReportSection} from './report-document.js';

/** The two recordings compared: their files, and the states their insights are worded from. */
export interface DiffSides {
	before: {file: string; state: ModelState};
	after: {file: string; state: ModelState};
}

const ARROW = '→';
/** Said for a figure a side has not got: a site or host only in the other session. */
const NONE = '–';

/** The content the human-readable diffs (text, md, html) share, as the report's plain tables. */
export function diffDocument(comparison: Comparison, sides: DiffSides): ReportDocument {
	const {before, after} = comparison;
	const scripts = before.script === after.script ? before.script : `${before.script} ${ARROW} ${after.script}`;
	const sections = [
		sessionsSection(comparison, sides),
		summarySection(before, after),
		sitesSection(comparison.sites),
		hostsSection(comparison),
		routesSection(comparison),
		insightsSection('Insights that went away', comparison.insights.gone, sides.before.state),
		insightsSection('New insights', comparison.insights.new, sides.after.state),
		insightsSection('Insights in both', comparison.insights.kept, sides.after.state),
	].filter(section => section.rows.length > 0);
	return {
		title: sanitize(`asyncmon diff: ${scripts || '(unknown script)'}`),
		subtitle: sanitize(`duration ${formatDuration(before.durationMs)} ${ARROW} ${formatDuration(after.durationMs)} (${durationChange(before.durationMs, after.durationMs)})${partOfARun(comparison)}`),
		sections: sections.map(sanitizeSection),
	};
}

/** `6.00s → 3.00s`. */
const durations = (beforeMs: Ms | null | undefined, afterMs: Ms | null | undefined): string =>
	`${beforeMs == null ? NONE : formatDuration(beforeMs)} ${ARROW} ${afterMs == null ? NONE : formatDuration(afterMs)}`;
const counts = (before: number | null | undefined, after: number | null | undefined): string => `${before ?? NONE} ${ARROW} ${after ?? NONE}`;

/** A recording with no exit (cut short, or its monitor killed) holds part of a run: its figures are no whole run's, and the headline says so. */
export function endsUnrecorded(figures: SessionFigures): boolean {
	return figures.exitCode === null && !figures.signal;
}

function partOfARun({before, after}: Comparison): string {
	const cut = [endsUnrecorded(before) && 'before', endsUnrecorded(after) && 'after'].filter(Boolean);
	if (cut.length === 0) return '';
	return `; not whole runs: the ${cut.join(' and ')} recording${cut.length > 1 ? 's have' : ' has'} no exit (cut short, or the monitor was killed)`;
}

function exitOf(figures: SessionFigures): string {
	return figures.signal ? `killed by ${figures.signal}` : figures.exitCode === null ? 'no exit recorded' : `exit code ${figures.exitCode}`;
}

function sessionsSection(comparison: Comparison, sides: DiffSides): ReportSection {
	const {before, after} = comparison;
	return {
		title: 'Sessions',
		columns: [left(''), left('before'), left('after')],
		rows: [
			['recording', sides.before.file, sides.after.file],
			['script', before.script, after.script],
			['exit', exitOf(before), exitOf(after)],
		],
	};
}

/** One figure of each session, the change between them and its tone. */
interface Row {
	cells: string[];
	tones: Array<Tone | null>;
}

function summarySection(before: SessionFigures, after: SessionFigures): ReportSection {
	const duration = (measure: string, b: Ms, a: Ms): Row => ({
		cells: [measure, formatDuration(b), formatDuration(a), durationChange(b, a)],
		tones: [null, null, null, lowerIsBetter(b, a)],
	});
	const count = (measure: string, b: number, a: number, lessIsBetter: boolean): Row => ({
		cells: [measure, formatCount(b), formatCount(a), countChange(b, a)],
		tones: [null, null, null, lessIsBetter ? lowerIsBetter(b, a) : null],
	});
	const rows: Row[] = [
		duration('duration', before.durationMs, after.durationMs),
		{
			cells: ['concurrency', formatTimes(before.concurrency), formatTimes(after.concurrency), timesChange(before.concurrency, after.concurrency)],
			tones: [null, null, null, null],
		},
		duration('longest block', before.longestBlockMs, after.longestBlockMs),
		count('tasks', before.taskCount, after.taskCount, false),
		count('failed tasks', before.failedCount, after.failedCount, true),
		count('max tasks in flight', before.maxInFlight, after.maxInFlight, false),
		count('HTTP requests sent', before.httpCount, after.httpCount, false),
		count('failed HTTP requests sent', before.failedHttp, after.failedHttp, true),
		// A server's side, where it served any.
		...(before.httpReceived || after.httpReceived
			? [count('HTTP requests received', before.httpReceived, after.httpReceived, false), count('failed HTTP requests received', before.failedReceived, after.failedReceived, true)]
			: []),
	];
	return {
		title: 'Summary',
		columns: [left('measure'), right('before'), right('after'), left('change')],
		rows: rows.map(row => row.cells),
		tones: rows.map(row => row.tones),
	};
}

function siteWhere(site: SiteComparison): string {
	const where = site.site ?? '(no location)';
	return site.status === 'moved' ? `${where} (was ${site.movedFrom ?? 'unknown'})` : where;
}

/**
 * How the site's time moved: its total, for the same number of calls; where the counts differ (a server under a load
 * of fixed length served more), its mean call, `per call` (a total that grew with its count is no call slower); a
 * site on one side only is gone or new.
 */
function siteChange(site: SiteComparison): {text: string; tone: Tone | null} {
	if (!site.before) return {text: 'new', tone: null};
	if (!site.after) return {text: 'gone', tone: null};
	if (site.before.count === site.after.count || site.before.count === 0 || site.after.count === 0) {
		return {text: durationChange(site.before.totalMs, site.after.totalMs), tone: lowerIsBetter(site.before.totalMs, site.after.totalMs)};
	}
	const before = site.before.totalMs / site.before.count;
	const after = site.after.totalMs / site.after.count;
	return {text: `per call ${durationChange(before, after)}`, tone: lowerIsBetter(before, after)};
}

function sitesSection(sites: readonly SiteComparison[]): ReportSection {
	const figure = (site: SiteComparison, pick: (figures: SiteFigures) => Ms): string => durations(site.before && pick(site.before), site.after && pick(site.after));
	const rows = sites.map(site => {
		const change = siteChange(site);
		return {
			cells: [
				site.name,
				siteWhere(site),
				counts(site.before?.count, site.after?.count),
				figure(site, f => f.totalMs),
				figure(site, f => f.busyMs),
				figure(site, f => f.waitMs),
				figure(site, f => f.p50Ms),
				figure(site, f => f.p99Ms),
				change.text,
			],
			tones: [null, null, null, null, null, null, null, null, change.tone],
		};
	});
	return {
		title: 'Tasks by site',
		columns: [left('function'), left('location'), right('count'), right('total'), right('busy'), right('waiting'), right('p50'), right('p99'), left('change')],
		rows: rows.map(row => row.cells),
		tones: rows.map(row => row.tones),
		note: 'matched by function and location; total, busy and waiting add up the tasks, p50 and p99 are of one task; the change is of the total, or of the mean call where the counts differ',
	};
}

/** A percentile of a host's queueing or latency; null where the host or the figure is missing. */
function hostPercentile(figures: HostFigures | null, of: 'queue' | 'latency', at: 'p50Ms' | 'p99Ms'): Ms | null {
	return figures?.[of]?.[at] ?? null;
}

/**
 * A row of HTTP figures, by host or by route: its name, requests and failures before → after, then each duration's
 * `[before, after]` (fewer failures and shorter times read better); a side without it is null.
 */
function requestsRow(name: string, before: {requests: number; failures: number} | null, after: {requests: number; failures: number} | null, figures: Array<[Ms | null, Ms | null]>): Row {
	return {
		cells: [name, counts(before?.requests, after?.requests), counts(before?.failures, after?.failures), ...figures.map(([b, a]) => durations(b, a))],
		tones: [null, null, before && after ? lowerIsBetter(before.failures, after.failures) : null, ...figures.map(([b, a]) => (b !== null && a !== null ? lowerIsBetter(b, a) : null))],
	};
}

function hostsSection(comparison: Comparison): ReportSection {
	const rows = comparison.hosts.map(({host, movedFrom, before, after}) => {
		const percentiles = (of: 'queue' | 'latency', at: 'p50Ms' | 'p99Ms'): [Ms | null, Ms | null] => [hostPercentile(before, of, at), hostPercentile(after, of, at)];
		return requestsRow(movedFrom ? `${host} (was ${movedFrom})` : host, before, after, [
			percentiles('queue', 'p50Ms'),
			percentiles('queue', 'p99Ms'),
			percentiles('latency', 'p50Ms'),
			percentiles('latency', 'p99Ms'),
		]);
	});
	return {
		title: 'HTTP by host',
		columns: [left('host'), right('requests'), right('failures'), right('queued p50'), right('queued p99'), right('latency p50'), right('latency p99')],
		rows: rows.map(row => row.cells),
		tones: rows.map(row => row.tones),
		note: 'queued: time a request waited for a connection; latency: the whole request, to the end of its body',
	};
}

/** What the script's servers answered, by route: a server's fix is about its routes' latency. */
function routesSection(comparison: Comparison): ReportSection {
	const rows = comparison.routes.map(({route, before, after}) => {
		const percentile = (at: 'p50Ms' | 'p99Ms'): [Ms | null, Ms | null] => [before?.latency?.[at] ?? null, after?.latency?.[at] ?? null];
		return requestsRow(route, before, after, [percentile('p50Ms'), percentile('p99Ms')]);
	});
	return {
		title: 'HTTP received by route',
		columns: [left('route'), right('requests'), right('failures'), right('latency p50'), right('latency p99')],
		rows: rows.map(row => row.cells),
		tones: rows.map(row => row.tones),
		note: "latency: from a request's arrival to the end of its response; failures: a 5xx answer, or a client gone first",
	};
}

function insightsSection(title: string, insights: readonly Insight[], state: ModelState): ReportSection {
	return {title, columns: [left('kind'), left('insight')], rows: insights.map(insight => [insight.kind, insightMessage(state, insight)])};
}
