import type {Ms, ProtocolLine} from '../protocol/events.js';
import {serializeLine} from '../protocol/encode.js';
import {readyDuringBlock} from '../model/blocked-readiness.js';
import {apply} from '../model/reducer.js';
import type {ModelState} from '../model/state.js';
import type {LiveSpanExport} from '../otlp/live-export.js';
import type {PlainPrinter} from '../plain/printer.js';
import type {Recorder} from '../sessions/recorder.js';

export interface PipelineOutputs {
	recorder?: Recorder | null;
	printer?: PlainPrinter | null;
	/** `--otlp`: the session's spans, sent live. */
	spans?: LiveSpanExport | null;
	/** After each batch: the views' cue to redraw. */
	onFlush?: () => void;
}

/**
 * Where each line of a session goes, in the order it arrived: into the
 * model, then the recording, then the plain printer (which reads the model
 * the line has just changed), then the live span export. A recording is therefore exactly the stream
 * the model was built from, and a replay of it ends in the same state.
 */
export class SessionPipeline {
	constructor(
		readonly state: ModelState,
		private readonly outputs: PipelineOutputs = {},
	) {}

	/** A line of the stream; `raw` is its serialized form when the caller has it (the child's lines, as sent). */
	take(line: ProtocolLine, raw?: string): void {
		apply(this.state, line);
		this.outputs.recorder?.write(raw ?? serializeLine(line));
		this.outputs.printer?.handle(line, this.state);
		this.outputs.spans?.take(line);
	}

	/**
	 * The one place where events that no process sent enter the stream:
	 * events the monitor derives from the model (see deriveReadinessWhileBlocked).
	 * They take the same path as the child's, so they are applied, recorded
	 * and printed like them, and a replay sees them where the live run did.
	 */
	derive(lines: readonly ProtocolLine[]): void {
		if (lines.length === 0) return;
		for (const line of lines) this.take(line);
		this.flush();
	}

	/** The end of a batch (the lines of one chunk read from the child): one write to stdout, one redraw request. */
	flush(): void {
		this.outputs.printer?.flush();
		// Written while its lines are young: held for the recorder's timer they outlive a scavenge and bloat the old space.
		this.outputs.recorder?.flush();
		this.outputs.onFlush?.();
	}
}

/** How often, while the script's loop is blocked, the monitor looks for tasks whose timers came due. */
const BLOCKED_READINESS_MS = 50;

/** The blocked thread cannot say which of its tasks became ready: the monitor derives it (see readyDuringBlock). Returns the stop. */
export function deriveReadinessWhileBlocked(pipeline: SessionPipeline, now: () => Ms): () => void {
	const timer = setInterval(() => pipeline.derive(readyDuringBlock(pipeline.state, now())), BLOCKED_READINESS_MS);
	timer.unref();
	return () => clearInterval(timer);
}
