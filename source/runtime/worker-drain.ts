import {getEnvironmentData, setEnvironmentData} from 'node:worker_threads';

/**
 * `worker.terminate()` stops a worker's JavaScript at once, without its 'exit' listeners: the events its lane holds
 * (up to a flush's worth, 10 ms) would be lost with it, and the lane would never end. vitest's threads pool
 * terminates each worker as soon as its test file is done. So the thread that terminates a worker first asks its
 * lane to end and send what it holds, and waits for that a while.
 *
 * They talk through a cell of shared memory with Atomics.waitAsync, never through messages: the first message a
 * thread receives on a BroadcastChannel makes Node load undici's bundle for its MessageEvent, 40-60 ms of the
 * script's thread at a worker's start, which the script would see as a block of its loop.
 */
const CELL_KEY = 'asyncmon:worker-drain';

/** What the worker's lane is doing, in its cell. */
const enum Drain {
	/** Not set up yet: a worker constructed, its lane not instrumented. */
	Unheard = 0,
	/** Its lane is set up and waits for a drain request. */
	Listening = 1,
	/** The thread that started it asks it to send what it holds. */
	Requested = 2,
	/** It did, or it exited: nothing is left to wait for. */
	Done = 3,
}

/** How long terminate() waits for the worker's answer: an idle worker answers at once, a busy one when it is free. */
const DRAIN_WAIT_MS = 100;

/** The cell: the drain's state (an Int32), then the lane's own busy time so far, ms (a Float64, see publishBusy). */
const CELL_BYTES = 16;
const BUSY_AT = 1;

/**
 * In a worker lane: `drain` (end the lane, send its events) runs when the thread that started it is about to terminate
 * it. Returns what publishes the lane's own busy time so far, for the thread that starts it to end it with should the
 * lane not answer (see WorkerDrains.drained); nothing where no cell was made for it.
 */
export function drainBeforeTermination(drain: () => void): (busyMs: number) => void {
	const shared = getEnvironmentData(CELL_KEY) as SharedArrayBuffer | undefined;
	if (!shared) return () => {};
	const busy = new Float64Array(shared);
	const cell = new Int32Array(shared, 0, 1);
	Atomics.store(cell, 0, Drain.Listening);
	// A pending waitAsync keeps no thread alive: an idle worker still exits as under node.
	const request = Atomics.waitAsync(cell, 0, Drain.Listening);
	if (request.async)
		void request.value.then(() => {
			if (Atomics.load(cell, 0) !== Drain.Requested) return;
			drain();
			done(cell);
		});
	process.on('exit', () => done(cell));
	return busyMs => {
		busy[BUSY_AT] = busyMs;
	};
}

function done(cell: Int32Array): void {
	Atomics.store(cell, 0, Drain.Done);
	Atomics.notify(cell, 0);
}

/** In a thread that starts workers: a cell for each, and the wait for one's answer. */
export class WorkerDrains {
	private readonly cells = new Map<number, Int32Array>();
	/** The cell the next worker constructed finds: set before its construction, as environment data is copied then. */
	private next: Int32Array | null = null;

	/** Before a worker is constructed: `watched` for one whose lane asyncmon instruments. */
	constructing(watched: boolean): void {
		this.next = watched ? new Int32Array(new SharedArrayBuffer(CELL_BYTES), 0, 1) : null;
		// Undefined takes the key away: a thread of asyncmon's own finds no cell, nor one meant for another worker.
		setEnvironmentData(CELL_KEY, this.next?.buffer);
	}

	/** The worker just constructed. */
	constructed(worker: number): void {
		if (this.next) this.cells.set(worker, this.next);
		this.next = null;
	}

	/**
	 * Resolves once the worker sent what it holds, at once for a worker that does not listen (not started yet, or
	 * gone), or after DRAIN_WAIT_MS for one that cannot answer: its thread blocked (in `Atomics.wait`, say). Resolves
	 * with a test, for once the worker is gone, of whether its lane is left open (it never ended itself): then with
	 * its own busy time as it last published it (see drainBeforeTermination), else null.
	 */
	async drained(worker: number): Promise<() => {busyMs: number} | null> {
		const cell = this.cells.get(worker);
		this.cells.delete(worker);
		if (!cell || Atomics.compareExchange(cell, 0, Drain.Listening, Drain.Requested) !== Drain.Listening) return () => null;
		Atomics.notify(cell, 0);
		// Nor does the wait keep the process alive longer than under node.
		const answer = Atomics.waitAsync(cell, 0, Drain.Requested, DRAIN_WAIT_MS);
		if (answer.async) await answer.value;
		return () => (Atomics.load(cell, 0) === Drain.Done ? null : {busyMs: new Float64Array(cell.buffer)[BUSY_AT]!});
	}
}
