import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {seededRandom} from './prng.js';

/**
 * The demo latency server: a deterministic stand-in for "the network" so the
 * HTTP demos and tests run offline. Every size and duration is capped, since
 * a port on 127.0.0.1 can still be reached by anything else on the machine.
 */
export interface DemoServerOptions {
	/** 0 or absent: any free port. */
	port?: number;
	/** Seeds `/flaky`; the same seed gives the same outcomes in the same request order. */
	seed?: number;
}

export interface DemoServer {
	/** `http://127.0.0.1:PORT`, without a trailing slash. */
	url: string;
	close(): Promise<void>;
}

export const MAX_DELAY_MS = 10_000;
export const MAX_BYTES = 1024 * 1024;
export const MAX_DRIP_CHUNKS = 100;
export const DEFAULT_SEED = 1;
/** Shares of `/flaky` requests answered with HTTP 500 and with a connection reset; the rest get 200. */
export const FLAKY_ERROR_SHARE = 0.2;
export const FLAKY_RESET_SHARE = 0.1;

const DEMO_DOCUMENT = {
	service: 'asyncmon demo server',
	items: [
		{id: 1, name: 'request-A', delayMs: 1000},
		{id: 2, name: 'request-B', delayMs: 3000},
		{id: 3, name: 'request-C', delayMs: 2000},
	],
};

class BadRequest extends Error {}

type Handler = (request: DemoRequest) => void;

interface DemoRequest {
	req: IncomingMessage;
	res: ServerResponse;
	/** The path segment after the route's prefix, e.g. `250` in `/delay/250`. */
	param: string;
	query: URLSearchParams;
	/** Timers die with the response, so close() and client aborts leave nothing behind. */
	later(ms: number, run: () => void): void;
}

export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
	const nextFlaky = seededRandom(options.seed ?? DEFAULT_SEED);
	const routes: Record<string, Handler> = {
		delay: ({param, later, res}) => {
			const ms = boundedInteger(param, MAX_DELAY_MS);
			later(ms, () => sendJson(res, 200, {delayMs: ms}));
		},
		status: ({param, res}) => {
			const code = Number(param);
			if (!/^\d{3}$/.test(param) || code < 200 || code > 599) throw new BadRequest('status must be 200..599');
			sendJson(res, code, {status: code});
		},
		bytes: ({param, res}) => {
			const n = boundedInteger(param, MAX_BYTES);
			const body = Buffer.alloc(n);
			for (let i = 0; i < n; i++) body[i] = i % 256;
			res.writeHead(200, {'content-type': 'application/octet-stream', 'content-length': n});
			res.end(body);
		},
		drip: ({query, later, res}) => {
			const ms = boundedInteger(query.get('ms') ?? '1000', MAX_DELAY_MS);
			const chunks = Math.max(1, boundedInteger(query.get('chunks') ?? '10', MAX_DRIP_CHUNKS));
			res.writeHead(200, {'content-type': 'application/x-ndjson'});
			res.flushHeaders();
			const sendChunk = (index: number): void => {
				const line = `${JSON.stringify({chunk: index + 1, of: chunks})}\n`;
				if (index + 1 === chunks) res.end(line);
				else {
					res.write(line);
					later(ms / chunks, () => sendChunk(index + 1));
				}
			};
			later(ms / chunks, () => sendChunk(0));
		},
		flaky: ({req, res}) => {
			const draw = nextFlaky();
			if (draw < FLAKY_ERROR_SHARE) sendJson(res, 500, {error: 'flaky: simulated server error'});
			else if (draw < FLAKY_ERROR_SHARE + FLAKY_RESET_SHARE) req.socket.resetAndDestroy();
			else sendJson(res, 200, {ok: true});
		},
		json: ({res}) => sendJson(res, 200, DEMO_DOCUMENT),
	};

	const server = createServer((req, res) => {
		req.resume();
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const [, route = '', param = '', ...rest] = url.pathname.split('/');
		const handler = Object.hasOwn(routes, route) ? routes[route] : undefined;
		if (!handler || rest.length > 0) {
			sendJson(res, 404, {error: `no such endpoint: ${url.pathname}`});
			return;
		}
		try {
			handler({req, res, param, query: url.searchParams, later: timersEndingWith(res)});
		} catch (error) {
			if (!(error instanceof BadRequest)) throw error;
			sendJson(res, 400, {error: error.message});
		}
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	const {port} = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise<void>((resolve, reject) => {
				server.close(error => (error ? reject(error) : resolve()));
				server.closeAllConnections();
			}),
	};
}

function timersEndingWith(res: ServerResponse): DemoRequest['later'] {
	const pending = new Set<NodeJS.Timeout>();
	res.once('close', () => {
		for (const timer of pending) clearTimeout(timer);
	});
	return (ms, run) => {
		const timer = setTimeout(() => {
			pending.delete(timer);
			run();
		}, ms);
		pending.add(timer);
	};
}

/** A non-negative integer, capped at `max`. */
function boundedInteger(text: string, max: number): number {
	if (!/^\d{1,9}$/.test(text)) throw new BadRequest(`expected a non-negative integer, got "${text}"`);
	return Math.min(Number(text), max);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
	if (status === 204 || status === 304) {
		res.writeHead(status).end();
		return;
	}
	const text = JSON.stringify(body);
	res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)});
	res.end(text);
}
