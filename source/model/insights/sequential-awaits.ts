import {IDS_PER_THREAD, type Location, type Ms} from '../../protocol/events.js';
import {type AwaitRecord, type ModelState, type TaskNode, isTaskKind} from '../state.js';
import type {SequentialAwaitsInsight} from './insight.js';

/** A run that would save less than this is not worth restructuring code for. */
export const MIN_SEQUENTIAL_WAIT_MS = 10;
/**
 * An await shorter than this is no step of a run (the runtime folds awaits under 1 ms). Short ones count: a loop
 * of 40 queries of 5 ms each, one after another (N+1), costs 200 ms, though no one of them is worth a look.
 */
const MIN_STEP_WAIT_MS = 1;
/** A run that would save less than this share of its time is not worth restructuring code for either. */
export const MIN_SAVED_SHARE = 0.1;
/** More work than this between two awaits may be what the second operation needs. */
export const MAX_BUSY_GAP_MS = 10;

/** One await of a task on a task or op that it then waited for, or on a peer's reply to a query of a loop. */
interface Step {
	record: AwaitRecord & {readyMs: Ms; resumedMs: Ms};
	/** The task or op awaited; null for a peer's reply (a database's), or a call folded at the source, which are no nodes. */
	target: TaskNode | null;
	/** A call folded at the source (its await names its function): a step as a call is, though no node tells it. */
	folded: boolean;
	/** When the awaited operation began: a peer's reply's query was written just before the await, a folded call made just before it. */
	startMs: Ms;
	/** How long the awaited operation ran: what it would still take if started together with the others. */
	durationMs: Ms;
}

/**
 * Finds runs of awaits that could have overlapped. Consecutive emitted awaits
 * of one task form a run when each one:
 * - waits on a task or an op (not a bare promise or value) for at least MIN_STEP_WAIT_MS (a shorter one is passed
 *   over: no step, and no end of the run, and so is a wait on a bare promise or value under MAX_BUSY_GAP_MS), or on a
 *   peer's reply at an await site the task passed more than once (a database queried in a loop, an N+1 written with
 *   `await pool.query()` itself: a run of one-off queries may be a transaction, whose order is its meaning);
 * - is not `dependent`: its expression does not read a value from an earlier await;
 * - waits on an operation created after the previous await resumed, so it was
 *   not already running alongside it (awaiting tasks started together is fine);
 * - follows the previous await's resume after at most MAX_BUSY_GAP_MS of work;
 * - does not repeat a call or request of the run (see sameCall): a retry, with
 *   the backoff before it, or a poll depends on the earlier outcome;
 * - is no backoff: a timer awaited right after an operation that failed waits because it failed, and what comes
 *   after it (a retry, a fallback) depends on that.
 * Run together, the operations would take about as long as the longest one,
 * unless they compute: their busy time on one thread adds up, overlapped or
 * not, and so does their time ready but waiting to run. The saving is their sum minus that; a run that would save less than
 * MIN_SEQUENTIAL_WAIT_MS, or MIN_SAVED_SHARE of its time, gets no advice. A run that sleeps at one await site
 * more than once is a polling or pacing loop (a crawl that waits between its requests to be polite): waiting, one
 * thing after another, is its purpose, so it is left out.
 * A task that runs alongside siblings of the same function may be one of a pool of workers, each sequential on
 * purpose, whose concurrency is the pool's size; or one of a server's resolvers, each an N+1 of its own (the story a
 * user under load looks for). Either is told, saying it ran beside such siblings (`alongside`), not left out.
 */
