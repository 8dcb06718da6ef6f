import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {eventually, startService} from '../helpers/agent-service.js';
import {agentStatus} from '../../source/monitor/agent-client.js';
import {CLI} from '../helpers/run-cli.js';
import {useTerminal} from '../helpers/terminal.js';

const terminal = useTerminal();

/** The processes the terminal's shell started: the asyncmon client. */
function childrenOf(pid: number): number[] {
	return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

describe('asyncmon connect <pid> in a terminal', () => {
	it("shows the running service's tasks live in the dashboard; killing the client, or quitting it, leaves the service answering", async () => {
		const service = await startService();
		const before = service.get('/snapshot?wait=6000');
		// Running before the client joins (the request received, its handler and its lookup): the dashboard shows it from the agent's snapshot.
		await eventually('the first request to be running', async () => (await agentStatus({socket: service.files.socket})).running === 3);
		terminal.open(`XDG_RUNTIME_DIR=${service.runtimeDir} ${process.execPath} ${CLI} connect ${service.pid}`);
		await terminal.until('the snapshot in the dashboard', screen => screen.includes(`agent-service.mjs (pid ${service.pid})`) && screen.includes('lookup("snapshot", 6000)'));
		// Live: a request made after the client joined shows up too.
		const live = service.get('/live?wait=6000');
		await terminal.until('the live request', screen => screen.includes('lookup("live", 6000)'));

		const client = childrenOf(Number(terminal.paneFlag('pane_pid')));
		expect(client).toHaveLength(1);
		process.kill(client[0]!, 'SIGKILL');
		await terminal.until('the client to end', screen => screen.includes('EXIT:137'));
		expect((await service.get('/after-kill')).body).toBe('item-after-kill\n');
		expect(await before).toEqual({status: 200, body: 'item-snapshot\n'});
		expect(await live).toEqual({status: 200, body: 'item-live\n'});

		// q ends the client only.
		terminal.open(`XDG_RUNTIME_DIR=${service.runtimeDir} ${process.execPath} ${CLI} connect ${service.pid}`);
		await terminal.until('the dashboard again', screen => screen.includes(`agent-service.mjs (pid ${service.pid})`));
		terminal.keys('q');
		await terminal.until('the client to quit', screen => screen.includes('EXIT:0'));
		expect((await service.get('/after-quit')).body).toBe('item-after-quit\n');
		service.child.kill('SIGTERM');
		expect(await service.exited).toEqual({code: 0, signal: null});
	});
});
