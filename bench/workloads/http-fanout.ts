// 2,000 HTTP requests, 64 in flight, against the benchmark server (BENCH_URL).
//   BENCH_URL=http://127.0.0.1:PORT node bench/workloads/http-fanout.ts [requests] [inFlight]
// Env: HTTP_REQUESTS (2000), HTTP_IN_FLIGHT (64), HTTP_DELAY_MS (server-side delay per
// response, via the server's /delay/N path; default: the server's own default).
// 64 async workers share a queue; each request is its own async function (a task).
// Node 24 runs this file as is (type stripping): erasable TypeScript only.
import {Pool} from 'undici';

const base = process.env.BENCH_URL;
if (!base) {
	console.error('http-fanout: set BENCH_URL to the benchmark server (node bench/lib/server.mjs)');
	process.exit(2);
}
const total = Number(process.argv[2] ?? process.env.HTTP_REQUESTS ?? 2000);
const inFlight = Number(process.argv[3] ?? process.env.HTTP_IN_FLIGHT ?? 64);
const delay = process.argv[4] ?? process.env.HTTP_DELAY_MS;
const prefix = delay === undefined ? '' : `/delay/${Number(delay)}`;
const pool = new Pool(base, {connections: inFlight, pipelining: 1});

async function getOne(i: number): Promise<number> {
	const {statusCode, body} = await pool.request({path: `${prefix}/item/${i}`, method: 'GET'});
	const text = await body.text();
	if (statusCode !== 200) throw new Error(`status ${statusCode}`);
	return text.length;
}

let next = 0;
let bytes = 0;
async function worker(): Promise<void> {
	while (next < total) {
		const i = next++;
		const length = await getOne(i);
		bytes += length;
	}
}

const started = performance.now();
await Promise.all(Array.from({length: inFlight}, () => worker()));
await pool.close();
console.log(`http-fanout: ${total} requests, ${inFlight} in flight${delay === undefined ? '' : `, ${delay} ms server delay`}, ${bytes} bytes in ${(performance.now() - started).toFixed(0)} ms`);
