import {connect} from 'node:net';
import {BroadcastChannel, parentPort, workerData} from 'node:worker_threads';
import {serializeLine} from '../protocol/encode.js';
import {AGENT_CHANNEL, listening} from './agent-channel.js';
import type {LaneWriterData} from './lane-writer.js';
import {I32_WRITTEN} from './pipe-writer-layout.js';

/**
 * A followed child process's writer thread: the batches of its main thread (through LaneWriter) and of its
 * worker threads (on the channel, as under the agent) go to the monitor's lane socket. Past BEHIND_BYTES
 * unsent, batches are dropped and counted, and the monitor hears how many in a `dropped` event as soon as it
 * reads again; a socket that fails drops the rest. A batch counts as written once the kernel has it, or is dropped.
 */
const data = workerData as LaneWriterData;
const state = new Int32Array(data.buffer);
const BEHIND_BYTES = 4 * 1024 * 1024;

const socket = connect(data.socket);
let broken = false;
/** Events dropped since the last `dropped` event. */
let dropped = 0;
socket.on('error', () => {
	broken = true;
	socket.destroy();
});
// Reads nothing; a monitor that goes away closes it.
socket.resume();

function send(batch: Uint8Array, done: () => void): void {
	if (broken || socket.writableLength > BEHIND_BYTES) {
		dropped += linesIn(batch);
		done();
		return;
	}
	if (dropped > 0) {
		socket.write(serializeLine({type: 'dropped', t: performance.timeOrigin + performance.now() - data.startedAt, count: dropped}));
		dropped = 0;
	}
	socket.write(batch, done);
}

function linesIn(batch: Uint8Array): number {
	let lines = 0;
	for (const byte of batch) if (byte === 10) lines++;
	return lines;
}

const written = (): void => {
	Atomics.add(state, I32_WRITTEN, 1);
	Atomics.notify(state, I32_WRITTEN);
};
parentPort!.on('message', (batch: Uint8Array) => send(batch, written));
const channel = new BroadcastChannel(AGENT_CHANNEL);
channel.onmessage = message => send((message as {data: Uint8Array}).data, () => {});
listening(data.listens);
