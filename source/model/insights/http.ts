import type {HttpClient, Ms} from '../../protocol/events.js';
import {hostOf} from '../../protocol/hosts.js';
import type {HttpInfo, ModelState, TaskNode} from '../state.js';
import {maxOverlap} from '../overlap.js';
import type {ConnectionQueueingInsight, HttpFailuresInsight, HttpInsight, SlowestHostInsight} from './insight.js';

/** Average queueing below this is normal scheduling noise. */
export const MIN_AVERAGE_QUEUE_MS = 10;
/** A request that waited this long before it was sent waited for a connection. */
export const QUEUED_MS = 1;

type Request = TaskNode & {http: HttpInfo};

/** Per host: time queued for a connection, errors and retries; across hosts: the slowest. */
export function httpInsights(state: ModelState): HttpInsight[] {
	const hosts = requestsByHost(state);
	const insights: HttpInsight[] = [];
	for (const [host, requests] of hosts) {
		// Each client library keeps its own connections: an undici Pool's queue is not an http.Agent's (axios, got).
		const clients = Map.groupBy(requests, request => request.http.client ?? null);
		for (const [client, through] of clients) insights.push(...connectionQueueing(state, host, client, through, clients.size > 1));
		insights.push(...errorsAndRetries(state, host, requests));
	}
	// A host whose requests were all folded past the retention window: its failures still count.
	for (const host of state.aggregated.hosts.keys()) if (!hosts.has(host)) insights.push(...errorsAndRetries(state, host, []));
	insights.push(...slowestHost(hosts));
	return insights;
}

/** Hosts in the order of their first request. */
function requestsByHost(state: ModelState): Map<string, Request[]> {
	const hosts = new Map<string, Request[]>();
	for (const id of state.order) {
		const node = state.nodes.get(id);
		if (!node?.http) continue;
		const host = hostOf(node.http.url);
		const requests = hosts.get(host) ?? [];
		requests.push(node as Request);
		hosts.set(host, requests);
	}
	return hosts;
}

/** `shared`: the host was reached through other clients too, whose connections are their own. */
function connectionQueueing(state: ModelState, host: string, client: HttpClient | null, requests: Request[], shared: boolean): ConnectionQueueingInsight[] {
	const sent = requests.filter(request => request.http.phases.queueMs !== undefined && request.http.sentAt !== undefined);
	if (sent.length === 0) return [];
	const averageQueueMs = sent.reduce((total, request) => total + (request.http.phases.queueMs ?? 0), 0) / sent.length;
	if (averageQueueMs < MIN_AVERAGE_QUEUE_MS) return [];
	// What the client actually had on the wire at once: between being sent and ending.
	const connections = maxOverlap(sent.map(request => [request.http.sentAt!, request.endMs ?? state.nowMs] as const));
	// Never more requests at once than connections: none waited for one to be free, whatever the time before sending went to.
	const wanted = maxOverlap(sent.map(request => [request.startMs, request.endMs ?? state.nowMs] as const));
	if (wanted <= connections) return [];
	const freed = connectionFreedWhileQueued(sent);
	const queued = sent.filter(request => (request.http.phases.queueMs ?? 0) >= QUEUED_MS && freed(request));
	if (queued.length === 0) return [];
	const waits = queued.map(request => request.http.phases.queueMs!);
	const figures = state.aggregated.hosts.get(host);
	// Through this client, where the figures say which: a host reached through several counts each one's.
	const folded = (shared && client !== null ? figures?.byClient[client] : figures?.requests) ?? 0;
	return [
		{
			kind: 'http',
			finding: 'connection-queueing',
			host,
			averageQueueMs,
			requests: sent.length,
			queued: queued.length,
			queuedAverageMs: waits.reduce((total, ms) => total + ms, 0) / waits.length,
			longestQueueMs: Math.max(...waits),
			connections,
			client,
			...(shared && {sharedHost: true as const}),
			...(folded > 0 && {folded}),
			taskIds: queued.map(request => request.id),
		},
	];
}

/**
 * Whether another request to the host ended while this one waited to be sent: it waited for that connection to be
 * free. One sent on a new connection, or on an idle one, waited only for its client to get to it (the first of a
 * fan-out, each a few ms before it is sent): no request ended meanwhile.
 */
function connectionFreedWhileQueued(sent: readonly Request[]): (request: Request) => boolean {
	const ends = Float64Array.from(sent.filter(request => request.endMs !== null).map(request => request.endMs!)).sort();
	return request => {
		// The first end at or after the request's start: it was freed in time if it came by the time the request was sent.
		let low = 0;
		let high = ends.length;
		while (low < high) {
			const middle = (low + high) >>> 1;
			if (ends[middle]! < request.startMs) low = middle + 1;
			else high = middle;
		}
		return low < ends.length && ends[low]! <= request.http.sentAt!;
	};
}

