import type {Tracker} from '../tracker.js';

/**
 * A thread blocked in `Atomics.wait` runs no timer, so what it buffered would wait with it for the next flush:
 * a worker of a pool that waits there between tasks (piscina's, with its default `atomics: 'sync'`) showed its
 * finished tasks running, and its first task's awaits as the last thing it did, for as long as the pool lived.
 * So what the thread buffered goes out before it blocks. asyncmon's own waits (a flush waiting for its writer)
 * are its own work, and flush nothing.
 */
export function flushBeforeAtomicsWait(tracker: Tracker): void {
	const original = Atomics.wait;
	Object.defineProperty(Atomics, 'wait', {
		value: function wait(typedArray: Int32Array | BigInt64Array, index: number, value: number | bigint, timeout?: number) {
			tracker.flushBeforeBlocking();
			// eslint-disable-next-line prefer-rest-params
			return Reflect.apply(original, Atomics, arguments) as ReturnType<typeof Atomics.wait>;
		},
		writable: true,
		configurable: true,
		enumerable: false,
	});
}
