import {AsyncLocalStorage, AsyncResource} from 'node:async_hooks';

/**
 * Node's frame of async context, as Node's own code uses it: on Node 24 (and 22 with
 * `--experimental-async-context-frame`) the values of every AsyncLocalStorage live in one frame per context, a
 * Map from storage to value that V8 carries into promise reactions and Node into callbacks (timers, ticks,
 * AsyncResource). AsyncLocalStorage reads it with `has` and `get`; entering a value copies it (`new Map(frame)`,
 * which iterates it) with that value set; `disable` deletes a storage's value from the current one.
 */
interface Frame {
	has(key: unknown): boolean;
	get(key: unknown): unknown;
	[Symbol.iterator](): Iterator<[unknown, unknown]>;
	disable(key: unknown): void;
}

/** Node's AsyncContextFrame class: its statics read and set the current frame. */
interface FrameClass {
	current(): Frame | undefined;
	set(frame: Frame | undefined): void;
}

/**
 * A frame that holds one value of asyncmon's storage over a frame of Node's (or none): what Node's own frame
 * would hold, without copying it. A Map copied per call (its table, and an entry array and a result object per
 * value as it is iterated) was 460 bytes of every call's garbage on Node 24; this is three fields. It never
 * stands over another of its kind, so a chain of calls is never a chain of frames.
 */
class TaskFrame implements Frame {
	constructor(
		readonly base: Frame | undefined,
		readonly storage: AsyncLocalStorage<unknown>,
		readonly value: unknown,
	) {}

	has(key: unknown): boolean {
		return key === this.storage || (this.base?.has(key) ?? false);
	}

	get(key: unknown): unknown {
		return key === this.storage ? this.value : this.base?.get(key);
	}

	/** What Node copies when another storage's value is entered over it: a Map of Node's own again. */
	[Symbol.iterator](): Iterator<[unknown, unknown]> {
		const entries = new Map<unknown, unknown>(this.base as Iterable<[unknown, unknown]> | undefined);
		entries.set(this.storage, this.value);
		return entries[Symbol.iterator]();
	}

	/** As Node's frame does: the value is deleted where it is kept, in the frame this one stands over. */
	disable(key: unknown): void {
		if (key !== this.storage) this.base?.disable(key);
	}
}

/** Where a call's frames are kept, on the call's own record (a task): no map on the call path. */
export interface CallFrames {
	/** The frame the call's code runs in, entered at its start; undefined when its first slice entered another. */
	ownFrame: object | undefined;
	/** The frame current when the call began: its caller's. */
	callerFrame: object | undefined;
}

/**
 * The async context that carries the running task into callbacks and library code: an AsyncLocalStorage. A call
 * of an async function enters its own context at its start, gives the caller back its context at its first
 * await, and takes its own again when it resumes. Through `enterWith` each of the three copied Node's current
 * frame: a fifth of a short task's garbage on Node 24. Where Node keeps frames, a call's frame is a TaskFrame
 * over its caller's, and the frames are set again as they are when the call leaves and resumes.
 */
export class TaskContext<T extends object> {
	private readonly storage = new AsyncLocalStorage<T>();
	private readonly Frame: FrameClass | null = frameClassOf(this.storage as AsyncLocalStorage<unknown>);

	getStore(): T | undefined {
		return this.storage.getStore();
	}

	/** The code running now, and what it schedules, belongs to `value`. */
	enterWith(value: T | undefined): void {
		const Frame = this.Frame;
		if (Frame) Frame.set(this.frameOver(Frame.current(), value));
		else this.storage.enterWith(value as T);
	}

	/** A call begins: `call`'s code runs with `call` as the store. */
	enterCall(call: T & CallFrames): void {
		const Frame = this.Frame;
		if (!Frame) {
			this.storage.enterWith(call);
			return;
		}
		const current = Frame.current();
		const frame = this.frameOver(current, call);
		Frame.set(frame);
		call.callerFrame = current;
		call.ownFrame = frame;
	}

	/**
	 * The call's first slice ends: its caller goes on with `callerStore` as the store. Its frame is let go when its
	 * code entered some other storage's value since its start: the caller goes on with that value too, as under
	 * node, where an async function's first slice is its caller's synchronous code.
	 */
	leaveCall(call: T & CallFrames, callerStore: T | undefined): void {
		const Frame = this.Frame;
		if (Frame && call.ownFrame !== undefined && Frame.current() === call.ownFrame) {
			Frame.set(call.callerFrame as Frame | undefined);
			return;
		}
		call.ownFrame = undefined;
		this.enterWith(callerStore);
	}

	/** The call resumes after its first await, in the frame its caller had then: it takes its own back. */
	resumeCall(call: T & CallFrames): void {
		const Frame = this.Frame;
		if (Frame && call.ownFrame !== undefined) Frame.set(call.ownFrame as Frame);
		else this.enterWith(call);
	}

	private frameOver(current: Frame | undefined, value: unknown): TaskFrame {
		return new TaskFrame(current instanceof TaskFrame ? current.base : current, this.storage as AsyncLocalStorage<unknown>, value);
	}
}

/**
 * Node's frame class, found through a frame it made (an AsyncResource keeps the frame current at its creation
 * under a symbol); null where AsyncLocalStorage keeps its values otherwise (Node 22 by default), or where Node's
 * frames are not what this module expects of them. Checked by use, as Node's code would use a TaskFrame: read
 * through AsyncLocalStorage, carried by an AsyncResource, copied as another storage's value is entered over it.
 * The frame current before is current again after.
 */
function frameClassOf(storage: AsyncLocalStorage<unknown>): FrameClass | null {
	const outside = new AsyncResource('asyncmon-probe');
	const other = new AsyncLocalStorage<unknown>();
	const otherValue = {};
	let found: {Frame: FrameClass; key: symbol} | null = null;
	other.run(otherValue, () => {
		const resource = new AsyncResource('asyncmon-probe');
		for (const key of Object.getOwnPropertySymbols(resource)) {
			// A map of Node's primordials: no Map by `instanceof`.
			const frame = (resource as unknown as Record<symbol, Partial<Frame> | undefined>)[key];
			if (typeof frame?.get !== 'function' || frame.get(other) !== otherValue) continue;
			const Frame = frame.constructor as Partial<FrameClass>;
			if (typeof Frame.current === 'function' && typeof Frame.set === 'function' && Frame.current() === frame) found = {Frame: Frame as FrameClass, key};
		}
	});
	if (!found) return null;
	const {Frame, key} = found as {Frame: FrameClass; key: symbol};
	const before = (outside as unknown as Record<symbol, Frame | undefined>)[key];
	const value = {};
	try {
		Frame.set(new TaskFrame(before, storage, value));
		const carried = new AsyncResource('asyncmon-probe').runInAsyncScope(() => storage.getStore());
		const copied = other.run(otherValue, () => [storage.getStore(), other.getStore()]);
		return storage.getStore() === value && carried === value && copied[0] === value && copied[1] === otherValue ? Frame : null;
	} finally {
		Frame.set(before);
	}
}
