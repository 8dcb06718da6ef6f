import {isMainThread, type Worker} from 'node:worker_threads';
import {once} from '../protocol/once.js';
import {mainThreadTimes} from './stall.js';
import type {BatchWriter} from './event-sink.js';
import {startOwnThread} from './own-thread.js';
import {WAITED_WRITE_MS, writeWhole} from './pipe-write.js';
import {I32_SENT, I32_WRITTEN, PIPE_WRITER_BUFFER_BYTES, type PipeWriterData} from './pipe-writer-layout.js';

/** A batch this large means a busy script: while it is busy, and the monitor falls behind, a thread of its own does the writing. */
const HAND_OFF_BYTES = 32 * 1024;
/**
 * How long the script's own writes must have waited for the monitor before a thread takes over: a thread costs
 * its boot (35-40 ms of a core) and a message a batch, which a script whose monitor keeps up does not need.
 */
const HAND_OFF_WAITED_MS = 20;
/**
 * A writer thread that took no batch of HAND_OFF_BYTES for this long is let go, once it has written all it took:
 * a thread costs the script's process about 15 MB (Node's environment for it), and a server past its start-up
 * burst sends small batches. The next large batch starts one again.
 */
export const IDLE_WRITER_MS = 10_000;
/** Batches handed over and not yet written before the script waits, as it would on a full pipe: a few batches (a busy script fills one in 15-25 ms), so a SIGKILL still loses about 100 ms of events at most. */
const MAX_IN_FLIGHT = 4;

/**
 * This thread's time on a CPU so far running its own code (a collection of the heap, say), not the kernel's: a
 * write's copying into the pipe is the system's time, asyncmon's cost as the wait for room is.
 */
function threadUserCpuMs(): number {
	return process.threadCpuUsage().user / 1000;
}

/** A thread that takes the main thread's batches: the pipe writer, or the agent (which has no pipe and takes them all from the start). */
export interface WriterThread {
	file: URL;
	/** More for its workerData. */
	data?: object;
	/** Started at once and given every batch: there is no pipe to write small ones to. */
	always?: boolean;
}

/**
 * The main thread's way to the monitor's pipe. Small batches are written at
 * once; once the script is busy, a writer thread takes them, so the script
 * runs on while the monitor reads (a synchronous write to a full pipe would
 * stop it). `drain()` makes sure everything handed over is written.
 * Under the agent, its thread takes every batch the same way.
 */
export class PipeWriter implements BatchWriter {
	private worker: Worker | null = null;
	/** How long the script waited for the monitor to take its batches, since takeHeldBackMs last asked. */
	private heldBackMs = 0;
	private readonly state = new Int32Array(new SharedArrayBuffer(PIPE_WRITER_BUFFER_BYTES));
	private broken = false;
	/** When the last batch of HAND_OFF_BYTES came (performance.now()). */
	private lastLargeAt = Number.NEGATIVE_INFINITY;
	/** How long this thread's own writes waited for the monitor since the writer thread was last let go. */
	private waitedMs = 0;

	constructor(
		private readonly fd: number,
		/** The writer thread; null to always write on this thread. */
		private readonly thread: WriterThread | null,
		/** How long a writer thread may go without a large batch (IDLE_WRITER_MS; tests shorten it). */
		private readonly idleMs = IDLE_WRITER_MS,
	) {
		if (thread?.always) this.start(thread);
	}

	/** Whether batches go through the writer thread now. */
	get handsOff(): boolean {
		return this.worker !== null;
	}

	/** `data` must own its buffer: it is handed to the writer thread. */
	write(data: Uint8Array): void {
		if (this.broken) return;
		if (this.thread && !this.thread.always) this.startOrStop(this.thread, data.length >= HAND_OFF_BYTES);
		if (!this.worker) {
			// Read first: the first reading opens the thread's times, which is no wait for the monitor.
			const queuedBefore = this.queuedMs();
			const cpuBefore = threadUserCpuMs();
			const start = performance.now();
			// The monitor is gone (EPIPE): the script goes on, unobserved.
			if (!writeWhole(this.fd, data)) this.broken = true;
			// A write that waited for room in a full pipe, or copied a large batch into it, held the script back as a wait
			// for the writer thread does. Its thread running code of its own (a collection of the heap) or ready to run
			// without a CPU (a busy machine: the watchdog booting beside it, say) was no such wait.
			let waited = performance.now() - start;
			if (waited >= WAITED_WRITE_MS) waited -= threadUserCpuMs() - cpuBefore + (this.queuedMs() - queuedBefore || 0);
			if (waited >= WAITED_WRITE_MS) {
				this.heldBackMs += waited;
				this.waitedMs += waited;
			}
			return;
		}
		const roomForOne = (): boolean => Atomics.load(this.state, I32_SENT) - Atomics.load(this.state, I32_WRITTEN) < MAX_IN_FLIGHT;
		// Only a real wait is held-back time: a batch that finds room costs the script nothing to report.
		if (!roomForOne()) {
			const waitFrom = performance.now();
			this.waitUntil(roomForOne);
			this.heldBackMs += performance.now() - waitFrom;
		}
		Atomics.add(this.state, I32_SENT, 1);
		this.worker.postMessage(data, [data.buffer as ArrayBuffer]);
	}

	/** The main thread's times (see stall.ts), opened when first needed; none on another thread. */
	private readonly threadTimes = once(() => (isMainThread ? mainThreadTimes() : null));

	/** The main thread's wait for a CPU so far; NaN elsewhere, or where the system does not say. */
	private queuedMs(): number {
		return this.threadTimes()?.().queuedMs ?? Number.NaN;
	}

	takeHeldBackMs(): number {
		const held = this.heldBackMs;
		this.heldBackMs = 0;
		return held;
	}

	/**
	 * Returns once every batch handed to the writer is in the pipe, however
	 * far behind the monitor is (stopped, or busy on a loaded machine): as
	 * long as it reads, nothing is lost. A monitor that is gone ends the wait
	 * too: the writer's write fails (EPIPE) and counts as done.
	 */
	drain(): void {
		if (!this.worker) return;
		this.waitUntil(() => this.allWritten());
	}

	/** Started for a large batch; let go after IDLE_WRITER_MS of small ones, once nothing it took is left to write: the order stays. */
	private startOrStop(thread: WriterThread, large: boolean): void {
		const now = performance.now();
		if (large) this.lastLargeAt = now;
		if (!this.worker) {
			if (large && this.waitedMs >= HAND_OFF_WAITED_MS) this.start(thread);
		} else if (now - this.lastLargeAt >= this.idleMs && this.allWritten()) {
			void this.worker.terminate();
			this.worker = null;
			this.waitedMs = 0;
		}
	}

	private allWritten(): boolean {
		return Atomics.load(this.state, I32_WRITTEN) >= Atomics.load(this.state, I32_SENT);
	}

	private start(thread: WriterThread): void {
		const workerData: PipeWriterData = {...thread.data, fd: this.fd, buffer: this.state.buffer as SharedArrayBuffer};
		this.worker = startOwnThread(thread.file, workerData);
	}

	private waitUntil(done: () => boolean): void {
		while (!done()) {
			const written = Atomics.load(this.state, I32_WRITTEN);
			Atomics.wait(this.state, I32_WRITTEN, written, 50);
		}
	}
}
