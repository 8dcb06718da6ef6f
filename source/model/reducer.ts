import {laneRootOf, processTaskName} from '../protocol/child-config.js';
import {HEARTBEAT_MS, isProcessGone, isScriptsMainThreadId, laneSlotOf, PROCESS_EXIT, threadOfId, type AsyncmonEvent, type BlockCallback, type ErrorInfo, type HeaderEvent, type JoinedEvent, type Ms, type OutputEvent, type ProtocolLine, type ProcessLaunch, type TaskEndEvent, type TaskStartEvent} from '../protocol/events.js';
import {foldJoined, foldSent, foldSentRequests, retire} from './retention.js';
import {settleIfLarge} from './intervals.js';
import {liveTimes} from './live-times.js';
import {othersPartOfWait} from './own-time.js';
import {
	endedBefore,
	AWAITS_RETAINED,
	UNCAUGHT_KEPT,
	activeBlocks,
	LANE_OUTPUT_BOUNDS,
	OUTPUT_LINE_MAX_CHARS,
	SCRIPT_OUTPUT_BOUNDS,
	SERIES_RETAINED_POINTS,
	type Block,
	type ModelState,
	type NodeState,
	type OutputBounds,
	type OutputTail,
	type SeriesPoint,
	type StateSpan,
	type TaskNode,
	emptyLaneOutput,
	isCountedTask,
	isTaskKind,
	isWorkUnit,
	onBlockedThread,
} from './state.js';
import {outputByteLength} from '../protocol/output-bytes.js';
import {timerSite} from '../protocol/timer-names.js';

/** Events that change no task, op or folded site: the loop's samples, the script's output, the session's own counts. */
const OUTSIDE_THE_TREE: ReadonlySet<ProtocolLine['type']> = new Set(['loop', 'output', 'held', 'backpressure', 'alive', 'notice', 'corrupt', 'dropped']);

/**
 * Applies one protocol line to the model. The state is mutated in place:
 * replaying a million events must not allocate a million states.
 */
