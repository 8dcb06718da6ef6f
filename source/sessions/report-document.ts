import type {ModelState, Uncaught} from '../model/state.js';
import {buildReport, sessionEnd, type ReportBlock, type ReportSite, type ReportTask, type SessionReport} from '../model/summary.js';
import {formatDuration} from '../present/durations.js';
import {counted, sanitize} from '../present/text.js';
import {foldedSentence, sinceJoined} from '../present/folded.js';
import {formatCount, formatTimes} from '../present/numbers.js';
import {httpStatsByHost, servedStatsByRoute} from '../model/http-stats.js';
import {fatalUncaught, HTTP_PHASES, isTaskKind} from '../model/state.js';
import type {Insight} from '../model/insights.js';
import {insightMessage} from '../present/insights.js';
import {endingSignal, forcedText, outputSize, processOutcome} from '../present/processes.js';
import type {Tone} from '../present/changes.js';
import {cutShortText, errorText, failureText} from '../present/errors.js';
import {shownId} from '../present/ids.js';
import {routeOf} from '../protocol/routes.js';
import {isProcessGone} from '../protocol/events.js';

/**
 * The content the human-readable reports (text, md, html) share, as plain
 * tables: each format only decides how a table looks.
 */
export interface ReportDocument {
	title: string;
	/** One line: exit status and duration. */
	subtitle: string;
	sections: ReportSection[];
}

export interface ReportSection {
	title: string;
	columns: Column[];
	rows: string[][];
	/** Said under the table, e.g. how many rows were left out. */
	note?: string;
	/** Per cell, whether it tells of a change for the better or the worse, for the formats that colour it. */
	tones?: Array<Array<Tone | null>>;
}

export interface Column {
	header: string;
	align: 'left' | 'right';
}

export const SLOWEST_TASKS_SHOWN = 10;
export const BLOCKS_SHOWN = 10;

export function reportDocument(state: ModelState, insights: readonly Insight[] = []): ReportDocument {
	const report = buildReport(state);
	const sections = [
		summarySection(report),
		insightsSection(state, insights),
		slowestTasksSection(report, sessionEnd(state), fatalUncaught(state)),
		foldedSection(report),
		...httpSections(state),
		blocksSection(report),
		processesSection(report, sessionEnd(state)),
		processOutputSection(report),
		failuresSection(state, report),
	].filter((section): section is ReportSection => section !== null && section.rows.length > 0);
	return {title: sanitize(`asyncmon report: ${report.script || '(unknown script)'}`), subtitle: sanitize(subtitleOf(report)), sections: sections.map(sanitizeSection)};
}

/** Names, locations, URLs, errors and the exit signal come from the recording: every format gets them sanitized. */
export function sanitizeSection(section: ReportSection): ReportSection {
	return {...section, rows: section.rows.map(row => row.map(sanitize)), note: section.note === undefined ? undefined : sanitize(section.note)};
}

function subtitleOf(report: SessionReport): string {
	const forced = forcedText(report);
	const exit = report.signal ? `killed by ${report.stoppedFor ?? report.signal}${report.stoppedFor ? ' (stuck in synchronous code: ended with SIGKILL)' : forced ? ` (${forced})` : ''}` : report.exitCode === null ? 'no exit recorded' : `exit code ${report.exitCode}`;
	const joined = report.joinedMs === undefined ? '' : `, joined the running service at ${formatDuration(report.joinedMs)} (earlier: its agent's snapshot)`;
	return `${exit}, ran ${formatDuration(report.durationMs)}${joined}`;
}

export const left = (header: string): Column => ({header, align: 'left'});
export const right = (header: string): Column => ({header, align: 'right'});

