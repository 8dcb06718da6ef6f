import {syncBuiltinESMExports} from 'node:module';
import timers from 'node:timers';
import timersPromises from 'node:timers/promises';
import type {EventSink} from '../event-sink.js';
import {calledFromUserCode} from '../caller.js';
import type {Tracker} from '../tracker.js';

/** Node's own rule: a delay that is not a number in [1, 2^31 - 1] becomes 1 ms. */
function effectiveDelay(delay: unknown): number {
	const ms = Number(delay);
	return ms >= 1 && ms <= 2 ** 31 - 1 ? ms : 1;
}

/**
 * Timers become ops with their delay. A firing later than due means the loop
 * was busy: that lateness is what a blocked loop cost the task.
 */
export function instrumentTimers(tracker: Tracker, sink: EventSink): void {
	const original = {
		setTimeout: timers.setTimeout,
		setInterval: timers.setInterval,
		clearTimeout: timers.clearTimeout,
		clearInterval: timers.clearInterval,
		sleep: timersPromises.setTimeout,
	};
	const opByHandle = new WeakMap<object, number>();

	const end = (id: number, fields: {lateMs?: number; cancelled?: boolean}): void => {
		sink.push({type: 'op.end', t: performance.now(), id, ok: true, ...fields});
	};

	// Libraries' own timers (undici's keep-alive and header timeouts, say) would bury the script's.
	function setTimeout(this: unknown, callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) {
		if (typeof callback !== 'function' || !calledFromUserCode(setTimeout)) return original.setTimeout(callback, delay, ...args);
		const ms = effectiveDelay(delay);
		const owner = tracker.current();
		const id = tracker.startOp('timer', `setTimeout ${ms}ms`, {timer: {delayMs: ms, repeat: false}}, owner);
		const due = performance.now() + ms;
		const handle = original.setTimeout(function (this: unknown, ...callArgs: unknown[]) {
			const now = performance.now();
			tracker.timerFired(id, due, now);
			end(id, {lateMs: Math.max(0, now - due)});
			return tracker.attributeTo(owner, () => callback.apply(this, callArgs));
		}, delay, ...args);
		opByHandle.set(handle, id);
		return handle;
	}

	function setInterval(this: unknown, callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) {
		if (typeof callback !== 'function' || !calledFromUserCode(setInterval)) return original.setInterval(callback, delay, ...args);
		const ms = effectiveDelay(delay);
		const owner = tracker.current();
		const id = tracker.startOp('timer', `setInterval ${ms}ms`, {timer: {delayMs: ms, repeat: true}}, owner);
		let due = performance.now() + ms;
		const handle = original.setInterval(function (this: unknown, ...callArgs: unknown[]) {
			const now = performance.now();
			sink.push({type: 'op.fire', t: now, id, lateMs: Math.max(0, now - due)});
			due = now + ms;
			return tracker.attributeTo(owner, () => callback.apply(this, callArgs));
		}, delay, ...args);
		opByHandle.set(handle, id);
		return handle;
	}

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

	async function sleep<T>(delay?: number, value?: T, options?: timers.TimerOptions): Promise<T> {
		if (!calledFromUserCode(sleep)) return original.sleep(delay, value, options) as Promise<T>;
		const ms = effectiveDelay(delay);
		const id = tracker.startOp('timer', `sleep ${ms}ms`, {timer: {delayMs: ms, repeat: false}});
		const due = performance.now() + ms;
		try {
			const result = await original.sleep(delay, value, options);
			const now = performance.now();
			tracker.timerFired(id, due, now);
			end(id, {lateMs: Math.max(0, now - due)});
			return result as T;
		} catch (error) {
			sink.push({type: 'op.end', t: performance.now(), id, ok: false, cancelled: true, error: tracker.errorInfo(error)});
			throw error;
		}
	}

	const patched = {
		setTimeout: Object.assign(setTimeout, {[Symbol.for('nodejs.util.promisify.custom')]: sleep}),
		setInterval,
		clearTimeout: clear(original.clearTimeout),
		clearInterval: clear(original.clearInterval),
	};
	Object.assign(timers, patched);
	Object.assign(globalThis, patched);
	timersPromises.setTimeout = sleep as typeof timersPromises.setTimeout;
	timersPromises.scheduler.wait = ((delay: number, options?: timers.TimerOptions) => sleep(delay, undefined, options)) as typeof timersPromises.scheduler.wait;
	syncBuiltinESMExports();
}