export function apply(state: ModelState, line: ProtocolLine): void {
	state.version++;
	if (!OUTSIDE_THE_TREE.has(line.type)) state.treeVersion++;
	if (line.type === 'header') {
		state.header = line as HeaderEvent;
		return;
	}
	const event = line as AsyncmonEvent;
	if (event.t > state.nowMs) state.nowMs = event.t;
	switch (event.type) {
		case 'task.start': {
			// A followed process's own word that it started, come after its parent's (see launchedProcess): the task is there.
			if (event.kind === 'process' && state.nodes.has(event.id)) break;
			// Held back at the last flush, told now: counted here from now on, not twice.
			if (event.t < state.heldAt && state.held.tasks > 0) state.held.tasks--;
			if (event.kind === 'task') suspendPreviousSibling(state, event.parent, event.t);
			const node = addNode(state, {
				id: event.id,
				parentId: event.parent,
				kind: event.kind,
				name: event.name,
				location: event.loc,
				startMs: event.t,
				state: 'running',
			});
			if (event.thread !== undefined) node.thread = event.thread;
			if (event.http) node.request = {...event.http, aborted: false};
			if (event.process) node.process = {...event.process};
			openSpan(node, 'running', event.t);
			if (isWorkUnit(node.kind)) changeInFlight(state, 1, event.t);
			break;
		}
		case 'task.await': {
			const node = state.nodes.get(event.id);
			if (!node || isDone(node)) break;
			node.busyMs = event.busy;
			// Taken for waiting already (see suspendPreviousSibling): it waited from here.
			if (node.state === 'waiting' && node.wait === null) moveLastSwitch(node, event.t);
			node.accountedAt = event.t;
			node.awaitCount++;
			node.wait = {site: event.site, on: event.on, since: event.t};
			if (node.awaits.length < AWAITS_RETAINED) {
				node.awaits = append(node.awaits, {site: event.site, on: event.on, dependent: event.dependent === true, startMs: event.t, readyMs: null, resumedMs: null});
			}
			node.readyAt = null;
			setState(state, node, 'waiting', event.t);
			break;
		}
		case 'task.ready': {
			const node = state.nodes.get(event.id);
			if (!node || node.state !== 'waiting') break;
			node.readyAt = event.t;
			setState(state, node, 'ready', event.t);
			break;
		}
		case 'task.resume': {
			const node = state.nodes.get(event.id);
			if (!node || isDone(node)) break;
			if (node.wait) {
				recordAwaitSite(node, node.wait.site, event.readyAt - node.wait.since);
				node.taskWaitMs += othersPartOfWait(state, node, node.wait.on, node.wait.since, event.readyAt);
				const last = node.awaits[node.awaits.length - 1];
				if (last && last.resumedMs === null && last.startMs === node.wait.since) {
					last.readyMs = event.readyAt;
					last.resumedMs = event.t;
				}
			}
			if (node.state === 'waiting' && event.readyAt < event.t) setState(state, node, 'ready', event.readyAt);
			node.waitMs = event.wait;
			node.schedDelayMs = event.sched;
			node.accountedAt = event.t;
			node.wait = null;
			node.readyAt = null;
			addBlockedDelay(state, node, event.readyAt, event.t);
			setState(state, node, 'running', event.t);
			break;
		}
		case 'task.end': {
			// A followed process killed before it could say it started: its parent's word for it.
			if (event.launched && !state.nodes.has(event.id)) apply(state, launchedProcess(event.id, event.launched));
			const node = state.nodes.get(event.id);
			if (!node || isDone(node)) break;
			// Ended as it waited: on the promise it returned (a worker's reply it wrapped), which has no resume.
			if (node.wait) node.taskWaitMs += othersPartOfWait(state, node, node.wait.on, node.wait.since, event.t);
			node.busyMs = event.busy;
			node.waitMs = event.wait;
			node.schedDelayMs = event.sched;
			node.awaitCount = Math.max(node.awaitCount, event.awaits);
			node.accountedAt = event.t;
			node.wait = null;
			// A process that crashed keeps its uncaught error: its exit code is in its exit.
			if (event.error && !(node.kind === 'process' && node.error)) node.error = event.error;
			if (node.request) {
				node.request.status = event.status;
				node.request.aborted = event.aborted === true;
				if (event.route !== undefined) node.request.route = event.route;
			}
			if (node.kind === 'process' || node.kind === 'worker') endLane(state, node, event);
			// A request served with a server error failed, as a request sent that got one does.
			finish(state, node, event.ok && !httpFailed(event.status) ? 'finished' : 'failed', event.t);
			if (isWorkUnit(node.kind) && node.childTaskCount === 0) changeInFlight(state, -1, event.t);
			retire(state, node);
			break;
		}
		case 'op.start': {
			if (event.http && event.t < state.heldAt && state.held.http > 0) state.held.http--;
			const node = addNode(state, {
				id: event.id,
				parentId: event.parent,
				kind: event.kind,
				name: event.name,
				location: event.loc ?? null,
				startMs: event.t,
				state: 'waiting',
			});
			openSpan(node, 'waiting', event.t);
			if (event.http) {
				node.http = {method: event.http.method, url: event.http.url, phases: {}};
				if (event.http.client) node.http.client = event.http.client;
				if (event.http.queue) {
					node.http.queue = {...event.http.queue};
					state.httpQueued++;
				}
				state.httpInFlight++;
			}
			if (event.timer) node.timer = {delayMs: event.timer.delayMs, repeat: event.timer.repeat, fires: 0, lateMs: 0};
			if (event.process) node.process = {...event.process};
			break;
		}
		case 'op.phase': {
			const http = state.nodes.get(event.id)?.http;
			if (!http) break;
			if (event.phase === 'sent') {
				http.sentAt = event.t;
				http.phases.queueMs = event.queueMs ?? 0;
				http.phases.connectMs = event.connectMs ?? 0;
			} else {
				http.headersAt = event.t;
				http.status = event.status;
				if (http.sentAt !== undefined) http.phases.ttfbMs = event.t - http.sentAt;
			}
			break;
		}
		case 'op.dequeued': {
			const node = state.nodes.get(event.id);
			const http = node?.http;
			if (!http?.queue || http.dequeuedAt !== undefined || isDone(node!)) break;
			http.dequeuedAt = event.t;
			state.httpQueued--;
			if (event.url !== undefined) http.url = event.url;
			break;
		}
		case 'op.fire': {
			const timer = state.nodes.get(event.id)?.timer;
			if (!timer) break;
			timer.fires++;
			timer.lateMs = Math.max(timer.lateMs, event.lateMs);
			break;
		}
		case 'op.end': {
			const node = state.nodes.get(event.id);
			// A timer a block told fired (see timerFired): its end, out of the blocked thread, says only how late it was.
			if (node?.timer && isDone(node) && event.lateMs !== undefined) node.timer.lateMs = Math.max(node.timer.lateMs, event.lateMs);
			if (!node || isDone(node)) break;
			if (node.http) {
				if (event.status !== undefined) node.http.status = event.status;
				if (event.bytes !== undefined) node.http.bytes = event.bytes;
				if (node.http.headersAt !== undefined) node.http.phases.downloadMs = event.t - node.http.headersAt;
				state.httpInFlight--;
				// Given up while still queued.
				if (node.http.queue && node.http.dequeuedAt === undefined) state.httpQueued--;
			}
			if (node.timer && event.lateMs !== undefined) {
				node.timer.fires++;
				node.timer.lateMs = Math.max(node.timer.lateMs, event.lateMs);
			}
			if (event.error) node.error = event.error;
			if (event.exit && node.process) node.process.exit = event.exit;
			const failed = !event.ok || (node.http !== undefined && httpFailed(node.http.status));
			if (failed && node.http) state.httpFailed++;
			finish(state, node, failed ? 'failed' : 'finished', event.t);
			retire(state, node);
			break;
		}
		case 'block.start': {
			if (state.starvedBlockIds.has(event.id)) break;
			const block = blockById(state, event.id);
			block.startMs = event.t;
			block.detectedAt = event.detectedAt;
			block.taskId = event.task;
			block.taskName = nameOfTask(state, event.task) ?? block.taskName;
			if (event.callback) block.callback = callbackApi(state, event.callback);
			// A callback the task scheduled, or any code of a task done before the block began (a callback too): where the
			// task is defined is not where the callback runs.
			if (locatedAtTask(state, block)) block.location = locationOfTask(state, event.task) ?? block.location;
			if (block.durationMs === null) setActive(state, block);
			if (event.callback) {
				// The task waits on as it did; the timer whose callback runs has fired, though the thread could not say so.
				timerFired(state, event.callback.op === null ? undefined : state.nodes.get(event.callback.op), event.t);
				break;
			}
			// The blocking task is running, whatever its last events said: its resume is stuck in the blocked thread's buffer.
			const blocking = event.task === null ? undefined : state.nodes.get(event.task);
			if (blocking && !isDone(blocking)) {
				// So it has resumed from what it awaited: a timer of its fired, though the thread could not say so.
				if (blocking.state === 'waiting' && blocking.wait?.on.kind === 'op') timerFired(state, state.nodes.get(blocking.wait.on.id), event.t);
				accountUntil(blocking, event.t);
				setState(state, blocking, 'running', event.t);
			}
			break;
		}
		case 'block.stack': {
			if (state.starvedBlockIds.has(event.id)) break;
			const block = blockById(state, event.id);
			// The watchdog's lines go their own way: its stack may come after the block's end said it was read too late.
			if (readAsItEnded(state, block)) break;
			block.frames = event.frames;
			block.stackRead = true;
			// A block.end may have said so already, from the time spent in require() (see LoopWatch.measureRequires). A read
			// that most reads found stands for all of them: the first's say that it was loading does not.
			block.loading = (event.samples ? block.loadingByTime : block.loading) || event.loading === true;
			block.samples = event.samples ?? null;
			block.module = event.module ?? null;
			block.callee = event.callee ?? null;
			block.library = event.library ?? null;
			// Code of no task's as the runtime saw it (a library's, resumed after an await of its own): the task in whose
			// async context it ran.
			if (block.taskId === null && event.task !== undefined) {
				block.taskId = event.task;
				block.taskName = nameOfTask(state, event.task) ?? block.taskName;
			}
			if (event.frames[0]) block.location = event.frames[0].loc;
			else if (isLibraryTopLevel(block)) block.location = null;
			break;
		}
		case 'block.end': {
			const block = blockById(state, event.id);
			endActive(state, block);
			if (event.loading) block.loading = block.loadingByTime = true;
			// Shown while it lasted, but the machine's: the thread waited for a CPU. No block.
			if (event.starved) {
				state.blocks.splice(state.blocks.indexOf(block), 1);
				state.starvedBlockIds.add(event.id);
				break;
			}
			block.durationMs = event.durationMs;
			block.endMs = event.t;
			block.queuedMs = event.queuedMs ?? 0;
			block.exact = event.exact;
			if (block.startMs === 0 && block.detectedAt === 0) block.startMs = event.t - event.durationMs;
			// What the watchdog read at a look that late ran last or next; its word for the task at the end is the one it saw
			// most through the silence, from its first look, and the main thread's, for a block it measured, is exact. A late
			// look that found the very task the silence was most seen in read the block's own code: what it read stays.
			const agrees = !event.exact && event.task !== null && block.taskId === event.task;
			if (readAsItEnded(state, block) && !agrees) forgetWhatWasRead(block);
			if (event.task !== null) block.taskId = event.task;
			block.taskName = nameOfTask(state, block.taskId) ?? block.taskName;
			if (locatedAtTask(state, block)) block.location ??= locationOfTask(state, block.taskId);
			break;
		}
		case 'loop':
			pushSeries(state.loopDelaySeries, event.t, event.delayMs);
			// A point on the loop's beat, events or none: the tasks-in-flight sparkline moves on in time as the delay's does.
			pushSeries(state.inFlightSeries, event.t, state.tasksInFlight, IN_FLIGHT_BUCKET_MS);
			break;
		case 'output':
			applyOutput(state, event);
			break;
		case 'fatal':
			state.fatal = {kind: event.kind, message: event.message, loc: event.loc, frame: event.frame};
			break;
		case 'uncaught': {
			// A followed process's is its lane's failure, not the script's: the lane ends failed with it, not with its exit code.
			const lane = event.task === null ? null : laneRootOf(event.task);
			if (lane !== null) {
				const root = state.nodes.get(lane);
				if (root && !isDone(root) && !event.handled) root.error = event.error;
				break;
			}
			// The same one again (a handler of the script's that takes one a request) is counted, not listed again.
			const same = state.uncaught.find(one => one.origin === event.origin && one.handled === event.handled && sameError(one.error, event.error));
			if (same) same.count = (same.count ?? 1) + 1;
			else if (state.uncaught.length >= UNCAUGHT_KEPT) state.uncaughtUnlisted++;
			else state.uncaught.push({t: event.t, origin: event.origin, error: event.error, taskId: event.task, ...(event.handled && {handled: event.handled})});
			break;
		}
		case 'script.start': {
			state.scriptStartMs = event.t;
			// The script's own code starts here: what ran before (asyncmon and Node loading it) is not its busy time, as
			// its task.end counts it. A script cut short by process.exit() says no task.end (see finishExitCallers).
			const root = state.rootIds.length > 0 ? state.nodes.get(state.rootIds[0]!) : undefined;
			if (root?.kind === 'script' && root.state === 'running' && root.busyMs === 0 && root.accountedAt < event.t) root.accountedAt = event.t;
			break;
		}
		case 'script.exit':
			state.scriptExitMs = event.t;
			state.exitCall = event.exitCall ?? null;
			break;
		case 'exit':
			state.exit = {t: event.t, code: event.code, signal: event.signal, ...(event.stoppedFor && {stoppedFor: event.stoppedFor}), ...(event.forced && {forced: event.forced})};
			// Whatever the process still held ended with it.
			state.held = {tasks: 0, http: 0};
			// A script that exited blocked says no block.end (its loop never turned again: a loop of awaits ran until its
			// last line, or a signal stopped it): its block ends as its code did.
			if (state.activeBlockId !== null) {
				const block = state.blocks.find(b => b.id === state.activeBlockId);
				if (block) endBlockAtExit(state, block, state.scriptExitMs ?? event.t, event.t);
				state.activeBlockId = null;
			}
			// The session ends: asyncmon no longer hears from a process that outlives the script either.
			if (state.activeProcessBlockIds.length > 0) state.activeProcessBlockIds = [];
			if (state.exitCall && event.signal === null) finishExitCallers(state, state.scriptExitMs ?? event.t);
			break;
		case 'dropped':
			state.droppedEvents += event.count;
			break;
		case 'notice':
			state.notices.push(event.message);
			break;
		case 'corrupt':
			state.corruptLines += event.count;
			break;
		case 'backpressure':
			state.heldBackMs += event.heldMs;
			break;
		case 'held':
			state.held = {tasks: event.tasks, http: event.http};
			state.heldAt = event.t;
			break;
		case 'floating':
			state.floating.push({t: event.t, taskId: event.task, callerId: event.by, site: event.site});
			break;
		case 'alive':
			state.keptAlive = {t: event.t, idleSince: event.idleSince, resources: event.resources, servers: event.servers ?? []};
			break;
		case 'fold': {
			const folded = foldSent(state.aggregated, event);
			if (folded === null) {
				state.corruptLines++;
				break;
			}
			settleIfLarge(state);
			if (!isCountedTask(event.kind)) break;
			state.taskCounts.finished += event.count;
			const parent = event.parent === null ? undefined : state.nodes.get(event.parent);
			if (parent) addChildTasks(state, parent, event.count, parent.childTaskCount === 0 ? folded.firstStart : event.t);
			// In flight though never told one by one: the sparkline's bar for their time counts them too. Their peak, or the
			// tasks told that are in flight now, whichever is more: how many of these ran beside those is not known, and a
			// sum would count a server's steady load about twice.
			if (folded.peak > state.tasksInFlight) pushSeries(state.inFlightSeries, event.t, folded.peak, IN_FLIGHT_BUCKET_MS, state.tasksInFlight);
			break;
		}
		case 'fold.http':
			if (foldSentRequests(state.aggregated, event)) settleIfLarge(state);
			else state.corruptLines++;
			break;
		case 'joined':
			state.joinedMs = event.t;
			joinFolded(state, event.folded);
			break;
	}
}

