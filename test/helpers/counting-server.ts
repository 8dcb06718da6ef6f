import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {useStarted} from './use-started.js';

/**
 * A local HTTP server for the HTTP clients of the corpus that counts the requests it answers, so a test can hold
 * the report's HTTP ops against them. Stateless, so a script gets the same answers under node and under asyncmon:
 * - `GET /items/ID[?delay=MS]`: `{"id": ID, "name": "item-ID"}`, after up to 1 s;
 * - `POST /echo`: the request's body back, with its content type;
 * - `GET /flaky?attempt=N&succeedAt=M`: 503 while N < M, then `{"attempt": N}`;
 * - anything else: 404 `{"error": "not found"}`.
 */
export interface CountingServer {
	/** `http://127.0.0.1:PORT`, without a trailing slash. */
	readonly url: string;
	/** Requests answered since the server started. */
	readonly requests: number;
	close(): Promise<void>;
}

const MAX_DELAY_MS = 1000;

/** The counting server for the tests around the call: started before them, closed after them. */
export function useCountingServer(): () => CountingServer {
	return useStarted(startCountingServer);
}

async function startCountingServer(): Promise<CountingServer> {
	let requests = 0;
	const server = createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.once('end', () => answer(request, Buffer.concat(chunks), response, () => requests++));
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		get requests() {
			return requests;
		},
		async close() {
			server.closeAllConnections();
			await new Promise(resolve => server.close(resolve));
		},
	};
}

function answer(request: IncomingMessage, body: Buffer, response: ServerResponse, counted: () => void): void {
	const {pathname, searchParams} = new URL(request.url ?? '/', 'http://localhost');
	const send = (status: number, text: string | Buffer, type = 'application/json') => {
		counted();
		response.writeHead(status, {'content-type': type, 'content-length': Buffer.byteLength(text)}).end(text);
	};
	const item = /^\/items\/(\d+)$/.exec(pathname);
	if (request.method === 'GET' && item) {
		const delay = Math.min(Number(searchParams.get('delay')) || 0, MAX_DELAY_MS);
		const timer = setTimeout(() => send(200, JSON.stringify({id: Number(item[1]), name: `item-${item[1]}`})), delay);
		response.once('close', () => clearTimeout(timer));
	} else if (request.method === 'POST' && pathname === '/echo') {
		send(200, body, request.headers['content-type']);
	} else if (request.method === 'GET' && pathname === '/flaky') {
		const attempt = Number(searchParams.get('attempt'));
		if (attempt < Number(searchParams.get('succeedAt'))) send(503, JSON.stringify({error: 'try again'}));
		else send(200, JSON.stringify({attempt}));
	} else {
		send(404, JSON.stringify({error: 'not found'}));
	}
}