function summarySection(report: SessionReport): ReportSection {
	const s = report.summary;
	return {
		title: 'Summary',
		columns: [left('measure'), right('value')],
		rows: [
			['duration', formatDuration(report.durationMs)],
			['tasks', formatCount(s.taskCount)],
			['failed tasks', formatCount(s.failedCount)],
			['task time (leaf tasks)', formatDuration(s.taskTimeMs)],
			['running or waiting (tasks, their waits on each other aside)', formatDuration(s.activeTimeMs)],
			['concurrency (running or waiting / duration)', formatTimes(s.concurrency)],
			['max tasks in flight', formatCount(s.maxInFlight)],
			[`HTTP requests sent${sinceJoined({joinedMs: report.joinedMs ?? null})}`, formatCount(s.httpCount)],
			['max HTTP requests sent in flight', formatCount(s.maxInFlightHttp)],
			// A server's: what it was asked (its routes, below).
			...(s.httpReceived > 0 ? [['HTTP requests received', formatCount(s.httpReceived)], ['failed HTTP requests received', formatCount(s.failedReceived)]] : []),
			['longest block', formatDuration(s.longestBlockMs)],
			['script held back by asyncmon (backpressure)', formatDuration(s.heldBackMs)],
		],
	};
}

function insightsSection(state: ModelState, insights: readonly Insight[]): ReportSection {
	return {title: 'Insights', columns: [left('kind'), left('insight')], rows: insights.map(i => [i.kind, insightMessage(state, i)])};
}

/** `endMs`: the session's end, on the stream's clock as the tasks' times are (the report's duration counts from the script's first line). */
function taskTotalMs(task: ReportTask, endMs: number): number {
	return (task.endMs ?? endMs) - task.startMs;
}

function slowestTasksSection(report: SessionReport, endMs: number, crash: Uncaught | undefined): ReportSection {
	// The script root always spans the whole session: it is never the news. Folded tasks were slow too.
	const isTask = (t: ReportTask): boolean => t.kind === 'task' || t.kind === 'server' || t.kind === 'worker';
	const tasks = report.tasks.concat(report.folded?.slowest ?? []).filter(isTask);
	const notShown = report.tasks.filter(isTask).length + (report.folded?.tasks ?? 0) - Math.min(tasks.length, SLOWEST_TASKS_SHOWN);
	const total = (task: ReportTask): number => taskTotalMs(task, endMs);
	const slowest = [...tasks].sort((a, b) => total(b) - total(a) || a.id - b.id).slice(0, SLOWEST_TASKS_SHOWN);
	// A task a signal or a crash stopped before it settled was cut off, not waiting on anything any more (the summary counts them so).
	const cutShort = cutShortText(endingSignal(report), crash);
	const stateOf = (task: ReportTask): string => (task.state === 'pending' && cutShort ? cutShort : task.state);
	return {
		title: 'Slowest tasks',
		columns: [left('task'), right('total'), right('busy'), right('waiting'), right('sched delay'), right('awaits'), left('state'), left('location')],
		rows: slowest.map(t => [
			t.name,
			formatDuration(total(t)),
			formatDuration(t.busyMs),
			formatDuration(t.waitMs),
			formatDuration(t.schedDelayMs),
			formatCount(t.awaits),
			stateOf(t),
			t.location ?? '',
		]),
		note: notShown > 0 ? `${counted(notShown, 'faster task')} not shown` : undefined,
	};
}

/** The child processes the script started: the followed Node processes (each a lane of its tasks) and the other programs. */
function processesSection(report: SessionReport, endMs: number): ReportSection {
	const processes = report.tasks.filter(task => task.process);
	return {
		title: 'Child processes',
		columns: [left('command'), right('pid'), left('followed'), left('exit'), right('total'), right('output'), left('started by')],
		rows: processes.map(task => {
			const {pid, command, exit, output} = task.process!;
			const parent = report.tasks.find(other => other.id === task.parentId);
			return [
				command,
				pid === null ? '' : String(pid),
				task.kind === 'process' ? 'yes' : 'no',
				exit ? processOutcome(exit, task.error) : 'running at the end',
				formatDuration(taskTotalMs(task, endMs)),
				output ? outputSize(output) : '',
				parent?.name ?? '',
			];
		}),
	};
}