/** The `task.start` a followed process would have sent for itself. */
function launchedProcess(id: number, {t, parent, process}: ProcessLaunch): TaskStartEvent {
	return {type: 'task.start', t, id, parent, kind: 'process', name: processTaskName(process.pid, process.command), loc: null, process};
}

/**
 * A followed process ended (its lane's root, see IDS_PER_PROCESS), or a worker thread did: what it left unsettled
 * ends with it, never left running. Killed or failed (a worker dead of an error), all of it fails as the lane did.
 * Exited by itself (or a worker terminate()d), the task still running is the one that ended it (its
 * `process.exit()`), as in the script's own process, and finishes; what still waited was cut short, and fails saying
 * so. The lanes it started are theirs to end. One gone with its exit not told (the monitor's end, see
 * docs/protocol.md) leaves its tasks as they were: interrupted with the script.
 */
function endLane(state: ModelState, root: TaskNode, end: TaskEndEvent): void {
	if (end.exit) root.process = {...(root.process ?? {command: root.name}), exit: end.exit};
	const slot = laneSlotOf(root.id);
	// A worker thread's lane is its thread's tasks and ops, by their ids (see IDS_PER_THREAD); a process's, all of its
	// threads'. A worker whose own id is not of its thread's range (a recording made by hand) has no lane to end.
	const thread = root.kind === 'worker' ? threadOfId(root.id) : null;
	if (thread === 0) return;
	const {t} = end;
	const error = end.error ?? (end.ok ? (end.exit?.byScript ? stoppedByScript(end.exit.signal) : thread === null ? CUT_SHORT_BY_EXIT : CUT_SHORT_BY_THREAD_END) : undefined);
	// A process that died blocked (killed, say) says no block.end: its block ends with it.
	for (const block of activeBlocks(state)) if (block.processId === root.id) endBlockAtExit(state, block, t);
	if (isProcessGone(end.error)) return;
	for (const node of [...state.nodes.values()]) {
		if (node === root || isDone(node) || laneSlotOf(node.id) !== slot || (thread !== null && threadOfId(node.id) !== thread)) continue;
		if (isTaskKind(node.kind)) {
			// Running as its process exited by itself: it ended it (process.exit()). A signal cut it short. Its times run
			// to the end: a wait cut short was waiting until then.
			const endedIt = end.ok && !end.exit?.byScript && node.state === 'running';
			const {busyMs, waitMs, schedDelayMs} = liveTimes(node, t);
			apply(state, {type: 'task.end', t, id: node.id, ok: endedIt, ...(!endedIt && {error}), busy: busyMs, wait: waitMs, sched: schedDelayMs, awaits: node.awaitCount});
		} else {
			apply(state, {type: 'op.end', t, id: node.id, ok: false, error});
		}
	}
}

