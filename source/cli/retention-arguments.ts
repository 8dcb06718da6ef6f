import {LIVE_RETENTION, REPORT_RETENTION, type Retention} from '../model/state.js';
import {UsageError} from './usage-error.js';

/** `--retain` and `--retain-for`, declared once for every command that reduces a session. */
export const RETENTION_OPTIONS = {
	retain: {
		type: 'string',
		// Without it, yargs reads a bare `--retain` as the default.
		requiresArg: true,
		default: String(REPORT_RETENTION.maxFinished),
		describe: 'Finished tasks and ops kept one by one (a count, or "all"); older ones fold into per-site totals with p50/p99. "all" also has the script send every call, where it folds a flood of quick ones itself',
	},
	'retain-for': {
		type: 'number',
		requiresArg: true,
		default: LIVE_RETENTION.maxAgeMs / 1000,
		describe: 'Seconds a finished task is kept one by one, however few finished (0: no age limit)',
	},
} as const;

export interface RetentionArgs {
	retain: string;
	retainFor?: number;
}

/** The retention the options ask for; null keeps everything. An age of 0 (or none given) sets no age limit. */
export function retentionOf(args: RetentionArgs): Retention | null {
	if (args.retain === 'all') return null;
	const maxFinished = Number(args.retain);
	if (args.retain.trim() === '' || !Number.isInteger(maxFinished) || maxFinished < 1) {
		throw new UsageError(`--retain must be a whole number of tasks, 1 or more, or "all" (got '${args.retain}')`);
	}
	const seconds = args.retainFor ?? 0;
	// yargs reads `--retain-for soon` as NaN: the words it was given are gone, and `got 'NaN'` would say nothing.
	if (!(seconds >= 0)) throw new UsageError(`--retain-for must be a number of seconds, 0 or more${Number.isNaN(seconds) ? '' : ` (got '${seconds}')`}`);
	return {maxFinished, maxAgeMs: seconds === 0 ? Infinity : seconds * 1000};
}
