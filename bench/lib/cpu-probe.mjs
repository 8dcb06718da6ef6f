// Loaded into the asyncmon monitor process only: from 1 s after start (past
// start-up) to exit, its CPU time and wall time, written as JSON to the file
// named by BENCH_CPU_OUT.
import {writeFileSync} from 'node:fs';

const out = process.env.BENCH_CPU_OUT;
if (out) {
	let from = null;
	setTimeout(() => (from = {cpu: process.cpuUsage(), at: performance.now()}), 1000).unref();
	process.on('exit', () => {
		if (!from) return;
		const cpu = process.cpuUsage(from.cpu);
		try {
			writeFileSync(out, JSON.stringify({cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - from.at}));
		} catch {
			// The harness reports a missing figure.
		}
	});
}