/**
 * The script's own process.exit() ended its process: the tasks of its main thread still running then are the one
 * that called it and those that called that one without awaiting, and they finish as it ended, as a followed
 * process's do (see endLane). What still waited was cut off, and stays as it was (see neverSettled).
 */
function finishExitCallers(state: ModelState, t: Ms): void {
	for (const node of [...state.nodes.values()]) {
		if (node.state !== 'running' || !isTaskKind(node.kind) || !isScriptsMainThreadId(node.id)) continue;
		// Its busy time runs to the exit: process.exit() in a script that computed first (its top level, say) ran that long.
		const {busyMs, waitMs, schedDelayMs} = liveTimes(node, t);
		apply(state, {type: 'task.end', t, id: node.id, ok: true, busy: busyMs, wait: waitMs, sched: schedDelayMs, awaits: node.awaitCount});
		state.exitCallers.push(node.id);
	}
}

/** A block still under way when its process exited ends with it, at `t`; at `orLater` if it began after `t` (in an exit handler, say). */
function endBlockAtExit(state: ModelState, block: Block, t: Ms, orLater = t): void {
	const end = t >= block.startMs ? t : orLater;
	apply(state, {type: 'block.end', t: end, id: block.id, durationMs: Math.max(0, end - block.startMs), task: block.taskId, exact: false});
}

