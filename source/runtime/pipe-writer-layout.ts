/** Shared between the main thread and its pipe writer: how many batches each side has seen. */
export const I32_SENT = 0;
export const I32_WRITTEN = 1;
export const PIPE_WRITER_BUFFER_BYTES = 8;

export interface PipeWriterData {
	fd: number;
	buffer: SharedArrayBuffer;
}
