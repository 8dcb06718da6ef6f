/** Shared between the main thread and its pipe writer: how many batches each side has seen, and whether the writer takes them yet. */
export const I32_SENT = 0;
export const I32_WRITTEN = 1;
/** Set by the pipe writer once it listens: until then (a thread takes about 30 ms to boot) the main thread writes its batches itself. */
export const I32_READY = 2;
export const PIPE_WRITER_BUFFER_BYTES = 12;

export interface PipeWriterData {
	fd: number;
	buffer: SharedArrayBuffer;
}
