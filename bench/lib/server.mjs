// The benchmark's HTTP server, run in its own process so that its CPU time is
// not charged to the process under test. Keep-alive, a tiny JSON body, and an
// optional fixed delay per response.
//
//   node bench/lib/server.mjs            prints `http://127.0.0.1:PORT` on stdout once listening
//   BENCH_SERVER_DELAY_MS=5               answer each request after 5 ms (default 0)
//   GET /delay/N                          answer after N ms instead
import http from 'node:http';

const defaultDelay = Number(process.env.BENCH_SERVER_DELAY_MS ?? 0);
const body = JSON.stringify({ok: true, pad: 'x'.repeat(64)});

const server = http.createServer({keepAlive: true, keepAliveTimeout: 60_000, requestTimeout: 0}, (req, res) => {
	const match = /^\/delay\/(\d+)/.exec(req.url ?? '');
	const delay = match ? Number(match[1]) : defaultDelay;
	const answer = () => {
		res.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)});
		res.end(body);
	};
	// Drain any request body before answering.
	req.resume();
	if (delay > 0) setTimeout(answer, delay);
	else answer();
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.maxRequestsPerSocket = 0;
server.listen(0, '127.0.0.1', () => {
	const {port} = server.address();
	process.stdout.write(`http://127.0.0.1:${port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The harness closes our stdin when it is done: never outlive it.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
