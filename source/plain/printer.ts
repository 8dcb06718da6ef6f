import {isProcessGone, PROCESS_EXIT, type ErrorInfo, type Ms, type ProcessExit, type ProtocolLine, type TaskAwaitEvent} from '../protocol/events.js';
import {activeBlocks, HTTP_PHASES, unsettledTasks, type Block, type ModelState, type NodeState, type TaskNode} from '../model/state.js';
import {phaseMs} from '../model/http-phases.js';
import {holdupOf, namesNothing} from '../model/holdups.js';
import {sessionEnd} from '../model/summary.js';
import {formatDuration, formatOffset} from '../present/durations.js';
import {servedOutcome, taskLabel} from '../present/http.js';
import {exitOutcome, loopOwner, outputSize, processLabel, processOutcome} from '../present/processes.js';
import {blockCulprit, knownBlockCulprit, loadingWords, starvedStall, waitingOn} from '../present/holdups.js';
import {paint, type Ansi, type Color, type Segment} from '../present/paint.js';
import {glyphs, stateIcon, type Glyphs} from '../present/states.js';
import {asciiOnly, sanitize, sanitizeLines} from '../present/text.js';
import {outputBytes} from '../protocol/output-bytes.js';
import {summaryLines} from './summary.js';
import {hostOf} from '../protocol/hosts.js';
import {FAILURES_TOLD_PER_SECOND, LoadGate, PLAIN_LINES_PER_SECOND, type Ended, type LineKind, type SecondSummary} from './load-summary.js';
import {formatCount} from '../present/numbers.js';
import {TimeOrder} from './time-order.js';
import {errorText} from '../present/errors.js';
import {placeOf} from '../present/ids.js';
import {keepLatest} from '../protocol/keep-latest.js';

/** How long of the stream's time an await of a promise that names nothing waits for an op of its task to name it (see PlainPrinter.unnamedAwaits). */
const UNNAMED_HOLD_MS = 100;

/** Where the lines go; the script's output is bytes where it was not UTF-8. */
export interface TextSink {
	write(chunk: string | Uint8Array): unknown;
}

export interface PlainOptions {
	out: TextSink;
	err: TextSink;
	color: boolean;
	/** asyncmon's own icons and marks in ASCII; the script's output passes as it is. */
	ascii: boolean;
	/**
	 * The script's own stdout and stderr. A live run passes them through byte
	 * for byte ('as-is'): the user's program talks to their terminal, as under
	 * node. Read back from a recording they are anyone's data, and are
	 * 'sanitized' (the default) like every other string in it.
	 */
	scriptOutput?: 'as-is' | 'sanitized';
	/** Where asyncmon's own lines and its summary go: with the script's stdout (the default), or its stderr. */
	ownLines?: 'stdout' | 'stderr';
	/**
	 * Collect the lines for `out` and write them with flush(), one write per
	 * batch of events instead of one per line. The caller must flush (the
	 * live monitor does after each chunk it reads). stderr is never held back.
	 */
	buffered?: boolean;
}

/** A buffered printer writes at least this often, however long the batch. */
const MAX_PENDING_CHARS = 1 << 16;
/** How many block ends wait for their stack, or their task, at most (see endsAwaitingStack). */
const HELD_ENDS = 16;

/** A line of asyncmon's, or a chunk of the script's output, and where it goes. */
interface Printed {
	stream: 'stdout' | 'stderr';
	text: string | Uint8Array;
	/** asyncmon's own line, not the script's bytes. */
	own?: true;
	/** Taken back while it was still held: not printed. */
	withdrawn?: true;
}

/** A block's end line held in time order, to be told again as what it names comes (see endsAwaitingStack). */
interface HeldEnd {
	printed: Printed;
	t: Ms;
	durationMs: Ms;
	blockId: number;
}

/** What kind of event a line tells of: an icon and a word, in the label column. */
interface Mark {
	icon: string;
	word: string;
	color: Color;
}

/**
 * Plain mode: one readable line per task start, await, finish or failure,
 * per HTTP request and per block, interleaved with the script's own output.
 */
