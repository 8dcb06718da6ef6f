import {createServer, type Socket} from 'node:net';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {agentAddress, agentStatus, AgentStream, AgentUnreachable} from '../../source/monitor/agent-client.js';
import type {ProtocolLine} from '../../source/protocol/events.js';
import {header} from '../helpers/events.js';
import {tempDir} from '../helpers/temp.js';

/** A socket that answers each client's request line with `reply`. */
async function fakeAgent(reply: (request: string, socket: Socket) => void): Promise<{path: string; requests: string[]; close(): void}> {
	const path = join(tempDir(), 'agent.sock');
	const requests: string[] = [];
	const server = createServer(socket => {
		socket.setEncoding('utf8').once('data', (request: string) => {
			requests.push(request);
			reply(request, socket);
		});
	});
	await new Promise<void>(resolve => server.listen(path, resolve));
	return {path, requests, close: () => server.close()};
}

describe('agentAddress', () => {
	it('reads a socket path, or host:port with a token', () => {
		expect(agentAddress('/run/x/1.sock')).toEqual({socket: '/run/x/1.sock'});
		expect(agentAddress('127.0.0.1:9300', 'abc')).toEqual({host: '127.0.0.1', port: 9300, token: 'abc'});
		expect(agentAddress('[::1]:9300', 'abc')).toEqual({host: '::1', port: 9300, token: 'abc'});
	});

	it('says what is missing: an agent for a pid, a token for host:port', () => {
		const runtime = tempDir();
		const env = process.env.XDG_RUNTIME_DIR;
		process.env.XDG_RUNTIME_DIR = runtime;
		try {
			expect(() => agentAddress('4242')).toThrow(new AgentUnreachable(`no agent of process 4242 in ${runtime}/asyncmon-${process.getuid!()} (start the service with node --import asyncmon/agent; see asyncmon ps)`));
			expect(() => agentAddress('127.0.0.1:9300')).toThrow("no token for 127.0.0.1:9300: pass --token (it is in the agent's <pid>.token file, mode 0600)");
		} finally {
			if (env === undefined) delete process.env.XDG_RUNTIME_DIR;
			else process.env.XDG_RUNTIME_DIR = env;
		}
	});
});

describe('AgentStream', () => {
	it('asks for the stream, hands on each decoded line with its text, and counts lines that do not decode', async () => {
		const agent = await fakeAgent((_, socket) => socket.end(`${JSON.stringify(header())}\n{"type":"task.start","t":1}\n{"type":"notice","t":2,"message":"hi"}\n`));
		const stream = new AgentStream({socket: agent.path});
		const lines: Array<[ProtocolLine, string]> = [];
		stream.onLine((line, raw) => lines.push([line, raw]));
		await stream.ended;
		agent.close();
		expect(agent.requests).toEqual(['{"want":"stream"}\n']);
		expect(lines.map(([line]) => line.type)).toEqual(['header', 'notice', 'corrupt']);
		expect(lines[1]![1]).toBe('{"type":"notice","t":2,"message":"hi"}\n');
		expect(lines[2]![0]).toEqual({type: 'corrupt', t: 2, count: 1, reason: "task.start: 'id' is missing"});
	});

	it("ends with the agent's refusal, in one line", async () => {
		const agent = await fakeAgent((_, socket) => socket.end('{"error":"wrong or missing token"}\n'));
		await expect(new AgentStream({socket: agent.path}).ended).rejects.toThrow(`${agent.path} refused: wrong or missing token`);
		await expect(agentStatus({socket: agent.path})).rejects.toThrow(`${agent.path}: wrong or missing token`);
		agent.close();
	});

	it('says when nothing listens there', async () => {
		const path = join(tempDir(), 'none.sock');
		await expect(new AgentStream({socket: path}).ended).rejects.toThrow(`cannot connect to ${path}: connect ENOENT ${path}`);
	});
});
