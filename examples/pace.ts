// The demos' pace. Every wait in these examples is written at human pace, so that a
// demo lasts 5 to 15 s: long enough to watch it in asyncmon. `asyncmon demo --slow F`
// makes every wait F times as long (0.5: twice as fast). The factor reaches the script
// as ASYNCMON_DEMO_SLOW; asyncmon's own tests use it to run the lessons in a fraction
// of the time, with the same story.

const SLOW_ENV = 'ASYNCMON_DEMO_SLOW';
const factor = Number(process.env[SLOW_ENV] ?? '1');
if (!(factor > 0)) throw new Error(`${SLOW_ENV} must be a positive number, got '${process.env[SLOW_ENV]}'`);

/** `ms` at the demo's pace, in whole milliseconds. */
export function paced(ms: number): number {
	return Math.round(ms * factor);
}