export class PlainPrinter {
	private pending = '';
	private readonly gate = new LoadGate();
	private readonly ansi: Ansi;
	private readonly glyphs: Glyphs;
	/** Blocks told while they last, by id: who and where the BLOCKED line named (see toldPlace). */
	private readonly blockedAt = new Map<number, string>();
	/** The latest `still blocked, in …` line of each block told while it lasts: taken back if its end proves it late. */
	private readonly stillBlocked = new Map<number, {printed: Printed; t: Ms}>();
	/**
	 * Ends of blocks told live whose stack had not come yet, by block id: their line is held in time order (see
	 * TimeOrder) and told again when the stack comes before it is printed. A stack that never comes leaves the words
	 * as they were; the latest few are kept.
	 */
	private readonly endsAwaitingStack = new Map<number, HeldEnd>();
	/**
	 * Ends of blocks whose task had not come yet, by that task's id: the watchdog's lines come before the blocked
	 * thread's batch that starts it, and the end read `by a task not reported yet (#2004)`. Told again as it comes,
	 * while the line is still held; the latest few are kept.
	 */
	private readonly endsAwaitingTask = new Map<number, HeldEnd>();
	/** asyncmon's own lines and the script's output, put in time order; the notices are not held. */
	private readonly order = new TimeOrder<Printed>(printed => this.write(printed));
	/**
	 * Whether the script's output on each stream ended mid-line: a line of asyncmon's then starts on a line of its
	 * own (a forked child's `hello` cut by the parent's timer line read `hello [0.346s] ⏸ await …`). The recording
	 * keeps the script's bytes as they were.
	 */
	private readonly midLine = {stdout: false, stderr: false};
	/**
	 * Awaits of a call whose start the script has not sent yet (a flush holds a call still running for the next
	 * one, where it may end and fold), by the awaiting task's id: told when the call starts, so that the line names
	 * it, or, if it never does (folded at the source), as they read then, before the awaiting task's next line.
	 * Awaits of a request made and not yet sent too (`call` its op): told once it is sent, when it is known whether
	 * it was connecting or written on a kept-alive socket (see describeOp), or as a held promise's after
	 * UNNAMED_HOLD_MS (a connection that takes longer).
	 * Told by the lines that come, never by when they come: a replay prints what the live run printed.
	 */
	private readonly awaitsOfUnsent = new Map<number, {line: TaskAwaitEvent; call: number | null; words: string}>();
	/** The same, by the call (or request) awaited: its start (or its sending) finds them without a pass over all of them. */
	private readonly awaitersOfUnsent = new Map<number, number[]>();
	/**
	 * The awaiting tasks of the held awaits of a promise that names nothing (call null), in the order they came: a
	 * library's request may start a moment after the await that waits on it (got's, a tick later), and an op the task
	 * starts then names it. Held UNNAMED_HOLD_MS of the stream's time at most, well within TimeOrder's window; so are
	 * the awaits of a request not yet sent.
	 */
	private readonly unnamedAwaits = new Set<number>();

	constructor(private readonly options: PlainOptions) {
		// Plain output is often piped or saved: without colour it carries no escapes at all.
		this.ansi = options.color ? 'color' : 'none';
		this.glyphs = glyphs(options.ascii);
	}

	/** Writes what a buffered printer holds. */
	flush(): void {
		this.writePending();
	}

	/** Writes what a buffered printer holds. */
	private writePending(): void {
		if (!this.pending) return;
		const text = this.pending;
		this.pending = '';
		this.options.out.write(text);
	}

	/**
	 * Called after the line was applied to `state`. Its words are made now,
	 * from the state as of this line; they are printed in time order with the
	 * script's own output (see TimeOrder), which may be a little later: a
	 * quarter of a second of the script's time, as its loop reports itself
	 * four times a second.
	 */
	handle(line: ProtocolLine, state: ModelState): void {
		this.print(line, state);
		if (line.type === 'header') return;
		// A block is news: the awaits held before it go first.
		this.tellUnnamedUpTo(line.type === 'block.start' ? line.detectedAt : line.t - UNNAMED_HOLD_MS);
		if (line.type === 'block.start') this.order.blockDetected(line.detectedAt);
		else this.order.reached(line.t);
	}

