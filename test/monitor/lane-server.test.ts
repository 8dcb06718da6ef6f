import {existsSync, mkdirSync, readdirSync, statSync} from 'node:fs';
import {basename, join} from 'node:path';
import {connect, type Socket} from 'node:net';
import {once} from 'node:events';
import {describe, expect, it} from 'vitest';
import {LaneEnds, LaneServer} from '../../source/monitor/lane-server.js';
import {tempDir} from '../helpers/temp.js';

describe('LaneServer', () => {
	it('listens on a Unix socket only the user can use, in a directory of its own, and removes both when closed', async () => {
		const received: string[] = [];
		let accepted!: (socket: Socket) => void;
		const connected = new Promise<Socket>(resolve => (accepted = resolve));
		const server = new LaneServer(socket => {
			socket.setEncoding('utf8').on('data', (text: string) => received.push(text));
			accepted(socket);
		});
		const {directory, socket} = server.where;
		expect(statSync(directory).mode & 0o777).toBe(0o700);
		// Its place is known (and told to the script) before it listens: the script is spawned in between.
		expect(existsSync(socket)).toBe(false);
		server.listen();
		expect(statSync(socket).isSocket()).toBe(true);
		expect(statSync(socket).mode & 0o777).toBe(0o600);
		const client = connect(socket);
		await once(client, 'connect');
		const onServer = await connected;
		client.write('[1,2]\n');
		await once(onServer, 'data');
		expect(received.join('')).toBe('[1,2]\n');
		server.close();
		await once(client, 'close');
		expect(existsSync(directory)).toBe(false);
	});
});

describe('LaneEnds', () => {
	it("holds a lane's end until its connection closed, and delivers it at once after", () => {
		const ends = new LaneEnds(() => 0);
		const delivered: string[] = [];
		ends.ended(7, () => delivered.push('end of 7'));
		expect(delivered).toEqual([]);
		ends.connectionClosed(7);
		expect(delivered).toEqual(['end of 7']);
		ends.connectionClosed(9);
		ends.ended(9, () => delivered.push('end of 9'));
		expect(delivered).toEqual(['end of 7', 'end of 9']);
	});

	it('delivers the ends still waiting when the session ends, in the order they came', () => {
		const ends = new LaneEnds(() => 0);
		const delivered: number[] = [];
		ends.ended(3, () => delivered.push(3));
		ends.ended(1, () => delivered.push(1));
		ends.flush();
		expect(delivered).toEqual([3, 1]);
		ends.flush();
		expect(delivered).toEqual([3, 1]);
	});
});

describe('LaneServer, left behind', () => {
	it("removes the directory of a monitor that is gone (a SIGKILL left it), never a running one's", async () => {
		const parent = tempDir();
		const previous = process.env.XDG_RUNTIME_DIR;
		process.env.XDG_RUNTIME_DIR = parent;
		try {
			// A pid no process has: far above Linux's pid_max.
			mkdirSync(join(parent, 'asyncmon-lanes-99999999-abc123'), {mode: 0o700});
			const running = new LaneServer(() => {});
			const second = new LaneServer(() => {});
			// Swept once the script has been started.
			await new Promise(resolve => setImmediate(resolve));
			expect(readdirSync(parent).sort()).toEqual([basename(running.where.directory), basename(second.where.directory)].sort());
			running.close();
			second.close();
		} finally {
			if (previous === undefined) delete process.env.XDG_RUNTIME_DIR;
			else process.env.XDG_RUNTIME_DIR = previous;
		}
	});

	// A Ctrl-C reaches the script and the processes it started: the script died first, and its children's ends were
	// never told; they read 'running at the end' in the report.
	it("names the lanes whose connection closed with no end told, with when, as the session ends; a lane whose end was told is not one", () => {
		let now = 10;
		const ends = new LaneEnds(() => now);
		ends.connectionClosed(4);
		now = 12;
		ends.ended(5, () => {});
		ends.connectionClosed(5);
		now = 15;
		ends.connectionClosed(6);
		expect(ends.flush()).toEqual([
			{root: 4, t: 10},
			{root: 6, t: 15},
		]);
	});
});
