import events from 'node:events';
import {syncBuiltinESMExports} from 'node:module';
import {Socket} from 'node:net';
import {basename, isAbsolute, relative, sep} from 'node:path';
import {Readable} from 'node:stream';
import streamPromises from 'node:stream/promises';
import {isPromise, isProxy} from 'node:util/types';
import type {WaitTarget} from '../protocol/events.js';
import {standIn} from './function-source.js';
import {hostPort} from './host-port.js';
import {recordedText} from './redact.js';
import type {PromiseTargets} from './wait-targets.js';

type EventTarget = Extract<WaitTarget, {kind: 'event'}>;
type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** The script's `new Promise` executors running now (see Tracker.m and np): what their promises' settling listeners are of. */
export interface ExecutorListeners {
	open(): boolean;
	/** A listener of the script's own that settles the executor's promise (`() => resolve()`: see settling-callbacks.ts). */
	settles(listener: unknown): boolean;
	/**
	 * A listener added now settles a promise an executor makes, on an event that is `target()`: asked once the executor
	 * is done, when an emitter it made is known for what it is (`http.get(url, resolve)`: the request's op).
	 */
	settledBy(target: () => WaitTarget): void;
}

const nativeSource = Function.prototype.toString;

/**
 * A promise's own resolve or reject function, as V8 makes them: anonymous, of one parameter, no constructor, native.
 * Only looked for while an executor runs.
 */
function isSettlingFunction(listener: unknown): boolean {
	return typeof listener === 'function' && listener.name === '' && listener.length === 1 && !('prototype' in listener) && nativeSource.call(listener) === 'function () { [native code] }';
}

/**
 * The promises that stand for an emitter's or a stream's events name the event and the emitter, where they would
 * read "a promise": `events.once()`, each item of `events.on()` (a readline interface's `for await` too: Node's
 * readline calls it as the module's property), each item of a readable stream's `for await`, and `stream/promises`'
 * `pipeline()` and `finished()`. Node loads these modules as it starts, so nothing more is loaded for them.
 */
export function instrumentEventWaits(targets: PromiseTargets, cwd: string, executors: ExecutorListeners): (iterable: object, iterator: Function) => EventTarget | null {
	const tagged = (promise: unknown, target: WaitTarget): void => {
		if (isPromise(promise)) targets.tag(promise, target);
	};
	// An event of an emitter that is a task or an op of its own (a child process, a request) waits on that, known.
	const awaited = (name: unknown, emitter: unknown): WaitTarget => (typeof emitter === 'object' && emitter !== null && targets.ofEmitter(emitter)) || eventOf(name, emitter, cwd);
	// A promise's own resolve or reject made an emitter's listener while a `new Promise` executor of the script's runs
	// (`child.on('exit', resolve)`, `out.on('finish', resolve).on('error', reject)`, `server.listen(0, resolve)`, which
	// Node makes a 'listening' listener), or a listener of the executor's that calls them: that promise waits on the
	// event. `on` and `addListener` are one function, and stay one (`emitter.on === emitter.addListener`); `once` calls
	// `on` with a wrapper of the listener, which is no promise's. Each takes two arguments and no more: passed as such,
	// no `arguments` is made at every listener a server adds.
	const proto = events.EventEmitter.prototype as unknown as Record<string, AnyFunction>;
	const watching = (add: AnyFunction): AnyFunction =>
		standIn(function (this: unknown, event: unknown, listener: unknown) {
			if (executors.open() && (isSettlingFunction(listener) || executors.settles(listener))) executors.settledBy(() => awaited(event, this));
			return add.call(this, event, listener);
		}, add);
	const addListener = proto.on!;
	const watchedAdd = watching(addListener);
	for (const name of ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener']) {
		const original = proto[name]!;
		Object.defineProperty(proto, name, {value: original === addListener ? watchedAdd : watching(original), writable: true, configurable: true, enumerable: true});
	}
	const {once, on} = events as unknown as Record<'once' | 'on', AnyFunction>;
	replace(events, 'once', function (this: unknown, emitter: unknown, name: unknown, ...rest: unknown[]) {
		const promise = Reflect.apply(once, this, [emitter, name, ...rest]);
		tagged(promise, awaited(name, emitter));
		return promise;
	});
	replace(events, 'on', function (this: unknown, emitter: unknown, name: unknown, ...rest: unknown[]) {
		return eachTagged(Reflect.apply(on, this, [emitter, name, ...rest]), awaited(name, emitter), tagged);
	});
	const iterate = Readable.prototype[Symbol.asyncIterator] as AnyFunction;
	const iterateTagged = standIn(function (this: unknown) {
		return eachTagged(iterate.call(this), awaited('data', this), tagged);
	}, iterate);
	Object.defineProperty(Readable.prototype, Symbol.asyncIterator, {value: iterateTagged, writable: true, configurable: true});
	const {pipeline, finished} = streamPromises as unknown as Record<'pipeline' | 'finished', AnyFunction>;
	replace(streamPromises, 'pipeline', function (this: unknown, ...streams: unknown[]) {
		const promise = Reflect.apply(pipeline, this, streams);
		// The destination's end is the pipeline's: its last step, before the options if any; a function as the last
		// step reads the source to its end.
		const last = streams.at(-1);
		const destination = isEmitter(last) || typeof last === 'function' ? last : streams.at(-2);
		if (isEmitter(destination)) tagged(promise, endOf(destination, cwd));
		else if (isEmitter(streams[0])) tagged(promise, eventOf('end', streams[0], cwd));
		return promise;
	});
	replace(streamPromises, 'finished', function (this: unknown, stream: unknown, ...rest: unknown[]) {
		const promise = Reflect.apply(finished, this, [stream, ...rest]);
		if (isEmitter(stream)) tagged(promise, endOf(stream, cwd));
		return promise;
	});
	// `import {once} from 'node:events'` and `import {pipeline} from 'node:stream/promises'` see the replacements.
	syncBuiltinESMExports();
	// Node's own streams' iterators tag their items already (iterateTagged): only other streams' are named here.
	return (iterable, iterator) => (iterator === iterateTagged || isProxy(iterable) ? null : streamItems(iterable, cwd));
}