/**
 * A one-shot timer a block shows has fired, though its end is still in the blocked thread's buffer: the task that
 * awaited it runs, or its callback does. It ends at the block's start (a microtask or so after it fired): live, it
 * reads done, not waiting on and counting up all through the block.
 */
function timerFired(state: ModelState, timer: TaskNode | undefined, t: Ms): void {
	if (!timer?.timer || timer.timer.repeat || isDone(timer)) return;
	finish(state, timer, 'finished', t);
	retire(state, timer);
}

/** Why a followed process's task or op that still waited when the process exited by itself (code 0) failed. */
const CUT_SHORT_BY_EXIT: ErrorInfo = Object.freeze({name: PROCESS_EXIT, message: 'cut short: its process exited before it settled'});

/** Why one failed that still waited when its worker thread ended (terminate(), or its loop ran out of work). */
const CUT_SHORT_BY_THREAD_END: ErrorInfo = Object.freeze({name: PROCESS_EXIT, message: 'cut short: its worker thread ended before it settled'});

/** Why one failed that still waited when the script stopped its process with a signal (`child.kill()`). */
const stoppedByScript = (signal: string | null): ErrorInfo => ({name: PROCESS_EXIT, message: `cut short: the script stopped its process (${signal})`});

/** The empty array nodes share; never pushed to (see append). */
const NONE: never[] = Object.freeze([]) as unknown as never[];

/**
 * `list` with `item` at its end. An empty list is replaced, never modified:
 * it may be the shared NONE, or (in a structuredClone of a state, as replay
 * checkpoints are) one array that several nodes share.
 */
function append<T>(list: T[], item: T): T[] {
	if (list.length === 0) return [item];
	list.push(item);
	return list;
}

/** A client joined a running service: the tasks its agent had folded before count as finished, by name. */
function joinFolded(state: ModelState, folded: JoinedEvent['folded']): void {
	foldJoined(state.aggregated, folded);
	for (const figures of Object.values(folded.byName)) {
		state.taskCounts.finished += figures.count - figures.failed;
		state.taskCounts.failed += figures.failed;
	}
}

interface NewNode {
	id: number;
	parentId: number | null;
	kind: TaskNode['kind'];
	name: string;
	location: string | null;
	startMs: Ms;
	state: NodeState;
}

