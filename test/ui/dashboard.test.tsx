import stringWidth from 'string-width';
import {afterEach, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import type {ReplayControls} from '../../source/model/source.js';
import {apply} from '../../source/model/reducer.js';
import {IDS_PER_PROCESS, IDS_PER_THREAD} from '../../source/protocol/events.js';
import {OUTPUT_RETAINED_LINES} from '../../source/model/state.js';
import {textWidth} from '../../source/present/text.js';
import {event, FakeSession} from '../helpers/events.js';
import {controlCharacters, HOSTILE_STRINGS, hostileSession} from '../helpers/hostile.js';
import {busySession, largeSession} from './fixtures.js';
import {KEYS, renderDashboard, type Rendered} from './render.js';

afterEach(() => cleanup());

/** The table or timeline row of a task: gutter, state icon, indentation, then its name. */
const rowOf = (view: Rendered, name: string): string => view.lines().find(line => new RegExp(`^[ ›*]\\S+ +${name} `).test(line)) ?? '';
/** `count` tasks, each awaiting a GET through a pool of 4 connections: those past the fourth queue. */
function fanOut(script: string, count: number, task: (i: number) => {name: string; loc: string; url: string}): FakeSession {
	const session = new FakeSession({script}).emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: `${script}:1:1`});
	for (let i = 0; i < count; i++) {
		const id = 10 + i * 2;
		const {name, loc, url} = task(i);
		const queue = i >= 4 ? {queue: {ahead: i - 4, inFlight: 4}} : {};
		session
			.emit('task.start', {t: 1, id, parent: 1, name, loc})
			.emit('op.start', {t: 1, id: id + 1, parent: id, kind: 'http', name: `GET ${new URL(url).pathname}`, http: {method: 'GET', url, client: 'undici', ...queue}})
			.emit('task.await', {t: 1, id, on: {kind: 'op', id: id + 1}});
	}
	return session;
}

const indentOf = (view: Rendered, name: string): number => {
	const line = rowOf(view, name);
	return line.indexOf(name) - 4;
};

