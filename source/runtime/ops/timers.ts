import {syncBuiltinESMExports} from 'node:module';
import timers from 'node:timers';
import timersPromises from 'node:timers/promises';
import {timerName} from '../../protocol/timer-names.js';
import {calledFromUserCode} from '../caller.js';
import {standIn} from '../function-source.js';
import {privateSlot} from '../private-slot.js';
import type {Task, Tracker} from '../tracker.js';

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
		sleep: timersPromises.setTimeout,
	};

	type Schedule = typeof original.setTimeout;
	/**
	 * Callbacks a library scheduled: a library schedules its own module-level functions again and again (undici's
	 * parser timeout, each request), and reading the caller's stack frame costs microseconds each time. A user's
	 * callbacks are mostly new closures, checked each time. (A library's function the user schedules again after
	 * the library did is taken for the library's.)
	 */
	const librariesCallbacks = new WeakSet<Function>();
	const probe = original.setTimeout(() => {}, 0);
	timers.clearTimeout(probe);
	const watch = watchTimers(probe);
	const immediate = setImmediate(() => {});
	clearImmediate(immediate);
	watchImmediates(tracker, immediate);

	/**
	 * A setTimeout or setInterval that makes the timer an op of the task that
	 * set it. Libraries' own timers (undici's keep-alive and header timeouts,
	 * say) are left out: they would bury the script's.
	 */
	const timerOf = (schedule: Schedule, repeat: boolean) =>
		function wrapped(this: unknown, callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) {
			if (typeof callback !== 'function' || librariesCallbacks.has(callback)) return schedule(callback, delay, ...args);
			if (!calledFromUserCode(wrapped)) {
				librariesCallbacks.add(callback);
				return schedule(callback, delay, ...args);
			}
			const ms = effectiveDelay(delay);
			const owner = tracker.current();
			// One reading for the op's start and its due time: the monitor works out the same due time from the start.
			const t = performance.now();
			const id = tracker.startOp('timer', timerName(repeat ? 'setInterval' : 'setTimeout', ms), {timer: {delayMs: ms, repeat}, t}, owner);
			const handle = schedule(callback, delay, ...args);
			watch(handle, new TimerOp(tracker, id, owner, t + ms, ms, repeat));
			return handle;
		};

	/** `node:timers/promises`' sleep, and setTimeout's promisified form (util.promisify), which a library may call too: only the user's calls are ops. */
	function sleep<T>(delay?: number, value?: T, options?: timers.TimerOptions): Promise<T> {
		if (!calledFromUserCode(sleep)) return original.sleep(delay, value, options) as Promise<T>;
		return usersSleep(delay, value, options);
	}

	/** A sleep of the user's code: the promise it returns stands for its timer, so an await of it waits on that op, known. */
	function usersSleep<T>(delay?: number, value?: T, options?: timers.TimerOptions): Promise<T> {
		const ms = effectiveDelay(delay);
		const t = performance.now();
		const id = tracker.startOp('timer', timerName('sleep', ms), {timer: {delayMs: ms, repeat: false}, t});
		const due = t + ms;
		const slept = (original.sleep(delay, value, options) as Promise<T>).then(
			result => {
				const now = performance.now();
				tracker.timerFired(id, due, now);
				tracker.emit({type: 'op.end', t: now, id, ok: true, lateMs: Math.max(0, now - due)});
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

	/**
	 * `for await (const tick of setInterval(ms))` of the user's code: an interval op, fired at each tick, ended as the
	 * loop leaves (its iterator's return(), or an abort); each wait for the next tick is known to be on it, not "a
	 * promise". An async generator, as Node's is, over Node's; its next() tags the promise the loop awaits.
	 */
	function usersInterval<T>(delay?: number, value?: T, options?: timers.TimerOptions): AsyncGenerator<T> {
		const ms = effectiveDelay(delay);
		const t = performance.now();
		const id = tracker.startOp('timer', timerName('setInterval', ms), {timer: {delayMs: ms, repeat: true}, t});
		async function* ticking(): AsyncGenerator<T> {
			let due = t + ms;
			let failure: unknown;
			try {
				for await (const tick of timersPromises.setInterval(delay, value, options)) {
					const now = performance.now();
					tracker.emit({type: 'op.fire', t: now, id, lateMs: Math.max(0, now - due)});
					due = Math.max(due + ms, now);
					yield tick as T;
				}
			} catch (error) {
				failure = error;
				throw error;
			} finally {
				const failed = failure !== undefined && (failure as {name?: unknown} | null)?.name !== 'AbortError';
				tracker.emit({type: 'op.end', t: performance.now(), id, ok: !failed, cancelled: true, ...(failed && {error: tracker.errorInfo(failure)})});
			}
		}
		const generator = ticking();
		const next = generator.next;
		generator.next = function (...args: [] | [unknown]) {
			const tick = next.apply(generator, args);
			tracker.promiseTargets.tag(tick, {kind: 'op', id});
			return tick;
		};
		return generator;
	}

	const patched = {
		setTimeout: Object.assign(standIn(timerOf(original.setTimeout, false), original.setTimeout), {[Symbol.for('nodejs.util.promisify.custom')]: sleep}),
		setInterval: standIn(timerOf(original.setInterval as Schedule, true), original.setInterval),
	};
	Object.assign(timers, patched);
	Object.assign(globalThis, patched);
	timersPromises.setTimeout = standIn(sleep, original.sleep) as typeof timersPromises.setTimeout;
	timersPromises.scheduler.wait = ((delay: number, options?: timers.TimerOptions) => sleep(delay, undefined, options)) as typeof timersPromises.scheduler.wait;
	syncBuiltinESMExports();
	// What the user's own files import for `node:timers/promises` instead (see installHooks): their sleeps need no look at
	// the caller's stack (6-12 µs a call, a tenth of a small server's time per request). A require() gets Node's module
	// object, as under node, and pays for the look.
	tracker.userTimersPromises = {
		...timersPromises,
		setTimeout: usersSleep,
		setInterval: usersInterval as typeof timersPromises.setInterval,
		scheduler: Object.assign(Object.create(Object.getPrototypeOf(timersPromises.scheduler) as object) as typeof timersPromises.scheduler, {
			wait: (delay: number, options?: timers.TimerOptions) => usersSleep(delay, undefined, options),
			yield: () => timersPromises.scheduler.yield(),
		}),
	};
}

/** The fields of Node's Immediate that its queue uses (lib/internal/timers.js, processImmediate). */
interface ImmediateInternals {
	_onImmediate: TimerCallback | null;
	/** Set as Node is about to run the callback, or once the immediate is cleared. */
	_destroyed: boolean;
	[IMMEDIATE_CALLBACK]: TimerCallback | null | undefined;
	/** The task that scheduled it, when one did. */
	[IMMEDIATE_OWNER]: Task | null | undefined;
}

const IMMEDIATE_CALLBACK = Symbol('_onImmediate');
const IMMEDIATE_OWNER = Symbol('asyncmon.scheduledBy');

/**
 * A setImmediate callback runs outside any task's slice: a block in it is blamed on the task that scheduled it,
 * as a timer callback's is (a framework that runs a route's handler an immediate later, as Hapi does, blocked
 * with no request named). Not an op: frameworks schedule one per request. Told the way timers are (see
 * watchTimers): Node marks the immediate destroyed, then reads `_onImmediate` to call it; that read tells it,
 * and puts the callback on the immediate as a plain property, so the call reads as under node.
 */
function watchImmediates(tracker: Tracker, probe: object): void {
	Object.defineProperty(Object.getPrototypeOf(probe), '_onImmediate', {
		configurable: true,
		get(this: ImmediateInternals) {
			const callback = this[IMMEDIATE_CALLBACK];
			if (!this._destroyed || callback == null) return callback;
			Object.defineProperty(this, '_onImmediate', {value: callback, writable: true, configurable: true, enumerable: true});
			const owner = this[IMMEDIATE_OWNER];
			if (owner) tracker.attributeUntilNextMicrotask(owner, null);
			return callback;
		},
		set(this: ImmediateInternals, value: ImmediateInternals['_onImmediate']) {
			this[IMMEDIATE_CALLBACK] = value;
			const owner = value == null ? null : tracker.current();
			this[IMMEDIATE_OWNER] = owner === tracker.root ? null : owner;
		},
	});
}

/** The fields of Node's Timeout that its timer lists use (lib/internal/timers.js, lib/internal/linkedlist.js). */
interface TimerInternals {
	_onTimeout: TimerCallback | null | undefined;
	/** Null once the timer is out of its list: as Node is about to fire it, or once it is cleared. */
	_idlePrev: unknown;
	/** Set for an interval. */
	_repeat: number | null;
	/** Where the callback is held until the timer fires. */
	[CALLBACK]: TimerCallback | null | undefined;
}

/**
 * A property of the timer, not a WeakMap entry: 1.5 µs less a timer. It shows as `[Symbol(_onTimeout)]` where
 * util.inspect() prints a timer that has not fired, where node prints `_onTimeout`.
 */
const CALLBACK = Symbol('_onTimeout');

type TimerCallback = (...args: unknown[]) => void;

/** A timer of the script's, as an op: one object a timer, its methods shared. */
class TimerOp {
	constructor(
		private readonly tracker: Tracker,
		private readonly id: number,
		private readonly owner: Task,
		private due: number,
		private readonly ms: number,
		private readonly repeat: boolean,
	) {}

	fired(): void {
		const now = performance.now();
		const lateMs = Math.max(0, now - this.due);
		if (this.repeat) {
			this.tracker.emit({type: 'op.fire', t: now, id: this.id, lateMs});
			this.due = now + this.ms;
		} else {
			this.tracker.timerFired(this.id, this.due, now);
			this.tracker.emit({type: 'op.end', t: now, id: this.id, ok: true, lateMs});
		}
		this.tracker.attributeUntilNextMicrotask(this.owner, this.id);
	}

	/** Cleared (clearTimeout, clearInterval, close(), dispose) before it fired for the last time. */
	cleared(): void {
		this.tracker.emit({type: 'op.end', t: performance.now(), id: this.id, ok: true, cancelled: true});
	}
}

/**
 * Tells when Node fires a timer, or clears it, without wrapping its callback: a wrapper would add asyncmon's
 * frames to every stack thrown or made in a timer, and rename the callback's own (`Timeout._onTimeout` under
 * node). Node keeps the callback in `_onTimeout`: here an accessor on Timeout's prototype, which holds it aside
 * until Node reads it to fire the timer. Node takes the timer out of its list, reads `_onTimeout` to see it was
 * not cleared, then calls it as a method: that read tells the firing and puts the callback on the timer as a
 * plain property, so the call reads as under node (V8 names a method only from a data property). An interval's
 * goes back once its callback is done. Clearing a timer sets `_onTimeout` to null. One accessor for every timer,
 * rather than one on each watched timer, keeps timers in V8's fast shapes: about 0.3 µs a timer, not 3.5.
 */
function watchTimers(probe: object): (handle: object, watch: TimerOp) => void {
	const watches = privateSlot<TimerOp>();
	const settle = (timer: TimerInternals, value: TimerInternals['_onTimeout']): void => {
		Object.defineProperty(timer, '_onTimeout', {value, writable: true, configurable: true, enumerable: true});
	};
	/** Once an interval's callback has run: the next firing is read through the accessor again, unless it cleared the interval. */
	const afterInterval = (timer: TimerInternals): void => {
		const callback = timer._onTimeout;
		delete (timer as Partial<TimerInternals>)._onTimeout;
		timer[CALLBACK] = callback;
		if (callback == null) watches.get(timer)?.cleared();
	};
	Object.defineProperty(Object.getPrototypeOf(probe), '_onTimeout', {
		configurable: true,
		get(this: TimerInternals) {
			const callback = this[CALLBACK];
			// Read while still in its list (a clearTimeout checking it), or cleared: not a firing.
			if (this._idlePrev !== null || callback == null) return callback;
			settle(this, callback);
			watches.get(this)?.fired();
			if (this._repeat !== null) queueMicrotask(() => afterInterval(this));
			return callback;
		},
		set(this: TimerInternals, value: TimerInternals['_onTimeout']) {
			this[CALLBACK] = value;
			if (value == null) watches.get(this)?.cleared();
		},
	});
	return (handle, watch) => watches.set(handle, watch);
}
