import type {ChannelListens} from './agent-channel.js';
/** The SharedArrayBuffer that the main thread and the watchdog thread share. */
export const WATCH_BUFFER_BYTES = 104;

/** Float64 slots: times in epoch milliseconds. */
export const F64_HEARTBEAT = 0;
/** When the running code's synchronous stretch began (0: no task runs): a block cannot be older. */
export const F64_STRETCH_START = 1;

/** asyncmon's own time in the script's thread since the last heartbeat, ms: no part of the loop's silence. */
export const F64_EXCLUDED = 4;
/** How long the main thread had waited for a CPU, ms, at the last heartbeat (see mainThreadTimes). */
export const F64_BEAT_QUEUED = 5;
/**
 * The same, read last before the silence under way began: at a heartbeat, or where a stretch of task code
 * began a while after the last reading (see LoopWatch.running). A stall's wait for a CPU counts from it.
 */
export const F64_QUEUED_BEFORE = 9;
/**
 * Where the open block began, as the watchdog told it (bytes 88 to 95): a slice that claims the block ends it, but
 * the block may have begun before the slice did (a timer's callback spun, then called a task that spun too).
 */
export const F64_OPEN_BLOCK_START = 11;
/** How long reading the open block's stack held the main thread, ms: no part of the block. */
export const F64_HELD = 6;
/** Of F64_HELD, how long the main thread waited for a CPU: no part of the block's wait for one either. */
export const F64_HELD_QUEUED = 7;

/** Int32 slots (bytes 16 to 31, between the Float64 slots 1 and 4). The running task's id, less WatchdogData.idBase (0: none). */
export const I32_TASK = 4;
/** The number (I32_BLOCK_COUNTER's) of the block the watchdog reported and has not seen end; CLAIMING while the main thread claims one. */
export const I32_OPEN_BLOCK = 5;
/**
 * In I32_OPEN_BLOCK while the main thread measures a slice that ran past the threshold and, if it is a block, beats
 * at its end: the watchdog opens no block meanwhile, from the beat the claim is about to move on.
 */
export const CLAIMING = -1;
/** Blocks so far, the last one's number: its id is that plus WatchdogData.idBase. */
export const I32_BLOCK_COUNTER = 6;
/** Non-zero while asyncmon itself holds the thread (compiling a module): not the script's block. */
export const I32_PAUSED = 7;
/** 1 while the watchdog has an inspector session on the main thread, to read a block's stack. */
export const I32_STACK_SESSION = 16;
/** 1 once the main thread began to exit: the watchdog lets go of any session at once. */
export const I32_EXITING = 17;
/**
 * Bytes 84 to 87: 0 while the running task runs its own code; while a callback it scheduled runs outside any
 * task's slice (see Tracker.attributeUntilNextMicrotask), the timer's op id less WatchdogData.idBase, or
 * IMMEDIATE_CALLBACK for a setImmediate's (no op).
 */
export const I32_CALLBACK = 21;
export const IMMEDIATE_CALLBACK = -1;
/**
 * Bytes 96 to 99: the task the latest block's start named (I32_TASK's value then; 0: none, or taken); bytes 100 to 103,
 * the task the watchdog saw in it most so far (see BlockSightings), which the end it tells names. The main thread
 * takes them at its next flush and puts those tasks in the stream: a call held or silent to fold would otherwise
 * fold away, and the block name a task the reader never heard of.
 */
export const I32_OPEN_BLOCK_TASK = 24;
export const I32_OPEN_BLOCK_SEEN_TASK = 25;
/** Bytes 80 to 83: the stop signals the script listens to itself, a bit each by its place in STOP_SIGNALS (see LoopWatch.watchSignalHandlers). */
export const I32_HANDLED_SIGNALS = 20;

/** How often the watchdog looks. */
export const POLL_MS = 10;

export interface WatchdogData {
	buffer: SharedArrayBuffer;
	/** The monitor's pipe; -1 under the agent and in a followed process, whose own thread takes the events on the channel. */
	fd: number;
	/** With fd -1: whether that thread listens on the channel yet. */
	listens?: ChannelListens;
	thresholdMs: number;
	/** Epoch ms of t = 0. */
	startedAt: number;
	cwd: string;
	/** The process that must stay this one's parent (see ChildConfig.monitorPid); 0 under the agent and in a followed process. */
	monitorPid: number;
	/**
	 * Where the process's ids start (see laneIdBase): the Int32 slots hold the running task's id and the block
	 * counter's numbers less it, and the ids emitted add it back.
	 */
	idBase: number;
}

/**
 * The main thread's reader of its own stack is a global under this registered symbol's key: the watchdog has
 * the inspector call it, in an interrupt of the blocked code (see LoopWatch.readBlockedStack).
 */
export const STACK_READER_KEY = 'asyncmon.readBlockedStack';
/** Frames a block's stack keeps, of the user's own code. */
export const MAX_STACK_FRAMES = 12;

export const epochNow = (): number => performance.timeOrigin + performance.now();