function addNode(state: ModelState, init: NewNode): TaskNode {
	const node: TaskNode = {
		...init,
		endMs: null,
		busyMs: 0,
		waitMs: 0,
		taskWaitMs: 0,
		schedDelayMs: 0,
		accountedAt: init.startMs,
		awaitCount: 0,
		wait: null,
		readyAt: null,
		// Most nodes never await twice at one site, or have children: they share one empty array until they do.
		awaitSites: NONE,
		awaits: NONE,
		spans: [],
		children: NONE,
		childTaskCount: 0,
		blockedDelayMs: 0,
	};
	state.nodes.set(node.id, node);
	state.order.push(node.id);
	const parent = node.parentId === null ? undefined : state.nodes.get(node.parentId);
	if (parent) {
		parent.children = append(parent.children, node.id);
		// A followed process is a program of its own that the task waits on, as on the child op it is without --no-follow: its parent stays a leaf.
		if (isTaskKind(node.kind) && node.kind !== 'process') addChildTasks(state, parent, 1, node.startMs);
	} else {
		state.rootIds.push(node.id);
	}
	if (isCountedTask(node.kind)) state.taskCounts[node.state]++;
	if (node.kind === 'server') state.servingNow++;
	countLane(state, node, node.state, 1);
	return node;
}

/** A unit of work that starts its first task is a leaf no more: it leaves the tasks in flight. */
function addChildTasks(state: ModelState, parent: TaskNode, count: number, t: Ms): void {
	if (parent.childTaskCount === 0 && count > 0) {
		parent.leafUntil = t;
		if (isWorkUnit(parent.kind) && !isDone(parent)) changeInFlight(state, -1, t);
	}
	parent.childTaskCount += count;
}

/** When the first of a fold line's tasks started. */
function changeInFlight(state: ModelState, delta: number, t: Ms): void {
	state.tasksInFlight += delta;
	pushSeries(state.inFlightSeries, t, state.tasksInFlight, IN_FLIGHT_BUCKET_MS);
}

function isDone(node: TaskNode): boolean {
	return node.state === 'finished' || node.state === 'failed';
}

/**
 * A task's call of the next async function shows that the one it called before has stopped running: one thread
 * runs one task at a time, and the caller runs again only once the callee's first slice is over. A callee still
 * running in the stream then awaits something it has not told yet (an await is told once it has lasted a while,
 * with the time it began, and comes after later events): it is waiting from here, on what its await will say.
 */
function suspendPreviousSibling(state: ModelState, parentId: number | null, t: Ms): void {
	const parent = parentId === null ? undefined : state.nodes.get(parentId);
	const previousId = parent?.children[parent.children.length - 1];
	const previous = previousId === undefined ? undefined : state.nodes.get(previousId);
	if (previous?.kind !== 'task' || previous.state !== 'running') return;
	previous.accountedAt = t;
	setState(state, previous, 'waiting', t);
}

/**
 * Adds the time a waiting or ready task spent so since its last event, up to `t`, to its totals: it runs from `t`
 * (a block's start names it), and its wait before is no busy time (a task that slept 1 s, then spun, read 2 s busy
 * while the block lasted). Its resume, once the block is over, sends the exact totals.
 */
function accountUntil(node: TaskNode, t: Ms): void {
	if (t <= node.accountedAt) return;
	if (node.state === 'waiting') node.waitMs += t - node.accountedAt;
	else if (node.state === 'ready') {
		const readyAt = Math.min(t, Math.max(node.accountedAt, node.readyAt ?? node.accountedAt));
		node.waitMs += readyAt - node.accountedAt;
		node.schedDelayMs += t - readyAt;
	} else return;
	node.accountedAt = t;
}

/** The last change of a node's state came at `t`, not when it was inferred: its spans say so. */
function moveLastSwitch(node: TaskNode, t: Ms): void {
	const [before, last] = node.spans.slice(-2);
	if (!before || !last || last.startMs <= t || before.startMs > t) return;
	before.endMs = t;
	last.startMs = t;
}

/** A worker thread or a followed process whose root task runs: the header counts them beside the tasks. */
function countLane(state: ModelState, node: TaskNode, nodeState: NodeState, delta: number): void {
	if (nodeState !== 'running') return;
	if (node.kind === 'worker') state.lanesRunning.workers += delta;
	else if (node.kind === 'process') state.lanesRunning.processes += delta;
}

function setState(state: ModelState, node: TaskNode, next: NodeState, t: Ms): void {
	if (node.state === next) return;
	if (isCountedTask(node.kind)) {
		state.taskCounts[node.state]--;
		state.taskCounts[next]++;
	}
	countLane(state, node, node.state, -1);
	countLane(state, node, next, 1);
	node.state = next;
	closeSpan(node, t);
	if (next === 'running' || next === 'waiting' || next === 'ready') openSpan(node, next, t);
}

function finish(state: ModelState, node: TaskNode, final: 'finished' | 'failed', t: Ms): void {
	setState(state, node, final, t);
	if (node.kind === 'server' && node.endMs === null) state.servingNow--;
	node.endMs = t;
}

