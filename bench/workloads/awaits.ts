// Awaits in user code, in one instrumented async function.
//   node bench/workloads/awaits.ts short [count]   `await tiny(i)`: a tiny async function, no timer (default 1,000,000)
//   node bench/workloads/awaits.ts calls [count]   `await tinyCall(i)`: the same, but it calls a plain function, so
//                                                   under asyncmon its task enters an async context of its own (default 1,000,000)
//   node bench/workloads/awaits.ts value [count]   `await Promise.resolve(i)` (default 1,000,000)
//   node bench/workloads/awaits.ts sleep [count]   `await sleep(0)`: a setTimeout(0) promise, ~1 ms each (default 2,000)
// Env: AWAITS_MODE, AWAITS_COUNT. Node 24 runs this file as is (erasable TypeScript only).
const mode = process.argv[2] ?? process.env.AWAITS_MODE ?? 'short';
const defaults: Record<string, number> = {short: 1_000_000, calls: 1_000_000, value: 1_000_000, sleep: 2_000};
if (!(mode in defaults)) {
	console.error(`awaits: unknown mode '${mode}' (short, calls, value or sleep)`);
	process.exit(2);
}
const count = Number(process.argv[3] ?? process.env.AWAITS_COUNT ?? defaults[mode]);

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));

async function tiny(i: number): Promise<number> {
	return i & 1;
}

async function awaitShort(n: number): Promise<number> {
	let sum = 0;
	for (let i = 0; i < n; i++) sum += await tiny(i);
	return sum;
}

function parity(i: number): number {
	return i & 1;
}

async function tinyCall(i: number): Promise<number> {
	return parity(i);
}

async function awaitCalls(n: number): Promise<number> {
	let sum = 0;
	for (let i = 0; i < n; i++) sum += await tinyCall(i);
	return sum;
}

async function awaitValue(n: number): Promise<number> {
	let sum = 0;
	for (let i = 0; i < n; i++) sum += await Promise.resolve(i & 1);
	return sum;
}

async function awaitSleep(n: number): Promise<number> {
	let sum = 0;
	for (let i = 0; i < n; i++) {
		await sleep(0);
		sum++;
	}
	return sum;
}

const started = performance.now();
const runs: Record<string, (n: number) => Promise<number>> = {short: awaitShort, calls: awaitCalls, value: awaitValue, sleep: awaitSleep};
const run = runs[mode]!;
const result = await run(count);
console.log(`awaits ${mode}: ${count} awaits (sum ${result}) in ${(performance.now() - started).toFixed(0)} ms`);
