import {syncBuiltinESMExports} from 'node:module';
import timers from 'node:timers';
import timersPromises from 'node:timers/promises';
import {calledFromUserCode} from '../caller.js';
import type {Tracker} from '../tracker.js';

/** A delay as a name shows it: `setTimeout 17.9ms`, not `setTimeout 17.8769081960055ms` (the op's `delayMs` keeps it whole). */
function delayText(ms: number): string {
	return String(Math.round(ms * 10) / 10);
}

/** Node's own rule: a delay that is not a number in [1, 2^31 - 1] becomes 1 ms. */
function effectiveDelay(delay: unknown): number {
	const ms = Number(delay);
	return ms >= 1 && ms <= 2 ** 31 - 1 ? ms : 1;
}

/**
 * Timers become ops with their delay. A firing later than due means the loop
 * was busy: that lateness is what a blocked loop cost the task.
 */
export function instrumentTimers(tracker: Tracker): void {
	const original = {
		setTimeout: timers.setTimeout,
		setInterval: timers.setInterval,
		clearTimeout: timers.clearTimeout,
		clearInterval: timers.clearInterval,
		sleep: timersPromises.setTimeout,
	};
	const opByHandle = new WeakMap<object, number>();

	const end = (id: number, fields: {lateMs?: number; cancelled?: boolean}): void => {
		tracker.emit({type: 'op.end', t: performance.now(), id, ok: true, ...fields});
	};

	type Schedule = typeof original.setTimeout;

	/**
	 * A setTimeout or setInterval that makes the timer an op of the task that
	 * set it. Libraries' own timers (undici's keep-alive and header timeouts,
	 * say) are left out: they would bury the script's.
	 */
	const timerOf = (schedule: Schedule, repeat: boolean) =>
		function wrapped(this: unknown, callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) {
			if (typeof callback !== 'function' || !calledFromUserCode(wrapped)) return schedule(callback, delay, ...args);
			const ms = effectiveDelay(delay);
			const owner = tracker.current();
			const id = tracker.startOp('timer', `${repeat ? 'setInterval' : 'setTimeout'} ${delayText(ms)}ms`, {timer: {delayMs: ms, repeat}}, owner);
			let due = performance.now() + ms;
			const handle = schedule(function (this: unknown, ...callArgs: unknown[]) {
				const now = performance.now();
				const lateMs = Math.max(0, now - due);
				if (repeat) {
					tracker.emit({type: 'op.fire', t: now, id, lateMs});
					due = now + ms;
				} else {
					tracker.timerFired(id, due, now);
					end(id, {lateMs});
				}
				return tracker.attributeTo(owner, () => callback.apply(this, callArgs));
			}, delay, ...args);
			opByHandle.set(handle, id);
			return handle;
		};

	function clear(originalClear: (handle?: NodeJS.Timeout | string | number) => void) {
		return function (handle?: NodeJS.Timeout | string | number) {
			const id = handle !== null && typeof handle === 'object' ? opByHandle.get(handle) : undefined;
			if (id !== undefined) {
				opByHandle.delete(handle as object);
				end(id, {cancelled: true});
			}
			originalClear(handle);
		};
	}

	/** The promise it returns stands for its timer: an await of it waits on that op, known. */
	function sleep<T>(delay?: number, value?: T, options?: timers.TimerOptions): Promise<T> {
		if (!calledFromUserCode(sleep)) return original.sleep(delay, value, options) as Promise<T>;
		const ms = effectiveDelay(delay);
		const id = tracker.startOp('timer', `sleep ${delayText(ms)}ms`, {timer: {delayMs: ms, repeat: false}});
		const due = performance.now() + ms;
		const slept = (original.sleep(delay, value, options) as Promise<T>).then(
			result => {
				const now = performance.now();
				tracker.timerFired(id, due, now);
				end(id, {lateMs: Math.max(0, now - due)});
				return result;
			},
			(error: unknown) => {
				tracker.emit({type: 'op.end', t: performance.now(), id, ok: false, cancelled: true, error: tracker.errorInfo(error)});
				throw error;
			},
		);
		tracker.promiseTargets.tag(slept, {kind: 'op', id});
		return slept;
	}

	const patched = {
		setTimeout: Object.assign(timerOf(original.setTimeout, false), {[Symbol.for('nodejs.util.promisify.custom')]: sleep}),
		setInterval: timerOf(original.setInterval as Schedule, true),
		clearTimeout: clear(original.clearTimeout),
		clearInterval: clear(original.clearInterval),
	};
	Object.assign(timers, patched);
	Object.assign(globalThis, patched);
	timersPromises.setTimeout = sleep as typeof timersPromises.setTimeout;
	timersPromises.scheduler.wait = ((delay: number, options?: timers.TimerOptions) => sleep(delay, undefined, options)) as typeof timersPromises.scheduler.wait;
	syncBuiltinESMExports();
}
