import {ExportResultCode} from '@opentelemetry/core';
import {BatchSpanProcessor, type ReadableSpan, type SpanExporter} from '@opentelemetry/sdk-trace';
import type {ProtocolLine} from '../protocol/events.js';
import {collectorExporter, failureReason} from './collector.js';
import {shownEndpoint} from './endpoint.js';
import {SpanBuilder} from './span-builder.js';

/** One export may take this long, retries included: a slow collector costs a batch, never the session. */
const EXPORT_TIMEOUT_MS = 3000;
/** How long the end of a session waits for the last spans to go out. */
const CLOSE_WAIT_MS = 3000;
/** Spans waiting for a slow collector, beyond which they are dropped (and counted). */
const QUEUE_LIMIT = 16_384;
/** How often a batch goes out while the script runs. */
const BATCH_DELAY_MS = 1000;

export interface LiveExportOptions {
	/** The collector's traces URL (see tracesEndpoint). */
	endpoint: string;
	/** The first failure, said once: `OTLP export to … failed: …`. */
	onFailure: (message: string) => void;
}

export interface LiveExportOutcome {
	/** Spans made of the session. */
	spans: number;
	/** Of them, those the collector did not take (it failed, was too slow, or the queue was full). */
	undelivered: number;
}

/**
 * A session's spans sent live to an OpenTelemetry collector: fed every line of the session (see SessionPipeline),
 * it hands each task's and op's span on as it ends to the SDK's BatchSpanProcessor, which sends them in batches in
 * the background. Nothing here waits for the collector: one that is down or slow loses spans, counted, and the
 * session goes on. Not tied to a child process: any stream of protocol lines (run, demo, connect) can feed it.
 */
export class LiveSpanExport {
	private readonly builder = new SpanBuilder(span => this.processor.onEnd(span));
	private readonly processor: BatchSpanProcessor;
	private delivered = 0;
	private failed = false;

	constructor(private readonly options: LiveExportOptions, exporter: SpanExporter = collectorExporter(options.endpoint, EXPORT_TIMEOUT_MS)) {
		this.processor = new BatchSpanProcessor({
			exporter: this.counting(exporter),
			scheduledDelayMillis: BATCH_DELAY_MS,
			maxQueueSize: QUEUE_LIMIT,
			exportTimeoutMillis: EXPORT_TIMEOUT_MS + 500,
		});
	}

	take(line: ProtocolLine): void {
		this.builder.take(line);
	}

	/**
	 * The session is over: open spans end, and the rest is sent, waiting at most CLOSE_WAIT_MS. Once the collector
	 * has failed, nothing more is tried: asyncmon's exit waits for no collector that is down.
	 */
	async close(): Promise<LiveExportOutcome> {
		this.builder.end();
		if (!this.failed) {
			let timer: NodeJS.Timeout | undefined;
			const patience = new Promise<void>(resolve => (timer = setTimeout(resolve, CLOSE_WAIT_MS)));
			await Promise.race([this.processor.shutdown().catch(() => {}), patience]);
			clearTimeout(timer);
		}
		return {spans: this.builder.spans, undelivered: this.builder.spans - this.delivered};
	}

	/** The exporter, counting what the collector took, and saying the first failure. */
	private counting(exporter: SpanExporter): SpanExporter {
		return {
			export: (spans: ReadableSpan[], done) =>
				exporter.export(spans, result => {
					if (result.code === ExportResultCode.SUCCESS) this.delivered += spans.length;
					else if (!this.failed) {
						this.failed = true;
						this.options.onFailure(`OTLP export to ${shownEndpoint(this.options.endpoint)} failed: ${failureReason(result.error)}; spans it does not take are counted at the end`);
					}
					done(result);
				}),
			shutdown: () => exporter.shutdown(),
			forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
		};
	}
}