	private print(line: ProtocolLine, state: ModelState): void {
		// The awaiting task moves on: its await of a call never sent is told first, as it reads.
		if (line.type === 'task.await' || line.type === 'task.ready' || line.type === 'task.resume' || line.type === 'task.end') this.tellHeldAwait(line.id);
		switch (line.type) {
			case 'output': {
				// A followed process's copy: its bytes went where they go under node (here too, when it shares the script's stdout).
				if (line.lane !== undefined) return;
				// Live, byte for byte as the script wrote it; read back from a recording, untrusted text, sanitised.
				const chunk = this.options.scriptOutput !== 'as-is' ? sanitizeLines(line.text) : line.base64 === undefined ? line.text : outputBytes(line);
				this.order.hold(line.t, {stream: line.stream, text: chunk});
				return;
			}
			case 'notice':
				this.write({stream: 'stderr', text: this.own(noticeText(line.message)), own: true});
				return;
			case 'task.start': {
				this.tellAwaitsOf(line.id, state);
				const ended = this.endsAwaitingTask.get(line.id);
				if (ended) {
					this.endsAwaitingTask.delete(line.id);
					this.tellEndAgain(ended, state);
				}
				// A request held on a framework's promise that named nothing: the handler it calls now names it (see holdupOf).
				if (line.parent !== null) this.nameHeldAwait(line.parent, state);
				const node = state.nodes.get(line.id);
				if (!node || node.kind === 'script' || !this.admit(line.t, 'start', state, null)) return;
				this.say(line.t, this.stateMark('running', 'start', 'cyan'), [{text: `${taskLabel(node, this.options.ascii)}${this.place(node, state)}  `}, dim(node.location)]);
				return;
			}
			case 'task.await': {
				// Worded only when printed: under load most are counted into a summary line instead.
				if (!state.nodes.has(line.id) || !this.admit(line.t, 'await', state, null)) return;
				const words = this.awaitWords(line, state)!;
				if (line.on.kind === 'task' && !state.nodes.has(line.on.id)) {
					this.awaitsOfUnsent.set(line.id, {line, call: line.on.id, words});
					this.awaitersOfUnsent.set(line.on.id, [...(this.awaitersOfUnsent.get(line.on.id) ?? []), line.id]);
					return;
				}
				const request = unsentRequest(state, line);
				if (request !== null) {
					this.awaitsOfUnsent.set(line.id, {line, call: request, words});
					this.awaitersOfUnsent.set(request, [...(this.awaitersOfUnsent.get(request) ?? []), line.id]);
					this.unnamedAwaits.add(line.id);
					return;
				}
				if (!namesNothing(holdupOf(state, state.nodes.get(line.id)!))) return this.sayAwait(line, words);
				this.awaitsOfUnsent.set(line.id, {line, call: null, words});
				this.unnamedAwaits.add(line.id);
				return;
			}
			case 'op.phase':
				if (line.phase === 'sent') this.tellAwaitsOf(line.id, state);
				return;
			case 'op.start': {
				// An op of a task held on a promise that named nothing: the task's sole op in flight names it now. Not a timer:
				// one a library sets after handing over its promise is a step of its work (an async generator's sleep feeding a
				// pipeline) or a guard, seldom what the promise waits for, and a 1 ms one read as a wait of 500 ms.
				if (line.parent !== null && line.kind !== 'timer') this.nameHeldAwait(line.parent, state);
				return;
			}
			case 'task.ready': {
				const node = state.nodes.get(line.id);
				if (!node || !this.admit(line.t, 'ready', state, null)) return;
				// Said once the block was told (the monitor works it out then): at that time, not before the BLOCKED line.
				const told = activeBlocks(state).reduce((latest, block) => Math.max(latest, block.detectedAt), line.t);
				const done = told > line.t ? `was done at ${formatOffset(line.t).trim()}` : 'is done';
				this.say(told, this.stateMark('ready', 'ready', 'red'), [{text: `${node.name}: what it awaited ${done}, but the loop is busy`}]);
				return;
			}
			case 'task.end': {
				const node = state.nodes.get(line.id);
				if (!node || node.kind === 'script') return;
				// A thread or a process that failed (or is gone) is news however busy the script is: it is told even among
				// summary lines, as are the first few failures of each second. Gone with its end not seen (docs/protocol.md,
				// at the session's end), it is counted neither done nor failed: no claim of how it ended.
				const untold = node.kind === 'process' && isProcessGone(line.error);
				const laneFailed = !line.ok && (node.kind === 'worker' || node.kind === 'process');
				const failed = !line.ok || node.state === 'failed';
				if (!this.admit(line.t, 'end', state, {name: node.name, ms: line.t - node.startMs, failed}, untold ? 0 : 1) && !laneFailed && !(failed && this.gate.failureToTell())) return;
				const took = formatDuration(line.t - node.startMs);
				if (node.kind === 'process') {
					const ended = line.ok ? this.stateMark('finished', 'done', 'green') : untold ? this.stateMark('waiting', 'gone', 'yellow') : this.stateMark('failed', 'failed', 'red');
					const wrote = node.output ? `, wrote ${outputSize(node.output)}` : '';
					// An error nothing caught ended it: said as a task's failure is, its exit code before it.
					const crash = node.error && node.error.name !== PROCESS_EXIT && !isProcessGone(node.error) ? node.error : null;
					const outcome = `${node.name} ${line.exit ? processOutcome(line.exit, line.error) : exitOutcome(undefined)} after ${took}${wrote}`;
					this.say(line.t, ended, crash ? [{text: `${outcome}: ${errorOrNone(crash)} `}, dim(crash.location)] : [{text: outcome}]);
				} else if (node.request) {
					const served = node.state === 'failed' ? this.stateMark('failed', 'failed', 'red') : this.stateMark('finished', 'done', 'green');
					this.say(line.t, served, [{text: `${taskLabel(node, this.options.ascii)}${this.place(node, state)} ${servedOutcome(node.request, took, line.error)} `}, dim(this.timings(node))]);
				} else if (line.ok) this.say(line.t, this.stateMark('finished', 'done', 'green'), [{text: `${node.name}${this.place(node, state)} in ${took} `}, dim(this.timings(node))]);
				else this.say(line.t, this.stateMark('failed', 'failed', 'red'), [{text: `${node.name}${this.place(node, state)} after ${took}: ${errorOrNone(line.error)} `}, dim(line.error?.location)]);
				return;
			}
			case 'exit': {
				// The tasks under way at process.exit() ended with it: they have no end of their own to tell.
				const t = state.scriptExitMs ?? line.t;
				for (const id of state.exitCallers) {
					const node = state.nodes.get(id);
					if (!node || node.kind === 'script') continue;
					this.say(t, this.stateMark('finished', 'done', 'green'), [{text: `${node.name} in ${formatDuration(t - node.startMs)}: process.exit() ended it `}, dim(state.exitCall?.site)]);
				}
				return;
			}
			case 'op.end': {
				// A request that failed before it was sent (a connection refused): its awaits, as they read now.
				this.tellAwaitsOf(line.id, state);
				const node = state.nodes.get(line.id);
				if (node?.process) return this.processEnded(line.t, node, state, line);
				if (!node?.http) return;
				if (!this.admit(line.t, 'request', state, {name: `${node.http.method} ${node.http.url}`, ms: line.t - node.startMs, failed: node.state === 'failed'})) return;
				// The phases it went through: a connection refused has none to tell, a request cut off in its response no download.
				const detail = this.listed(
					HTTP_PHASES.flatMap(phase => {
						const ms = phase === 'total' ? undefined : phaseMs(node, phase);
						return ms === undefined ? [] : [`${phase} ${formatDuration(ms)}`];
					}),
				);
				const outcome = line.ok ? `${node.http.status ?? ''}${line.cancelled ? ' (the script stopped reading its body)' : ''}` : errorOrNone(line.error);
				const mark = {icon: this.glyphs.child, word: 'http', color: line.ok ? 'green' : 'red'} as const;
				this.say(line.t, mark, [{text: `${node.http.method} ${node.http.url} ${outcome} in ${formatDuration(line.t - node.startMs)} `}, dim(detail)]);
				return;
			}
			case 'block.start': {
				const block = state.blocks.find(b => b.id === line.id);
				// Its task not heard of yet: the stack's line names it, in a moment (a line is not taken back).
				const who = block ? knownBlockCulprit(state, block) : 'a callback';
				const loop = `event loop${block ? loopOwner(block) : ''}`;
				// The watchdog's lines go their own way: its start may come after the block's end, which was told then.
				if (block?.endMs == null) this.blockedAt.set(line.id, block ? toldPlace(state, block) : '');
				// No location yet (a followed process's top level): no blank where it would go.
				const where = block?.location ? [{text: ' '}, dim(block.location)] : [];
				this.say(line.detectedAt, this.blockMark('BLOCKED'), [
					{text: `${loop} blocked for over ${formatDuration(line.detectedAt - line.t)}${who ? ` by ${who}` : ''}`},
					...where,
					{text: ' (still blocked)'},
				]);
				return;
			}
			case 'block.stack': {
				const ended = this.endsAwaitingStack.get(line.id);
				if (ended) {
					// Read as the block ended (a native call's stack is read once it returns): its end's words, still held, say where.
					this.endsAwaitingStack.delete(line.id);
					this.tellEndAgain(ended, state);
					return;
				}
				// Read while the block lasts, its stack says where the code is, and whose (a library's code resumed in a task's
				// async context), which the BLOCKED line could not.
				const block = state.blocks.find(b => b.id === line.id);
				if (!block || block.endMs !== null || !this.blockedAt.has(block.id)) return;
				const place = toldPlace(state, block);
				if (place === this.blockedAt.get(block.id)) return;
				this.blockedAt.set(block.id, place);
				const printed = this.say(line.t, this.blockMark('BLOCKED'), [
					{text: `event loop${loopOwner(block)} still blocked, in ${blockCulprit(state, block)}${block.location ? ' ' : ''}`},
					dim(block.location),
					...loadingSegment(state, block),
				]);
				this.stillBlocked.set(block.id, {printed, t: line.t});
				return;
			}
			case 'block.end': {
				const toldLive = this.blockedAt.delete(line.id);
				// Read as a native call returned, just before the loop turned, or once its task had ended: no longer blocked in
				// it by then, and the block's end says where.
				const still = this.stillBlocked.get(line.id);
				this.stillBlocked.delete(line.id);
				const culpritEnd = line.task === null ? null : (state.nodes.get(line.task)?.endMs ?? null);
				if (still && (still.t >= line.t || (culpritEnd !== null && culpritEnd <= still.t))) still.printed.withdrawn = true;
				if (line.starved) {
					this.say(line.t, this.blockMark('starved'), [{text: starvedStall(line.durationMs, line.queuedMs)}]);
					return;
				}
				const block = state.blocks.find(b => b.id === line.id);
				const printed = this.say(line.t, this.blockMark('block'), this.blockEndText(state, block, line.durationMs));
				// A block told live had its stack asked for; the stack comes by the watchdog's pipe, and may come after this, as
				// may the watchdog's start of it (none heard yet: detectedAt 0).
				const held = {printed, t: line.t, durationMs: line.durationMs, blockId: line.id};
				if ((toldLive || block?.detectedAt === 0) && block?.stackRead === false) keepLatest(this.endsAwaitingStack, line.id, held, HELD_ENDS);
				if (block?.taskId != null && !state.nodes.has(block.taskId)) keepLatest(this.endsAwaitingTask, block.taskId, held, HELD_ENDS);
				return;
			}
			case 'uncaught': {
				// `uncaught exception`, `unhandled rejection`: the mark's word is the first of the two.
				const [word, what] = line.origin === 'unhandledRejection' ? ['unhandled', 'rejection'] : ['uncaught', 'exception'];
				// A rejection goes to process.on('unhandledRejection'), or, with none, raised, to process.on('uncaughtException').
				const handled = !line.handled ? '' : line.origin === 'uncaughtException' ? ", handled by the script's process.on('uncaughtException')" : ", handled by the script's own process-level handler";
				// A followed process's, which its lane's end tells again, names the process.
				const place = line.task === null ? null : placeOf(line.task, state);
				const where = place === null ? '' : ` in ${place}`;
				this.say(line.t, this.stateMark('failed', word, line.handled ? 'yellow' : 'red'), [{text: `${what}${where}${handled}: ${errorOrNone(line.error)} `}, dim(line.error.location)]);
				return;
			}
			case 'fold': {
				if (line.kind === 'timer' || !this.admit(line.t, 'folded', state, null, line.count)) return;
				const each = formatDuration(line.totalMs / line.count);
				const what = line.request ? `${line.request.method} ${line.request.route ?? line.request.url}` : `${line.name}()`;
				this.say(line.t, this.stateMark('finished', 'done', 'green'), [{text: `×${line.count} ${what} in ${each} on average `}, dim('folded by the script into their site')]);
				return;
			}
			case 'fold.http': {
				if (!this.admit(line.t, 'folded requests', state, null, line.count)) return;
				const each = formatDuration(line.totalMs / line.count);
				this.say(line.t, {icon: this.glyphs.child, word: 'http', color: 'green'}, [{text: `×${line.count} ${line.method} ${hostOf(line.url)} in ${each} on average `}, dim('folded by the script into their host')]);
				return;
			}
			case 'joined': {
				// What came before this line is the running service's snapshot; what follows is live.
				const running = unsettledTasks(state);
				const earlier = line.folded.tasks > 0 ? `, ${line.folded.tasks} earlier tasks in per-name totals` : '';
				this.say(line.t, {icon: this.glyphs.child, word: 'joined', color: 'cyan'}, [{text: `the running service: ${running} tasks in flight, ${state.taskCounts.finished + state.taskCounts.failed} finished${earlier}; live from here`}]);
				return;
			}
			default:
		}
	}

