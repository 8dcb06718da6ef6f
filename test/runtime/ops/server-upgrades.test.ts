import {describe, expect, it} from 'vitest';
import {underNodeAndAsyncmon} from '../../helpers/node-parity.js';
import {dirWithScript} from '../../helpers/temp.js';

describe('an upgrade request (a WebSocket handshake) a server of the script receives', () => {
	// ws and socket.io take their handshakes in 'upgrade' listeners, which Node calls instead of the request listener.
	it('is a task of kind server, answered with what the listener wrote on the socket; the server behaves as under node', async () => {
		const cwd = dirWithScript('upgrades.cjs', [
			"const http = require('node:http')",
			"const server = http.createServer((req, res) => res.end('no'))",
			"function accept (req, socket) { socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n\\r\\n'); socket.end() }",
			"function refuse (req, socket) { socket.write('HTTP/1.1 403 Forbidden\\r\\nContent-Length: 0\\r\\n\\r\\n'); socket.destroy() }",
			"server.on('upgrade', (req, socket) => req.url === '/refused' ? refuse(req, socket) : accept(req, socket))",
			"const removed = () => { throw new Error('a removed listener ran') }",
			"server.on('upgrade', removed)",
			"server.removeListener('upgrade', removed)",
			"const upgrade = (port, path) => new Promise(resolve => http.request({port, host: '127.0.0.1', path, headers: {Connection: 'Upgrade', Upgrade: 'websocket'}}).on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode) }).on('response', res => { res.resume(); resolve(res.statusCode) }).on('error', () => {}).end())",
			"server.listen(0, '127.0.0.1', async () => {",
			'  const port = server.address().port',
			"  console.log(await upgrade(port, '/chat'), await upgrade(port, '/refused'), server.listeners('upgrade').length)",
			'  server.close()',
			'})',
		]);
		const {node, asyncmon, report} = await underNodeAndAsyncmon('upgrades.cjs', [], cwd);
		expect(node).toEqual({code: 0, stdout: '101 403 1\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		const served = report.tasks.filter(task => task.kind === 'server').map(task => [task.name, task.request?.status]);
		expect(served).toEqual([
			['GET /chat', 101],
			['GET /refused', 403],
		]);
		expect(report.summary.httpReceived).toBe(2);
	});
});
