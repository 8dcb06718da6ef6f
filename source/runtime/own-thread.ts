import {Worker, workerData, type WorkerOptions} from 'node:worker_threads';

const OWN_THREAD = 'asyncmon:own-thread';

/**
 * Starts one of asyncmon's own threads (the pipe writer, the watchdog, the agent), unref'd: it never keeps
 * the script alive. No --import in it; and where one reaches it anyway (NODE_OPTIONS=--import=asyncmon/agent
 * reaches every thread), isOwnThread() tells the entry not to instrument it.
 */
export function startOwnThread(file: URL, data: object): Worker {
	// stdout and stderr its own: by default Node pipes a worker's into the process's, and a pipe into the script's
	// stdout rethrows its EPIPE (a reader gone, as with `| head`), which node leaves unthrown, as an uncaught error.
	const worker = new Worker(file, {workerData: {...data, [OWN_THREAD]: true}, execArgv: [], stdout: true, stderr: true});
	worker.unref();
	// Never read: a preload of NODE_OPTIONS runs in every thread, this one too, and what it printed here (dotenv's
	// `injected env`, a warning) was read ahead into these streams, which holds the thread's port until it ends: an
	// unref'd thread kept the script alive for ever. asyncmon's own threads print nothing of their own.
	worker.stdout.destroy();
	worker.stderr.destroy();
	// A failure of asyncmon's own thread is never the script's uncaught error.
	worker.on('error', () => {});
	return worker;
}

export function isOwnThread(): boolean {
	return isOwnData(workerData);
}

/** Whether a Worker made with these options is one of asyncmon's own threads. */
export function startsOwnThread(options: WorkerOptions | undefined): boolean {
	return isOwnData(options?.workerData);
}

function isOwnData(data: unknown): boolean {
	return typeof data === 'object' && data !== null && OWN_THREAD in data;
}