	/** What an await line says of the task and what it waits on, as `state` has them; null for a task it does not hold. */
	private awaitWords(line: TaskAwaitEvent, state: ModelState): string | null {
		const node = state.nodes.get(line.id);
		return node ? `${node.name} on ${waitingOn(state, node, line.t, this.options.ascii)}` : null;
	}

	/** Tells the held await of `task` on a promise that named nothing, if the state now names what it waits on. */
	private nameHeldAwait(task: number, state: ModelState): void {
		const held = this.awaitsOfUnsent.get(task);
		if (!held || held.call !== null) return;
		const node = state.nodes.get(task);
		if (node && !namesNothing(holdupOf(state, node))) this.tellHeldAwait(task, this.awaitWords(held.line, state)!);
	}

	/** Tells the held awaits of the call or request `id`, which started (or was sent): worded as the state now has them. */
	private tellAwaitsOf(id: number, state: ModelState): void {
		const awaiters = this.awaitersOfUnsent.get(id);
		if (!awaiters) return;
		// Gone first: each await told would otherwise take itself off the list, a pass over it each.
		this.awaitersOfUnsent.delete(id);
		for (const awaiting of awaiters) {
			const held = this.awaitsOfUnsent.get(awaiting);
			if (held) this.tellHeldAwait(awaiting, this.awaitWords(held.line, state) ?? held.words);
		}
	}