export function sequentialAwaits(state: ModelState): SequentialAwaitsInsight[] {
	/** By the function's place: a handler does it at every request, and the advice is one, its costliest call's. */
	const bySite = new Map<string, SequentialAwaitsInsight>();
	const pools = poolMembers(state);
	for (const task of state.nodes.values()) {
		if (!isTaskKind(task.kind)) continue;
		// One finding per task, its costliest run: a loop would otherwise repeat the same advice.
		const runs = sequentialRuns(state, task)
			.filter(run => !isPacingLoop(run))
			.map(run => runFinding(state, task, run))
			.filter(finding => finding.savesMs >= Math.max(MIN_SEQUENTIAL_WAIT_MS, finding.sequenceMs * MIN_SAVED_SHARE));
		const costliestRun = costliest(runs);
		if (!costliestRun) continue;
		const worst = pools.has(task.id) ? {...costliestRun, alongside: true as const} : costliestRun;
		const site = task.location === null ? `#${task.id}` : `${task.kind} ${task.location}`;
		const known = bySite.get(site);
		bySite.set(site, {...(known && known.savesMs >= worst.savesMs ? known : worst), calls: (known?.calls ?? 0) + 1});
	}
	return [...bySite.values()];
}

function costliest(findings: readonly SequentialAwaitsInsight[]): SequentialAwaitsInsight | undefined {
	return findings.reduce<SequentialAwaitsInsight | undefined>((best, finding) => (!best || finding.savesMs > best.savesMs ? finding : best), undefined);
}

/**
 * Tasks that ran at the same time as a sibling that is the same call (same parent, same function, the same
 * arguments as shown): a pool's workers are started alike (`worker(queue)` four times); `handle(1)` and
 * `handle(10)` side by side are two requests' work, not a pool.
 */
function poolMembers(state: ModelState): Set<number> {
	const groups = new Map<string, TaskNode[]>();
	for (const task of state.nodes.values()) {
		if (task.kind !== 'task' || task.parentId === null) continue;
		const key = `${task.parentId} ${task.name}`;
		const group = groups.get(key);
		if (group) group.push(task);
		else groups.set(key, [task]);
	}
	const members = new Set<number>();
	for (const group of groups.values()) {
		if (group.length < 2) continue;
		group.sort((a, b) => a.startMs - b.startMs);
		// Sorted by start: a task overlaps an earlier one exactly when it starts before the latest end so far.
		let latest: TaskNode | undefined;
		for (const task of group) {
			const latestEnd = latest ? (latest.endMs ?? Infinity) : -Infinity;
			if (latest && task.startMs < latestEnd) {
				members.add(task.id);
				members.add(latest.id);
			}
			if (!latest || (task.endMs ?? Infinity) > latestEnd) latest = task;
		}
	}
	return members;
}

function sequentialRuns(state: ModelState, task: TaskNode): Step[][] {
	const runs: Step[][] = [];
	let run: Step[] = [];
	let previousFailed = false;
	const calls = new RunCalls();
	const looped = loopedPeerSites(task);
	/** The site of the run's peer replies: one query, looped. Another's breaks the run (a loop of transactions, each statement at its site). */
	let query: Location | null = null;
	for (const record of task.awaits) {
		const backoff = previousFailed && awaitsTimer(state, record);
		previousFailed = awaitsFailure(state, record);
		const step = backoff ? undefined : awaitedOperation(state, record, looped);
		// Too short to count, it is no step, and no break either: a query of an N+1 loop answered from a cache.
		if (step === SHORT) continue;
		const previous = run[run.length - 1];
		const sameQuery = step?.target !== null || step.folded || query === null || step.record.site === query;
		if (step && previous && followsSequentially(previous, step) && sameQuery) {
			if (isPeerReply(step)) query = step.record.site;
			// A repeat waited for the outcome of the call it repeats, and so did whatever waited between them (a backoff):
			// the run keeps what came before, up to that call, and starts again at the repeat.
			const repeated = calls.earliest(step.target);
			if (repeated === undefined) {
				calls.add(step.target, run.length);
				run.push(step);
				continue;
			}
			run = run.slice(0, repeated + 1);
		}
		if (run.length > 1) runs.push(run);
		run = step ? [step] : [];
		calls.restart(run);
		query = step && isPeerReply(step) ? step.record.site : null;
	}
	if (run.length > 1) runs.push(run);
	return runs;
}