describe('dashboard: header and table', () => {
	it('counts tasks per state with icons, and shows concurrency and HTTP in flight', async () => {
		const view = await renderDashboard(busySession(), {nowMs: 1400});
		expect(view.lines()[0]).toMatch(/^asyncmon server\.ts\s+00:01\.4\s+running/);
		expect(view.lines()[1]).toContain('▶ 1 running  ⏸ 2 waiting  ⏫ 0 ready  ✔ 1 done  ✖ 1 failed');
		expect(view.lines()[1]).toMatch(/concurrency \d+\.\d×  http 1 in flight/);
		expect(rowOf(view, 'crunch')).toMatch(/^ ▶ /);
		expect(rowOf(view, 'boot')).toMatch(/^ ✔ /);
		expect(rowOf(view, 'flaky')).toMatch(/^ ✖ /);
	});

	it('counts requests queued in a pool apart from those in flight, and says what their tasks wait on', async () => {
		const session = new FakeSession({script: 'fanout.ts'}).emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'fanout.ts:1:1'});
		for (const [i, queue] of [null, null, {ahead: 0, inFlight: 2}, {ahead: 1, inFlight: 2}].entries()) {
			const task = 10 + i * 2;
			session
				.emit('task.start', {t: 1, id: task, parent: 1, name: `get(${i})`, loc: 'fanout.ts:3:1'})
				.emit('op.start', {t: 1, id: task + 1, parent: task, kind: 'http', name: `GET /items/${i}`, http: {method: 'GET', url: `http://h/items/${i}`, client: 'undici', ...(queue ? {queue} : {})}})
				.emit('task.await', {t: 1, id: task, on: {kind: 'op', id: task + 1}});
		}
		const view = await renderDashboard(session, {nowMs: 400, columns: 160});
		expect(view.lines()[1]).toMatch(/http 2 in flight, 2 queued/);
		expect(rowOf(view, 'get\\(3\\)')).toContain('GET /items/3 · queued 399ms (2 in flight)');
		session.emit('op.dequeued', {t: 450, id: 15}).emit('op.end', {t: 460, id: 17, ok: false, error: {name: 'TimeoutError', message: 'aborted'}});
		const later = await renderDashboard(session, {nowMs: 500, columns: 160});
		expect(later.lines()[1]).toMatch(/http 3 in flight, 1 failed/);
		expect(rowOf(later, 'get\\(2\\)')).toContain('GET /items/2 · connecting');
	});

	it('fits the counts line at 80 columns: the state words go, the HTTP counts stay', async () => {
		const session = fanOut('fanout.ts', 12, i => ({name: `get(${i})`, loc: 'fanout.ts:3:1', url: `http://h/items/${i}`}));
		session.emit('op.end', {t: 300, id: 11, ok: true, status: 500});
		const view = await renderDashboard(session, {nowMs: 400, columns: 80});
		const counts = view.lines()[1]!;
		expect(counts).toMatch(/^▶ 0 +⏸ 12 +⏫ 0 +✔ 0 +✖ 0 +conc(urrency)? \d+\.\d× +http 3 in flight, 8 queued, 1 failed$/);
		const wide = await renderDashboard(session, {nowMs: 400, columns: 160});
		expect(wide.lines()[1]).toMatch(/^▶ 0 running  ⏸ 12 waiting  ⏫ 0 ready  ✔ 0 done  ✖ 0 failed  concurrency \d+\.\d×  http 3 in flight, 8 queued, 1 failed$/);
	});

	it('gives spare columns to the text that is cut, not to a name column with blank space', async () => {
		const session = fanOut('examples/09-http-fanout.ts', 6, () => ({name: 'getDelayed(1000)', loc: 'examples/09-http-fanout.ts:39:1', url: 'http://127.0.0.1:4000/delay/1000'}));
		const view = await renderDashboard(session, {nowMs: 2090, columns: 150, rows: 40});
		const queued = view.lines().filter(line => line.includes('getDelayed(1000)') && line.includes('queued 2.09s'));
		expect(queued).toHaveLength(2);
		for (const line of queued) {
			expect(line).toContain('09-http-fanout.ts:39');
			expect(line).toContain('queued 2.09s (4 in flight)');
		}
	});

	it('labels each sparkline with what it plots, its last value and its scale; an idle loop reads no delay', async () => {
		const session = busySession();
		session.emit('block.end', {t: 1500, id: 1, durationMs: 1300, task: 6});
		// The sampler's histogram reads its own 10 ms resolution on a loop with nothing to do.
		for (const [t, delayMs] of [[1600, 10.1], [1850, 10.2], [2100, 35], [2350, 10.3]] as const) session.emit('loop', {t, delayMs, utilization: 0});
		const view = await renderDashboard(session, {nowMs: 2400, columns: 120});
		const line = view.lines()[2]!;
		// The busy session's loop read 60 ms once, a 50 ms delay; now 10.3 ms, 0.3 ms late. Its three pending tasks are in flight, not the script.
		expect(line).toMatch(/^loop OK \(1 block so far\)  tasks in flight \S+ +3 \(max 3\)  loop delay \S+ +0\.3ms \(max 50ms\)$/);
		expect(line).not.toMatch(/10(\.\d)?ms/);
		expect(view.lines()[1]).toContain('http 1 in flight');
		const narrow = await renderDashboard(session, {nowMs: 2400, columns: 80});
		// Short labels; the scale is that of the points shown, the latest four.
		expect(narrow.lines()[2]).toMatch(/^loop OK \(1 block so far\)  tasks \S+ +3 \(max 3\)  delay \S+ +0\.3ms \(max 25ms\)$/);
	});

	it("while the script's loop is blocked, the loop delay reads the block so far, as the banner beside it does", async () => {
		const session = busySession();
		const view = await renderDashboard(session, {nowMs: 1400, columns: 140});
		const line = view.lines()[2]!;
		expect(line).toMatch(/^ ?BLOCKED 1\.20s by /);
		expect(line).toMatch(/loop delay \S+ +1\.20s \(max 1\.20s\)$/);
	});

	it("the sparkline's last value is the latest, not its last bucket's largest: after the run, none in flight", async () => {
		const session = new FakeSession({script: 'ticks.ts'}).emit('task.start', {t: 0, id: 1, kind: 'script', name: 'ticks.ts', loc: 'ticks.ts:1:1'});
		for (const id of [2, 3, 4]) session.emit('task.start', {t: 10, id, parent: 1, name: `tick(${id})`, loc: 'ticks.ts:3:1'});
		// All resume together after a block, and end within 50 ms of each other.
		for (const id of [2, 3, 4, 1]) session.emit('task.end', {t: 1000 + id, id});
		session.emit('exit', {t: 1010, code: 0, signal: null});
		const view = await renderDashboard(session, {nowMs: 1010, columns: 120});
		expect(view.lines()[1]).toMatch(/^✔ 3 done  ✖ 0 failed  concurrency/);
		expect(view.lines()[2]).toMatch(/tasks in flight \S+ +0 \(max 3\)/);
	});

	it('shows the live BLOCKED banner with duration, culprit and location, then loop OK', async () => {
		const session = busySession();
		const view = await renderDashboard(session, {nowMs: 1400});
		expect(view.lines()[2]).toContain('BLOCKED 1.20s by crunch() src/cpu.ts:12:7');
		session.emit('block.end', {t: 1500, id: 1, durationMs: 1300, task: 6});
		await view.press();
		expect(view.lines()[2]).toMatch(/^loop OK \(1 block so far\)/);
	});

	it('indents children under parents and ops under the task that made them', async () => {
		const view = await renderDashboard(busySession(), {nowMs: 1400, columns: 160});
		expect(indentOf(view, 'fetchUsers')).toBe(indentOf(view, 'main') + 2);
		// Cut where it tells least: the scheme and host go, the path stays.
		expect(rowOf(view, 'http')).toContain('http GET …/api/users?page=2');
		expect(indentOf(view, 'http')).toBe(indentOf(view, 'fetchUsers') + 2);
		expect(rowOf(view, 'fetchUsers')).toContain('GET /api/users?page=2 · ttfb 1.36s');
		expect(rowOf(view, 'sleepy')).toContain('timer 1.00s');
		expect(rowOf(view, 'main')).toContain('task #3 fetchUsers');
	});

	it("says a race waits on the first of its members, and Promise.all on all of them", async () => {
		const session = new FakeSession({script: 'race.ts'})
			.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'race.ts', loc: 'race.ts:1:1'})
			.emit('task.start', {t: 1, id: 2, parent: 1, name: 'withTimeout', loc: 'race.ts:3:1'})
			.emit('task.start', {t: 2, id: 3, parent: 2, name: 'fetchUser', loc: 'race.ts:8:1'})
			.emit('task.start', {t: 3, id: 4, parent: 2, name: 'fetchOrders', loc: 'race.ts:9:1'})
			.emit('task.await', {t: 4, id: 2, on: {kind: 'promise', tasks: [3, 4], first: 'race'}})
			.emit('task.start', {t: 5, id: 5, parent: 1, name: 'gather', loc: 'race.ts:12:1'})
			.emit('task.await', {t: 6, id: 5, on: {kind: 'promise', tasks: [3, 4]}});
		const view = await renderDashboard(session, {nowMs: 400, columns: 160});
		expect(rowOf(view, 'withTimeout')).toContain('the first of 2 tasks');
		expect(rowOf(view, 'gather')).toContain('2 tasks');
		expect(rowOf(view, 'gather')).not.toContain('first');
	});

	it('sorts by the column picked with s / < / >, shown in the header row, and i inverts', async () => {
		const view = await renderDashboard(busySession(), {nowMs: 1400});
		await view.press('s', 's', 's', 's');
		expect(view.frame()).toContain('total▼');
		const order = (): string[] => ['boot', 'fetchUsers', 'sleepy', 'flaky', 'crunch'].sort((a, b) => view.lines().indexOf(rowOf(view, a)) - view.lines().indexOf(rowOf(view, b)));
		expect(order()).toEqual(['fetchUsers', 'sleepy', 'crunch', 'flaky', 'boot']);
		await view.press('i');
		expect(view.frame()).toContain('total▲');
		expect(order()).toEqual(['boot', 'flaky', 'crunch', 'sleepy', 'fetchUsers']);
		await view.press('<');
		expect(view.frame()).toContain('location▲');
	});

	// The state's icons and the status beside them sort by one key: one arrow, on the icons, and `status` whole.
	it('marks one column sorted by state, the icons, and leaves the status column\'s title whole', async () => {
		const view = await renderDashboard(busySession(), {nowMs: 1400, columns: 160});
		await view.press('s');
		const titles = view.lines().find(line => /\bname\b/.test(line) && /\blocation\b/.test(line))!;
		expect(titles).toMatch(/^ [▲▼] +name /);
		expect(titles).toMatch(/ status /);
		expect(titles.match(/[▲▼]/g)).toHaveLength(1);
	});

	it('filters with / by name, location or URL, and Esc clears', async () => {
		const view = await renderDashboard(busySession(), {nowMs: 1400});
		await view.press('/', 'c', 'p', 'u');
		expect(view.lines().at(-1)).toContain('/cpu█');
		await view.press(KEYS.enter);
		expect(view.frame()).toContain('crunch');
		expect(view.frame()).not.toContain('sleepy');
		expect(view.lines().at(-1)).toContain('filter "cpu"');
		await view.press(KEYS.escape);
		expect(view.frame()).toContain('sleepy');
	});

	it('hides and shows finished rows with c', async () => {
		const view = await renderDashboard(busySession(), {nowMs: 1400});
		await view.press('c');
		expect(view.frame()).not.toContain(' boot ');
		expect(view.frame()).toContain('crunch');
		await view.press('c');
		expect(view.frame()).toContain(' boot ');
	});

	it('says a filter that matches only finished rows, while they are hidden, matches nothing among the others, and that c shows them', async () => {
		const view = await renderDashboard(busySession(), {nowMs: 1400});
		await view.press('c', '/', 'b', 'o', 'o', 't', KEYS.enter);
		expect(view.frame()).toContain('nothing matches "boot" among the tasks not finished (c shows the finished too)');
		await view.press('c');
		expect(view.frame()).toContain(' boot ');
	});
});

