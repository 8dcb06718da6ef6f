// Known CPU stretches: the same amount of work under node and under asyncmon, each timed with
// performance.now() around it (its gap: the loop could not turn meanwhile), with how long the
// thread waited for a CPU during it (Linux; null elsewhere). Three kinds: a busy loop; real code
// (acorn parsing its own source), whose optimized code a stack read could throw away; and the
// script's own calls (a recursive fib, in this file, which asyncmon instruments).
//   node bench/workloads/stretches.ts calibrate                    {"perMs", "parses", "fibs"}: busy-loop iterations per ms of
//                                                                  CPU, and parses and fib(FIB_N) calls in PARSE_MS of CPU
//   node bench/workloads/stretches.ts <perMs> <parses> <fibs> 50 200 500  a busy-loop stretch of each size (ms of work),
//                                                                  then the parses and the fibs (0: none): a JSON line each,
//                                                                  {stretch, gapMs, queuedMs}
// Node 24 runs this file as is (erasable TypeScript only).
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {parse} from 'acorn';

/** About this much CPU time of parsing, calibrated: long enough for its code to be optimized, then read mid-way. */
const PARSE_MS = 400;
const acornSource = readFileSync(createRequire(import.meta.url).resolve('acorn'), 'utf8');

function parseAcorn(times: number): number {
	let nodes = 0;
	for (let i = 0; i < times; i++) nodes += parse(acornSource, {ecmaVersion: 'latest', sourceType: 'module'}).body.length;
	return nodes;
}

/** The script's own recursive calls: under asyncmon each call is the instrumented file's. */
const FIB_N = 25;

function fib(n: number): number {
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function fibs(times: number): number {
	let sum = 0;
	for (let i = 0; i < times; i++) sum += fib(FIB_N);
	return sum;
}

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

/** One stretch, named for the bench's rows (a busy loop's size, or `acorn`), that runs `work`. */
async function stretch(name: string, work: () => unknown): Promise<void> {
	// Its own stretch: the loop turns before it.
	await sleep(30);
	const queuedBefore = queuedMs();
	const start = performance.now();
	work();
	const gapMs = performance.now() - start;
	const queuedAfter = queuedMs();
	console.log(JSON.stringify({stretch: name, gapMs, queuedMs: queuedBefore === null || queuedAfter === null ? null : queuedAfter - queuedBefore}));
}

/** CPU ms that `work` takes, on the thread's own clock: a busy machine does not make the stretches shorter. */
function cpuMs(work: () => unknown): number {
	const start = process.threadCpuUsage();
	work();
	const used = process.threadCpuUsage(start);
	return (used.user + used.system) / 1000;
}

function calibrate(): {perMs: number; parses: number; fibs: number} {
	busy(50_000_000);
	const iterations = 200_000_000;
	const perMs = Math.round(iterations / cpuMs(() => busy(iterations)));
	// Parsing as a stretch does it: from cold, in a process that has not parsed before.
	const probe = 5;
	const parses = Math.max(1, Math.round((probe * PARSE_MS) / cpuMs(() => parseAcorn(probe))));
	fibs(20);
	const fibProbe = 100;
	const fibCount = Math.max(1, Math.round((fibProbe * PARSE_MS) / cpuMs(() => fibs(fibProbe))));
	return {perMs, parses, fibs: fibCount};
}

const [first, second, third, ...sizes] = process.argv.slice(2);
if (first === 'calibrate') {
	console.log(JSON.stringify(calibrate()));
} else {
	const perMs = Number(first);
	for (const ms of sizes) await stretch(ms, () => busy(Math.round(Number(ms) * perMs)));
	if (Number(second) > 0) await stretch('acorn', () => parseAcorn(Number(second)));
	if (Number(third) > 0) {
		// Optimized first, on both sides: where V8 optimizes a recursion on its first long run varies from run to run.
		fibs(50);
		await stretch('fib', () => fibs(Number(third)));
	}
}
