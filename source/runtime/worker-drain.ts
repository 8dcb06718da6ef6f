import {BroadcastChannel, threadId} from 'node:worker_threads';

/**
 * `worker.terminate()` stops a worker's JavaScript at once, without its 'exit' listeners: the events its lane holds
 * (up to a flush's worth, 50 ms) would be lost with it, and the lane would never end. vitest's threads pool
 * terminates each worker as soon as its test file is done. So a worker lane says on this channel that it listens,
 * and the thread that terminates it asks it first to end its lane and send what it holds, waiting for that a while.
 */
const CHANNEL = 'asyncmon:worker-drain';

/** How long terminate() waits for the worker's answer: an idle worker answers at once, a busy one when it is free. */
const DRAIN_WAIT_MS = 100;

/** Node's own, taken before asyncmon makes the script's timers ops: this wait is no timer of the script's. */
const plainSetTimeout = setTimeout;

type Message = {listening: number} | {heard: number} | {gone: number} | {drain: number} | {drained: number};

/** In a worker lane: `drain` (end the lane, send its events) runs when the thread that started it is about to terminate it. */
export function drainBeforeTermination(drain: () => void): void {
	const channel = new BroadcastChannel(CHANNEL);
	// It must not keep the worker alive.
	channel.unref();
	channel.onmessage = event => {
		const message = (event as {data: Message}).data;
		if (!('drain' in message) || message.drain !== threadId) return;
		drain();
		channel.postMessage({drained: threadId} satisfies Message);
	};
	channel.postMessage({listening: threadId} satisfies Message);
	process.on('exit', () => channel.postMessage({gone: threadId} satisfies Message));
}

/** In a thread that starts workers: which of them listen, and the wait for one's answer. */
export class WorkerDrains {
	private channel: BroadcastChannel | null = null;
	/** Workers constructed here that have not said yet that they listen. */
	private readonly unheard = new Set<number>();
	private readonly listening = new Set<number>();
	private readonly waiting = new Map<number, () => void>();

	/** A worker this thread constructed: the channel listens before the worker can say anything. */
	started(worker: number): void {
		this.open();
		this.unheard.add(worker);
	}

	/** Resolves once the worker sent what it holds, at once for a worker that does not listen (not started yet, or gone). */
	drained(worker: number): Promise<void> {
		if (!this.listening.delete(worker)) return Promise.resolve();
		return new Promise(resolve => {
			const done = (): void => {
				clearTimeout(timer);
				this.waiting.delete(worker);
				resolve();
			};
			// Nor does it keep the process alive longer than under node.
			const timer = plainSetTimeout(done, DRAIN_WAIT_MS).unref();
			this.waiting.set(worker, done);
			this.channel!.postMessage({drain: worker} satisfies Message);
		});
	}

	private open(): void {
		if (this.channel) return;
		this.channel = new BroadcastChannel(CHANNEL);
		this.channel.unref();
		this.channel.onmessage = event => {
			const message = (event as {data: Message}).data;
			if ('listening' in message && this.unheard.delete(message.listening)) {
				this.listening.add(message.listening);
				// Node delivers the first message of a thread's channel to a worker tens of ms late: not the drain's.
				this.channel!.postMessage({heard: message.listening} satisfies Message);
			} else if ('gone' in message) this.listening.delete(message.gone);
			else if ('drained' in message) this.waiting.get(message.drained)?.();
		};
	}
}
