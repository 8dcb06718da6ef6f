// A baseline async tracker built the way existing Node tools do it: an
// async_hooks hook for init/before/after/promiseResolve on every async
// resource, plus an AsyncLocalStorage that carries a "current task" context
// into everything the code starts. Loaded with
//   node --import ./bench/peer/tracker.mjs workload.ts
// It keeps a record per live resource (type, trigger, owning context, init
// time, run count, busy time) in memory, folds resolved promises into per-type
// totals, and writes a JSON summary at exit to BENCH_PEER_OUT (a file) or to
// stderr. Nothing is sent anywhere while the program runs.
import {AsyncLocalStorage, createHook, executionAsyncId} from 'node:async_hooks';
import {writeFileSync} from 'node:fs';

const now = () => performance.now();
const context = new AsyncLocalStorage();
/** asyncId -> record of a live resource. */
const live = new Map();
/** type -> {inits, runs, busyMs, resolved} */
const byType = new Map();
const counts = {init: 0, before: 0, after: 0, promiseResolve: 0};
/** The stack of resources whose callbacks run now, with their start times. */
const running = [];

function totals(type) {
	let entry = byType.get(type);
	if (!entry) byType.set(type, (entry = {inits: 0, runs: 0, busyMs: 0, resolved: 0}));
	return entry;
}

const hook = createHook({
	init(asyncId, type, triggerAsyncId) {
		counts.init++;
		const store = context.getStore();
		live.set(asyncId, {type, trigger: triggerAsyncId, task: store?.id ?? 0, initAt: now(), runs: 0, busyMs: 0});
		totals(type).inits++;
	},
	before(asyncId) {
		counts.before++;
		running.push(asyncId, now());
	},
	after(asyncId) {
		counts.after++;
		const startedAt = running.pop();
		running.pop();
		const spent = now() - startedAt;
		const record = live.get(asyncId);
		if (record) {
			record.runs++;
			record.busyMs += spent;
		}
		// Only resolved promises leave `live` before their reactions run.
		const entry = totals(record ? record.type : 'PROMISE');
		entry.runs++;
		entry.busyMs += spent;
	},
	promiseResolve(asyncId) {
		counts.promiseResolve++;
		const record = live.get(asyncId);
		if (!record) return;
		totals(record.type).resolved++;
		// A resolved promise's reactions run once more at most: keep only its totals.
		live.delete(asyncId);
	},
});
hook.enable();
// The script's top level is task 1; tools that name tasks do context.run(...) per unit of work.
context.enterWith({id: 1, name: 'script', startedAt: now(), root: executionAsyncId()});

process.on('exit', code => {
	hook.disable();
	const summary = {
		exitCode: code,
		events: counts.init + counts.before + counts.after + counts.promiseResolve,
		counts,
		liveResources: live.size,
		byType: Object.fromEntries(byType),
	};
	const text = `${JSON.stringify(summary)}\n`;
	if (process.env.BENCH_PEER_OUT) writeFileSync(process.env.BENCH_PEER_OUT, text);
	else process.stderr.write(text);
});
