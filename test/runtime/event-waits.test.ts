import {spawn} from 'node:child_process';
import {createReadStream, createWriteStream, writeFileSync} from 'node:fs';
import events, {EventEmitter} from 'node:events';
import {createServer, connect, type AddressInfo} from 'node:net';
import {basename, join} from 'node:path';
import {createInterface} from 'node:readline';
import {PassThrough, Readable, Writable} from 'node:stream';
import streamPromises from 'node:stream/promises';
import {beforeAll, describe, expect, it} from 'vitest';
import {emitterName, instrumentEventWaits} from '../../source/runtime/event-waits.js';
import {PromiseTargets} from '../../source/runtime/wait-targets.js';
import type {WaitTarget} from '../../source/protocol/events.js';
import {tempDir} from '../helpers/temp.js';

describe('emitterName', () => {
	const cwd = tempDir();
	const file = join(cwd, 'data.csv');
	writeFileSync(file, 'a\n');

	it('a file stream by its path, relative under the working directory, as it is elsewhere', () => {
		const stream = createReadStream(file);
		expect(emitterName(stream, cwd)).toBe('ReadStream data.csv');
		expect(emitterName(stream, join(cwd, 'elsewhere'))).toBe(`ReadStream ${file}`);
		stream.destroy();
	});

	it('a readline interface by what it reads', () => {
		const input = createReadStream(file);
		const lines = createInterface({input});
		expect(emitterName(lines, cwd)).toBe('readline (ReadStream data.csv)');
		lines.close();
		input.destroy();
	});

	it('a socket by its peer once connected, by its class before', async () => {
		const server = createServer(socket => socket.end());
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
		expect(emitterName(socket, cwd)).toBe('Socket');
		await events.once(socket, 'connect');
		expect(emitterName(socket, cwd)).toBe(`Socket 127.0.0.1:${(server.address() as AddressInfo).port}`);
		socket.destroy();
		await new Promise(resolve => server.close(resolve));
	});

	it("the process's own streams by their names, a child process by its pid and program", async () => {
		expect(emitterName(process.stdout, cwd)).toBe('process.stdout');
		const child = spawn(process.execPath, ['-e', '0']);
		expect(emitterName(child, cwd)).toBe(`ChildProcess ${child.pid} (${basename(process.execPath)})`);
		await events.once(child, 'exit');
	});

	it("anything else by its class, with no getter of the script's run, and a proxy left unread", () => {
		class Bus extends EventEmitter {}
		let getterRan = false;
		const withGetter = Object.defineProperty(new Bus(), 'path', {
			get: () => {
				getterRan = true;
				return '/secret';
			},
		});
		expect(emitterName(withGetter, cwd)).toBe('Bus');
		expect(getterRan).toBe(false);
		expect(emitterName(new Proxy(new Bus(), {}), cwd)).toBe('an emitter');
		expect(emitterName(Object.create(null), cwd)).toBe('an emitter');
	});
});

