import type {ErrorInfo, ExitCall, HttpClient, ListeningServer, Location, Ms} from '../../protocol/events.js';
import type {Block, CurrentWait, ModelState} from '../state.js';

/** What every finding carries, whatever it is about. */
interface Finding {
	/** Nodes (tasks and ops) the finding is about, most relevant first. */
	taskIds: number[];
	/** Estimated wall-clock time the suggested change would save. */
	savesMs?: Ms;
}

/** A task awaited independent operations one after another; its costliest such run. */
export interface SequentialAwaitsInsight extends Finding {
	kind: 'sequential-awaits';
	taskName: string;
	/** How many operations the run awaited. */
	operations: number;
	/** Their durations added up: what the run took in sequence. */
	sequenceMs: Ms;
	/** The longest of them. */
	longestMs: Ms;
	/**
	 * About what they would take if started together: the longest of them, or, where they compute, the time they
	 * spend on one thread, which they could not share (CPU-bound steps on one thread gain nothing from overlapping).
	 */
	togetherMs: Ms;
	savesMs: Ms;
	/** How many calls of the function did so (a handler, at each request): the figures are the costliest's. */
	calls: number;
	/** The costliest call ran beside others of the same function under the same caller: a pool's workers, maybe. */
	alongside?: true;
	/** Every operation of the run was a reply awaited from this peer (`127.0.0.1:5432`): a database queried in a loop. */
	peer?: string;
}

/** The finished blocks of at least the threshold at one place of one loop, with the tasks they kept from running. */
export interface BlockedLoopInsight extends Finding {
	kind: 'blocked-loop';
	/** The longest of them: its stack and task say who blocked, its location where. */
	block: Block;
	/** That block's duration: it has ended. */
	durationMs: Ms;
	/** How many blocks of at least the threshold there were at this place, that one included. */
	blocks: number;
	/** Their durations added up. */
	totalMs: Ms;
	/** Tasks that became ready during the blocks and resumed only when they ended (one for each block it waited out). */
	delayedTasks: number;
	/** The longest of their delays; null when no task was kept waiting. */
	longestDelayMs: Ms | null;
}

/** The tasks' own time against the wall-clock time it took. */
export interface ConcurrencyInsight extends Finding {
	kind: 'concurrency';
	/** The units of work of kind `task` or `server` (see isActiveUnit), counting those folded into per-site totals. */
	tasks: number;
	/** Worker threads that started no task of their own: their time counts too. */
	workers: number;
	/** Their own time running or waiting on something (see ownActiveTime): not ready and held up by a busy loop, nor waiting on each other. */
	activeMs: Ms;
	/** From the script's first line. */
	durationMs: Ms;
	/** Active time over duration (see concurrencyAt). */
	concurrency: number;
}

/** A promise rejected and nothing handled it. */
export interface UnhandledRejectionInsight extends Finding {
	kind: 'unhandled-rejection';
	error: ErrorInfo;
	/** The task it rejected in, when known. */
	taskName: string | null;
	/** The script's own process-level handler (process.on('unhandledRejection'), or 'uncaughtException') took it: the process went on. */
	handled?: true;
	/** How many times the same one came, when more than once. */
	count?: number;
}

/** Tasks still suspended when the process exited. */
export interface NeverSettledInsight extends Finding {
	kind: 'never-settled';
	/** When the process exited: what each task waited on is as of then. */
	exitMs: Ms;
	/** In creation order. */
	pending: PendingTask[];
	/** Present when the script's process.exit() ended the process: it cut them off. */
	exitCall?: ExitCall;
}

export interface PendingTask {
	name: string;
	/** What it was waiting on; null when it was ready to resume but never ran. */
	wait: CurrentWait | null;
}

/** A statement called one of the script's async functions and dropped the promise. */
export interface FloatingPromiseInsight extends Finding {
	kind: 'floating-promise';
	/** The dropped task, when known; `cutShort`: its process (a followed one) or worker thread ended before it settled. */
	task: {name: string; failed: boolean; cutShort?: true} | null;
	/** The function that dropped it; null at the top level of the script. */
	callerName: string | null;
	site: Location;
}

/** The loop sat idle while the process stayed alive. */
export interface KeepsAliveInsight extends Finding {
	kind: 'keeps-alive';
	idleMs: Ms;
	/** Node's open resources by type name (`Timeout`, `TCPServerWrap`), with how many of each. */
	resources: Record<string, number>;
	/** The script's servers still listening. */
	servers: ListeningServer[];
	/** Its timers still pending, each with the task that made it. */
	timers: PendingTimer[];
}

export interface PendingTimer {
	name: string;
	/** The task that made it; null for the top level of the script. */
	madeBy: {name: string; location: Location | null} | null;
}

/** Worker threads busy at the same time. */
export interface ParallelismInsight extends Finding {
	kind: 'parallelism';
	workers: number;
	/** Their threads' busy time added up: each worker's top level and the tasks it ran. */
	busyMs: Ms;
	/** From the first worker's start to the last one's end. */
	wallMs: Ms;
	/** Busy time over wall time. */
	parallelism: number;
	/** Whether the main loop was blocked while they ran. */
	loopBlocked: boolean;
}

/** Requests to one host waited for a free connection. */
export interface ConnectionQueueingInsight extends Finding {
	kind: 'http';
	finding: 'connection-queueing';
	host: string;
	/** Over every request sent to the host through the client. */
	averageQueueMs: Ms;
	/** How many requests were sent through the client, and how many of them waited for a connection (QUEUED_MS or more): their average and longest wait. */
	requests: number;
	queued: number;
	queuedAverageMs: Ms;
	longestQueueMs: Ms;
	/** Most requests the script had on the wire to the host at once through the client. */
	connections: number;
	/** The client library the requests went through, each its own connections (null where the recording does not say): its limit is set its own way. */
	client: HttpClient | null;
	/** The script reached the host through other clients too: the figures are this one's. */
	sharedHost?: true;
	/**
	 * Requests to the host no longer kept one by one (folded by the script's process or the reader's window, through
	 * any client): their waits are in no figure above, which are of the requests kept.
	 */
	folded?: number;
}

/** Requests to one host failed, and some were retries. */
export interface HttpFailuresInsight extends Finding {
	kind: 'http';
	finding: 'failures';
	host: string;
	requests: number;
	failures: number;
	/** Requests that repeated one their task (or an earlier call of the same function) made and saw fail. */
	retries: number;
	/** Of `requests`, those still kept one by one, among which `retries` were told (the rest folded past the window); absent when all are. */
	retriesAmong?: number;
}

/** The slowest of several hosts, against the next slowest. */
export interface SlowestHostInsight extends Finding {
	kind: 'http';
	finding: 'slowest-host';
	host: string;
	averageMs: Ms;
	next: {host: string; averageMs: Ms};
}

export type HttpInsight = ConnectionQueueingInsight | HttpFailuresInsight | SlowestHostInsight;

/** A finding about the session, as data: present/insights puts it in words, as what to change. */
export type Insight =
	| SequentialAwaitsInsight
	| BlockedLoopInsight
	| ConcurrencyInsight
	| UnhandledRejectionInsight
	| NeverSettledInsight
	| FloatingPromiseInsight
	| KeepsAliveInsight
	| ParallelismInsight
	| HttpInsight;

export type InsightKind = Insight['kind'];

export interface InsightOptions {
	/** Blocks shorter than this are not reported; defaults to the session header's threshold. */
	blockThresholdMs?: Ms;
}

export type InsightRule = (state: ModelState, options: Required<InsightOptions>) => Insight[];