/** An await of an operation too short to be a step (see MIN_STEP_WAIT_MS). */
const SHORT = 'short';

function awaitedOperation(state: ModelState, record: AwaitRecord, loopedPeers: ReadonlySet<Location>): Step | typeof SHORT | undefined {
	if (record.on.kind === 'peer' && record.site !== null && loopedPeers.has(record.site)) return stepOf(record, null, false);
	// A short wait on what nothing names (a response's body read, its headers in: `await r.json()`) is of the step
	// before it, as the runtime's folding makes the shortest: no break of the run (whose gaps count it, see followsSequentially).
	if (record.on.kind !== 'task' && record.on.kind !== 'op') return record.readyMs !== null && record.readyMs - record.startMs < MAX_BUSY_GAP_MS ? SHORT : undefined;
	// A guess (a library's promise read as what the task started before) is no operation known to be awaited: a
	// `for await` over a generator read as its fetches, a retry library's promise as its first attempt.
	if (record.on.guess) return undefined;
	const target = state.nodes.get(record.on.id);
	if (target) return stepOf(record, target, false);
	return record.on.kind === 'task' && record.on.name !== undefined ? stepOf(record, null, true) : undefined;
}

function isPeerReply(step: Step): boolean {
	return step.target === null && !step.folded;
}

/**
 * The await as a step on `target`, which ran from its start to its end; a peer's reply (target null) from the await to
 * the reply, its query written in the slice just before.
 */
function stepOf(record: AwaitRecord, target: TaskNode | null, folded: boolean): Step | typeof SHORT | undefined {
	const {readyMs, resumedMs} = record;
	if (readyMs === null || resumedMs === null) return undefined;
	if (readyMs - record.startMs < MIN_STEP_WAIT_MS) return SHORT;
	const startMs = target?.startMs ?? record.startMs;
	return {record: {...record, readyMs, resumedMs}, target, folded, startMs, durationMs: (target?.endMs ?? readyMs) - startMs};
}

/** The await sites at which the task waited on a peer's reply more than once: a loop of queries. */
function loopedPeerSites(task: TaskNode): Set<Location> {
	const seen = new Set<Location>();
	const looped = new Set<Location>();
	for (const {on, site} of task.awaits) {
		if (on.kind !== 'peer' || site === null) continue;
		if (seen.has(site)) looped.add(site);
		else seen.add(site);
	}
	return looped;
}

function followsSequentially(previous: Step, next: Step): boolean {
	return (
		!next.record.dependent &&
		next.startMs >= previous.record.resumedMs &&
		next.record.startMs - previous.record.resumedMs <= MAX_BUSY_GAP_MS
	);
}

/**
 * The calls of a run, found again by what they are: the same request (method and URL), or the same call of one of
 * the script's async functions (its name with its arguments, where it is), made again. After a failure it is a
 * retry, after a success a poll. Either way it waits for the earlier one's outcome, and the two started together
 * would be the same work done twice. Two requests compare as requests; a task and a request, or two tasks, as tasks.
 * Looked up by key, not by comparing each step with the run before it: a worker's run holds up to AWAITS_RETAINED
 * steps, and 32 such workers took 15 ms of every insights pass of the dashboard.
 */
class RunCalls {
	/** The first index in the run of each key: `h` a request's, `t` a task's, `T` a task's that is no request. */
	private readonly firstAt = new Map<string, number>();

	/** Where the run first made the call `target` makes again, if it did. A peer's reply is no call it can tell again. */
	earliest(target: TaskNode | null): number | undefined {
		if (!target) return undefined;
		const asTask = target.kind === 'task' ? taskKey(target) : null;
		if (!target.http) return asTask === null ? undefined : this.firstAt.get(`t${asTask}`);
		const asRequest = this.firstAt.get(`h${requestKey(target.http)}`);
		const asTaskOnly = asTask === null ? undefined : this.firstAt.get(`T${asTask}`);
		return asRequest === undefined ? asTaskOnly : asTaskOnly === undefined ? asRequest : Math.min(asRequest, asTaskOnly);
	}

