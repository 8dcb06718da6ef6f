import type {ErrorInfo, Ms} from '../../protocol/events.js';
import {liveTimes} from '../../model/live-times.js';
import type {HttpInfo, ModelState, ServerRequestInfo, SiteAggregate, TaskNode} from '../../model/state.js';
import {foldedSite} from '../../model/retention.js';
import {latencyStats, type Latency} from '../../model/latency.js';
import {foldedCountLabel, foldedState} from '../../present/folded.js';
import {formatCount} from '../../present/numbers.js';
import {formatBytes, formatDuration} from '../../present/durations.js';
import type {Line} from './line.js';
import {truncate} from '../../present/text.js';
import {STATE_STYLES, stateIcon, type Glyphs} from '../../present/states.js';
import {describeOp, describeTarget} from '../../present/holdups.js';
import {outputSize} from '../../present/processes.js';
import {outputWindow} from './output.js';
import {errorText, failureText} from '../../present/errors.js';
import {shownId} from '../../present/ids.js';
import {servedOutcome} from '../../present/http.js';

export interface DetailsInput {
	state: ModelState;
	id: number;
	nowMs: Ms;
	width: number;
	ascii: boolean;
	glyphs: Glyphs;
}

const LISTED_CHILDREN = 20;

/** A folded site: how many, how they ended, and the spread of their times. */
function foldedSiteLines(site: SiteAggregate, ascii: boolean): Line[] {
	const state = foldedState(site);
	const row = (label: string, latency: Latency): Line => {
		const stats = latencyStats(latency);
		return [{text: `  ${label.padEnd(6)} p50 ${formatDuration(stats.p50Ms)}  p90 ${formatDuration(stats.p90Ms)}  p99 ${formatDuration(stats.p99Ms)}  max ${formatDuration(stats.maxMs)}`}];
	};
	return [
		[
			{text: `${stateIcon(state, ascii)} `, color: STATE_STYLES[state].color},
			{text: `${foldedCountLabel(site, ascii)} ${site.name}`, bold: true},
			{text: `  ${site.kind}, folded into totals`, dim: true},
		],
		[{text: `  at ${site.location ?? 'unknown location'}`, dim: true}],
		[{text: `  ${formatCount(site.count)} finished, ${formatCount(site.failed)} failed; the latest ended at ${formatDuration(site.lastEndMs)}`}],
		...site.failures.map((failure): Line => [{text: `  ×${formatCount(failure.count)} ${failureText(failure)}${failure.error?.location ? ` at ${failure.error.location}` : ''}`, color: 'red'}]),
		row('total', site.total),
		row('busy', site.busy),
		row('wait', site.wait),
		// A site's calls may fold in the monitor (past the window) or in the script's process (a flood): the recording holds each one's times either way, its names and awaits only for the first.
		[{text: "  folded past the retention window (--retain, --retain-for), or in the script's process as a flood of quick calls; a recording keeps each one's times", dim: true}],
	];
}

/** Everything known about one task or op, as lines the details pane scrolls through. */
export function detailLines(input: DetailsInput): Line[] {
	const node = input.state.nodes.get(input.id);
	const site = node ? undefined : foldedSite(input.state, input.id);
	if (site) return foldedSiteLines(site, input.ascii);
	if (!node) return [[{text: `${shownId(input.id)} is no longer in the model`, dim: true}]];
	return [
		...identity(node, input),
		...processOutput(node, input),
		...family(node, input),
		...awaitSites(node),
		...httpRequests(node, input),
		...(node.error ? errorLines(node, input.width) : []),
		...blockLines(node, input),
	];
}

function identity(node: TaskNode, {state, nowMs, ascii}: DetailsInput): Line[] {
	const style = STATE_STYLES[node.state];
	const times = liveTimes(node, nowMs);
	const lines: Line[] = [
		[
			{text: `${stateIcon(node.state, ascii)} `, color: style.color},
			{text: node.name, bold: true},
			{text: `  ${node.kind} ${shownId(node.id, state)}  `, dim: true},
			{text: style.label, color: style.color},
		],
		...(node.request ? [receivedLine(node.request, node.endMs === null ? null : times.totalMs, node.error)] : placeLine(state, node)),
		[{text: `  started ${formatDuration(node.startMs)}  total ${formatDuration(times.totalMs)}  busy ${formatDuration(times.busyMs)}  waiting ${formatDuration(times.waitMs)}  sched delay ${formatDuration(times.schedDelayMs)}  awaits ${node.awaitCount}`}],
	];
	if (node.blockedDelayMs > 0) lines.push([{text: `  delayed ${formatDuration(node.blockedDelayMs)} by a blocked loop`, color: 'red'}]);
	if (node.wait && node.endMs === null) {
		lines.push([{text: `  waiting on ${describeTarget(state, node.wait.on, nowMs, ascii)} for ${formatDuration(nowMs - node.wait.since)} at ${node.wait.site ?? '?'}`, color: 'yellow'}]);
	}
	if (node.timer) {
		lines.push([{text: `  timer ${formatDuration(node.timer.delayMs)}${node.timer.repeat ? ' repeating' : ''}, fired ${node.timer.fires}x, at most ${formatDuration(node.timer.lateMs)} late`}]);
	}
	return lines;
}