	/** Tells the held await of `task`, if any: in `words`, or as it read when it came. */
	private tellHeldAwait(task: number, words?: string): void {
		const held = this.awaitsOfUnsent.get(task);
		if (!held) return;
		this.awaitsOfUnsent.delete(task);
		this.unnamedAwaits.delete(task);
		if (held.call !== null) {
			const awaiters = this.awaitersOfUnsent.get(held.call)?.filter(id => id !== task) ?? [];
			if (awaiters.length > 0) this.awaitersOfUnsent.set(held.call, awaiters);
			else this.awaitersOfUnsent.delete(held.call);
		}
		this.sayAwait(held.line, words ?? held.words);
	}

	/** Tells the held awaits from before `horizon`, as they read: of a promise no op came to name, of a request not sent by then. */
	private tellUnnamedUpTo(horizon: Ms): void {
		for (const task of this.unnamedAwaits) {
			if (this.awaitsOfUnsent.get(task)!.line.t > horizon) return;
			this.tellHeldAwait(task);
		}
	}

	private sayAwait(line: TaskAwaitEvent, words: string): void {
		this.say(line.t, this.stateMark('waiting', 'await', 'yellow'), [{text: `${words}  `}, dim(line.site)]);
	}

	/** Every line still held, then the closing summary, modelled on the seed's last example, under a rule that says it is asyncmon's. */
	finish(state: ModelState): void {
		for (const task of [...this.awaitsOfUnsent.keys()]) this.tellHeldAwait(task);
		const last = this.gate.finish(state);
		// The second under way when the session ended: said as of its end, not of a second that never came.
		if (last) this.saySecond(last, sessionEnd(state));
		// A block told live that the script exited in has no block.end (its loop never turned again): its end is the
		// exit's (see the reducer), told as any other's.
		for (const id of this.blockedAt.keys()) {
			const block = state.blocks.find(candidate => candidate.id === id);
			if (block?.endMs != null && block.durationMs !== null) this.say(block.endMs, this.blockMark('block'), this.blockEndText(state, block, block.durationMs));
		}
		this.blockedAt.clear();
		this.stillBlocked.clear();
		this.order.drain();
		this.writePending();
		const lines: string[] = [];
		// A script that never ran gets asyncmon's one error line, which says whose it is, on stderr as node's own would be.
		if (!state.fatal) lines.push(paint([{text: this.options.ascii ? '-- asyncmon --' : '── asyncmon ──', dim: true}], this.ansi));
		for (const line of summaryLines(state, this.options.ascii)) lines.push(paint(this.ownSegments(line), this.ansi));
		const stream = state.fatal ? 'stderr' : (this.options.ownLines ?? 'stdout');
		if (lines.length > 0) (stream === 'stderr' ? this.options.err : this.options.out).write(`${this.midLine[stream] ? '\n' : ''}${lines.join('\n')}\n`);
	}

