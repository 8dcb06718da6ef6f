import type {ModelState} from './state.js';
import {blockedLoop} from './insights/blocked-loop.js';
import {concurrency} from './insights/concurrency.js';
import {httpInsights} from './insights/http.js';
import type {Insight, InsightOptions, InsightRule} from './insights/insight.js';
import {floatingPromise} from './insights/floating-promise.js';
import {keepsAlive} from './insights/keeps-alive.js';
import {neverSettled} from './insights/never-settled.js';
import {parallelism} from './insights/parallelism.js';
import {sequentialAwaits} from './insights/sequential-awaits.js';
import {unhandledRejection} from './insights/unhandled-rejection.js';

export type {
	BlockedLoopInsight,
	ConcurrencyInsight,
	ConnectionQueueingInsight,
	FloatingPromiseInsight,
	HttpFailuresInsight,
	HttpInsight,
	Insight,
	InsightKind,
	InsightOptions,
	KeepsAliveInsight,
	NeverSettledInsight,
	ParallelismInsight,
	PendingTask,
	PendingTimer,
	SequentialAwaitsInsight,
	SlowestHostInsight,
	UnhandledRejectionInsight,
} from './insights/insight.js';

/** Used when neither the options nor the session header give a threshold. */
export const DEFAULT_BLOCK_THRESHOLD_MS = 50;

/** Most urgent first: crashes and hangs, then the loop, then lost time. */
const RULES: readonly InsightRule[] = [unhandledRejection, keepsAlive, neverSettled, floatingPromise, blockedLoop, sequentialAwaits, httpInsights, concurrency, parallelism];

/** What the session suggests changing; pure, so it can run on every redraw or once on a recording. */
export function computeInsights(state: ModelState, options: InsightOptions = {}): Insight[] {
	const resolved: Required<InsightOptions> = {
		blockThresholdMs: options.blockThresholdMs ?? state.header?.blockThresholdMs ?? DEFAULT_BLOCK_THRESHOLD_MS,
	};
	return RULES.flatMap(rule => rule(state, resolved));
}
