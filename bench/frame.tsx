// Time to build one dashboard frame from models of 100 and 10,000 tasks.
// Build: node scripts/build.mjs; run: node dist/bench-frame.js [frames] [columns] [rows]
import {render} from 'ink-testing-library';
import {apply} from '../source/model/reducer.js';
import {createState, type ModelState} from '../source/model/state.js';
import type {ModelSource} from '../source/model/source.js';
import {DashboardView} from '../source/ui/components/dashboard-view.js';
import {buildScreen} from '../source/ui/view-model/screen.js';
import {buildTreeRows} from '../source/ui/view-model/tree-rows.js';
import {INITIAL_UI} from '../source/ui/view-model/ui-state.js';

const FRAMES = Number(process.argv[2] ?? 50);
const COLUMNS = Number(process.argv[3] ?? 160);
const ROWS = Number(process.argv[4] ?? 50);
const STARTED_AT = Date.now();

/** A script task fanning out `count` leaf tasks, each awaiting an HTTP request; a third of them done, one loop block open. */
function syntheticModel(count: number): ModelState {
	const state = createState();
	apply(state, {type: 'header', protocol: 1, script: 'bench.ts', argv: [], cwd: '/', node: process.version, pid: 1, startedAt: STARTED_AT, blockThresholdMs: 50, redacted: false});
	apply(state, {type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'main', loc: 'bench.ts:1:1'});
	for (let i = 0; i < count; i++) {
		const id = 2 + i * 2;
		const t = i * 0.2;
		apply(state, {type: 'task.start', t, id, parent: 1, kind: 'task', name: `request-${i}`, loc: `src/load.ts:${10 + (i % 90)}:3`});
		apply(state, {type: 'op.start', t, id: id + 1, parent: id, kind: 'http', name: `GET /item/${i}`, http: {method: 'GET', url: `https://api.example.com/item/${i}`}});
		apply(state, {type: 'task.await', t, id, site: 'src/load.ts:11:5', on: {kind: 'op', id: id + 1}, busy: 0.1});
		apply(state, {type: 'op.phase', t: t + 5, id: id + 1, phase: 'sent', queueMs: 1, connectMs: 4});
		if (i % 3 === 0) {
			apply(state, {type: 'op.end', t: t + 40, id: id + 1, ok: true, status: 200, bytes: 512});
			apply(state, {type: 'task.resume', t: t + 41, id, readyAt: t + 40, wait: 40, sched: 1});
			apply(state, {type: 'task.end', t: t + 42, id, ok: true, busy: 1, wait: 40, sched: 1, awaits: 1});
		}
		if (i % 100 === 0) apply(state, {type: 'loop', t, delayMs: i % 7, utilization: 0.5});
	}
	const last = count * 0.2;
	apply(state, {type: 'block.start', t: last, id: 1, task: 2, detectedAt: last + 50});
	return state;
}

const staticSource = (state: ModelState): ModelSource => ({state, subscribe: () => () => {}});

/**
 * Median ms per frame over `frames` redraws of one mounted dashboard, as the
 * live monitor redraws it: the clock moves on by a frame each time, so the
 * view model, React, Yoga and Ink's output all run again. Work the dashboard
 * does apart from drawing (insights, once a second) is not part of a frame.
 */
function msPerFrame(state: ModelState, frames: number): number {
	const source = staticSource(state);
	let nowMs = state.nowMs + 100;
	const view = () => (
		<DashboardView
			source={source}
			title="bench.ts"
			ascii={false}
			color={true}
			exitOnEnd={false}
			onInterrupt={() => {}}
			onQuit={() => {}}
			size={{columns: COLUMNS, rows: ROWS}}
			wallClock={() => STARTED_AT + nowMs}
		/>
	);
	const instance = render(view());
	// A terminal has rows; ink-testing-library's stdout has none, and without them Ink would run `tput` at each frame.
	Object.defineProperty(instance.stdout, 'rows', {value: ROWS});
	const frame = (): void => {
		nowMs += 66;
		instance.rerender(view());
	};
	for (let i = 0; i < 5; i++) frame();
	const samples: number[] = [];
	for (let i = 0; i < frames; i++) {
		const start = performance.now();
		frame();
		samples.push(performance.now() - start);
	}
	instance.unmount();
	samples.sort((a, b) => a - b);
	return samples[Math.floor(samples.length / 2)]!;
}

/**
 * Median ms to build a frame's content: the task tree (sorted, filtered) and
 * the screen's styled lines, with no React and no Ink. The tree is rebuilt
 * each time, as it is when the model changes.
 */
function msPerBuild(state: ModelState, frames: number): number {
	const samples: number[] = [];
	for (let i = 0; i < frames + 5; i++) {
		const nowMs = state.nowMs + 100 + i * 66;
		const start = performance.now();
		const rows = buildTreeRows(state, INITIAL_UI.query, nowMs);
		buildScreen({state, ui: INITIAL_UI, rows, nowMs, size: {columns: COLUMNS, rows: ROWS}, title: 'bench.ts', ascii: false, replay: undefined, summary: null, insights: []});
		if (i >= 5) samples.push(performance.now() - start);
	}
	samples.sort((a, b) => a - b);
	return samples[Math.floor(samples.length / 2)]!;
}

const smallBuild = msPerBuild(syntheticModel(100), FRAMES);
const largeBuild = msPerBuild(syntheticModel(10_000), FRAMES);
const small = msPerFrame(syntheticModel(100), FRAMES);
const large = msPerFrame(syntheticModel(10_000), FRAMES);
console.log(`frame ${COLUMNS}x${ROWS}, median of ${FRAMES}`);
console.log(`  building the frame (tree and lines, no React or Ink)`);
console.log(`    100 tasks:    ${smallBuild.toFixed(2)} ms/frame`);
console.log(`    10,000 tasks: ${largeBuild.toFixed(2)} ms/frame (${(largeBuild / smallBuild).toFixed(1)}x)`);
console.log(`  redrawing it through React and Ink (ink-testing-library)`);
console.log(`    100 tasks:    ${small.toFixed(2)} ms/frame`);
console.log(`    10,000 tasks: ${large.toFixed(2)} ms/frame (${(large / small).toFixed(1)}x)`);