function openSpan(node: TaskNode, spanState: 'running' | 'waiting' | 'ready', t: Ms): void {
	node.spans.push({state: spanState, startMs: t, endMs: null});
	if (node.spans.length > SPANS_KEPT) mergeOlderSpans(node.spans);
}

/**
 * A task that lives as long as the session (a worker's loop of 45,000 jobs, each an await) made a span at every
 * change of its state, for ever: 8 such workers grew the monitor by some 8 MB a minute. Past SPANS_KEPT, the older
 * half merge in pairs, each pair into the state it spent longer in: what a timeline cell, which covers many of them
 * on a long session's axis, shows anyway. The past gets coarser as the session goes on; the recent spans stay.
 */
const SPANS_KEPT = 2048;

function mergeOlderSpans(spans: StateSpan[]): void {
	const older = (spans.length >> 1) & ~1;
	const merged: StateSpan[] = [];
	for (let i = 0; i < older; i += 2) {
		const first = spans[i]!;
		const second = spans[i + 1]!;
		const end = second.endMs ?? second.startMs;
		const firstMs = (first.endMs ?? second.startMs) - first.startMs;
		merged.push({state: firstMs >= end - second.startMs ? first.state : second.state, startMs: first.startMs, endMs: end});
	}
	spans.splice(0, older, ...merged);
}

function closeSpan(node: TaskNode, t: Ms): void {
	const last = node.spans[node.spans.length - 1];
	if (last && last.endMs === null) last.endMs = Math.max(t, last.startMs);
}

function recordAwaitSite(node: TaskNode, site: string | null, waited: Ms): void {
	let stats = node.awaitSites.find(s => s.site === site);
	if (!stats) {
		stats = {site, count: 0, totalMs: 0};
		node.awaitSites = append(node.awaitSites, stats);
	}
	stats.count++;
	stats.totalMs += Math.max(0, waited);
}

/** A task made ready during a block of its thread could not run until the block ended. */
function addBlockedDelay(state: ModelState, node: TaskNode, readyAt: Ms, resumedAt: Ms): void {
	for (let i = state.blocks.length - 1; i >= 0; i--) {
		const block = state.blocks[i]!;
		if (!onBlockedThread(block, node.id)) continue;
		const end = block.endMs ?? resumedAt;
		if (end < readyAt) break;
		if (block.taskId !== node.id && readyAt <= end && resumedAt >= end - 0.001) {
			node.blockedDelayMs += Math.max(0, Math.min(end, resumedAt) - Math.max(readyAt, block.startMs));
			return;
		}
	}
}

function nameOfTask(state: ModelState, id: number | null): string | null {
	return id === null ? null : (state.nodes.get(id)?.name ?? null);
}

/** The API a block's callback came through (see Block.callback). */
function callbackApi(state: ModelState, callback: BlockCallback): string {
	if (callback.op === null) return 'setImmediate';
	const op = state.nodes.get(callback.op);
	return op?.timer ? timerSite(op.name) : 'timer';
}

/** A block in a callback its task scheduled (the runtime said so, or the task had ended), not in the task's own code. */
function runsCallback(state: ModelState, block: Block): boolean {
	return block.callback !== null || endedBefore(state, block.taskId, block.startMs);
}

/**
 * A library's top level ran with no code of the script's under it (an import() the script awaited: the loader
 * evaluates the module from a callback of its own): the block is that module's, named by it, not at its task's
 * place. Its task is whichever the thread said (on a busy machine, the one that resumed in the same stretch).
 */
const isLibraryTopLevel = (block: Block): boolean => block.stackRead && block.frames.length === 0 && block.module !== null;

/** Whether the block is where its task is defined: not a callback's, nor a library's top level. */
const locatedAtTask = (state: ModelState, block: Block): boolean => !runsCallback(state, block) && !isLibraryTopLevel(block);

function sameError(one: ErrorInfo, other: ErrorInfo): boolean {
	return one.name === other.name && one.message === other.message && one.location === other.location;
}

function blockById(state: ModelState, id: number): Block {
	let block = state.blocks.find(b => b.id === id);
	if (!block) {
		const processId = laneRootOf(id);
		block = {id, startMs: 0, detectedAt: 0, durationMs: null, endMs: null, queuedMs: 0, taskId: null, taskName: null, callback: null, location: null, frames: [], stackRead: false, loading: false, loadingByTime: false, samples: null, module: null, callee: null, library: null, exact: false, processId, process: null};
		state.blocks.push(block);
	}
	// The lane's root comes first on its stream, but a block may reach the model before it (the watchdog's lines go their own way).
	if (block.processId !== null && block.process === null) {
		const details = state.nodes.get(block.processId)?.process;
		if (details) block.process = {...details};
	}
	return block;
}

/** A block under way: the script's loop's, or one of a followed process's. */
function setActive(state: ModelState, block: Block): void {
	if (block.processId === null) state.activeBlockId = block.id;
	else if (!state.activeProcessBlockIds.includes(block.id)) state.activeProcessBlockIds = [...state.activeProcessBlockIds, block.id];
}