describe('dashboard: child processes', () => {
	it("shows a followed process as a lane under the task that started it, its tasks under it, and how it ended in the status column", async () => {
		const lane = IDS_PER_PROCESS + 1;
		const session = new FakeSession({script: 'parent.mjs'})
			.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'parent.mjs:1:1'})
			.emit('task.start', {t: 1, id: 2, parent: 1, name: 'forkChild', loc: 'parent.mjs:3:1'})
			.emit('task.start', {t: 40, id: lane, parent: 2, kind: 'process', name: 'pid 4242: node child.mjs', loc: null, process: {pid: 4242, command: 'node child.mjs'}})
			.emit('task.start', {t: 41, id: lane + 1, parent: lane, name: 'childWork', loc: 'child.mjs:9:1'})
			.emit('op.start', {t: 50, id: 3, parent: 2, kind: 'child', name: 'sh -c exit 3', process: {pid: 4243, command: 'sh -c exit 3'}})
			.emit('op.end', {t: 60, id: 3, ok: false, exit: {code: 3, signal: null}, error: {name: 'ProcessExit', message: 'exited with code 3'}});
		const view = await renderDashboard(session, {nowMs: 100, columns: 160});
		expect(rowOf(view, 'pid 4242: node child.mjs')).toMatch(/^ ▶ /);
		expect(indentOf(view, 'pid 4242: node child.mjs')).toBe(indentOf(view, 'forkChild') + 2);
		expect(indentOf(view, 'childWork')).toBe(indentOf(view, 'pid 4242: node child.mjs') + 2);
		expect(rowOf(view, 'child')).toMatch(/child sh -c exit 3 \(pid 4243\) +3 /);
		session.emit('task.end', {t: 90, id: lane, ok: false, exit: {code: null, signal: 'SIGKILL'}, error: {name: 'ProcessExit', message: 'killed by SIGKILL'}});
		await view.press();
		expect(rowOf(view, 'pid 4242: node child.mjs')).toMatch(/^ ✖ +pid 4242: node child\.mjs +KILL /);
		expect(rowOf(view, 'childWork')).toMatch(/^ ✖ /);
	});
});

describe('dashboard: a followed process\'s output', () => {
	it("shows a process lane's last lines in its details, how much it wrote, and none of them in the script's output pane", async () => {
		const lane = IDS_PER_PROCESS + 1;
		const session = new FakeSession({script: 'parent.mjs'})
			.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'parent.mjs:1:1'})
			.emit('task.start', {t: 40, id: lane, parent: 1, kind: 'process', name: 'pid 4242: node child.mjs', loc: null, process: {pid: 4242, command: 'node child.mjs'}});
		for (let i = 1; i <= 12; i++) session.emit('output', {t: 40 + i, text: `child line ${i}\n`, lane});
		session
			.emit('output', {t: 60, stream: 'stderr', text: 'child complains \x1b[31mloudly\n', lane})
			.emit('output', {t: 61, text: '\uFFFD\u0000 binary\n', base64: Buffer.from([0xff, 0, ...Buffer.from(' binary\n')]).toString('base64'), lane})
			.emit('output', {t: 62, text: 'the script speaks\n'});
		const view = await renderDashboard(session, {nowMs: 100, columns: 120, rows: 40});
		await view.press('o');
		expect(view.frame()).toContain('the script speaks');
		expect(view.frame()).not.toContain('child line');
		await view.press(KEYS.escape, 'j', KEYS.enter);
		const frame = view.frame();
		expect(frame).toContain('pid 4242: node child.mjs  process #');
		expect(frame).toContain('Output  14 lines, 197B to stdout and stderr; the last lines:');
		const shown = view.lines().filter(line => /^ {2}00:00\.\d /.test(line));
		expect(shown.map(line => line.replace(/^ {2}00:00\.\d+ /, '').trimEnd())).toEqual([
			...Array.from({length: 8}, (_, i) => `child line ${i + 5}`),
			'child complains loudly',
			'� binary',
		]);
		expect(frame).not.toContain('child line 4\n');
	});
});

describe('dashboard: a followed process blocked', () => {
	const lane = IDS_PER_PROCESS + 1;
	const childBlock = IDS_PER_PROCESS + 1;
	/** The script sleeps in main() while its child crunches from t = 200, its loop blocked. */
	const blockedChild = (): FakeSession =>
		new FakeSession({script: 'parent.mjs'})
			.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'parent.mjs:1:1'})
			.emit('task.start', {t: 1, id: 2, parent: 1, name: 'forkChild', loc: 'parent.mjs:3:1'})
			.emit('task.await', {t: 2, id: 2, on: {kind: 'promise'}})
			.emit('task.start', {t: 40, id: lane, parent: 2, kind: 'process', name: 'pid 4242: node worker.js', loc: null, process: {pid: 4242, command: 'node worker.js'}})
			.emit('task.start', {t: 41, id: lane + 1, parent: lane, name: 'crunch', loc: 'worker.js:5:1'})
			.emit('block.start', {t: 200, id: childBlock, task: lane + 1, detectedAt: 260})
			.emit('block.stack', {t: 262, id: childBlock, frames: [{fn: 'crunch', loc: 'worker.js:7:3'}]});

	it('the banner names no task while the blocked thread has not told of it, and names it once its stack comes', async () => {
		const session = new FakeSession({script: 'app.mjs'}).emit('task.start', {t: 0, id: 1, kind: 'script', name: 'app.mjs', loc: 'app.mjs:1:1'}).emit('block.start', {t: 100, id: 1, task: 9, detectedAt: 160});
		const view = await renderDashboard(session, {nowMs: 200, columns: 160});
		expect(view.lines()[2]).toMatch(/BLOCKED 100ms {2}/);
		expect(view.lines()[2]).not.toContain('not reported');
		session.emit('block.stack', {t: 201, id: 1, frames: [{fn: 'hash', loc: 'app.mjs:4:9'}]});
		await view.press();
		expect(view.lines()[2]).toContain('BLOCKED 101ms by hash() app.mjs:4:9');
	});

	it("the banner names the process whose loop is blocked; the script's own block comes first", async () => {
		const session = blockedChild();
		const view = await renderDashboard(session, {nowMs: 720, columns: 160});
		expect(view.lines()[2]).toContain('BLOCKED 520ms in pid 4242 (node worker.js) by crunch() worker.js:7:3');
		session.emit('block.start', {t: 700, id: 1, task: 1, detectedAt: 760});
		await view.press();
		expect(view.lines()[2]).toContain('BLOCKED');
		expect(view.lines()[2]).not.toContain('pid 4242');
		session.emit('block.end', {t: 800, id: 1, durationMs: 100, task: 1}).emit('block.end', {t: 900, id: childBlock, durationMs: 700, task: lane + 1});
		await view.press();
		expect(view.lines()[2]).toMatch(/^loop OK \(2 blocks so far\)/);
	});

	it("the timeline draws the block on the process's lane, not on the script's rows", async () => {
		const session = blockedChild()
			.emit('block.end', {t: 900, id: childBlock, durationMs: 700, task: lane + 1})
			// A task of each process that starts after the block: the lane's row is marked blocked before it, the script's is not.
			.emit('task.start', {t: 950, id: lane + 2, parent: lane, name: 'childLater', loc: 'worker.js:9:1'})
			.emit('task.start', {t: 950, id: 3, parent: 1, name: 'scriptLater', loc: 'parent.mjs:9:1'});
		const view = await renderDashboard(session, {nowMs: 1000, ascii: true});
		await view.press('t');
		// The ruler marks the script's own blocks: none.
		expect(view.lines()[3]).not.toContain('|');
		expect(rowOf(view, 'childLater')).toMatch(/childLater\s+ *\|+ *#+$/);
		expect(rowOf(view, 'scriptLater')).toMatch(/scriptLater\s+#+$/);
	});
});

