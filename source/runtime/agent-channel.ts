import {BroadcastChannel} from 'node:worker_threads';
import type {BatchWriter} from './event-sink.js';

/** The channel on which the script's worker threads and the watchdog hand their events to the agent's thread. */
export const AGENT_CHANNEL = 'asyncmon:agent';

/**
 * Whether the thread that reads the channel listens yet, set by it (`listening`) once it does: a
 * BroadcastChannel keeps nothing for a channel made later, so a batch posted before its reader listens would be
 * lost, uncounted. The reader starts with the process, but a busy machine may boot it after the watchdog saw a
 * block: a `node -e` child blocked from its first line lost its block that way in a CI run.
 */
export type ChannelListens = SharedArrayBuffer;

export function channelListens(): ChannelListens {
	return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
}

/** The reader's word that it listens. */
export function listening(listens: ChannelListens): void {
	const flag = new Int32Array(listens);
	Atomics.store(flag, 0, 1);
	Atomics.notify(flag, 0);
}

/** How long a writer's first batch waits at most for the reader to listen: its thread's boot, on a busy machine. */
const LISTEN_WAIT_MS = 2000;

/**
 * Under the agent and in a followed process, a thread other than the main one writes its batches to the thread
 * that takes them through a BroadcastChannel: any thread of the process can reach it without a port handed over.
 * Once the reader listens it never waits.
 */
export class ChannelWriter implements BatchWriter {
	private readonly channel = new BroadcastChannel(AGENT_CHANNEL);
	/** Null once the reader was heard to listen (or given up on). */
	private listens: Int32Array | null;

	constructor(listens: ChannelListens) {
		this.listens = new Int32Array(listens);
		// The channel must not keep the script's worker (or the watchdog) alive.
		this.channel.unref();
	}

	write(data: Uint8Array): void {
		if (this.listens) {
			Atomics.wait(this.listens, 0, 0, LISTEN_WAIT_MS);
			this.listens = null;
		}
		this.channel.postMessage(data);
	}

	drain(): void {}

	takeHeldBackMs(): number {
		return 0;
	}
}
