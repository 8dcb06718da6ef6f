import {writeSync} from 'node:fs';

/**
 * A write to the monitor this long waited for it to read: a pipe with room takes a line, or a batch, in
 * microseconds. Such a wait is asyncmon's holding the script back, told as backpressure.
 */
export const WAITED_WRITE_MS = 2;

/** Linux's PIPE_BUF: a write this small to a pipe is atomic. */
const PIPE_BUF = 4096;
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `data` to the pipe in chunks of whole lines up to PIPE_BUF,
 * so that lines from other threads writing the same pipe never interleave.
 * False when the reader is gone.
 */
export function writeWhole(fd: number, data: Uint8Array): boolean {
	for (let start = 0; start < data.length; ) {
		const end = chunkEnd(data, start);
		if (!writeAll(fd, data.subarray(start, end))) return false;
		start = end;
	}
	return true;
}

function writeAll(fd: number, data: Uint8Array): boolean {
	let offset = 0;
	while (offset < data.length) {
		try {
			offset += writeSync(fd, data, offset);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return false;
			// The monitor is behind: wait for it without spinning a core.
			Atomics.wait(PAUSE, 0, 0, 1);
		}
	}
	return true;
}

/** The end of the next chunk: whole lines up to PIPE_BUF, or one longer line alone. */
function chunkEnd(data: Uint8Array, start: number): number {
	if (data.length - start <= PIPE_BUF) return data.length;
	const lastNewline = data.lastIndexOf(0x0a, start + PIPE_BUF - 1);
	if (lastNewline >= start) return lastNewline + 1;
	const nextNewline = data.indexOf(0x0a, start);
	return nextNewline === -1 ? data.length : nextNewline + 1;
}