function failed(request: Request): boolean {
	return request.state === 'failed' || (request.http.status ?? 0) >= 500;
}

/**
 * Who made a request, as far as retrying goes: the task that made it, or, when that task is a call of an async
 * function, that call (its name with its arguments, where it is) under its caller. A retry helper makes each
 * attempt from a new call of one function (`attempt(url)`), under the one task that loops; `probe(0)` and
 * `probe(1)` are different calls, whatever URL they share.
 */
function requesterOf(state: ModelState, request: Request): string {
	const task = request.parentId === null ? undefined : state.nodes.get(request.parentId);
	if (task?.kind !== 'task') return `${request.parentId}`;
	return `${task.parentId} ${task.name} ${task.location}`;
}

/**
 * A retry is the same method and URL requested again by the same requester, after its earlier request for it
 * failed, with nothing else asked in between: a task that requests `/boom`, nine other URLs, then `/boom` again
 * goes through a list, and retries nothing.
 */
function isRetry(request: Request, requester: string, earlier: Array<{request: Request; requester: string}>): boolean {
	const own = earlier.filter(previous => previous.requester === requester).map(previous => previous.request);
	return own.some(
		previous =>
			failed(previous) &&
			!answeredForGood(previous) &&
			previous.http.method === request.http.method &&
			previous.http.url === request.http.url &&
			previous.endMs !== null &&
			previous.endMs <= request.startMs &&
			!own.some(between => between.startMs > previous.endMs! && between.startMs < request.startMs),
	);
}

/**
 * A gRPC call that failed with a status no client retries (NOT_FOUND, INVALID_ARGUMENT…): every call of a method has
 * its URL, so the next call of it is another question, not the same one asked again. Those retried, by gRPC's own
 * retry policy's defaults and its libraries': DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNAVAILABLE.
 */
function answeredForGood(request: Request): boolean {
	if (request.error?.name !== 'GrpcError') return false;
	const code = Number(/^(\d+) /.exec(request.error.message)?.[1]);
	return !RETRIED_GRPC_CODES.has(code);
}

const RETRIED_GRPC_CODES: ReadonlySet<number> = new Set([4, 8, 10, 14]);

/** Counts include the host's requests folded past the retention window; retries are told among those kept one by one. */
function errorsAndRetries(state: ModelState, host: string, requests: Request[]): HttpFailuresInsight[] {
	const failures = requests.filter(failed);
	const folded = state.aggregated.hosts.get(host);
	if (failures.length === 0 && !folded?.failed) return [];
	const made = requests.map(request => ({request, requester: requesterOf(state, request)}));
	const retries = requests.filter((request, index) => isRetry(request, made[index]!.requester, made.slice(0, index)));
	return [
		{
			kind: 'http',
			finding: 'failures',
			host,
			requests: requests.length + (folded?.requests ?? 0),
			failures: failures.length + (folded?.failed ?? 0),
			retries: retries.length,
			...(folded?.requests && {retriesAmong: requests.length}),
			taskIds: [...new Set([...failures, ...retries])].map(request => request.id),
		},
	];
}

/** The slowest host is a finding only when it is this many times slower than the next, and by SLOWER_BY_MS at least: 41 against 40 ms is noise. */
export const SLOWER_BY = 1.5;
const SLOWER_BY_MS = 10;

/**
 * Compares hosts by time from sending to the end of the response, so our own queueing does not count, nor does a
 * request that ended before it was sent (given up in a pool's queue, say): the host never saw it. Nor one with no
 * answer (a network error): a long poll the script aborted after 8 s is no answer the host was slow to give.
 */
function slowestHost(hosts: Map<string, Request[]>): SlowestHostInsight[] {
	const averages: Array<{host: string; averageMs: Ms; requests: Request[]}> = [];
	for (const [host, requests] of hosts) {
		const finished = requests.filter(request => request.endMs !== null && request.http.sentAt !== undefined && (request.state !== 'failed' || request.http.status !== undefined));
		if (finished.length === 0) continue;
		const totalMs = finished.reduce((total, request) => total + request.endMs! - request.http.sentAt!, 0);
		averages.push({host, averageMs: totalMs / finished.length, requests: finished});
	}
	if (averages.length < 2) return [];
	averages.sort((a, b) => b.averageMs - a.averageMs);
	const [slowest, next] = averages as [(typeof averages)[number], (typeof averages)[number]];
	if (slowest.averageMs < next.averageMs * SLOWER_BY || slowest.averageMs - next.averageMs < SLOWER_BY_MS) return [];
	return [
		{
			kind: 'http',
			finding: 'slowest-host',
			host: slowest.host,
			averageMs: slowest.averageMs,
			next: {host: next.host, averageMs: next.averageMs},
			taskIds: slowest.requests.map(request => request.id),
		},
	];
}

