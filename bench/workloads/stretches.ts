// Known CPU stretches: the same amount of work under node and under asyncmon, each timed with
// performance.now() around it (its gap: the loop could not turn meanwhile), with how long the
// thread waited for a CPU during it (Linux; null elsewhere).
//   node bench/workloads/stretches.ts calibrate              iterations of the busy loop per ms of CPU, on this machine
//   node bench/workloads/stretches.ts <perMs> 50 200 500     one stretch of each size, in ms of work: a JSON line each
// Node 24 runs this file as is (erasable TypeScript only).
import {readFileSync} from 'node:fs';

function busy(iterations: number): number {
	let x = 0;
	for (let i = 0; i < iterations; i++) x = (x * 31 + i) | 0;
	return x;
}

/** How long this thread has waited for a CPU, ms (the second field of its schedstat). */
function queuedMs(): number | null {
	try {
		return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[1]) / 1e6;
	} catch {
		return null;
	}
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function stretch(ms: number, perMs: number): Promise<void> {
	// Its own stretch: the loop turns before it.
	await sleep(30);
	const queuedBefore = queuedMs();
	const start = performance.now();
	busy(Math.round(ms * perMs));
	const gapMs = performance.now() - start;
	const queuedAfter = queuedMs();
	console.log(JSON.stringify({ms, gapMs, queuedMs: queuedBefore === null || queuedAfter === null ? null : queuedAfter - queuedBefore}));
}

/** On the thread's own CPU clock: a busy machine does not make the stretches shorter. */
function calibrate(): number {
	busy(50_000_000);
	const iterations = 200_000_000;
	const start = process.threadCpuUsage();
	busy(iterations);
	const used = process.threadCpuUsage(start);
	return iterations / ((used.user + used.system) / 1000);
}

const [first, ...sizes] = process.argv.slice(2);
if (first === 'calibrate') {
	console.log(String(Math.round(calibrate())));
} else {
	const perMs = Number(first);
	for (const ms of sizes) await stretch(Number(ms), perMs);
}