	add(target: TaskNode | null, index: number): void {
		if (!target) return;
		if (target.http) this.keep(`h${requestKey(target.http)}`, index);
		if (target.kind !== 'task') return;
		const key = taskKey(target);
		this.keep(`t${key}`, index);
		if (!target.http) this.keep(`T${key}`, index);
	}

	/** The run is now `run`: what it holds, and nothing else. */
	restart(run: readonly Step[]): void {
		this.firstAt.clear();
		run.forEach((step, index) => this.add(step.target, index));
	}

	private keep(key: string, index: number): void {
		if (!this.firstAt.has(key)) this.firstAt.set(key, index);
	}
}

function requestKey(http: {method: string; url: string}): string {
	return `${http.method}\0${http.url}`;
}

function taskKey(task: TaskNode): string {
	return `${task.name}\0${task.location}`;
}

function isPacingLoop(run: Step[]): boolean {
	const sleeps = new Set<string>();
	for (const {target, record} of run) {
		if (target?.kind !== 'timer' || record.site === null) continue;
		if (sleeps.has(record.site)) return true;
		sleeps.add(record.site);
	}
	return false;
}

function awaitsTimer(state: ModelState, record: AwaitRecord): boolean {
	return record.on.kind === 'op' && state.nodes.get(record.on.id)?.kind === 'timer';
}

function awaitsFailure(state: ModelState, record: AwaitRecord): boolean {
	return (record.on.kind === 'op' || record.on.kind === 'task') && state.nodes.get(record.on.id)?.state === 'failed';
}

function runFinding(state: ModelState, task: TaskNode, run: Step[]): SequentialAwaitsInsight {
	const durations = run.map(step => step.durationMs);
	const sequenceMs = durations.reduce((total, ms) => total + ms, 0);
	const longestMs = Math.max(...durations);
	const togetherMs = Math.min(sequenceMs, Math.max(longestMs, busiestThreadMs(state, run)));
	const peer = onePeer(run);
	return {
		kind: 'sequential-awaits',
		taskName: task.name,
		operations: run.length,
		sequenceMs,
		longestMs,
		togetherMs,
		taskIds: [task.id, ...run.flatMap(step => (step.target ? [step.target.id] : []))],
		savesMs: sequenceMs - togetherMs,
		calls: 1,
		...(peer !== null && {peer}),
	};
}

/** The address whose replies every step of the run awaited, if they were all one peer's (a database's queries). */
function onePeer(run: readonly Step[]): string | null {
	let address: string | null = null;
	for (const {record} of run) {
		if (record.on.kind !== 'peer' || (address !== null && record.on.address !== address)) return null;
		address = record.on.address;
	}
	return address;
}

/**
 * The most time the run's awaited tasks (and every task under them) computed, or were ready and waited to run, on any
 * one thread: that much does not overlap. A task ready to run waits for its thread, busy with other work or waiting
 * for a CPU on a crowded machine; starting the operations together saves none of it.
 */
function busiestThreadMs(state: ModelState, run: Step[]): Ms {
	const byThread = new Map<number, Ms>();
	const add = (node: TaskNode): void => {
		// A task's id says its thread (see IDS_PER_THREAD): a worker's tasks compute beside the main thread's.
		const thread = Math.floor(node.id / IDS_PER_THREAD);
		byThread.set(thread, (byThread.get(thread) ?? 0) + node.busyMs + node.schedDelayMs);
	};
	// Every task under the awaited ones: work three calls down computes on the thread as much as a child's does.
	const pending = run.flatMap(step => (step.target ? [step.target] : []));
	for (let node = pending.pop(); node; node = pending.pop()) {
		if (!isTaskKind(node.kind)) continue;
		add(node);
		for (const id of node.children) {
			const child = state.nodes.get(id);
			if (child) pending.push(child);
		}
	}
	return Math.max(0, ...byThread.values());
}
