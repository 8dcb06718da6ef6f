import type {ReadableSpan} from '@opentelemetry/sdk-trace';
import type {ProtocolLine} from '../protocol/events.js';
import {SpanBuilder} from './span-builder.js';

/** Spans per OTLP request: the SDK's default export batch, and a file line of a size any reader takes. */
export const SPANS_PER_BATCH = 512;

/**
 * A recorded session's spans, handed to `sink` a batch at a time as the lines are read: memory stays bounded by
 * what was open at once, whatever the recording's length. Returns how many spans there were.
 */
export async function exportRecording(lines: AsyncIterable<ProtocolLine>, sink: (batch: ReadableSpan[]) => Promise<void>): Promise<number> {
	let batch: ReadableSpan[] = [];
	const builder = new SpanBuilder(span => batch.push(span));
	const handOn = async (): Promise<void> => {
		const full = batch;
		batch = [];
		await sink(full);
	};
	for await (const line of lines) {
		builder.take(line);
		if (batch.length >= SPANS_PER_BATCH) await handOn();
	}
	builder.end();
	if (batch.length > 0 || builder.spans === 0) await handOn();
	return builder.spans;
}