describe('dashboard: details, timeline, output, help', () => {
	it('opens details with Enter: parents, children, await sites, HTTP phases; Esc goes back', async () => {
		const session = busySession()
			.emit('op.phase', {t: 300, id: 10, phase: 'headers', status: 200})
			.emit('op.end', {t: 350, id: 10, status: 200})
			.emit('task.resume', {t: 352, id: 3, readyAt: 350, wait: 319, sched: 2});
		const view = await renderDashboard(session, {nowMs: 1400, rows: 40});
		await view.press('j', 'j', KEYS.enter);
		const frame = view.frame();
		expect(frame).toContain('fetchUsers  task #3');
		expect(frame).toContain('at src/users.ts:14:3');
		expect(frame).toContain('Parents  main #1');
		expect(frame).toContain('Children (1)');
		expect(frame).toMatch(/Await sites.*\n\s+319ms\s+1x  src\/users\.ts:15:5/);
		expect(frame).toContain('GET https://api.example.com/api/users?page=2 → 200');
		expect(frame).toMatch(/queue\s+█+ 2ms/);
		expect(frame).toMatch(/connect\s+█+ 7ms/);
		expect(frame).toMatch(/ttfb\s+█+ 260ms/);
		expect(frame).toMatch(/download\s+█+ 50ms/);
		await view.press(KEYS.escape);
		expect(view.frame()).toContain('waiting on');
	});

	it("says where a request was made, in its details: by its task, at the task's place; not 'unknown location'", async () => {
		const session = new FakeSession({script: 'app.ts'})
			.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'app.ts', loc: 'app.ts:1:1'})
			.emit('task.start', {t: 1, id: 2, parent: 1, name: 'getItem(1)', loc: 'app.ts:4:1'})
			.emit('op.start', {t: 2, id: 3, parent: 2, kind: 'http', name: 'GET /items/1', http: {method: 'GET', url: 'http://api.test/items/1'}})
			.emit('op.start', {t: 3, id: 4, parent: 1, kind: 'timer', name: 'setTimeout(100)', timer: {delayMs: 100, repeat: false}});
		const view = await renderDashboard(session, {nowMs: 50, rows: 30});
		await view.press('j', 'j', KEYS.enter);
		expect(view.frame()).toContain('made by getItem(1) (app.ts:4:1)');
		expect(view.frame()).not.toContain('unknown location');
		await view.press(KEYS.escape, 'j', KEYS.enter);
		expect(view.frame()).toContain('made by the top level of app.ts');
	});

	it("says in a received request's details what it was and how it ended, its client gone too, at 80 columns where the status column is not", async () => {
		const session = new FakeSession({script: 'server.ts'})
			.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'server.ts', loc: 'server.ts:1:1'})
			.emit('task.start', {t: 10, id: 2, parent: 1, kind: 'server', name: 'GET /users/7', loc: null, http: {method: 'GET', url: '/users/7'}})
			.emit('task.end', {t: 17.5, id: 2, ok: false, aborted: true})
			.emit('task.start', {t: 20, id: 3, parent: 1, kind: 'server', name: 'GET /users/8', loc: null, http: {method: 'GET', url: '/users/8'}})
			.emit('task.end', {t: 29.5, id: 3, status: 200, route: '/users/:id'});
		const view = await renderDashboard(session, {nowMs: 40, columns: 80, rows: 30});
		await view.press('j', KEYS.enter);
		expect(view.frame()).toContain('received GET /users/7: aborted by the client after 7.5ms');
		expect(view.frame()).not.toContain('unknown location');
		await view.press(KEYS.escape, 'j', KEYS.enter);
		expect(view.frame()).toContain('received GET /users/8 (route /users/:id): 200 in 9.5ms');
	});

	it('shows an error with its stack, and the stack of a block', async () => {
		const view = await renderDashboard(busySession(), {nowMs: 1400, rows: 40});
		await view.press('G', KEYS.enter);
		expect(view.frame()).toContain('Blocked the event loop 1x');
		expect(view.frame()).toMatch(/1\.20s at 200ms \(still blocked\)/);
		expect(view.frame()).toContain('hashAll (src/cpu.ts:30:3)');
		await view.press(KEYS.escape, 'k', KEYS.enter);
		expect(view.frame()).toContain('TypeError: boom');
		expect(view.frame()).toContain('at flaky (src/flaky.ts:9:11)');
	});

	it('draws the timeline with running, waiting and blocked spans', async () => {
		const view = await renderDashboard(busySession(), {nowMs: 1400, ascii: true});
		await view.press('t');
		const title = view.lines()[3]!;
		expect(title).toMatch(/^ task\s+0-{11}\|+1\.40s$/);
		expect(rowOf(view, 'crunch')).toMatch(/crunch\s+ *#+$/);
		expect(rowOf(view, 'boot')).toMatch(/boot\s+#+ *\|+$/);
		expect(rowOf(view, 'sleepy')).toMatch(/sleepy\s+ *-+$/);
	});

	it('shows output in its own pane, cleaned and cut to the width', async () => {
		const session = busySession()
			.emit('output', {t: 300, text: `\x1b[31mred\x1b[0m ${'long '.repeat(40)}`})
			.emit('output', {t: 310, text: 'oops', stream: 'stderr'});
		const view = await renderDashboard(session, {nowMs: 1400, columns: 80});
		await view.press('o');
		expect(view.frame()).toContain('output (2 lines)');
		const line = view.lines().find(l => l.startsWith('00:00.3 red long'))!;
		expect(line.length).toBe(80);
		expect(line.endsWith('…')).toBe(true);
		expect(view.frame()).toContain('00:00.3 oops');
	});

	it('lays out emoji in names and output as the terminal does: no line wider than it, the columns in line', async () => {
		const names = ['deploy🚀(1)', 'check✅(2)', 'team👨‍👩‍👧(3)', 'ok👍🏽(4)', 'fr🇫🇷(5)', 'plain(6)'];
		const session = new FakeSession({script: 'emoji.ts'}).emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'emoji.ts:1:1'});
		for (const [i, name] of names.entries()) session.emit('task.start', {t: 1, id: 10 + i, parent: 1, name, loc: 'emoji.ts:3:1'});
		session.emit('output', {t: 5, text: `${'🚀 launched ✅ '.repeat(12)}\n`});
		for (const columns of [80, 160]) {
			const view = await renderDashboard(session, {nowMs: 400, columns});
			for (const line of view.lines()) expect(stringWidth(line), line).toBeLessThanOrEqual(columns);
			// Each row's location column starts in the same cell, whatever the emoji before it.
			const starts = names.map(name => {
				const row = view.lines().find(line => line.includes(name))!;
				return stringWidth(row.slice(0, row.indexOf('emoji.ts:3:1')));
			});
			expect(new Set(starts).size, starts.join(' ')).toBe(1);
			await view.press('o');
			const output = view.lines().find(line => line.startsWith('00:00.0 🚀 launched'))!;
			// Cut to the width, a wide character that would cross the edge left out.
			expect(stringWidth(output)).toBeGreaterThanOrEqual(columns - 1);
			expect(output.endsWith('…')).toBe(true);
			view.unmount();
		}
	});

	it('says its keys in whole words at 80 columns: those that fit, ? help among them', async () => {
		const view = await renderDashboard(busySession(), {nowMs: 1400, columns: 80});
		const keys = view.lines().at(-1)!;
		expect(keys).toMatch(/^q quit {2}\? help {2}n insights/);
		expect(keys).not.toContain('…');
		expect(textWidth(keys)).toBeLessThanOrEqual(80);
		// Each hint shown whole: every two-space-separated piece is a key and its word.
		for (const hint of keys.trim().split(/ {2,}/)) expect(hint, keys).toMatch(/^\S+ \S.*$/);
		const wide = await renderDashboard(busySession(), {nowMs: 1400, columns: 200});
		expect(wide.lines().at(-1)!.startsWith(keys.trimEnd())).toBe(true);
		expect(wide.lines().at(-1)!.length).toBeGreaterThan(keys.trimEnd().length);
	});

	it('shows an insights badge in the header; n opens the insights pane and Esc closes it', async () => {
		const session = busySession();
		session.emit('block.end', {t: 1500, id: 1, durationMs: 1300, task: 6});
		const view = await renderDashboard(session, {nowMs: 1600, columns: 120});
		expect(view.lines()[0]).toMatch(/\d+ insights? \(n\)/);
		await view.press('n');
		expect(view.frame()).toContain('▸ blocked-loop');
		expect(view.frame()).toMatch(/crunch\(\)? at src\/cpu\.ts:12 blocked the event loop for 1\.30s/);
		await view.press(KEYS.escape);
		expect(view.frame()).not.toContain('▸ blocked-loop');
	});

	// Insights are worked out a second or more apart (see insightsPauseMs): the pane, opened, shows what holds then.
	it('opens the insights pane on what holds as it opens, not on the latest pass', async () => {
		const session = busySession();
		const view = await renderDashboard(session, {nowMs: 1600, columns: 120});
		session.emit('block.end', {t: 1500, id: 1, durationMs: 1300, task: 6});
		await view.press('n');
		expect(view.frame()).toContain('▸ blocked-loop');
	});

	it('at 80x24 scrolls help to its legend and insights to the fifth, with j/k and PgUp/PgDn', async () => {
		const session = busySession();
		for (let n = 1; n <= 5; n++) {
			session.emit('task.start', {t: 300 + n, id: 100 + n, parent: 1, name: `dropped${n}()`, loc: `src/drop.ts:${n}:1`});
			session.emit('floating', {t: 300 + n, task: 100 + n, by: 1, site: `src/drop.ts:${10 + n}:3`});
		}
		const view = await renderDashboard(session, {nowMs: 1400, columns: 80, rows: 24});
		await view.press('?');
		expect(view.frame()).not.toContain('Concurrency:');
		expect(view.frame()).toMatch(/↓ \d+ more below/);
		await view.press(KEYS.pageDown, KEYS.pageDown);
		expect(view.frame()).toContain('Concurrency:');
		expect(view.frame().replace(/\s+/g, ' ')).toContain('a task sat ready while the loop ran another, or waited on other tasks, does not count ↑');
		expect(view.frame()).toMatch(/↑ \d+ above/);
		await view.press(KEYS.pageUp, KEYS.pageUp);
		expect(view.frame()).toContain('Keys  (Esc or ? to close)');
		await view.press(KEYS.escape, 'n');
		expect(view.frame()).toContain('dropped1() was called without await');
		expect(view.frame()).not.toContain('dropped5() was called without await');
		for (let press = 0; press < 40 && !view.frame().includes('dropped5() was called without await'); press++) await view.press('j');
		expect(view.frame()).toContain('dropped5() was called without await');
		await view.press('k');
		expect(view.lines().length).toBeLessThanOrEqual(24);
	});

	it('opens help with ? and closes it with Esc', async () => {
		const view = await renderDashboard(busySession(), {nowMs: 1400});
		await view.press('?');
		expect(view.frame()).toContain('filter by name, location or URL');
		await view.press(KEYS.escape);
		expect(view.frame()).not.toContain('filter by name, location or URL');
	});
});

