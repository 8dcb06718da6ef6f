import type {ChannelListens} from './agent-channel.js';
import type {BatchWriter} from './event-sink.js';
import {startOwnThread} from './own-thread.js';
import {I32_SENT, I32_WRITTEN, PIPE_WRITER_BUFFER_BYTES} from './pipe-writer-layout.js';

/** At exit, how long a followed process waits at most for its last events to reach the monitor. */
const EXIT_DRAIN_MS = 1000;

/** What the lane writer's thread (lane-writer-thread.ts) is given. */
export interface LaneWriterData {
	socket: string;
	/** The session's t = 0, epoch ms, for the `dropped` events it makes. */
	startedAt: number;
	buffer: SharedArrayBuffer;
	/** Set by the thread once it reads the channel of the process's other threads. */
	listens: ChannelListens;
}

/**
 * A followed child process's way to the monitor: its thread sends the batches on the monitor's lane socket
 * (lane-writer-thread.ts). The script never waits for it while it runs: a monitor that does not keep up loses
 * batches, counted, instead of slowing the child (whose parent, not asyncmon, decides its pace). At exit it
 * waits, briefly, for what is still on its way.
 */
export class LaneWriter implements BatchWriter {
	private readonly state = new Int32Array(new SharedArrayBuffer(PIPE_WRITER_BUFFER_BYTES));
	private readonly worker;

	constructor(thread: URL, socket: string, startedAt: number, listens: ChannelListens) {
		const data: LaneWriterData = {socket, startedAt, buffer: this.state.buffer as SharedArrayBuffer, listens};
		this.worker = startOwnThread(thread, data);
	}

	write(data: Uint8Array): void {
		Atomics.add(this.state, I32_SENT, 1);
		this.worker.postMessage(data, [data.buffer as ArrayBuffer]);
	}

	drain(): void {
		const until = performance.now() + EXIT_DRAIN_MS;
		for (let left = EXIT_DRAIN_MS; left > 0; left = until - performance.now()) {
			const written = Atomics.load(this.state, I32_WRITTEN);
			if (written >= Atomics.load(this.state, I32_SENT)) return;
			Atomics.wait(this.state, I32_WRITTEN, written, left);
		}
	}

	takeHeldBackMs(): number {
		return 0;
	}
}
