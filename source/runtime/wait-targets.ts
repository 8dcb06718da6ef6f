import {isPromise, isProxy} from 'node:util/types';
import {eventCountOf, opCountOf, taskCountOf, type EventWait, type FirstOf, type WaitTarget} from '../protocol/events.js';
import {standIn} from './function-source.js';
import {privateSlot} from './private-slot.js';

/** How many tasks, and how many ops, a target lists; its counts say how many there were beyond. */
export const TRACKED_CHILDREN = 8;

type PromiseTarget = Extract<WaitTarget, {kind: 'promise'}>;

/** A promise of unknown origin: shared, not made per await. */
export const PROMISE: WaitTarget = Object.freeze({kind: 'promise'});
/** No promise, or one settled as it was made: the await only yields to the microtask queue. Shared. */
export const VALUE: WaitTarget = Object.freeze({kind: 'value'});
/** A served request's response, begun and still written. Shared. */
const RESPONSE: WaitTarget = Object.freeze({kind: 'response'});
/** The rest of a served request's body, still coming in. Shared. */
const REQUEST_BODY: WaitTarget = Object.freeze({kind: 'event', event: 'end', source: 'IncomingMessage'});

/** What the tracker reads of a served request's response as its listener returns: node:http's ServerResponse. */
export interface ServedResponseState {
	readonly headersSent: boolean;
	readonly req?: {readonly complete: boolean};
}

/**
 * What a served request whose listener returned having started nothing waits on: what was set up before settles it.
 * Its response's writing once begun (a file piped to it, a server-sent events endpoint's interval), else the rest of
 * its body while it comes in (a body parser's listeners on it), else something unknown.
 */
export function servedWait(response: ServedResponseState): WaitTarget {
	if (response.headersSent) return RESPONSE;
	return response.req?.complete === false ? REQUEST_BODY : PROMISE;
}

/** A promise over these tasks and ops: the lists hold the first few; the counts, when larger, say how many there were. */
export function promiseOf(tasks: number[] | null, taskCount: number, ops: number[] | null, opCount: number, guess = false): PromiseTarget {
	const target: PromiseTarget = {kind: 'promise'};
	if (tasks) target.tasks = tasks;
	if (ops) target.ops = ops;
	if (tasks && taskCount > tasks.length) target.taskCount = taskCount;
	if (ops && opCount > ops.length) target.opCount = opCount;
	if (guess) target.guess = true;
	return target;
}

/**
 * What a promise that waits on every one of `targets` stands for (one or more, none a guess): the one, or them
 * together, each counted once (a child process's 'exit' and 'error' listeners both stand for the process).
 */
export function allOf(targets: readonly WaitTarget[]): WaitTarget {
	const distinct = targets.filter((target, index) => targets.findIndex(other => sameTarget(other, target)) === index);
	return distinct.length === 1 ? distinct[0]! : (unionOf(distinct, 0) ?? promiseOf(null, 0, null, 0));
}

function sameTarget(a: WaitTarget, b: WaitTarget): boolean {
	if ((a.kind === 'task' && b.kind === 'task') || (a.kind === 'op' && b.kind === 'op')) return a.id === b.id;
	return a.kind === 'event' && b.kind === 'event' && a.event === b.event && a.source === b.source;
}

/**
 * Two things (tasks, ops, or guesses of them) made one after the other in a task's slice with neither claimed by a
 * call of the script's: code that is not the script's (a library's `mapLimit(items, 2, fn)`) made them, and the
 * promise it gives back may stand for either, both, or more. A guess listing both.
 */
export function eitherOf(first: WaitTarget, second: WaitTarget): WaitTarget {
	const target = unionOf([first, second], 0) ?? promiseOf(null, 0, null, 0);
	target.guess = true;
	return target;
}

/**
 * The tasks, ops and events `targets` stand for together, each listed once (the first few) and all counted, beside
 * `others` promises of unknown origin; undefined if they name none.
 */