describe('instrumentEventWaits', () => {
	const targets = new PromiseTargets();
	const cwd = tempDir();
	/** An executor runs while `open`: the events its settling listeners were added for. */
	const executor = {open: false, settledBy: [] as WaitTarget[], own: new Set<unknown>()};
	beforeAll(() => {
		instrumentEventWaits(targets, cwd, {open: () => executor.open, settles: listener => executor.own.has(listener), settledBy: target => executor.settledBy.push(target())});
	});

	it("tags once()'s promise with the event and the emitter, as Node's own function still named once, and as ES modules import it", async () => {
		const bus = new EventEmitter();
		const ready = events.once(bus, 'ready');
		expect(targets.of(ready)).toEqual({kind: 'event', event: 'ready', source: 'EventEmitter'});
		expect(events.once.name).toBe('once');
		const {once: imported} = (await import('node:events')) as unknown as {once: unknown};
		expect(imported).toBe(events.once);
		bus.emit('ready', 1);
		expect(await ready).toEqual([1]);
		// A symbol by its description; an object's toString is not asyncmon's to call.
		expect(targets.of(events.once(bus, Symbol('go')))).toMatchObject({event: 'Symbol(go)'});
		const named = {toString: () => 'named'};
		expect(targets.of(events.once(bus, named as unknown as string))).toMatchObject({event: 'an object'});
		// Redacted, as every string bound for the recording (on by default).
		expect(targets.of(events.once(bus, 'https://user:hunter2@example.test/hook?token=abc'))).not.toMatchObject({event: expect.stringMatching(/hunter2|abc/)});
	});

	it("tags each promise of on()'s iterator, and of a readable stream's async iterator", async () => {
		const bus = new EventEmitter();
		const ticks = events.on(bus, 'tick');
		const first = ticks.next();
		expect(targets.of(first)).toEqual({kind: 'event', event: 'tick', source: 'EventEmitter'});
		bus.emit('tick', 7);
		expect(await first).toEqual({done: false, value: [7]});
		await ticks.return?.();

		const chunks = Readable.from(['a'])[Symbol.asyncIterator]();
		const chunk = chunks.next();
		expect(targets.of(chunk)).toEqual({kind: 'event', event: 'data', source: 'Readable'});
		expect(await chunk).toEqual({done: false, value: 'a'});
	});

	it("tags pipeline()'s promise with its destination's finish (past its options), or its source's end when a function reads it; finished()'s with the stream's", async () => {
		const copy = streamPromises.pipeline(Readable.from(['a']), new PassThrough(), createWriteStream(join(cwd, 'out.txt')), {});
		expect(targets.of(copy)).toEqual({kind: 'event', event: 'finish', source: 'WriteStream out.txt'});
		await copy;
		const read = streamPromises.pipeline(Readable.from(['a']), async (source: AsyncIterable<unknown>) => {
			for await (const _ of source);
		});
		expect(targets.of(read)).toEqual({kind: 'event', event: 'end', source: 'Readable'});
		await read;
		const sink = new Writable({write: (_chunk, _encoding, done) => done()});
		const done = streamPromises.finished(sink);
		expect(targets.of(done)).toEqual({kind: 'event', event: 'finish', source: 'Writable'});
		sink.end('x');
		await done;
	});

	it("tells an executor running of each listener that is a promise's own resolve or reject, or one of its own that calls them, by its event, and of no other listener; adding listeners works as before", async () => {
		const bus = new EventEmitter();
		const child = new EventEmitter();
		targets.tagEmitter(child, {kind: 'op', id: 12});
		let settle: Array<(value?: unknown) => void> = [];
		const made = new Promise((resolve, reject) => {
			settle = [resolve, reject];
		});
		const [resolve, reject] = settle;
		executor.open = true;
		bus.on('ready', resolve!).once('failed', reject!).addListener('gone', resolve!).prependListener('late', reject!).prependOnceListener('early', resolve!);
		child.on('exit', resolve!);
		bus.on('noise', () => resolve!()).on('other', function named() {});
		// A listener of the executor's own that calls resolve, as the transform marks it.
		const own = (): void => resolve!();
		executor.own.add(own);
		bus.once('done', own);
		executor.open = false;
		bus.on('closed', resolve!);
		expect(executor.settledBy).toEqual([
			...['ready', 'failed', 'gone', 'late', 'early'].map(event => ({kind: 'event', event, source: 'EventEmitter'})),
			{kind: 'op', id: 12},
			{kind: 'event', event: 'done', source: 'EventEmitter'},
		]);
		expect(bus.eventNames()).toEqual(['ready', 'failed', 'gone', 'late', 'early', 'noise', 'other', 'done', 'closed']);
		bus.emit('failed', new Error('no'));
		await expect(made).rejects.toThrow('no');
		expect(bus.listenerCount('failed')).toBe(0);
		expect([EventEmitter.prototype.on.name, EventEmitter.prototype.addListener.name, EventEmitter.prototype.once.name]).toEqual(['addListener', 'addListener', 'once']);
		// One function under both names, as under node.
		expect(EventEmitter.prototype.on).toBe(EventEmitter.prototype.addListener);
		expect(process.on).toBe(process.addListener);
	});
});
