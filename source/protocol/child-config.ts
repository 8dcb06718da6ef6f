import {IDS_PER_PROCESS, laneSlotOf} from './events.js';

/** How the monitor tells the child's preload what to do: one JSON environment variable. */
export const CHILD_CONFIG_ENV = 'ASYNCMON_CHILD_CONFIG';

/**
 * Variables the monitor sets for the child's own start, unless the user set them, which the preload takes
 * out of `process.env` again so the script sees the environment it was given. glibc reads
 * MALLOC_ARENA_MAX as the process starts: asyncmon's threads (the watchdog, the event writer) would each
 * get malloc arenas of their own, whose freed memory the process keeps (the child of a server under load
 * grew to 258 MB with the default, 178 MB with 2, against node's 108 MB).
 */
export const CHILD_START_ENV: Readonly<Record<string, string>> = {MALLOC_ARENA_MAX: '2'};

/** Off in the script's process: see childNodeFlags. */
const NO_TYPE_STRIPPING = '--no-experimental-strip-types';
/** Node 22 has AsyncContextFrame (which AsyncLocalStorage needs to be cheap) behind a flag; 24 has it on. */
const ASYNC_CONTEXT_FRAME = '--experimental-async-context-frame';
const SEMI_SPACE_FLAG = '--max-semi-space-size';
/**
 * The script's young generation (V8's heap of new objects) grows no larger than V8 lets a server's grow under
 * node alone: two semi-spaces of 8 MB (Express at 1,000 requests a second: 16 MB). asyncmon's own allocations
 * (each call's record, what a flush holds) would have V8 grow it to 64 MB on Node 24, 48 MB of the script's
 * resident memory that node does not have. A program that allocates fast collects its new objects more often
 * instead (see docs/benchmarks.md, "Measured by hand"). Not where the user set the size: theirs stands.
 */
export const SCRIPT_SEMI_SPACE_MB = 8;
const SEMI_SPACE_CAP = `${SEMI_SPACE_FLAG}=${SCRIPT_SEMI_SPACE_MB}`;

/**
 * The Node options the monitor starts the script's process with, which its preload takes out of
 * process.execArgv again (thread-setup.ts), so the script and the processes it forks see what node gives them.
 * Node's type stripping is off there: asyncmon compiles the script's TypeScript itself, and Node would strip the
 * compiled JavaScript of a CommonJS entry again (reached through its ES module loader, as it is with a preload,
 * it takes the format from the extension, not from the load hook), loading its stripper and running it: about
 * 70 ms of every start of a TypeScript script. The script still reads process.features.typescript as under
 * node (ChildConfig.typescript). Its young generation is capped (SCRIPT_SEMI_SPACE_MB) unless `nodeOptions`,
 * the NODE_OPTIONS it is given, size it.
 */
export function childNodeFlags(nodeMajor: number, nodeOptions: string | undefined): string[] {
	const flags = nodeMajor < 24 ? [ASYNC_CONTEXT_FRAME, NO_TYPE_STRIPPING] : [NO_TYPE_STRIPPING];
	return setsSemiSpace(nodeOptions) ? flags : [...flags, SEMI_SPACE_CAP];
}

/** One of childNodeFlags. */
export function isChildNodeFlag(flag: string): boolean {
	return flag === NO_TYPE_STRIPPING || flag === ASYNC_CONTEXT_FRAME || flag === SEMI_SPACE_CAP;
}

/**
 * The NODE_OPTIONS for a Node process the script starts, to be followed: asyncmon's preload first, the young
 * generation's cap next (see childNodeFlags), then the process's own, which win where they size it too.
 */
export function followedNodeOptions(preload: string, nodeOptions: string | null): string {
	// Quoted as NODE_OPTIONS reads quotes, whatever the path holds.
	return `--require=${JSON.stringify(preload)} ${SEMI_SPACE_CAP}${nodeOptions ? ` ${nodeOptions}` : ''}`;
}

function setsSemiSpace(nodeOptions: string | undefined): boolean {
	return nodeOptions?.includes(SEMI_SPACE_FLAG) ?? false;
}

