// A steady fan-out for the dashboard's CPU budget: 32 workers, each fetching
// one request after another from the benchmark server with a 20 ms delay per
// response (about 1,500 requests a second), for a fixed time.
//   BENCH_URL=http://127.0.0.1:PORT node bench/workloads/steady-fanout.ts [seconds]
// Node 24 runs this file as is (type stripping): erasable TypeScript only.
import {Pool} from 'undici';

const base = process.env.BENCH_URL;
if (!base) {
	console.error('steady-fanout: set BENCH_URL to the benchmark server (node bench/lib/server.mjs)');
	process.exit(2);
}
const seconds = Number(process.argv[2] ?? 5);
const workers = 32;
const pool = new Pool(base, {connections: workers});
const until = performance.now() + seconds * 1000;
let requests = 0;

async function fetchItem(i: number): Promise<number> {
	const {body} = await pool.request({path: `/delay/20/item/${i}`, method: 'GET'});
	return (await body.text()).length;
}

async function worker(): Promise<void> {
	while (performance.now() < until) await fetchItem(requests++);
}

await Promise.all(Array.from({length: workers}, () => worker()));
await pool.close();
console.log(`steady-fanout: ${requests} requests in ${seconds} s`);