/**
 * Where a task's function is; an op (a request, a timer, a file read) has no place of its own but its task's: the
 * call that made it ran there. Nothing where neither is known.
 */
function placeLine(state: ModelState, node: TaskNode): Line[] {
	if (node.location) return [[{text: `  at ${node.location}`, dim: true}]];
	const maker = node.parentId === null ? undefined : state.nodes.get(node.parentId);
	if (!maker) return [];
	const where = maker.kind === 'script' ? `the top level of ${maker.name}` : `${maker.name}${maker.location ? ` (${maker.location})` : ''}`;
	return [[{text: `  made by ${where}`, dim: true}]];
}

/** What a server received, and how it ended: `received GET /users/7 (route /users/:id): 200 in 9.5ms`, or that its client went away. */
function receivedLine(request: ServerRequestInfo, tookMs: Ms | null, error?: ErrorInfo): Line {
	const route = request.route === undefined ? '' : ` (route ${request.route})`;
	const outcome = tookMs === null ? 'in flight' : servedOutcome(request, formatDuration(tookMs), error);
	const failed = request.aborted || error !== undefined || (request.status ?? 0) >= 500;
	return [{text: `  received ${request.method} ${request.url}${route}: `}, {text: outcome, ...(failed && {color: 'red' as const})}];
}

const LISTED_OUTPUT_LINES = 10;

/** A followed process's last lines of output, wherever they went (its parent's pipe, the terminal, a file). */
function processOutput(node: TaskNode, {width}: DetailsInput): Line[] {
	if (!node.output) return [];
	const indent = '  ';
	const {lines} = outputWindow({output: node.output.output, outputDropped: 0}, LISTED_OUTPUT_LINES, width - indent.length, 0);
	return [
		[],
		[{text: 'Output  ', bold: true}, {text: `${outputSize(node.output)} to stdout and stderr; the last lines:`, dim: true}],
		...lines.map((line): Line => [{text: indent}, ...line]),
	];
}

function family(node: TaskNode, {state, nowMs, ascii}: DetailsInput): Line[] {
	const chain: string[] = [];
	for (let parent = parentOf(state, node); parent; parent = parentOf(state, parent)) chain.unshift(`${parent.name} ${shownId(parent.id, state)}`);
	const lines: Line[] = [[], [{text: 'Parents  ', bold: true}, {text: chain.length > 0 ? chain.join(' › ') : '(none: a root)'}]];
	lines.push([{text: `Children (${node.children.length})`, bold: true}]);
	for (const id of node.children.slice(0, LISTED_CHILDREN)) {
		const child = state.nodes.get(id);
		if (!child) continue;
		const label = child.http || child.timer ? describeOp(child, nowMs, ascii) : child.name;
		lines.push([
			{text: `  ${stateIcon(child.state, ascii)} `, color: STATE_STYLES[child.state].color},
			{text: `${child.kind} ${shownId(child.id, state)} ${label}  `},
			{text: formatDuration(liveTimes(child, nowMs).totalMs), dim: true},
		]);
	}
	if (node.children.length > LISTED_CHILDREN) lines.push([{text: `  … ${node.children.length - LISTED_CHILDREN} more`, dim: true}]);
	return lines;
}

function parentOf(state: ModelState, node: TaskNode): TaskNode | undefined {
	return node.parentId === null ? undefined : state.nodes.get(node.parentId);
}

function awaitSites(node: TaskNode): Line[] {
	if (node.awaitSites.length === 0) return [];
	const sites = [...node.awaitSites].sort((a, b) => b.totalMs - a.totalMs);
	return [
		[],
		[{text: 'Await sites', bold: true}, {text: '  (time waited)', dim: true}],
		...sites.map(site => [{text: `  ${formatDuration(site.totalMs).padStart(7)}  ${String(site.count).padStart(4)}x  ${site.site ?? 'unknown site'}`}]),
	];
}

const LISTED_REQUESTS = 5;

