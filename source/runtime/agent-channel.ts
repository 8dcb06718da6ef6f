import {BroadcastChannel} from 'node:worker_threads';
import type {BatchWriter} from './event-sink.js';

/** The channel on which the script's worker threads and the watchdog hand their events to the agent's thread. */
export const AGENT_CHANNEL = 'asyncmon:agent';

/**
 * Under the agent, a thread other than the main one writes its batches to the agent's thread through a
 * BroadcastChannel: any thread of the process can reach it without a port handed over. It never waits.
 */
export class ChannelWriter implements BatchWriter {
	private readonly channel = new BroadcastChannel(AGENT_CHANNEL);

	constructor() {
		// The channel must not keep the script's worker (or the watchdog) alive.
		this.channel.unref();
	}

	write(data: Uint8Array): void {
		this.channel.postMessage(data);
	}

	drain(): void {}

	takeHeldBackMs(): number {
		return 0;
	}
}