export interface ChildConfig {
	/** Absolute path of the script. */
	script: string;
	/** The script as the user named it, for display. */
	scriptName: string;
	eventsFd: number;
	watchdogFd: number;
	blockThresholdMs: number;
	redact: boolean;
	/** The monitor's pid: a child whose parent is no longer this process lost its monitor and ends itself. */
	monitorPid: number;
	/** The session's W3C trace id (see trace-context.ts). */
	traceId: string;
	/** `--otlp-propagate`: outgoing HTTP requests carry a `traceparent` naming the span asyncmon exports for them. */
	propagateTrace: boolean;
	/** Quick tasks beyond a site's rate fold in the child (runtime/span-folder.ts); off under `--retain all`, which keeps every task. */
	foldQuickTasks: boolean;
	/** Which of CHILD_START_ENV the monitor added to its own child's environment: the preload deletes them. */
	addedEnv?: string[];
	/** Where the Node processes the script starts report, followed (see docs/protocol.md, "Child processes"); null under `--no-follow` and the agent. */
	lanes?: LaneSocket | null;
	/** Set in such a followed process: its place in the session. */
	lane?: LaneConfig;
	/** `process.features.typescript` under node, which the script's threads read though its process strips no types (see childNodeFlags). */
	typescript?: false | 'strip' | 'transform';
	/**
	 * Which of the script's output pipes block as it writes: those whose bytes end in a terminal or a file, which
	 * node writes synchronously, so that what the script prints just before `process.exit()` is all printed, as
	 * under node. Where they end in a pipe or a socket (`asyncmon app.js | less`), node writes as asyncmon's pipe
	 * does, asynchronously (and loses what is queued at a `process.exit()` just the same).
	 */
	blockingOutput?: {stdout: boolean; stderr: boolean};
	/**
	 * The script's output goes to the dashboard's output pane, not on to a terminal: a write that waits, waits for
	 * the monitor to read it (see Tracker.writeToMonitor).
	 */
	outputInPane?: boolean;
	/** The dashboard keeps the terminal for its keys: the script's stdin is empty, and it is told so if it listens (runtime/stdin-kept.ts). */
	stdinKept?: boolean;
}

/** The monitor's private directory (0700) and, in it, the Unix socket (0600) followed processes connect to. */
export interface LaneSocket {
	directory: string;
	socket: string;
}

export interface LaneConfig {
	/** Its ids are `slot × IDS_PER_PROCESS + 1` on (see events.ts); the process that started it claimed the slot. */
	slot: number;
	/** The task of the process that started it: its lane hangs under it. */
	startedBy: number;
	/** Its command line, redacted. */
	command: string;
	/** The session's t = 0, epoch ms: every process's events are on one clock. */
	startedAt: number;
	/** NODE_OPTIONS as its parent gave it, without asyncmon's `--require`: the preload puts it back. */
	nodeOptions: string | null;
}

/**
 * Where a process's ids start: a followed process's tasks and ops are numbered from `slot × IDS_PER_PROCESS + 1`,
 * and so are its blocks, in an id space of their own (the script's own, slot 0, from 1). Ids are so unique in the
 * session, and laneSlotOf tells whose they are.
 */
export function laneIdBase(slot: number): number {
	return slot * IDS_PER_PROCESS;
}

/** A command line longer than this is named by its program and its end in a lane's name (its details keep it whole). */
const MAX_NAMED_COMMAND = 120;
/** How much of such a command line's end the name keeps: the script a Node process runs, with its arguments. */
const NAMED_COMMAND_END = 90;

/**
 * A lane's root task's name: its process, as the process and the one that started it both tell it. A long command
 * line is cut in its middle, where a Node process's options are: node:test's run() starts each test file with every
 * option at its default, some 2,000 characters, repeated on every line that names the process.
 */
export function processTaskName(pid: number | undefined, command: string): string {
	return `pid ${pid ?? '?'}: ${command.length <= MAX_NAMED_COMMAND ? command : shortCommand(command)}`;
}

/** `node … --test-reporter=tap /app/test/a.test.mjs`: the program, then the end from a word on. */
function shortCommand(command: string): string {
	const program = command.split(' ', 1)[0]!;
	const end = command.slice(-NAMED_COMMAND_END);
	const word = end.indexOf(' ');
	return `${program} … ${word >= 0 && word < end.length - 1 ? end.slice(word + 1) : end}`;
}

/** A lane's root task: its process. */
export function laneRootId(slot: number): number {
	return laneIdBase(slot) + 1;
}

/** The root of the followed process an id (a task's, an op's, a block's) belongs to; null for the script's own. */
export function laneRootOf(id: number): number | null {
	const slot = laneSlotOf(id);
	return slot === 0 ? null : laneRootId(slot);
}