/** The node's own request, or those it made: their phases say where the waiting went. */
function httpRequests(node: TaskNode, input: DetailsInput): Line[] {
	if (node.http) return httpWaterfall(node.http, node, input);
	const requests: TaskNode[] = [];
	for (const id of node.children) {
		const child = input.state.nodes.get(id);
		if (child?.http && requests.length < LISTED_REQUESTS) requests.push(child);
	}
	return requests.flatMap(request => httpWaterfall(request.http!, request, input));
}

const PHASES = [
	{key: 'queueMs', label: 'queue'},
	{key: 'connectMs', label: 'connect'},
	{key: 'ttfbMs', label: 'ttfb'},
	{key: 'downloadMs', label: 'download'},
] as const;

/** The request's phases laid end to end, each bar offset by the phases before it. */
function httpWaterfall(http: HttpInfo, node: TaskNode, {nowMs, width, glyphs}: DetailsInput): Line[] {
	const phases = livePhases(http, node, nowMs);
	const total = phases.reduce((sum, phase) => sum + (phase.ms ?? 0), 0);
	const barWidth = Math.max(10, Math.min(50, width - 30));
	const status = http.status === undefined ? '' : ` → ${http.status}`;
	const bytes = http.bytes === undefined ? '' : `  ${formatBytes(http.bytes)}`;
	const lines: Line[] = [[], [{text: 'HTTP  ', bold: true}, {text: `${http.method} ${http.url}${status}${bytes}`}]];
	let offset = 0;
	for (const phase of phases) {
		if (phase.ms === undefined) {
			lines.push([{text: `  ${phase.label.padEnd(9)}`, dim: true}, {text: '–', dim: true}]);
			continue;
		}
		const start = total > 0 ? Math.round((offset / total) * barWidth) : 0;
		const length = total > 0 ? Math.max(1, Math.round((phase.ms / total) * barWidth)) : 1;
		offset += phase.ms;
		lines.push([
			{text: `  ${phase.label.padEnd(9)}${' '.repeat(start)}`},
			// The queue in the timeline's colour for it.
			{text: glyphs.barFull.repeat(Math.min(length, barWidth - start + 1)), color: phase.label === 'queue' ? 'blue' : 'cyan'},
			{text: ` ${formatDuration(phase.ms)}`},
		]);
	}
	if (http.queue) {
		const ahead = http.queue.ahead === 0 ? 'first in line' : `${http.queue.ahead} ahead of it`;
		lines.push([{text: `  queued in a full pool: ${http.queue.inFlight} in flight on its connections, ${ahead}`, dim: true}]);
	}
	return lines;
}

/** Recorded phases, plus the one in progress measured to now. */
function livePhases(http: HttpInfo, node: TaskNode, nowMs: Ms): Array<{label: string; ms: Ms | undefined}> {
	const live = {...http.phases};
	if (node.endMs === null) {
		if (http.headersAt !== undefined) live.downloadMs = nowMs - http.headersAt;
		else if (http.sentAt !== undefined) live.ttfbMs = nowMs - http.sentAt;
		else if (http.queue) {
			// Still in its pool's queue, or out of it and on its way to a connection.
			live.queueMs = (http.dequeuedAt ?? nowMs) - node.startMs;
			if (http.dequeuedAt !== undefined) live.connectMs = nowMs - http.dequeuedAt;
		}
	}
	return PHASES.map(phase => ({label: phase.label, ms: live[phase.key]}));
}

function errorLines(node: TaskNode, width: number): Line[] {
	const error = node.error!;
	const stack = (error.stack ?? '').split('\n').filter(frame => frame.trim() !== '' && !frame.startsWith(`${error.name}:`));
	return [
		[],
		[{text: errorText(error), color: 'red', bold: true}],
		...(error.location ? [[{text: `  at ${error.location}`, dim: true}]] : []),
		...stack.map(frame => [{text: truncate(`  ${frame.trim()}`, width), dim: true}]),
	];
}

function blockLines(node: TaskNode, {state, nowMs}: DetailsInput): Line[] {
	const blocks = state.blocks.filter(block => block.taskId === node.id);
	if (blocks.length === 0) return [];
	const lines: Line[] = [[], [{text: `Blocked the event loop ${blocks.length}x`, bold: true, color: 'red'}]];
	for (const block of blocks) {
		const duration = block.durationMs ?? nowMs - block.startMs;
		lines.push([{text: `  ${formatDuration(duration)} at ${formatDuration(block.startMs)}${block.durationMs === null ? ' (still blocked)' : ''}  ${block.location ?? ''}`, color: 'red'}]);
		for (const frame of block.frames) lines.push([{text: `      ${frame.fn} (${frame.loc})`, dim: true}]);
	}
	return lines;
}
