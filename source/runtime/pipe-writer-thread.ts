import {workerData, parentPort} from 'node:worker_threads';
import {writeWhole} from './pipe-write.js';
import {I32_WRITTEN, type PipeWriterData} from './pipe-writer-layout.js';

/**
 * Writes the main thread's batches to the monitor's pipe, so that the script
 * computes while the monitor reads instead of waiting on a full pipe.
 */
const data = workerData as PipeWriterData;
const state = new Int32Array(data.buffer);
parentPort!.on('message', (batch: Uint8Array) => {
	writeWhole(data.fd, batch);
	Atomics.add(state, I32_WRITTEN, 1);
	Atomics.notify(state, I32_WRITTEN);
});