function unionOf(targets: readonly WaitTarget[], others: number): PromiseTarget | undefined {
	// Each task and op counted once, however many of the promises stand for it (`Promise.all([p, p, p])` of one call).
	const tasks = new Set<number>();
	const ops = new Set<number>();
	const events: EventWait[] = [];
	let unlistedTasks = 0;
	let unlistedOps = 0;
	let eventCount = 0;
	// The same event twice (three `once(socket, 'data')` for three replies) is one: listed and counted once.
	const addEvent = ({event, source}: EventWait): void => {
		if (events.some(known => known.event === event && known.source === source)) return;
		eventCount++;
		if (events.length < TRACKED_CHILDREN) events.push({event, source});
	};
	for (const target of targets) {
		switch (target.kind) {
			case 'task':
				tasks.add(target.id);
				break;
			case 'op':
				ops.add(target.id);
				break;
			case 'event':
				addEvent(target);
				break;
			case 'promise':
				for (const id of target.tasks ?? []) tasks.add(id);
				for (const id of target.ops ?? []) ops.add(id);
				// Those it did not list, counted.
				unlistedTasks += Math.max(0, (target.taskCount ?? 0) - (target.tasks?.length ?? 0));
				unlistedOps += Math.max(0, (target.opCount ?? 0) - (target.ops?.length ?? 0));
				for (const event of target.events ?? []) addEvent(event);
				eventCount += Math.max(0, (target.eventCount ?? 0) - (target.events?.length ?? 0));
				others += target.others ?? 0;
				break;
			default:
		}
	}
	if (tasks.size === 0 && ops.size === 0 && events.length === 0) return undefined;
	const listed = (ids: Set<number>): number[] | null => (ids.size === 0 ? null : [...ids].slice(0, TRACKED_CHILDREN));
	const target = promiseOf(listed(tasks), tasks.size + unlistedTasks, listed(ops), ops.size + unlistedOps);
	if (events.length > 0) target.events = events;
	if (eventCount > events.length) target.eventCount = eventCount;
	if (others > 0) target.others = others;
	return target;
}

/** How many tasks, ops, events and promises of unknown origin a target stands for. */
function memberCount(target: WaitTarget): number {
	if (target.kind !== 'promise') return 1;
	return taskCountOf(target) + opCountOf(target) + eventCountOf(target) + (target.others ?? 0);
}

/**
 * A race's target, of `members`' (what each of its members stands for, and how many were of unknown origin): the
 * one member itself, alone; else their union settled by the first of them, when each member is one thing or a race
 * of the same kind (a race of races is a race of all their members). A member that gathers several (`Promise.race(
 * [Promise.all([a, b]), sleep(1000)])`, all or a timeout) is no first of its parts: the union, as a combination's.
 */
function raceOf(kind: FirstOf, members: readonly WaitTarget[], others: number): WaitTarget | undefined {
	if (members.length === 1 && others === 0) return members[0];
	const union = unionOf(members, others);
	if (!union || !members.every(member => memberCount(member) === 1 || (member.kind === 'promise' && member.first === kind))) return union;
	return memberCount(union) < 2 ? union : {...union, first: kind};
}

/** The tasks a target stands for, listed (the first TRACKED_CHILDREN) and counted, if it stands for tasks and nothing else. */
function tasksOnly(target: WaitTarget): {ids: number[]; count: number} | null {
	if (target.kind === 'task') return {ids: [target.id], count: 1};
	if (target.kind !== 'promise' || !target.tasks || target.ops || target.events || target.others) return null;
	return {ids: target.tasks, count: taskCountOf(target)};
}

/** What the script's promises stand for, where known: on each promise, so a promise nobody keeps is gone with it. */
export class PromiseTargets {
	private readonly targets = privateSlot<WaitTarget>();
	/**
	 * Promises the script's own code made (`new Promise`) that stand for nothing it saw start, with the id the next
	 * task or op would get when each was made: see madeByScript and startedAfter.
	 */
	private readonly ownUnknown = privateSlot<number>();

	tag(promise: object, target: WaitTarget): void {
		this.targets.set(promise, target);
	}

	/**
	 * The task or op an emitter is (a child process, a node:http request): an await of one of its events waits on
	 * that, as it is known, not on the event (see event-waits.ts). Kept apart from the promises' targets: an emitter
	 * in a `Promise.all` is no promise, and stands for nothing there.
	 */
	private readonly emitters = privateSlot<WaitTarget>();

	tagEmitter(emitter: object, target: Extract<WaitTarget, {kind: 'task' | 'op'}>): void {
		this.emitters.set(emitter, target);
	}

	ofEmitter(emitter: object): WaitTarget | undefined {
		return this.emitters.get(emitter);
	}

	/** The script's own `new Promise`, whose executor started nothing: something its slice set up settles it (a stream's events, say). */
	markMadeByScript(promise: object, nextId: number): void {
		this.ownUnknown.set(promise, nextId);
	}

	/** Whether the script's own code made this promise of unknown origin, as opposed to a library's or Node's. */
	madeByScript(value: unknown): boolean {
		return typeof value === 'object' && value !== null && this.ownUnknown.get(value) !== undefined;
	}

	/**
	 * Whether the task or op `id` started after the script made this promise: what its executor hooked into was
	 * there before (`req.on('end', resolve)`), so a later op is no certain answer (`new Promise(() => {})`, then a
	 * timer that exits: the timer is not what never settles).
	 */
	startedAfter(value: unknown, id: number): boolean {
		const madeAt = typeof value === 'object' && value !== null ? this.ownUnknown.get(value) : undefined;
		return madeAt !== undefined && id >= madeAt;
	}

