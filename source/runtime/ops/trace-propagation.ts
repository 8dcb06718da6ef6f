import {parseTraceparent, spanIdOf, traceparentOf, type TraceId} from '../../protocol/trace-context.js';
import type {Task} from '../tracker.js';

/** Server tasks whose request came with a `traceparent`: their subtrees belong to the caller's trace. */
const remoteTraces = new WeakMap<Task, TraceId>();

/**
 * A server task handles a request that carried `traceparent`: the requests its subtree makes carry the caller's
 * trace id, as the monitor exports that subtree in the caller's trace. Whoever starts server tasks calls this.
 */
export function continueRemoteTrace(task: Task, traceparent: string): void {
	const remote = parseTraceparent(traceparent);
	if (remote) remoteTraces.set(task, remote.traceId);
}

/**
 * `--otlp-propagate`: the `traceparent` an outgoing request carries names the span the monitor exports for its op,
 * in the trace the op's task belongs to, so the callee's spans join that trace.
 */
export class TracePropagation {
	constructor(private readonly sessionTraceId: TraceId) {}

	traceparent(owner: Task, opId: number): string {
		return traceparentOf(this.traceOf(owner), spanIdOf(this.sessionTraceId, opId));
	}

	private traceOf(task: Task): TraceId {
		for (let at: Task | null = task; at; at = at.parent) {
			const remote = remoteTraces.get(at);
			if (remote) return remote;
		}
		return this.sessionTraceId;
	}
}
