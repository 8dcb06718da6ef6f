/** What made a timer: `setTimeout`, `setInterval`, or `sleep` (`await setTimeout(ms)` of node:timers/promises). */
export type TimerApi = 'setTimeout' | 'setInterval' | 'sleep';

/** A timer op's name: its API and its delay as shown, `setTimeout 17.9ms` (the op's `delayMs` keeps the delay whole). */
export function timerName(api: TimerApi, delayMs: number): string {
	return `${api} ${Math.round(delayMs * 10) / 10}ms`;
}

/**
 * The site a timer folds into: its API, not its delay. A script varies delays from call to call (jitter,
 * backoff, `sleep(5 + Math.random() * 10)`), and each value its own site would fold nothing and grow without
 * end; the folded row's percentiles show the delays.
 */
export function timerSite(name: string): string {
	const space = name.indexOf(' ');
	return space < 0 ? name : name.slice(0, space);
}