describe('dashboard: terminal and modes', () => {
	it('never draws a frame taller than the terminal, and counts rows out of view', async () => {
		const view = await renderDashboard(largeSession(300), {nowMs: 200, rows: 20, columns: 100});
		expect(view.lines()).toHaveLength(20);
		expect(view.frame()).toContain('↓ ');
		await view.press('G');
		expect(view.lines()).toHaveLength(20);
		expect(view.frame()).toMatch(/↑ \d+ more/);
		expect(view.frame()).toContain('GET /item/299 ·');
		view.rerenderAt(60, 12);
		await view.press();
		expect(view.lines()).toHaveLength(12);
		expect(Math.max(...view.lines().map(line => line.length))).toBeLessThanOrEqual(60);
	});

	it('draws a crafted recording with no escape reaching the terminal, its columns measured after sanitising', async () => {
		for (const text of HOSTILE_STRINGS) {
			const session = new FakeSession();
			for (const line of hostileSession(text).slice(1)) apply(session.state, line);
			const view = await renderDashboard(session, {nowMs: 140, columns: 100, rows: 40});
			const frames = [view.frame()];
			for (const keys of [['j', 'j', KEYS.enter], [KEYS.escape, 't'], ['t', 'o']]) {
				await view.press(...keys);
				frames.push(view.frame());
			}
			for (const frame of frames) {
				expect(controlCharacters(frame), JSON.stringify(text)).toBeNull();
				for (const line of frame.split('\n')) expect(textWidth(line), line).toBeLessThanOrEqual(100);
			}
			// The table's cells are padded to their columns: the crafted row's times line up with the script's.
			const table = frames[0]!.split('\n');
			const timesAt = (name: string): number => {
				const line = table.find(row => row.includes(name))!;
				return textWidth(line.slice(0, line.search(/\d+ms/)));
			};
			expect(timesAt('load('), JSON.stringify(text)).toBe(timesAt('app'));
			view.unmount();
		}
	});

	it('shows only "terminal too small" below 40x10', async () => {
		const view = await renderDashboard(busySession(), {columns: 39, rows: 30});
		expect(view.frame()).toBe('terminal too small (min 40x10)');
		view.rerenderAt(80, 9);
		await view.press();
		expect(view.frame()).toMatch(/^terminal too small/);
		view.rerenderAt(80, 10);
		await view.press();
		expect(view.frame()).toContain('asyncmon');
	});

	it('uses ASCII icons and bars with --ascii', async () => {
		const view = await renderDashboard(busySession(), {nowMs: 1400, ascii: true});
		expect(view.lines()[1]).toContain('> 1 running  = 2 waiting  ^ 0 ready  v 1 done  x 1 failed');
		expect(view.frame()).not.toMatch(/[▶⏸⏫✔✖█░▁▂▃▄▅▆▇↑↓▲▼›]/);
	});

	it('with --ascii, every byte of every screen is ASCII: cuts, the script\'s names and output, help, insights and details', async () => {
		const session = busySession()
			.emit('task.start', {t: 300, id: 20, parent: 1, name: `greet("café ✓ 東京", ${'"a long argument", '.repeat(6)}…)`, loc: 'src/naïve/greet.ts:3:1'})
			.emit('output', {t: 310, text: 'résumé — done ✓ 東京\n'})
			.emit('block.end', {t: 1500, id: 1, durationMs: 1300, task: 6});
		const view = await renderDashboard(session, {nowMs: 1600, columns: 80, rows: 24, ascii: true});
		const nonAscii = (): string[] => view.frame().match(/[^\x00-\x7f]/g) ?? [];
		// Cut in the middle, where nothing tells rows apart, then in ASCII.
		expect(view.frame()).toContain('greet("caf~ument", ~)');
		expect(nonAscii()).toEqual([]);
		for (const keys of [['o'], ['t'], ['?'], ['n'], ['G', KEYS.enter], ['/', 'é']]) {
			await view.press(...keys);
			expect(nonAscii(), keys.join(' ')).toEqual([]);
			await view.press(KEYS.escape);
			if (keys[0] === 'o' || keys[0] === 't') await view.press(keys[0]);
		}
		await view.press('o');
		expect(view.frame()).toContain('resume - done ? ????');
	});

	it('interrupts on the first q while the script runs, quits on the second', async () => {
		const view = await renderDashboard(busySession(), {nowMs: 1400});
		await view.press('q');
		expect([view.interrupts, view.quits]).toEqual([1, 0]);
		expect(view.lines().at(-1)).toContain('q again to quit');
		await view.press(KEYS.ctrlC);
		expect([view.interrupts, view.quits]).toEqual([1, 1]);
	});

	it('stays after the script ends with a summary and "q to exit"; q then quits at once', async () => {
		const session = busySession().emit('exit', {t: 1500, code: null, signal: 'SIGINT'});
		const view = await renderDashboard(session);
		expect(view.lines()[0]).toContain('killed by SIGINT');
		expect(view.lines().at(-2)).toMatch(/killed by SIGINT after 1\.50s · 5 tasks, 1 failed · concurrency \d+\.\d× · longest block .* · q to exit/);
		await view.press('q');
		expect([view.interrupts, view.quits]).toEqual([0, 1]);
	});

	// A tester at 80 columns: `… · concurrency 1.1× · l…`, and at 100 a dangling `·`, "q to exit" gone.
	it('leaves whole figures out of its summary at a narrow width, never "q to exit"', async () => {
		const session = busySession().emit('exit', {t: 1500, code: null, signal: 'SIGINT'});
		const view = await renderDashboard(session, {columns: 90});
		const line = (): string => view.lines().at(-2)!;
		expect(line()).toMatch(/^killed by SIGINT after 1\.50s · 5 tasks, 1 failed · longest block \S+ · q to exit$/);
		view.rerenderAt(80, 30);
		await view.press();
		expect(line()).toMatch(/^killed by SIGINT after 1\.50s · 5 tasks, 1 failed · q to exit$/);
		view.rerenderAt(40, 30);
		await view.press();
		expect(line()).toBe('killed by SIGINT after 1.50s · q to exit');
	});

	it('quits as soon as the script exits with exitOnEnd', async () => {
		const session = busySession();
		const view = await renderDashboard(session, {exitOnEnd: true});
		expect(view.quits).toBe(0);
		session.emit('exit', {t: 1500});
		await view.until(() => view.quits > 0);
		expect(view.quits).toBe(1);
	});

	// The model changes in place, between notifications: a render React drops for equal state (a key that changes
	// nothing) may see the script ended first; the next frame drawn must still quit.
	it('quits with exitOnEnd when a render that changed nothing saw the end first', async () => {
		const session = busySession();
		const view = await renderDashboard(session, {exitOnEnd: true});
		apply(session.state, event('exit', {t: 1500}));
		await view.press(KEYS.escape);
		session.emit('output', {t: 1501, stream: 'stdout', text: 'bye\n'});
		await view.until(() => view.quits > 0);
		expect(view.quits).toBe(1);
	});

	// A paused view draws the model as it was; the script's end is the live model's.
	it('quits with exitOnEnd when the script ends while the view is paused', async () => {
		const session = busySession();
		const view = await renderDashboard(session, {exitOnEnd: true});
		await view.press(' ');
		expect(view.lines()[0]).toContain('VIEW PAUSED');
		session.emit('exit', {t: 1500});
		await view.until(() => view.quits > 0);
		expect(view.quits).toBe(1);
	});

	it('quits at the first q once the script has ended, even while the view is paused', async () => {
		const session = busySession();
		const view = await renderDashboard(session);
		await view.press(' ');
		session.emit('exit', {t: 1500});
		await view.press('q');
		expect([view.interrupts, view.quits]).toEqual([0, 1]);
	});

	it('pauses the view with Space while events keep arriving', async () => {
		const session = busySession();
		const view = await renderDashboard(session, {nowMs: 1400});
		await view.press(' ');
		expect(view.lines()[0]).toContain('VIEW PAUSED');
		session.emit('task.start', {t: 1300, id: 20, parent: 1, name: 'latecomer', loc: 'src/latecomer.ts:1:1'});
		await view.press();
		expect(view.frame()).not.toContain('latecomer');
		await view.press(' ');
		expect(view.frame()).toContain('latecomer');
	});

	it('Space freezes the whole view: rows, states, counts and times stay as they were while keys still move the cursor', async () => {
		const session = busySession();
		const view = await renderDashboard(session, {nowMs: 1400});
		// fetchUsers' own row, without the cursor column: the cursor does move.
		const row = (location: string) => (view.lines().find(line => line.includes(location)) ?? '').slice(1);
		await view.press(' ');
		const before = {fetchUsers: row('users.ts:14'), counts: view.lines()[1]};
		expect(before.fetchUsers).toContain('⏸');
		// fetchUsers' request answers and the task ends while the view is paused.
		session.emit('op.end', {t: 1350, id: 10, ok: true, status: 200}).emit('task.end', {t: 1360, id: 3, busy: 2, wait: 1329});
		await view.press('j');
		expect(row('users.ts:14')).toBe(before.fetchUsers);
		expect(view.lines()[1]).toBe(before.counts);
		await view.press(' ');
		expect(row('users.ts:14')).toContain('✔');
	});

	it('drives replay controls and shows playback progress', async () => {
		const calls: string[] = [];
		const replay: ReplayControls = {
			positionMs: 1000,
			durationMs: 4000,
			speed: 2,
			paused: false,
			indexing: null,
			readProblem: null,
			togglePause: () => calls.push('pause'),
			faster: () => calls.push('faster'),
			slower: () => calls.push('slower'),
			step: delta => calls.push(`step ${delta}`),
			seekStart: () => calls.push('start'),
			seekEnd: () => calls.push('end'),
		};
		const view = await renderDashboard(busySession(), {replay, columns: 100});
		expect(view.lines()[3]).toMatch(/^replay █+░+ playing 2x  1.00s \/ 4.00s$/);
		expect(view.lines()[3]!.match(/█/g)).toHaveLength(16);
		await view.press(' ', '+', '-', '.', ',', '\x1b[H', '\x1b[F', 'q');
		expect(calls).toEqual(['pause', 'faster', 'slower', 'step 1000', 'step -1000', 'start', 'end']);
		expect([view.interrupts, view.quits]).toEqual([0, 1]);
	});

	it('says how much of the recording is read while it plays, and why it ends early if it does', async () => {
		const controls = {positionMs: 1000, durationMs: 4000, speed: 1, paused: true, togglePause() {}, faster() {}, slower() {}, step() {}, seekStart() {}, seekEnd() {}};
		const reading = await renderDashboard(busySession(), {replay: {...controls, indexing: 0.437, readProblem: null}, columns: 100});
		expect(reading.lines()[3]).toMatch(/^replay █+░+ paused 1x  reading 43%  1.00s \/ 4.00s$/);
		const stopped = await renderDashboard(busySession(), {replay: {...controls, indexing: null, readProblem: 'rec.ndjson:9: corrupt line (not JSON) (use --lenient to skip corrupt lines)'}, columns: 140});
		expect(stopped.lines()[3]).toMatch(/^replay █+░+ paused 1x  1.00s \/ 4.00s$/);
		expect(stopped.lines()[4]).toBe('asyncmon: read only this far: rec.ndjson:9: corrupt line (not JSON) (use --lenient to skip corrupt lines)');
	});
});