/**
 * The event each item of a `for await` over `iterable` is, for a readable stream whose iterator is not Node's own
 * (the readable-stream package's, which split2, through2 and their like are made of): its 'data'. Their
 * `_readableState` says what they are, as Node's own streams' does.
 */
function streamItems(iterable: object, cwd: string): EventTarget | null {
	return '_readableState' in iterable && isEmitter(iterable) ? eventOf('data', iterable, cwd) : null;
}

/** `object[name]` replaced by `replacement`, which reads as the original (see standIn). */
function replace(object: object, name: string, replacement: AnyFunction): void {
	const original = (object as Record<string, AnyFunction>)[name]!;
	Object.defineProperty(object, name, {value: standIn(replacement, original), writable: true, configurable: true, enumerable: true});
}

/** The iterator, its next() tagging each promise it gives with `target`; set on the iterator itself, which `for await` reads once. */
function eachTagged(iterator: unknown, target: WaitTarget, tagged: (promise: unknown, target: WaitTarget) => void): unknown {
	if (typeof iterator !== 'object' || iterator === null) return iterator;
	const next = (iterator as {next?: unknown}).next;
	if (typeof next !== 'function') return iterator;
	const call = next as (this: unknown, value?: unknown) => unknown;
	Object.defineProperty(iterator, 'next', {
		// An iterator's next() takes one value at most: no array made for its arguments at each item.
		value: function (this: unknown, value?: unknown) {
			const promise = arguments.length === 0 ? call.call(this) : call.call(this, value);
			tagged(promise, target);
			return promise;
		},
		writable: true,
		configurable: true,
	});
	return iterator;
}

/** A stream's end, as `finished()` waits for it: a writable one's 'finish' (a duplex's too), a readable one's 'end'. */
function endOf(stream: object, cwd: string): EventTarget {
	return eventOf('writable' in stream ? 'finish' : 'end', stream, cwd);
}

/** The script's strings, as the run's redaction wants them for the recording (a path or an event name holding a URL). */
function eventOf(name: unknown, emitter: unknown, cwd: string): EventTarget {
	return {kind: 'event', event: recordedText(typeof name === 'string' ? name : eventName(name)), source: recordedText(emitterName(emitter, cwd))};
}

/** As String() gives it (`Symbol(ready)`, `42`), but an object's: its `toString` is the script's to run, or throw, not asyncmon's. */
function eventName(name: unknown): string {
	if (typeof name === 'symbol') return name.toString();
	return (typeof name === 'object' && name !== null) || typeof name === 'function' ? 'an object' : String(name);
}

function isEmitter(value: unknown): value is object {
	return typeof value === 'object' && value !== null && !isProxy(value) && typeof (value as {on?: unknown}).on === 'function';
}

/**
 * `ReadStream data.csv`, `Socket 127.0.0.1:5432`, `readline (ReadStream data.csv)`, else the emitter's class. Only
 * its own data properties are read (and a socket's address, Node's): no getter of the script's runs.
 */
export function emitterName(emitter: unknown, cwd: string): string {
	if (typeof emitter !== 'object' || emitter === null || isProxy(emitter)) return typeof emitter === 'function' ? 'a function' : 'an emitter';
	try {
		// Its file descriptor, not process.stdin itself: reading that getter would make a stdin the script never opened.
		const fd = ownValue(emitter, 'fd');
		if (fd === 0 || fd === 1 || fd === 2) return `process.${STANDARD_STREAMS[fd]}`;
		const name = className(emitter);
		const input = ownValue(emitter, 'input');
		if (name === 'Interface' && typeof input === 'object' && input !== null) return `readline (${emitterName(input, cwd)})`;
		const path = ownValue(emitter, 'path');
		if (typeof path === 'string') return `${name} ${shownPath(path, cwd)}`;
		if (emitter instanceof Socket && emitter.remoteAddress !== undefined && emitter.remotePort !== undefined) return `${name} ${hostPort(emitter.remoteAddress, emitter.remotePort)}`;
		// A child process by its pid and program (`ChildProcess 4242 (node)`).
		const pid = ownValue(emitter, 'pid');
		const program = ownValue(emitter, 'spawnfile');
		if (typeof pid === 'number' && typeof program === 'string') return `${name} ${pid} (${basename(program)})`;
		return name;
	} catch {
		return 'an emitter';
	}
}

/** The process's own streams by their file descriptors, each told by its name: `process.stdin`, not "ReadStream". */
const STANDARD_STREAMS = ['stdin', 'stdout', 'stderr'] as const;

function className(object: object): string {
	const constructor = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(object) ?? {}, 'constructor')?.value as {name?: unknown} | undefined;
	const name = typeof constructor === 'function' ? Object.getOwnPropertyDescriptor(constructor, 'name')?.value : undefined;
	return typeof name === 'string' && name !== '' ? name : 'an emitter';
}

function ownValue(object: object, key: string): unknown {
	return Object.getOwnPropertyDescriptor(object, key)?.value;
}

/** A path under the working directory as relative to it, others as they are. */
function shownPath(path: string, cwd: string): string {
	if (!isAbsolute(path)) return path;
	const inside = relative(cwd, path);
	return inside !== '' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside) ? inside : path;
}
