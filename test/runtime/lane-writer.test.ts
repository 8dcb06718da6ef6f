import {createServer, type Socket} from 'node:net';
import {join} from 'node:path';
import {once} from 'node:events';
import {describe, expect, it} from 'vitest';
import {decodeLine} from '../../source/protocol/decode.js';
import {channelListens, ChannelWriter} from '../../source/runtime/agent-channel.js';
import {LaneWriter} from '../../source/runtime/lane-writer.js';
import {ROOT} from '../helpers/run-cli.js';
import {tempFile} from '../helpers/temp.js';

const THREAD = new URL(`file://${join(ROOT, 'dist/lane-writer.js')}`);
const socketPath = (): string => tempFile('lanes.sock');

/** A batch of `lines` notice lines, each about 1 KB. */
function batch(lines: number): Uint8Array {
	const line = `${JSON.stringify({type: 'notice', t: 1, message: 'x'.repeat(1000)})}\n`;
	return new TextEncoder().encode(line.repeat(lines));
}

describe('LaneWriter', () => {
	it("sends what another thread put on the channel before the writer's thread listened: a watchdog that saw a block while that thread booted", async () => {
		const path = socketPath();
		const connection = new Promise<Socket>(resolve => createServer(resolve).listen(path));
		const listens = channelListens();
		const writer = new LaneWriter(THREAD, path, performance.timeOrigin, listens);
		// At once, while the writer's thread boots: a BroadcastChannel keeps nothing for a reader made later.
		new ChannelWriter(listens).write(batch(1));
		const monitor = await connection;
		let text = '';
		monitor.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
		writer.drain();
		await new Promise(resolve => setTimeout(resolve, 300));
		expect(text).toBe(new TextDecoder().decode(batch(1)));
		monitor.destroy();
	});

	it('never makes the script wait for a monitor that does not read: what it cannot send is dropped, counted, and said once the monitor reads again', async () => {
		const path = socketPath();
		let accepted!: (socket: Socket) => void;
		const connection = new Promise<Socket>(resolve => (accepted = resolve));
		const server = createServer(socket => {
			socket.pause();
			accepted(socket);
		}).listen(path);
		await once(server, 'listening');
		const writer = new LaneWriter(THREAD, path, performance.timeOrigin, channelListens());
		writer.write(batch(1));
		const monitor = await connection;
		// 20 MB, far past what the writer keeps unsent (4 MB) and what the socket holds: each write returns at once.
		for (let i = 0; i < 200; i++) writer.write(batch(100));
		expect(writer.takeHeldBackMs()).toBe(0);
		// Let the writer's thread take all it was handed, then read everything.
		await new Promise(resolve => setTimeout(resolve, 500));
		let text = '';
		monitor.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
		monitor.resume();
		// One more batch after the monitor reads again: the count of the dropped ones comes first.
		await new Promise(resolve => setTimeout(resolve, 500));
		writer.write(batch(1));
		writer.drain();
		await new Promise(resolve => setTimeout(resolve, 200));
		const lines = text.trimEnd().split('\n').map(line => decodeLine(line));
		const notices = lines.filter(line => typeof line !== 'string' && line[0]!.type === 'notice').length;
		const dropped = lines.flatMap(line => (typeof line === 'string' ? [] : line)).filter(event => event.type === 'dropped');
		expect(dropped).toHaveLength(1);
		const count = (dropped[0] as {count: number}).count;
		expect(count).toBeGreaterThan(0);
		// Every line is either delivered or counted.
		expect(notices + count).toBe(1 + 200 * 100 + 1);
		monitor.destroy();
		server.close();
	});

	it('a monitor that is gone costs the script nothing: writes return, and the drain at exit returns (a hang would time the test out)', () => {
		const writer = new LaneWriter(THREAD, socketPath(), performance.timeOrigin, channelListens());
		for (let i = 0; i < 50; i++) writer.write(batch(10));
		writer.drain();
		expect(writer.takeHeldBackMs()).toBe(0);
	});
});