describe('dashboard: a fresh session', () => {
	it('says so before any task starts', async () => {
		const view = await renderDashboard(new FakeSession());
		expect(view.frame()).toContain('no tasks yet');
	});
});

describe('dashboard: folded tasks', () => {
	/** A long run: 2,000 finished getUser() calls under main, only the latest 300 kept one by one. */
	function longRun(): FakeSession {
		const session = new FakeSession();
		session.state.aggregated.retention = {maxFinished: 300, maxAgeMs: Infinity};
		session.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'server.ts', loc: null});
		for (let i = 0; i < 2000; i++) {
			const id = 10 + i;
			session.emit('task.start', {t: i, id, parent: 1, name: `getUser(${i})`, loc: 'src/users.ts:4:1'});
			const failed = i % 500 === 0;
			session.emit('task.end', {t: i + 1 + (i % 10), id, ok: !failed, busy: 0.2, wait: 1 + (i % 10), awaits: 1, ...(failed && {error: {name: 'Error', message: 'user not found', location: 'src/users.ts:6:9'}})});
		}
		session.emit('task.start', {t: 2100, id: 5000, parent: 1, name: 'pending()', loc: 'src/users.ts:9:1'});
		return session;
	}

	it('shows the folded ones as one row per site, with their count and p50/p99, under the script', async () => {
		const session = longRun();
		const view = await renderDashboard(session, {nowMs: 2200, columns: 160, rows: 40});
		const folded = session.state.aggregated.sites.values().next().value!;
		const row = view.lines().find(line => line.includes('getUser()')) ?? '';
		expect(row).toMatch(new RegExp(`^ ✔ +×${folded.count.toLocaleString('en-US')} getUser\\(\\) +src/users\\.ts:4:1`));
		expect(row).toMatch(/p50 \d+(\.\d)?ms {2}p99 \d+(\.\d)?ms {2}\d failed/);
		expect(indentOf(view, `×${folded.count.toLocaleString('en-US')}`)).toBe(indentOf(view, 'server.ts') + 2);
		// Of the tasks done the header counts: never more than them, though the ops folded with them are folded too.
		const {tasks} = session.state.aggregated;
		expect(view.lines()[1]).toMatch(new RegExp(`✔ ${(session.state.taskCounts.finished).toLocaleString('en-US')} done .*  ${tasks.toLocaleString('en-US')} done folded into per-site rows`));
		// The timeline has no spans left to draw for them: the row says what they were.
		await view.press('t');
		expect(view.lines().find(line => line.includes('getUser()'))).toMatch(new RegExp(`^ ✔ {3}×${folded.count.toLocaleString('en-US')} getUser\\(\\)`));
	});

	it('opens the folded row in the details pane, with percentiles of total, busy and wait', async () => {
		const view = await renderDashboard(longRun(), {nowMs: 2200, columns: 160, rows: 40});
		// The folded row sits right under the script, before the newer tasks kept one by one.
		await view.press(KEYS.down, KEYS.enter);
		expect(view.frame()).toContain('task, folded into totals');
		expect(view.frame()).toMatch(/total +p50 \S+ {2}p90 \S+ {2}p99 \S+ {2}max 10ms/);
		expect(view.frame()).toMatch(/wait +p50/);
		// How the folded ones failed, which the row counts.
		expect(view.frame()).toMatch(/×\d Error: user not found at src\/users\.ts:6:9/);
		// Folded in the monitor or in the script's process: the recording has each one's times, not each one whole.
		expect(view.frame()).toContain("or in the script's process as a flood of quick calls; a recording keeps each one's times");
	});

	it('draws the model as it is when it redraws, though tasks it showed were folded since', async () => {
		const session = longRun();
		const view = await renderDashboard(session, {nowMs: 2200, columns: 160, rows: 40});
		// Events applied as a live run applies them, between two announcements: a key redraws first.
		for (let i = 0; i < 2000; i++) {
			const id = 10_000 + i;
			apply(session.state, {type: 'task.start', t: 2200 + i, id, parent: 1, kind: 'task', name: `getUser(${i})`, loc: 'src/users.ts:4:1'});
			apply(session.state, {type: 'task.end', t: 2201 + i, id, ok: true, busy: 0.2, wait: 0.8, sched: 0, awaits: 1});
		}
		await view.press(KEYS.down);
		const folded = session.state.aggregated.sites.values().next().value!;
		expect(view.frame()).toContain(`×${folded.count.toLocaleString('en-US')} getUser()`);
	});

	it('writes x for × under --ascii, and hides folded rows with the finished ones', async () => {
		const view = await renderDashboard(longRun(), {nowMs: 2200, columns: 160, rows: 40, ascii: true});
		expect(view.frame()).toMatch(/x[\d,]+ getUser\(\)/);
		expect(view.frame()).not.toContain('×');
		await view.press('c');
		expect(view.frame()).not.toContain('getUser()');
		expect(view.frame()).toContain('pending()');
	});
});