	private write({stream, text, own, withdrawn}: Printed): void {
		if (withdrawn) return;
		if (own && this.midLine[stream]) text = `\n${text as string}`;
		else if (!own && text.length > 0) this.midLine[stream] = (typeof text === 'string' ? text.charCodeAt(text.length - 1) : text[text.length - 1]) !== 0x0a;
		if (own) this.midLine[stream] = false;
		if (stream === 'stdout') this.out(text);
		else this.err(text);
	}

	private err(text: string | Uint8Array): void {
		// What was printed before stays before.
		this.writePending();
		this.options.err.write(text);
	}

	private out(text: string | Uint8Array): void {
		if (!this.options.buffered || typeof text !== 'string') {
			this.writePending();
			this.options.out.write(text);
			return;
		}
		this.pending += text;
		if (this.pending.length >= MAX_PENDING_CHARS) this.writePending();
	}

	/** Whether a task or request line is printed, or counted into its second's summary line (see LoadGate). */
	private admit(t: Ms, kind: LineKind, state: ModelState, ended: Ended | null, tasks = 1): boolean {
		const wasSummarizing = this.gate.summarizing;
		const {print, done, resumed} = this.gate.admit(t, kind, state, ended, tasks);
		if (done) this.saySecond(done);
		if (resumed) this.say(t, this.loadMark(), [{text: 'fewer task lines a second again: a line per event from here'}]);
		if (!wasSummarizing && this.gate.summarizing) {
			this.say(t, this.loadMark(), [
				{text: `over ${PLAIN_LINES_PER_SECOND} task lines a second: one summary line a second from here (a recording keeps them; blocks, uncaught errors and the first ${FAILURES_TOLD_PER_SECOND} failures of each second still print)`},
			]);
		}
		return print;
	}