	of(value: unknown): WaitTarget | undefined {
		return typeof value === 'object' && value !== null ? this.targets.get(value) : undefined;
	}

	/**
	 * A call of the script's gave back `array` after code that is not the script's called its async function once an
	 * element (`ids.map(load)`: Array's map made the calls, so no call of the script's took each promise, and a
	 * `Promise.all` of them read as a guess from the slice). When the array holds as many promises, none known, as the
	 * call started tasks, and nothing else, element i is the i-th task's: map and Array.from keep their order. Each
	 * element is tagged when the tasks are all listed, and the array is, for a combination of more (see combined).
	 */
	tagCalls(array: readonly unknown[], made: WaitTarget): void {
		const calls = tasksOnly(made);
		if (calls === null || array.length !== calls.count || !array.every(element => isPromise(element) && this.of(element) === undefined)) return;
		this.targets.set(array, calls.count === 1 ? {kind: 'task', id: calls.ids[0]!} : promiseOf(calls.ids.slice(), calls.count, null, 0));
		if (calls.ids.length === calls.count) calls.ids.forEach((id, index) => this.targets.set(array[index] as object, {kind: 'task', id}));
	}

	/**
	 * What a combination of `members` (`Promise.all`'s, say) stands for: every known member's tasks, ops and events
	 * (`Promise.race([once(bus, 'done'), once(bus, 'error')])`), and how many members were promises of unknown origin
	 * (`Promise.all` of a library's three: "3 promises", not a guess from the slice, which may name a task it started and
	 * did not await); unknown if it combined values only.
	 */
	combined(members: readonly unknown[], first?: FirstOf): WaitTarget | undefined {
		const known: WaitTarget[] = [];
		let others = 0;
		for (const member of members) {
			const target = this.of(member);
			if (target !== undefined) known.push(target);
			// A plain value waits for nothing; a promise nobody tagged waits for something unknown.
			else if (isPromise(member)) others++;
		}
		// An array of calls' promises too many to tag one by one (see tagCalls), as many as it was made with.
		const calls = others === members.length ? this.of(members) : undefined;
		if (calls !== undefined && tasksOnly(calls)?.count === others) return first && calls.kind === 'promise' ? {...calls, first} : calls;
		return (first ? raceOf(first, known, others) : unionOf(known, others)) ?? (others > 0 ? {kind: 'promise', others} : undefined);
	}
}

type Combinator = 'all' | 'allSettled' | 'race' | 'any';

/**
 * `Promise.all`, `allSettled`, `race` and `any` over an array: the promise
 * they return stands for every known member, `race`'s and `any`'s for the
 * first of them (see raceOf). Other iterables are left unread (a second
 * pass could consume them); their combination is unknown.
 */
export function instrumentPromiseCombinators(targets: PromiseTargets): void {
	for (const name of ['all', 'allSettled', 'race', 'any'] as const satisfies readonly Combinator[]) {
		const original = Promise[name] as (this: PromiseConstructor, iterable: Iterable<unknown>) => Promise<unknown>;
		const first = name === 'race' || name === 'any' ? name : undefined;
		const patched = {
			[name](this: PromiseConstructor, iterable: Iterable<unknown>): Promise<unknown> {
				const combined = original.call(this, iterable);
				if (Array.isArray(iterable)) {
					const target = targets.combined(iterable, first);
					if (target) targets.tag(combined, target);
				}
				return combined;
			},
		}[name]!;
		Object.defineProperty(Promise, name, {value: standIn(patched, original), writable: true, configurable: true, enumerable: false});
	}
}

/**
 * `Promise.resolve(value)` of a value that is no thenable is settled as it is made: an await of it only yields,
 * as `await value` does, and what passes until it resumes is time ready, not waiting. Unknown, it was ready only
 * at its resume: a burst of 5,000 messages whose handlers each awaited `Promise.resolve()` read two minutes of
 * waiting in half a second. A subclass's, or a value that may be a thenable (a Proxy's `has` would run), is
 * left unknown.
 */
export function instrumentSettledPromises(targets: PromiseTargets): void {
	const original = Promise.resolve;
	const patched = {
		resolve(this: PromiseConstructor, value?: unknown): Promise<unknown> {
			const promise = original.call(this, value) as Promise<unknown>;
			if (this === Promise && promise !== value && !mayBeThenable(value)) targets.tag(promise, VALUE);
			return promise;
		},
	}.resolve;
	Object.defineProperty(Promise, 'resolve', {value: standIn(patched, original), writable: true, configurable: true, enumerable: false});
}

function mayBeThenable(value: unknown): boolean {
	if ((typeof value !== 'object' || value === null) && typeof value !== 'function') return false;
	return isProxy(value) || 'then' in value;
}
