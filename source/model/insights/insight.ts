import type {Ms} from '../../protocol/events.js';
import type {ModelState} from '../state.js';

export type InsightKind =
	| 'sequential-awaits'
	| 'blocked-loop'
	| 'concurrency'
	| 'unhandled-rejection'
	| 'never-settled'
	| 'floating-promise'
	| 'keeps-alive'
	| 'parallelism'
	| 'http';

/** A finding about the session, phrased as what to change. */
export interface Insight {
	kind: InsightKind;
	message: string;
	/** Nodes (tasks and ops) the finding is about, most relevant first. */
	taskIds: number[];
	/** Estimated wall-clock time the suggested change would save. */
	savesMs?: Ms;
}

export interface InsightOptions {
	/** Blocks shorter than this are not reported; defaults to the session header's threshold. */
	blockThresholdMs?: Ms;
}

export type InsightRule = (state: ModelState, options: Required<InsightOptions>) => Insight[];