const PROCESS_OUTPUT_LINES_SHOWN = 5;

/** The last lines each followed process wrote, wherever they went: what a child said before it ended, or failed. */
function processOutputSection(report: SessionReport): ReportSection {
	const rows = report.tasks.flatMap(task => {
		const output = task.process?.output;
		if (!output) return [];
		// Its lane's name: `pid 4242: node child.js`, the pid first, where a narrow column still shows it.
		return output.lastLines.slice(-PROCESS_OUTPUT_LINES_SHOWN).map(line => [task.name, line.stream, line.text]);
	});
	return {title: 'Last output of child processes', columns: [left('process'), left('stream'), left('line')], rows};
}

/** Folded tasks and ops, a row per site: a report of a long run is mostly these. */
function foldedSection(report: SessionReport): ReportSection | null {
	const folded = report.folded;
	if (!folded) return null;
	return {
		title: 'Folded into per-site totals',
		columns: [left('site'), right('count'), right('failed'), right('total'), right('p50'), right('p90'), right('p99'), right('max'), left('location')],
		rows: folded.sites.map(site => [
			siteLabel(site),
			formatCount(site.count),
			formatCount(site.failed),
			formatDuration(site.totalMs),
			...[site.p50Ms, site.p90Ms, site.p99Ms, site.maxMs].map(formatDuration),
			site.location ?? '',
		]),
		note: foldedSentence({...folded, sites: folded.sites.length})!,
	};
}

function httpSections(state: ModelState): ReportSection[] {
	const hosts = httpStatsByHost(state);
	const requests: ReportSection = {
		title: 'HTTP by host',
		columns: [left('host'), right('requests'), right('failed'), right('4xx')],
		rows: hosts.map(h => [h.host, formatCount(h.requests), formatCount(h.failed), formatCount(h.clientErrors)]),
	};
	const latency: ReportSection = {
		title: 'HTTP latency by phase',
		columns: [left('host'), left('phase'), right('samples'), right('p50'), right('p90'), right('p99'), right('max')],
		rows: hosts.flatMap(h =>
			HTTP_PHASES.flatMap(phase => {
				const stats = h.latency[phase];
				if (!stats) return [];
				return [[h.host, phase, formatCount(stats.samples), ...[stats.p50Ms, stats.p90Ms, stats.p99Ms, stats.maxMs].map(formatDuration)]];
			}),
		),
		note: 'queue and connect end when the request is sent; ttfb runs to the response headers; download to the end of the body',
	};
	const routes = servedStatsByRoute(state);
	const served: ReportSection = {
		title: 'HTTP received by route',
		columns: [left('route'), right('requests'), right('failures'), right('p50'), right('p99'), right('max')],
		rows: routes.map(r => [r.route, formatCount(r.requests), formatCount(r.failures), ...(r.latency ? [r.latency.p50Ms, r.latency.p99Ms, r.latency.maxMs].map(formatDuration) : ['', '', ''])]),
		note: "requests the script's servers received, from arrival to the response's end; failures are 5xx responses and clients that went away",
	};
	return [requests, latency, served];
}

/** Where a block ran: the script's line, else the library's module loading or its frame, as the summary tells it. */
function blockPlace(block: ReportBlock): string {
	const place = block.location ?? block.module ?? (block.library ? `${block.library.fn}() ${block.library.loc}` : 'unknown');
	return block.loading ? `${place} (loading modules)` : place;
}

