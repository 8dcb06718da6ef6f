import type {WaitTarget} from '../protocol/events.js';
import type {ExecutorListeners} from './event-waits.js';
import {TRACKED_CHILDREN} from './wait-targets.js';

/**
 * The `new Promise` executors of the script's running now, innermost last, and the events each made a listener that
 * settles its promise: its resolve or reject itself (`child.on('exit', resolve)`), or a function literal there that
 * reads them, marked as it is passed (see settling-callbacks.ts). Tracker.m enters one, Tracker.np leaves it.
 */
export class ExecutorSettlers implements ExecutorListeners {
	/** Per executor, the targets of its settling listeners' events, each asked once the executor is done (see settledBy); null for none yet. */
	private readonly running: Array<Array<() => WaitTarget> | null> = [];
	private readonly marked = new WeakSet<object>();

	enter(): void {
		this.running.push(null);
	}

	/** The innermost executor is done: what its settling listeners' events are, but those of 'error' beside others (`.on('error', reject)`); null for none. */
	leave(): WaitTarget[] | null {
		const events = this.running.pop()?.map(target => target());
		if (!events) return null;
		const settling = events.filter(target => target.kind !== 'event' || target.event !== 'error');
		return settling.length > 0 ? settling : events;
	}

	/** Between callbacks no executor runs: one whose `new Promise` threw (not given a function) left its entry. */
	reset(): void {
		this.running.length = 0;
	}

	/** A function literal an executor passes on that reads its resolve or reject. */
	mark(callback: object): void {
		this.marked.add(callback);
	}

	open(): boolean {
		return this.running.length > 0;
	}

	settles(listener: unknown): boolean {
		return typeof listener === 'function' && this.marked.has(listener);
	}

	settledBy(target: () => WaitTarget): void {
		const events = (this.running[this.running.length - 1] ??= []);
		if (events.length < TRACKED_CHILDREN) events.push(target);
	}
}