	/** `[00:12.000] ≡ 1s     1,204 started · 1,198 done · 3 failed · 612 requests · slowest handle() 45ms · 12 running, 30 waiting` */
	private saySecond(summary: SecondSummary, endedAt = Number.POSITIVE_INFINITY): void {
		const parts = [`${formatCount(summary.started)} started`, `${formatCount(summary.finished)} done`];
		if (summary.failed > 0) parts.push(`${formatCount(summary.failed)} failed`);
		if (summary.requests > 0) parts.push(`${formatCount(summary.requests)} requests${summary.failedRequests > 0 ? ` (${formatCount(summary.failedRequests)} failed)` : ''}`);
		if (summary.slowest) parts.push(`slowest ${summary.slowest.name} ${formatDuration(summary.slowest.ms)}`);
		parts.push(
			`${formatCount(summary.running)} running, ${formatCount(summary.waiting)} waiting${summary.ready > 0 ? `, ${formatCount(summary.ready)} ready` : ''}${summary.justStarted > 0 ? `, ${formatCount(summary.justStarted)} just started` : ''}`,
		);
		this.say(Math.max(summary.startMs, Math.min(summary.startMs + 1000, endedAt)), this.loadMark(), [{text: this.listed(parts)}]);
	}

	private loadMark(): Mark {
		return {icon: this.glyphs.separator, word: '1s', color: 'cyan'};
	}

	private stateMark(state: NodeState, word: string, color: Color): Mark {
		return {icon: stateIcon(state, this.options.ascii), word, color};
	}

	private blockMark(word: string): Mark {
		return {icon: this.glyphs.warning, word, color: 'red'};
	}

	private listed(parts: readonly string[]): string {
		return parts.join(` ${this.glyphs.separator} `);
	}

	/** `↳ child  sh -c exit 3 (pid 4242) exited with code 3 in 6ms`: a child process that is not followed. */
	private processEnded(t: Ms, node: TaskNode, state: ModelState, {exit, error}: {exit?: ProcessExit; error?: ErrorInfo}): void {
		const failed = node.state === 'failed';
		if (!this.admit(t, 'end', state, {name: node.name, ms: t - node.startMs, failed})) return;
		// Not started at all: Node's error says why; otherwise how it exited.
		const outcome = exit ? processOutcome(exit, error) : errorOrNone(error);
		this.say(t, {icon: this.glyphs.child, word: 'child', color: failed ? 'red' : 'green'}, [{text: `${processLabel(node)} ${outcome} in ${formatDuration(t - node.startMs)}`}]);
	}