function blocksSection(report: SessionReport): ReportSection {
	const taskName = new Map(report.tasks.map(t => [t.id, t.name]));
	const longest = [...report.blocks].sort((a, b) => b.durationMs - a.durationMs || a.startMs - b.startMs).slice(0, BLOCKS_SHOWN);
	// Whose loop each held, once a followed process's blocks are among them (the Child processes table has their commands).
	const byProcess = report.blocks.some(b => b.process);
	return {
		title: 'Event loop blocks',
		columns: [right('at'), right('blocked for'), ...(byProcess ? [left('process')] : []), left('task'), left('location'), left('stack')],
		rows: longest.map(b => [
			formatDuration(b.startMs),
			formatDuration(b.durationMs),
			...(byProcess ? [b.process ? `pid ${b.process.pid ?? '?'}` : 'the script'] : []),
			b.taskId === null ? '' : (taskName.get(b.taskId) ?? b.taskName ?? shownId(b.taskId)),
			blockPlace(b),
			b.stack.slice(0, 3).join(' ← '),
		]),
		note: report.blocks.length > longest.length ? `${counted(report.blocks.length - longest.length, 'shorter block')} not shown` : undefined,
	};
}

/** A folded site as its row names it: `getUser()`, `server GET /users/:id`, `http GET 127.0.0.1:3200`. */
function siteLabel(site: ReportSite): string {
	return site.kind === 'task' ? site.name : `${site.kind} ${site.name}`;
}

/**
 * Each failure once, with how many times it happened: twenty requests whose client went away are one row, `×20 GET /users/7`.
 * Those of folded work are their site's, as it kept them (see FoldedFailure).
 */
function failuresSection(state: ModelState, report: SessionReport): ReportSection {
	const rows = new Map<string, {row: string[]; count: number}>();
	const add = (row: string[], count = 1): void => {
		const key = row.join('\u0000');
		const seen = rows.get(key);
		if (seen) seen.count += count;
		else rows.set(key, {row, count});
	};
	if (state.fatal) add([`script (${state.fatal.kind})`, state.fatal.message, state.fatal.loc ?? '']);
	const failed = report.tasks.filter(task => task.state === 'failed' && !isProcessGone(task.error));
	const finished = new Set(report.tasks.filter(task => task.state === 'finished').map(task => task.id));
	/**
	 * An op that failed while the task that started it went on to finish (a probe of a missing file in a try, a request
	 * retried): the script handled it, and it comes after the failures it did not, said so (a test runner's search for
	 * its configuration failed fifteen times before the test that failed).
	 */
	const handled = (task: ReportTask): boolean => !isTaskKind(task.kind) && task.parentId !== null && finished.has(task.parentId);
	for (const task of [...failed.filter(task => !handled(task)), ...failed.filter(handled)]) {
		// A request the script sent by its URL; one its servers received by its route (as its table groups them), its status said below.
		const what = task.kind === 'http' && task.http ? `${task.http.method} ${task.http.url}${task.http.status ? ` (${task.http.status})` : ''}` : task.request ? routeOf({method: task.request.method, url: task.request.url, route: task.request.route ?? undefined}) : task.name;
		add([`${what}${handled(task) ? ' (handled by the script)' : ''}`, failureText({error: task.error, status: task.request?.status, aborted: task.request?.aborted}), task.error?.location ?? task.location ?? '']);
	}
	for (const site of report.folded?.sites ?? []) {
		// A route's folded requests by its name alone, as its requests told one by one are: one row for both.
		const what = site.kind === 'server' ? site.name : siteLabel(site);
		for (const {error, status, aborted, count} of site.failures) {
			add([what, failureText({error, status, aborted}), error?.location ?? site.location ?? ''], count);
		}
	}
	for (const uncaught of state.uncaught) add([`${uncaught.origin}${uncaught.handled ? ' (handled by the script)' : ''}`, errorText(uncaught.error), uncaught.error.location ?? ''], uncaught.count ?? 1);
	const counted = [...rows.values()].map(({row: [what, ...rest], count}) => [count > 1 ? `×${formatCount(count)} ${what}` : what!, ...rest]);
	return {title: 'Failures', columns: [left('what'), left('error'), left('location')], rows: counted};
}