/** What a row says, and in which colour, is what happened. */
describe('dashboard: rows that tell the truth', () => {
	const RED = '\x1b[31m';
	const YELLOW = '\x1b[33m';
	const styledRow = (view: Rendered, text: string): string => view.styledFrame().split('\n').find(line => line.replace(/\x1b\[[0-9;]*m/g, '').includes(text)) ?? '';
	/** The colour `text` is drawn in on the row that holds `rowText`: the last colour set before it. */
	const colourOf = (view: Rendered, rowText: string, text: string): string | undefined => {
		const row = styledRow(view, rowText);
		const before = row.slice(0, row.indexOf(text));
		return [...before.matchAll(/\x1b\[(3\d)m/g)].at(-1)?.[0];
	};

	it('a request that got a 5xx or no answer is failed, ✖ with its status in red; a 4xx stays done, its status in yellow', async () => {
		const session = new FakeSession({script: 'client.ts'}).emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'client.ts:1:1'});
		for (const [id, path, end] of [
			[2, '/flaky', {status: 500}],
			[3, '/missing', {status: 404}],
			[4, '/down', {ok: false, error: {name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:9'}}],
		] as const) {
			session.emit('op.start', {t: id, id, parent: 1, kind: 'http', name: `GET ${path}`, http: {method: 'GET', url: `http://127.0.0.1:9${path}`}});
			session.emit('op.end', {t: 50 + id, id, ...end});
		}
		const view = await renderDashboard(session, {nowMs: 100, columns: 120, color: true});
		// Tasks are counted apart from requests: the header's requests say how many failed.
		expect(view.lines()[1]).toMatch(/http 0 in flight, 2 failed/);
		const line = (text: string): string => view.lines().find(row => row.includes(text)) ?? '';
		expect(line('/flaky')).toMatch(/^ ✖ +http GET \S*\/flaky +500 /);
		expect(colourOf(view, '/flaky', '500')).toBe(RED);
		expect(line('/missing')).toMatch(/^ ✔ +http GET \S*\/missing +404 /);
		expect(colourOf(view, '/missing', '404')).toBe(YELLOW);
		expect(line('/down')).toMatch(/^ ✖ /);
	});

	it('a request one of its servers received is a ⇠ row with its status, GONE when its client went away first', async () => {
		const session = new FakeSession({script: 'server.ts'})
			.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'server', loc: 'server.ts:1:1'})
			.emit('task.start', {t: 10, id: 2, parent: 1, kind: 'server', name: 'GET /users/7', loc: null, http: {method: 'GET', url: '/users/7'}})
			.emit('task.end', {t: 20, id: 2, status: 200, route: '/users/:id'})
			.emit('task.start', {t: 30, id: 3, parent: 1, kind: 'server', name: 'GET /slow', loc: null, http: {method: 'GET', url: '/slow'}})
			.emit('task.end', {t: 80, id: 3, ok: false, aborted: true});
		const view = await renderDashboard(session, {nowMs: 100, columns: 120, color: true});
		expect(rowOf(view, '⇠ GET /users/7')).toMatch(/^ ✔ +⇠ GET \/users\/7 +200 /);
		expect(rowOf(view, '⇠ GET /slow')).toMatch(/^ ✖ +⇠ GET \/slow +GONE /);
		expect(colourOf(view, 'GET /slow', 'GONE')).toBe(RED);
	});

	// It read `⏸ … timer 100ms · fired`, its total counting up all through the block: the lesson's frozen loop blurred.
	it('a timer past due reads overdue; the one the blocking task resumed from reads done, at the block\'s start', async () => {
		const session = new FakeSession({script: 'cpu.ts'})
			.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'cpu.ts:1:1'})
			.emit('op.start', {t: 0, id: 2, parent: 1, kind: 'timer', name: 'sleep 100ms', timer: {delayMs: 100, repeat: false}})
			.emit('task.await', {t: 0, id: 1, on: {kind: 'op', id: 2}})
			.emit('task.start', {t: 1, id: 3, parent: 1, name: 'tick()', loc: 'cpu.ts:5:1'})
			.emit('op.start', {t: 1, id: 4, parent: 3, kind: 'timer', name: 'sleep 300ms', timer: {delayMs: 300, repeat: false}})
			.emit('task.await', {t: 1, id: 3, on: {kind: 'op', id: 4}})
			.emit('block.start', {t: 101, id: 1, task: 1, detectedAt: 151});
		const view = await renderDashboard(session, {nowMs: 1000, columns: 140});
		expect(rowOf(view, 'timer sleep 100ms')).toMatch(/^ ✔ +timer sleep 100ms +101ms /);
		expect(rowOf(view, 'timer sleep 300ms')).toContain('timer 300ms · overdue 699ms');
	});

	it('a target inferred, not known, reads as a guess', async () => {
		const session = new FakeSession({script: 'lib.ts'})
			.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'lib.ts:1:1'})
			.emit('task.start', {t: 1, id: 2, parent: 1, name: 'load()', loc: 'lib.ts:3:1'})
			.emit('op.start', {t: 2, id: 3, parent: 2, kind: 'http', name: 'GET /a', http: {method: 'GET', url: 'http://h/a'}})
			.emit('task.await', {t: 2, id: 2, on: {kind: 'op', id: 3, guess: true}});
		const view = await renderDashboard(session, {nowMs: 50, columns: 140});
		expect(rowOf(view, 'load\\(\\)')).toContain('probably GET /a · connecting');
	});

	it('counts worker threads running beside the tasks, as the summary does not count them among tasks', async () => {
		const session = new FakeSession({script: 'pool.ts'}).emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'pool.ts:1:1'});
		for (const thread of [1, 2]) session.emit('task.start', {t: 5, id: IDS_PER_THREAD * thread + 1, parent: 1, kind: 'worker', name: `worker thread #${thread}`, loc: null, thread});
		const view = await renderDashboard(session, {nowMs: 50, columns: 160});
		expect(view.lines()[1]).toMatch(/^▶ 0 running  ⏸ 0 waiting .* \+ 2 worker threads running/);
		session.emit('task.end', {t: 60, id: IDS_PER_THREAD + 1, ok: true, busy: 50, wait: 0, sched: 0, awaits: 0});
		const later = await renderDashboard(session, {nowMs: 70, columns: 160});
		expect(later.lines()[1]).toContain('+ 1 worker thread running');
	});

	it('a worker that died of an error is ✖, in red', async () => {
		const worker = IDS_PER_THREAD + 1;
		const session = new FakeSession({script: 'pool.ts'})
			.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'pool.ts:1:1'})
			.emit('task.start', {t: 5, id: worker, parent: 1, kind: 'worker', name: 'worker thread #1', loc: null, thread: 1})
			.emit('task.end', {t: 40, id: worker, ok: false, error: {name: 'RangeError', message: 'bad input'}});
		const view = await renderDashboard(session, {nowMs: 50, columns: 120, color: true});
		expect(rowOf(view, 'worker thread #1')).toMatch(/^ ✖ /);
		expect(colourOf(view, 'worker thread #1', '✖')).toBe(RED);
	});

	it('at 80 columns calls of one function stay told apart where their arguments differ', async () => {
		const session = new FakeSession({script: 'cpu.ts'}).emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'examples/07-cpu-bound.ts:1:1'});
		for (let n = 1; n <= 5; n++) {
			session.emit('task.start', {t: n, id: 1 + n, parent: 1, name: `tick("tick-${n}", ${n}000, 139.141368)`, loc: 'examples/07-cpu-bound.ts:18:1'});
		}
		const view = await renderDashboard(session, {nowMs: 100, columns: 80, rows: 24});
		const names = view.lines().filter(line => line.includes('tick(')).map(line => /tick\("tick-(\d)/.exec(line)?.[1]);
		expect(names).toEqual(['1', '2', '3', '4', '5']);
	});

	it('paging the output pane moves by the lines it shows, keeping one: no line is skipped', async () => {
		const session = new FakeSession({script: 'flood.ts'}).emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'flood.ts:1:1'});
		for (let i = 0; i < 200; i++) session.emit('output', {t: 1 + i / 100, text: `line ${i}\n`});
		const view = await renderDashboard(session, {nowMs: 100, columns: 100, rows: 30});
		await view.press('o', KEYS.tab);
		const shown = (): number[] => view.lines().flatMap(line => / line (\d+)$/.exec(line.trimEnd())?.[1] ?? []).map(Number);
		const last = shown();
		expect(last.at(-1)).toBe(199);
		await view.press(KEYS.pageUp);
		const page = shown();
		// The page before: it ends with the first line the last one showed, so every line is seen once paging back.
		expect(page.at(-1)).toBe(last[0]);
		expect(page).toHaveLength(last.length);
	});

	it('the output pane marks the lines its ring dropped, and keeps the latest', async () => {
		const session = new FakeSession({script: 'chatty.ts'}).emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'chatty.ts:1:1'});
		for (let i = 0; i < OUTPUT_RETAINED_LINES + 3; i++) session.emit('output', {t: 1 + i / 100, text: `line ${i}\n`});
		const view = await renderDashboard(session, {nowMs: 100, columns: 120, rows: 30});
		await view.press('o');
		expect(view.frame()).toContain(`line ${OUTPUT_RETAINED_LINES + 2}`);
		await view.press(KEYS.tab, 'g');
		expect(view.frame()).toContain('3 earlier lines dropped from view here; a recording (--record) keeps every line');
	});
});
