// 100,000 short tasks spawned in waves of 1,000: Promise.all of 1,000 calls of
// an async function, 100 times, one wave after the other.
//   node bench/workloads/tasks.ts [waves] [perWave]
// Env: TASK_WAVES (100), TASK_WAVE_SIZE (1000).
// Tasks under asyncmon: waves x perWave `work` calls + waves `wave` calls
// (the top level is the script itself, not a task).
const waves = Number(process.argv[2] ?? process.env.TASK_WAVES ?? 100);
const perWave = Number(process.argv[3] ?? process.env.TASK_WAVE_SIZE ?? 1000);

async function work(i: number): Promise<number> {
	await Promise.resolve();
	return i * 2;
}

async function wave(w: number): Promise<number> {
	const calls: Promise<number>[] = [];
	for (let i = 0; i < perWave; i++) calls.push(work(w * perWave + i));
	const results = await Promise.all(calls);
	return results.length;
}

const started = performance.now();
let done = 0;
for (let w = 0; w < waves; w++) done += await wave(w);
console.log(`tasks: ${done} tasks in ${waves} waves of ${perWave} in ${(performance.now() - started).toFixed(0)} ms`);