function endActive(state: ModelState, block: Block): void {
	if (state.activeBlockId === block.id) state.activeBlockId = null;
	else if (state.activeProcessBlockIds.includes(block.id)) state.activeProcessBlockIds = state.activeProcessBlockIds.filter(id => id !== block.id);
}

/**
 * A watchdog that got a CPU late (a busy machine) may see a block only as it ends, or after: what it read then, the
 * task running, the callback, the stack, is what ran last or next (a framework's 100 ms of start-up in promise jobs
 * blamed on the provider it called in its last millisecond). Seen on time, a block is read while it lasts, however
 * short; seen late, only a look well before its end says where it ran. An end the watchdog estimated from the
 * heartbeat may be up to a beat early.
 */
function readAsItEnded(state: ModelState, block: Block): boolean {
	if (block.detectedAt === 0 || block.endMs === null) return false;
	if (block.exact) return block.detectedAt >= block.endMs;
	const late = block.detectedAt - block.startMs > (state.header?.blockThresholdMs ?? 0) + 2 * HEARTBEAT_MS;
	return late && block.detectedAt >= block.endMs - HEARTBEAT_MS;
}

function forgetWhatWasRead(block: Block): void {
	block.taskId = null;
	block.taskName = null;
	block.callback = null;
	block.frames = [];
	block.stackRead = false;
	block.module = null;
	block.callee = null;
	block.library = null;
	block.samples = null;
	block.location = null;
}

function locationOfTask(state: ModelState, id: number | null): string | null {
	return id === null ? null : (state.nodes.get(id)?.location ?? null);
}

/**
 * The script's output goes to its own tail. A followed process's copy of its output (`lane`) goes to its lane's
 * alone: its bytes went where they go under node, and what reached the script's pipes is in the script's already.
 */
function applyOutput(state: ModelState, event: OutputEvent): void {
	if (event.lane === undefined) {
		appendOutput(state, event, SCRIPT_OUTPUT_BOUNDS);
		return;
	}
	const lane = state.nodes.get(event.lane);
	if (lane?.kind !== 'process') return;
	const output = (lane.output ??= emptyLaneOutput());
	output.bytes += outputByteLength(event) + (event.skipped?.bytes ?? 0);
	if (event.text !== '') output.midLine[event.stream] = !event.text.endsWith('\n');
	// What was left out before this chunk ended the line it was in, or some: the chunk starts a line of its own.
	if (event.skipped) output.openOutput[event.stream] = null;
	output.lineBreaks += appendOutput(output, event, LANE_OUTPUT_BOUNDS) + (event.skipped?.lines ?? 0);
	output.lines = output.lineBreaks + Number(output.midLine.stdout) + Number(output.midLine.stderr);
}

/** Output as lines, not writes: a write may hold many, or end mid-line for the next to continue. Returns the line breaks it held. */
function appendOutput(tail: OutputTail, event: OutputEvent, bounds: OutputBounds): number {
	const open = tail.openOutput;
	let lineBreaks = 0;
	for (const part of event.text.split(/(?<=\n)/)) {
		if (part === '') continue;
		const line = open[event.stream];
		if (line && line.text.length < OUTPUT_LINE_MAX_CHARS) line.text += part;
		else tail.output.push((open[event.stream] = {t: event.t, stream: event.stream, text: part}));
		tail.outputChars += part.length;
		if (part.endsWith('\n')) {
			open[event.stream] = null;
			lineBreaks++;
		}
	}
	let excess = Math.max(0, tail.output.length - bounds.lines);
	let chars = tail.outputChars;
	for (let i = 0; i < excess; i++) chars -= tail.output[i]!.text.length;
	// The latest line stays, however long.
	while (chars > bounds.chars && excess < tail.output.length - 1) chars -= tail.output[excess++]!.text.length;
	if (excess > 0) {
		for (const dropped of tail.output.splice(0, excess)) {
			if (open[dropped.stream] === dropped) open[dropped.stream] = null;
		}
		tail.outputChars = chars;
		tail.outputDropped += excess;
	}
	return lineBreaks;
}

/**
 * A value into its bucket of `bucketMs` from the bucket's first point: the bucket keeps its largest, and the latest
 * (`latest`: the value as it stands, where `value` is a peak that came and went within the bucket).
 */
function pushSeries(series: SeriesPoint[], t: Ms, value: number, bucketMs = 50, latest = value): void {
	const last = series[series.length - 1];
	if (last && t - last.t < bucketMs) {
		last.value = Math.max(last.value, value);
		last.latest = latest;
		return;
	}
	series.push({t, value, latest});
	if (series.length > SERIES_RETAINED_POINTS * 2) series.splice(0, SERIES_RETAINED_POINTS);
}

/** The tasks-in-flight sparkline's bars: one per beat of the loop's sampler (LOOP_SAMPLE_MS), as the loop delay's. */
const IN_FLIGHT_BUCKET_MS = 250;

/** A server error is a failed request, whatever the client library made of it; a 4xx is the server's answer, and finished. */
export function httpFailed(status: number | undefined): boolean {
	return status !== undefined && status >= 500;
}