	/**
	 * ` (pid 4242)`: where a task off the script's main thread runs (a cluster's workers run one file: its location
	 * does not tell them apart); nothing for one on it, or for a thread's or process's own row, whose name says it.
	 */
	private place(node: TaskNode, state: ModelState): string {
		if (node.kind === 'worker' || node.kind === 'process') return '';
		const where = placeOf(node.id, state);
		return where === null ? '' : ` (${where})`;
	}

	private timings(node: TaskNode): string {
		return `(${this.listed([`busy ${formatDuration(node.busyMs)}`, `waiting ${formatDuration(node.waitMs)}`, `sched ${formatDuration(node.schedDelayMs)}`])})`;
	}

	/** Holds one of asyncmon's lines for its time; the line held, which its words may still be told again into (see endsAwaitingStack). */
	private say(t: number, mark: Mark, text: readonly Segment[]): Printed {
		const printed: Printed = {stream: this.options.ownLines ?? 'stdout', text: this.words(t, mark, text), own: true};
		this.order.hold(t, printed);
		return printed;
	}

	/** One event line; names, locations, URLs and errors come from the script, so each part is sanitized. */
	private words(t: number, mark: Mark, text: readonly Segment[]): string {
		const line: Segment[] = [
			{text: `[${formatOffset(t)}]`, dim: true},
			{text: ' '},
			{text: `${mark.icon} ${mark.word.padEnd(6)}`, color: mark.color},
			{text: ' '},
			...text.map(segment => ({...segment, text: sanitize(segment.text)})),
		];
		return `${paint(this.ownSegments(trimEnd(line)), this.ansi)}\n`;
	}

	/** A block's end line, still held, in the words of what is known of it now. */
	private tellEndAgain(ended: HeldEnd, state: ModelState): void {
		const block = state.blocks.find(b => b.id === ended.blockId);
		ended.printed.text = this.words(ended.t, this.blockMark('block'), this.blockEndText(state, block, ended.durationMs));
	}

	/** `loop was blocked for 1.01s by waitForShell() in main() app.ts:5:3`, from what the state knows of the block. */
	private blockEndText(state: ModelState, block: Block | undefined, durationMs: Ms): Segment[] {
		const who = block ? blockCulprit(state, block) : 'a callback';
		const loop = `loop${block ? loopOwner(block) : ''}`;
		const location = block?.location ?? null;
		return [{text: `${loop} was blocked for ${formatDuration(durationMs)} by ${who}${location ? ' ' : ''}`}, dim(location), ...(block ? loadingSegment(state, block) : [])];
	}

	/** asyncmon's own words, with the script's names in them: in ASCII alone under --ascii. */
	private own(text: string): string {
		return this.options.ascii ? asciiOnly(text) : text;
	}

	private ownSegments(line: readonly Segment[]): Segment[] {
		return line.map(segment => ({...segment, text: this.own(segment.text)}));
	}
}

/** A notice of the runtime's, as asyncmon says it on stderr. */
export function noticeText(message: string): string {
	return `asyncmon: ${sanitize(message)}\n`;
}

const dim = (text: string | null | undefined): Segment => ({text: text ?? '', dim: true});

function errorOrNone(error: ErrorInfo | undefined): string {
	return error ? errorText(error) : 'Error: ';
}

/** An event without a location would end its line in blanks. */
function trimEnd(line: readonly Segment[]): Segment[] {
	const kept = [...line];
	while (kept.length > 0) {
		const last = kept.pop()!;
		const text = last.text.trimEnd();
		if (text !== '') return [...kept, {...last, text}];
	}
	return kept;
}

/** ` (loading modules …)` after a block's culprit, for a block spent loading modules (see loadingWords). */
function loadingSegment(state: ModelState, block: Block): Segment[] {
	const loading = loadingWords(state, block);
	return loading ? [dim(` (${loading})`)] : [];
}

/** Who and where a block is told as having been, to tell again only what a later read changed. */
function toldPlace(state: ModelState, block: Block): string {
	return `${knownBlockCulprit(state, block) ?? ''}\n${block.location ?? ''}`;
}

/** The request an await waits on directly that is made and not yet sent (neither sent nor waiting in a pool's queue), if any. */
function unsentRequest(state: ModelState, line: TaskAwaitEvent): number | null {
	if (line.on.kind !== 'op') return null;
	const http = state.nodes.get(line.on.id)?.http;
	return http && http.sentAt === undefined && (!http.queue || http.dequeuedAt !== undefined) ? line.on.id : null;
}
