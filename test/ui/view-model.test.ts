import {describe, expect, it} from 'vitest';
import {viewNow} from '../../source/ui/view-model/clock.js';
import {headerLines} from '../../source/ui/view-model/header.js';
import {summaryLines} from '../../source/plain/summary.js';
import {commandForKey, keyPresses, type KeyPress} from '../../source/ui/view-model/keys.js';
import {droppedOutputText, outputLineCount, outputWindow} from '../../source/ui/view-model/output.js';
import {apply} from '../../source/model/reducer.js';
import {createState, OUTPUT_RETAINED_LINES} from '../../source/model/state.js';
import {rowLine, rowName, tableColumns} from '../../source/ui/view-model/table.js';
import {glyphs} from '../../source/present/states.js';
import {textWidth} from '../../source/present/text.js';
import {blockedMask, cellSegments, nodeCells, overlayBlocked, sessionAxis} from '../../source/ui/view-model/timeline.js';
import {buildTreeRows, TreeRows, type RowQuery} from '../../source/ui/view-model/tree-rows.js';
import {INITIAL_UI, quitOutcome, reduceUi, type Viewport} from '../../source/ui/view-model/ui-state.js';
import {FakeSession} from '../helpers/events.js';
import {FoldedTaskWriter} from '../../source/protocol/fold.js';
import {busySession} from './fixtures.js';

/** The name column's width before spare columns are shared out. */
const SPEC_NAME_WIDTH = 14;
const NO_KEY: KeyPress = {upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageUp: false, pageDown: false, home: false, end: false, return: false, escape: false, ctrl: false, tab: false, backspace: false, delete: false};
const query = (change: Partial<RowQuery> = {}): RowQuery => ({...INITIAL_UI.query, ...change});
const names = (session: FakeSession, q: RowQuery, nowMs = 1400): string[] =>
	buildTreeRows(session.state, q, nowMs).slice(0).map(row => `${'.'.repeat(row.depth)}${session.state.nodes.get(row.id)!.name}`);

describe('tree rows', () => {
	it('walks the tree depth first, ops under the task that made them', () => {
		expect(names(busySession(), query())).toEqual(['main', '.boot', '.fetchUsers', '..GET https://api.example.com/api/users?page=2', '.sleepy', '..setTimeout', '.flaky', '.crunch']);
	});

	it('sorts siblings by a column without breaking the tree, and inverts', () => {
		const session = busySession();
		expect(names(session, query({sort: 'total'})).filter(name => name.startsWith('.') && !name.startsWith('..'))).toEqual(['.fetchUsers', '.sleepy', '.crunch', '.flaky', '.boot']);
		expect(names(session, query({sort: 'name', inverted: true})).slice(0, 3)).toEqual(['main', '.sleepy', '..setTimeout']);
	});

	it("keeps a task's latest finished ops as rows in the start order and counts the older ones on its row, so its siblings stay in view", () => {
		const session = new FakeSession();
		session.emit('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null});
		session.emit('task.start', {t: 1, id: 2, parent: 1, name: 'countLines()', loc: 'app.ts:3:1'});
		// Twelve 1 ms sleeps one after another, one that failed among them, and one under way.
		for (let i = 0; i < 12; i++) {
			const id = 10 + i;
			session.emit('op.start', {t: 2 + i * 2, id, parent: 2, kind: 'timer', name: 'sleep 1ms', timer: {delayMs: 1, repeat: false}});
			session.emit('op.end', {t: 3 + i * 2, id, ok: i !== 3});
		}
		session.emit('op.start', {t: 30, id: 30, parent: 2, kind: 'timer', name: 'sleep 5ms', timer: {delayMs: 5, repeat: false}});
		session.emit('task.start', {t: 31, id: 3, parent: 1, name: 'ticker()', loc: 'app.ts:9:1'});
		const rows = buildTreeRows(session.state, query(), 32).slice(0);
		// The failed sleep stays, and the latest five that finished, then the one under way; the sibling follows.
		expect(rows.map(row => row.id)).toEqual([1, 2, 13, 17, 18, 19, 20, 21, 30, 3]);
		expect(rows.find(row => row.id === 2)!.hiddenDone).toBe(6);
		expect(rows.filter(row => row.id !== 2).every(row => row.hiddenDone === undefined)).toBe(true);
		const columns = tableColumns(120);
		const status = columns.findIndex(column => column.id === 'status');
		const line = rowLine(rows[1]!, columns, {state: session.state, nowMs: 32, ascii: false, glyphs: glyphs(false), axis: sessionAxis(32, 10)});
		expect(line.map(segment => segment.text).join('')).toContain('+6');
		expect(status).toBeGreaterThanOrEqual(0);
		// Sorted by a time, or filtered, every row is listed: the slow ones matter wherever they are.
		expect(buildTreeRows(session.state, query({sort: 'total'}), 32).slice(0)).toHaveLength(16);
		expect(buildTreeRows(session.state, query({filter: 'sleep'}), 32).slice(0)).toHaveLength(15);
	});

	it("keeps the latest finished tasks of a task at work as rows in the start order, so the tasks still at work stay in view, and all of them once it is done", () => {
		const session = new FakeSession();
		session.emit('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'crawl.ts', loc: null});
		session.emit('task.start', {t: 0, id: 2, parent: 1, name: 'crawl(1)', loc: 'crawl.ts:3:1'});
		// Twelve pages fetched one after another, each with its timer: the fourth failed, the sixth left a promise floating.
		for (let i = 0; i < 12; i++) {
			const id = 100 + i * 10;
			session.emit('task.start', {t: 1 + i * 10, id, parent: 2, name: `fetchPage(${i})`, loc: 'crawl.ts:2:1'});
			session.emit('op.start', {t: 1 + i * 10, id: id + 1, parent: id, kind: 'timer', name: 'sleep 5ms', timer: {delayMs: 5, repeat: false}});
			session.emit('op.end', {t: 6 + i * 10, id: id + 1, ok: true});
			if (i === 5) session.emit('task.start', {t: 6 + i * 10, id: id + 2, parent: id, name: 'audit()', loc: 'crawl.ts:9:1'});
			session.emit('task.end', {t: 7 + i * 10, id, ok: i !== 3});
		}
		session.emit('task.start', {t: 121, id: 300, parent: 2, name: 'fetchPage(12)', loc: 'crawl.ts:2:1'});
		session.emit('task.start', {t: 122, id: 3, parent: 1, name: 'crawl(2)', loc: 'crawl.ts:3:1'});
		// A terminal of 20 rows: the tree's 29 rows would not fit.
		const ids = (nowMs: number, fitRows = 20) => buildTreeRows(session.state, query(), nowMs, fitRows).slice(0).map(row => row.id);
		// The failed page and the one whose audit() still runs stay, with the latest five done, then the page under way; crawl(2) follows.
		expect(ids(123)).toEqual([1, 2, 130, 131, 150, 151, 152, 170, 171, 180, 181, 190, 191, 200, 201, 210, 211, 300, 3]);
		const rows = buildTreeRows(session.state, query(), 123, 20).slice(0);
		expect(rows.find(row => row.id === 2)!.hiddenDone).toBe(5);
		// Where all of them fit (40 rows, or no limit given), all of them are rows: a demo's fan-out stays whole.
		expect(ids(123, 40)).toHaveLength(29);
		expect(buildTreeRows(session.state, query(), 123).slice(0)).toHaveLength(29);
		const columns = tableColumns(120);
		const line = rowLine(rows[1]!, columns, {state: session.state, nowMs: 123, ascii: false, glyphs: glyphs(false), axis: sessionAxis(123, 10)});
		expect(line.map(segment => segment.text).join('')).toContain('+5');
		// Once crawl(1) is done, its pages are all rows again: the look back.
		session.emit('task.end', {t: 130, id: 152, ok: true});
		session.emit('task.end', {t: 131, id: 300, ok: true});
		session.emit('task.end', {t: 132, id: 2, ok: true});
		expect(ids(133).filter(id => id >= 100 && id % 10 === 0)).toEqual([100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200, 210, 300]);
		expect(buildTreeRows(session.state, query(), 133, 20).slice(0).find(row => row.id === 2)!.hiddenDone).toBeUndefined();
		// Sorted by a time, every row is listed: the script, crawl(1), its twelve pages with their timers, audit(), the thirteenth page, crawl(2) and crawl(3).
		session.emit('task.start', {t: 134, id: 4, parent: 1, name: 'crawl(3)', loc: 'crawl.ts:3:1'});
		expect(buildTreeRows(session.state, query({sort: 'total'}), 135).slice(0)).toHaveLength(2 + 12 * 2 + 1 + 1 + 2);
	});

	it("keeps a server's latest requests served as rows while its process runs, though its script's top level ended at once", () => {
		const session = new FakeSession();
		session.emit('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'server.ts', loc: null});
		session.emit('task.end', {t: 1, id: 1, ok: true});
		for (let i = 0; i < 12; i++) {
			session.emit('task.start', {t: 10 + i * 10, id: 10 + i, parent: 1, kind: 'server', name: 'GET /users/7', loc: null, http: {method: 'GET', url: '/users/7'}});
			session.emit('task.end', {t: 15 + i * 10, id: 10 + i, ok: true, status: 200});
		}
		session.emit('task.start', {t: 131, id: 30, parent: 1, kind: 'server', name: 'GET /users/8', loc: null, http: {method: 'GET', url: '/users/8'}});
		const rows = () => buildTreeRows(session.state, query(), 132, 10).slice(0);
		expect(rows().map(row => row.id)).toEqual([1, 17, 18, 19, 20, 21, 30]);
		expect(rows()[0]!.hiddenDone).toBe(7);
		// The process exited: every request is a row again.
		session.emit('task.end', {t: 133, id: 30, ok: true, status: 200});
		session.emit('exit', {t: 134});
		expect(rows()).toHaveLength(14);
	});

	it('filters by name, location or URL, keeping the ancestors of matches', () => {
		const session = busySession();
		expect(names(session, query({filter: 'cpu.ts'}))).toEqual(['main', '.crunch']);
		expect(names(session, query({filter: 'PAGE=2'}))).toEqual(['main', '.fetchUsers', '..GET https://api.example.com/api/users?page=2']);
	});

	it('puts the folded rows under the script, or at the top when no row is the script (a service joined late): never under a request', () => {
		const joinedLate = (withScript: boolean, q = query()): string[] => {
			const session = new FakeSession();
			if (withScript) session.emit('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'server.ts', loc: null});
			session.emit('task.start', {t: 5, id: 20, parent: 1, kind: 'server', name: 'GET /users/1', loc: null, http: {method: 'GET', url: '/users/1'}});
			session.emit('task.end', {t: 9, id: 20, status: 200});
			const byName = {'GET /users/:id': {count: 4, failed: 0, totalMs: 16, busyMs: 1, waitMs: 15, name: 'GET /users/:id', kind: 'server' as const, loc: null}};
			session.emit('joined', {t: 10, folded: {tasks: 4, failed: 0, taskTimeMs: 16, byName}, omitted: 0});
			return buildTreeRows(session.state, q, 20).slice(0).map(row => `${row.depth} ${row.id < 0 ? 'folded' : session.state.nodes.get(row.id)!.name}`);
		};
		expect(joinedLate(false)).toEqual(['0 folded', '0 GET /users/1']);
		expect(joinedLate(true)).toEqual(['0 server.ts', '1 folded', '1 GET /users/1']);
		// Sorted by name, among the same rows: 'GET /users/:id' comes after 'GET /users/1'.
		expect(joinedLate(false, query({sort: 'name'}))).toEqual(['0 GET /users/1', '0 folded']);
		expect(joinedLate(true, query({sort: 'name'}))).toEqual(['0 server.ts', '1 GET /users/1', '1 folded']);
	});

	it('sorts the folded rows by the column too: by name, place or median time, else the most numerous first', () => {
		const session = new FakeSession();
		session.emit('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null});
		const byName = {
			'zeta() b.ts:1:1': {count: 5, failed: 0, totalMs: 50, busyMs: 5, waitMs: 45, name: 'zeta()', kind: 'task' as const, loc: 'b.ts:1:1'},
			'alpha() c.ts:1:1': {count: 9, failed: 0, totalMs: 9, busyMs: 1, waitMs: 8, name: 'alpha()', kind: 'task' as const, loc: 'c.ts:1:1'},
			'mid() a.ts:1:1': {count: 1, failed: 0, totalMs: 3, busyMs: 1, waitMs: 2, name: 'mid()', kind: 'task' as const, loc: 'a.ts:1:1'},
		};
		session.emit('joined', {t: 10, folded: {tasks: 15, failed: 0, taskTimeMs: 62, byName}, omitted: 0});
		const sites = (q: RowQuery): string[] => buildTreeRows(session.state, q, 20).slice(0).filter(row => row.id < 0).map(row => [...session.state.aggregated.sites.values()].find(site => site.id === row.id)!.name);
		expect(sites(query({sort: 'start'}))).toEqual(['alpha()', 'zeta()', 'mid()']);
		expect(sites(query({sort: 'name'}))).toEqual(['alpha()', 'mid()', 'zeta()']);
		expect(sites(query({sort: 'name', inverted: true}))).toEqual(['zeta()', 'mid()', 'alpha()']);
		expect(sites(query({sort: 'location'}))).toEqual(['mid()', 'zeta()', 'alpha()']);
		expect(sites(query({sort: 'total'}))).toEqual(['zeta()', 'mid()', 'alpha()']);
	});

	it('sorted by a column, puts each folded row among the tasks by its key, not above them all', () => {
		const session = new FakeSession();
		session.emit('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null});
		session.emit('task.start', {t: 0, id: 2, parent: 1, kind: 'task', name: 'slow()', loc: 'a.ts:1:1'});
		session.emit('task.start', {t: 0, id: 3, parent: 1, kind: 'task', name: 'quick()', loc: 'a.ts:2:1'});
		session.emit('task.end', {t: 5, id: 3});
		session.emit('task.end', {t: 100, id: 2});
		const byName = {'mid() a.ts:3:1': {count: 1, failed: 0, totalMs: 50, busyMs: 1, waitMs: 49, name: 'mid()', kind: 'task' as const, loc: 'a.ts:3:1'}};
		session.emit('joined', {t: 110, folded: {tasks: 1, failed: 0, taskTimeMs: 50, byName}, omitted: 0});
		const rows = (q: RowQuery): string[] => buildTreeRows(session.state, q, 120).slice(0).map(row => `${row.depth} ${row.id < 0 ? 'folded' : session.state.nodes.get(row.id)!.name}`);
		expect(rows(query({sort: 'total'}))).toEqual(['0 app.ts', '1 slow()', '1 folded', '1 quick()']);
		expect(rows(query({sort: 'total', inverted: true}))).toEqual(['0 app.ts', '1 quick()', '1 folded', '1 slow()']);
		expect(rows(query({sort: 'name'}))).toEqual(['0 app.ts', '1 folded', '1 quick()', '1 slow()']);
		// The start order keeps them in one place, under the script.
		expect(rows(query({sort: 'start'}))).toEqual(['0 app.ts', '1 folded', '1 slow()', '1 quick()']);
	});

	it('hides finished rows on request', () => {
		expect(names(busySession(), query({hideFinished: true}))).not.toContain('.boot');
		expect(names(busySession(), query({hideFinished: true}))).not.toContain('.flaky');
	});
});

describe('timeline cells', () => {
	it('shows the dominant state per cell, and marks blocked spans', () => {
		const session = new FakeSession()
			.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'src/main.ts:1:1'})
			.emit('task.await', {t: 400, id: 1, on: {kind: 'promise'}})
			.emit('task.ready', {t: 600, id: 1})
			.emit('task.resume', {t: 800, id: 1, readyAt: 600})
			.emit('task.end', {t: 1000, id: 1});
		const node = session.state.nodes.get(1)!;
		const axis = sessionAxis(1000, 10);
		const cells = nodeCells(node, axis, 1000);
		expect(cells).toEqual(['running', 'running', 'running', 'running', 'waiting', 'waiting', 'ready', 'ready', 'running', 'running']);
		session.emit('block.start', {t: 450, id: 1, task: null, detectedAt: 500}).emit('block.end', {t: 650, id: 1, durationMs: 200});
		const mask = blockedMask(session.state.blocks, axis, 1000);
		expect(overlayBlocked(cells, mask).slice(4, 7)).toEqual(['stalled', 'stalled', 'ready']);
		expect(cellSegments(cells, glyphs(true)).map(s => s.text).join('')).toBe('####--!!##');
	});
});

describe('a request queued for a connection', () => {
	const pooled = () =>
		new FakeSession()
			.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'src/main.ts:1:1'})
			.emit('op.start', {t: 0, id: 2, parent: 1, kind: 'http', name: 'GET /a', http: {method: 'GET', url: '/a', queue: {ahead: 0, inFlight: 2}}});

	it('has the queue colour in the timeline while it waits in the pool, then waits as any op', () => {
		const session = pooled();
		const axis = sessionAxis(1000, 10);
		expect(nodeCells(session.state.nodes.get(2)!, axis, 550)).toEqual(['queued', 'queued', 'queued', 'queued', 'queued', 'queued', 'none', 'none', 'none', 'none']);
		session.emit('op.dequeued', {t: 600, id: 2}).emit('op.phase', {t: 700, id: 2, phase: 'sent', queueMs: 600, connectMs: 100}).emit('op.end', {t: 1000, id: 2, ok: true, status: 200});
		const cells = nodeCells(session.state.nodes.get(2)!, axis, 1000);
		expect(cells).toEqual(['queued', 'queued', 'queued', 'queued', 'queued', 'queued', 'waiting', 'waiting', 'waiting', 'waiting']);
		expect(cellSegments(cells, glyphs(true)).map(s => s.text).join('')).toBe('~~~~~~----');
		expect(cellSegments(cells, glyphs(false))[0]).toEqual({text: '▒'.repeat(6), color: 'blue'});
	});

	it('any client: the queue time its sent phase measured', () => {
		const session = new FakeSession()
			.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'src/main.ts:1:1'})
			.emit('op.start', {t: 0, id: 2, parent: 1, kind: 'http', name: 'GET /a', http: {method: 'GET', url: 'http://h/a', client: 'node:http'}})
			.emit('op.phase', {t: 500, id: 2, phase: 'sent', queueMs: 300, connectMs: 200})
			.emit('op.end', {t: 1000, id: 2, ok: true, status: 200});
		expect(nodeCells(session.state.nodes.get(2)!, sessionAxis(1000, 10), 1000)).toEqual(['queued', 'queued', 'queued', ...Array(7).fill('waiting')]);
	});
});

describe('row names', () => {
	it("an op too long for its cell loses its kind before its name: its name says what it is", () => {
		const session = new FakeSession()
			.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'main', loc: 'a.ts:1:1'})
			.emit('op.start', {t: 1, id: 2, parent: 1, kind: 'timer', name: 'sleep 1000ms', timer: {delayMs: 1000, repeat: false}});
		const timer = session.state.nodes.get(2)!;
		expect(rowName(timer, 30, false)).toBe('timer sleep 1000ms');
		expect(rowName(timer, 14, false)).toBe('sleep 1000ms');
		expect(rowName(timer, 8, false)).toBe('slee…0ms');
	});
});

describe('columns', () => {
	it('fill the width exactly and drop the least telling columns when narrow', () => {
		for (const width of [40, 80, 100, 160, 240]) {
			const columns = tableColumns(width);
			expect(columns.reduce((sum, c) => sum + c.width, 0) + columns.length - 1).toBe(width);
		}
		expect(tableColumns(60).map(c => c.id)).toEqual(['state', 'name', 'total', 'busy', 'wait', 'sched']);
		expect(tableColumns(45).map(c => c.id)).toEqual(['state', 'name', 'total', 'busy', 'wait']);
		expect(tableColumns(100).map(c => c.id)).toContain('timeline');
	});

	it("cut a method's call without its receiver first: the method says what runs", () => {
		const session = new FakeSession();
		session.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'app.ts'});
		session.emit('task.start', {t: 1, id: 2, parent: 1, name: 'UserRepositoryImplementation.findAllActiveUsers("org-123")', loc: 'repo.ts:4:3'});
		const node = session.state.nodes.get(2)!;
		expect(rowName(node, 60, false)).toBe('UserRepositoryImplementation.findAllActiveUsers("org-123")');
		expect(rowName(node, 40, false)).toBe('…findAllActiveUsers("org-123")');
		expect(rowName(node, 20, false)).toBe('…findAllAc…org-123")');
		// A script's name, or a process's, has no receiver to drop.
		expect(rowName(session.state.nodes.get(1)!, 4, false)).toBe('ap…s');
		// Nor has a callback's: the dot is in what it was registered with, and its arguments go first.
		session.emit('task.start', {t: 2, id: 3, parent: 1, name: "<app.get '/users/:id' callback>({Request…})", loc: 'app.ts:41:23'});
		const callback = session.state.nodes.get(3)!;
		expect(rowName(callback, 40, false)).toBe("<app.get '/users/:id' callback>(…)");
		expect(rowName(callback, 30, false)).toBe("<app.get '/user…' callback>(…)");
	});

	it('give the names shown room before the extras (status, timeline, location): 100 columns never cut them more than 80 do', () => {
		const wants = {name: 30, location: 14, waitingOn: 0};
		const width = (columns: ReturnType<typeof tableColumns>, id: string): number | undefined => columns.find(column => column.id === id)?.width;
		const at80 = tableColumns(80, wants);
		const at100 = tableColumns(100, wants);
		expect(width(at100, 'name')!).toBeGreaterThanOrEqual(width(at80, 'name')!);
		expect(width(at100, 'name')!).toBeGreaterThanOrEqual(26);
		// What the space allows still shows: the location, at 100; everything, at 120.
		expect(at100.map(column => column.id)).toContain('location');
		expect(tableColumns(120, wants).map(column => column.id)).toEqual(['state', 'name', 'status', 'location', 'total', 'busy', 'wait', 'sched', 'waitingOn', 'timeline']);
		// Short names leave the extras their room.
		expect(tableColumns(100, {name: 12}).map(column => column.id)).toContain('timeline');
		for (const columns of [at80, at100]) expect(columns.reduce((sum, c) => sum + c.width, 0) + columns.length - 1).toBe(columns === at80 ? 80 : 100);
	});

	it("give a location its whole file name and line before the timeline grows: a module's long name is not cut at 160 columns", () => {
		const columns = tableColumns(160, {name: 12, location: 'lib/a-rather-long-module-name.js:1'.length, waitingOn: 20});
		expect(columns.find(column => column.id === 'location')!.width).toBe(34);
		expect(columns.find(column => column.id === 'timeline')!.width).toBeGreaterThanOrEqual(10);
	});

	it('at 80 columns cut names, URLs and locations where they tell least, so rows stay told apart; spare columns go to the name', () => {
		const session = new FakeSession();
		session.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'server.ts'});
		const tasks = [
			[2, 'simulateRequest("request-A", 1000)', 'src/handlers/users/get-user.ts:120:17'],
			[3, 'simulateRequest("request-B", 1000)', 'src/handlers/users/get-team.ts:120:17'],
		] as const;
		for (const [id, name, loc] of tasks) session.emit('task.start', {t: 1, id, parent: 1, name, loc});
		for (const id of [4, 5]) {
			const url = `https://api.example.com/api/users/${id}?expand=teams`;
			session.emit('op.start', {t: 2, id, parent: 2, kind: 'http', name: `GET ${url}`, http: {method: 'GET', url}});
		}
		const cellsAt = (width: number, id: number): Record<string, string> => {
			const columns = tableColumns(width);
			const context = {state: session.state, nowMs: 3, ascii: false, glyphs: glyphs(false), axis: sessionAxis(3, 10)};
			const line = rowLine({id, depth: 1}, columns, context).filter(segment => segment.text !== ' ');
			return Object.fromEntries(columns.map((column, index) => [column.id, line[index]!.text.trim()]));
		};
		const columns = tableColumns(80);
		const name = columns.find(column => column.id === 'name')!;
		expect(Math.max(...columns.map(column => column.width))).toBe(name.width);
		expect(name.width).toBeGreaterThan(SPEC_NAME_WIDTH);
		expect(cellsAt(80, 2).name).toMatch(/^simulate.*….*-A", 1000\)$/);
		expect(cellsAt(80, 3).name).toMatch(/-B", 1000\)$/);
		expect(cellsAt(80, 4).name).toMatch(/^http GET \S*\/users\/4/);
		expect(cellsAt(80, 5).name).toContain('/users/5');
		// Wide enough for a location column: the file name and the line stay, the folders go.
		expect(cellsAt(120, 2).location).toMatch(/^…\S*get-user\.ts:120$/);
		expect(cellsAt(120, 3).location).toMatch(/get-team\.ts:120$/);
	});

	it('a status column: 5xx and network errors in red, 4xx in yellow, nothing for tasks', () => {
		const session = new FakeSession();
		session.emit('task.start', {t: 0, id: 1, name: 'main()'});
		const requests = [
			[2, {ok: true, status: 500}],
			[3, {ok: true, status: 404}],
			[4, {ok: false, error: {name: 'TypeError', message: 'fetch failed'}}],
			[5, {ok: true, status: 200}],
		] as const;
		for (const [id, end] of requests) {
			session.emit('op.start', {t: 1, id, parent: 1, kind: 'http', name: `GET /${id}`, http: {method: 'GET', url: `http://127.0.0.1/${id}`}});
			session.emit('op.end', {t: 2, id, ...end});
		}
		const columns = tableColumns(160);
		const context = {state: session.state, nowMs: 3, ascii: false, glyphs: glyphs(false), axis: sessionAxis(3, 10)};
		const statusOf = (id: number) => {
			const line = rowLine({id, depth: 0}, columns, context);
			const index = columns.findIndex(column => column.id === 'status');
			const cell = line.filter(segment => segment.text !== ' ')[index]!;
			return [cell.text.trim(), cell.color];
		};
		expect([1, 2, 3, 4, 5].map(statusOf)).toEqual([
			['', undefined],
			['500', 'red'],
			['404', 'yellow'],
			['ERR', 'red'],
			['200', undefined],
		]);
	});

	it('a request a server received: marked ⇠ (<- in ASCII), its status, GONE in red when its client left', () => {
		const session = new FakeSession();
		session.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'app.ts'});
		const served = [
			[2, {status: 200}],
			[3, {status: 503}],
			[4, {ok: false, aborted: true}],
		] as const;
		for (const [id, end] of served) {
			session.emit('task.start', {t: 1, id, parent: 1, kind: 'server', name: `GET /${id}`, loc: null, http: {method: 'GET', url: `/${id}`}});
			session.emit('task.end', {t: 2, id, ...end});
		}
		const columns = tableColumns(160);
		const cells = (id: number, ascii: boolean) => {
			const context = {state: session.state, nowMs: 3, ascii, glyphs: glyphs(ascii), axis: sessionAxis(3, 10)};
			const line = rowLine({id, depth: 0}, columns, context).filter(segment => segment.text !== ' ');
			const [name, status] = ['name', 'status'].map(id => line[columns.findIndex(column => column.id === id)]!);
			return [name!.text.trim(), status!.text.trim(), status!.color];
		};
		expect([2, 3, 4].map(id => cells(id, false))).toEqual([
			['⇠ GET /2', '200', undefined],
			['⇠ GET /3', '503', 'red'],
			['⇠ GET /4', 'GONE', 'red'],
		]);
		expect(cells(2, true)[0]).toBe('<- GET /2');
	});
});

describe('keys and UI state', () => {
	const rowsOf = (ids: number[]): TreeRows => new TreeRows(Float64Array.from(ids), new Int32Array(ids.length));
	const viewport = (rows: number, pageSize = 5): Viewport => ({nowMs: 500, rows: rowsOf(Array.from({length: rows}, (_, i) => i + 1)), pageSize, maxScroll: 3});

	it('maps keys by mode: typing into the filter, replay keys only in replay', () => {
		expect(commandForKey('q', NO_KEY, INITIAL_UI, false)).toEqual({type: 'quit'});
		expect(commandForKey('q', NO_KEY, {...INITIAL_UI, editingFilter: true}, false)).toEqual({type: 'filterType', text: 'q'});
		expect(commandForKey('c', {...NO_KEY, ctrl: true}, {...INITIAL_UI, editingFilter: true}, false)).toEqual({type: 'quit'});
		expect(commandForKey(' ', NO_KEY, INITIAL_UI, true)).toEqual({type: 'replay', action: 'togglePause'});
		expect(commandForKey(' ', NO_KEY, INITIAL_UI, false)).toEqual({type: 'togglePause'});
		expect(commandForKey('', {...NO_KEY, end: true}, INITIAL_UI, true)).toEqual({type: 'replay', action: 'seekEnd'});
		expect(commandForKey('+', NO_KEY, INITIAL_UI, false)).toBeNull();
	});

	it('moves the cursor, keeps it in view, and follows the selected row by id', () => {
		let ui = reduceUi(INITIAL_UI, {type: 'move', delta: 7}, viewport(20));
		expect(ui).toMatchObject({cursor: 7, selectedId: 8, scrollTop: 3});
		ui = reduceUi(ui, {type: 'move', delta: -1}, viewport(20));
		expect(ui).toMatchObject({cursor: 6, scrollTop: 3});
		ui = reduceUi(ui, {type: 'jump', to: 'last'}, viewport(20));
		expect(ui).toMatchObject({cursor: 19, selectedId: 20, scrollTop: 15});
		const reordered = {...viewport(20), rows: rowsOf(Array.from({length: 20}, (_, i) => 20 - i))};
		expect(reduceUi(ui, {type: 'move', delta: 1}, reordered)).toMatchObject({cursor: 1, selectedId: 19});
	});

	it('scrolls details within bounds and freezes the clock on pause', () => {
		const details = reduceUi(INITIAL_UI, {type: 'openDetails'}, viewport(3));
		expect(details.detailsId).toBe(1);
		expect(reduceUi(details, {type: 'jump', to: 'last'}, viewport(3)).overlayScroll).toBe(3);
		expect(reduceUi(details, {type: 'back'}, viewport(3)).detailsId).toBeNull();
		const paused = reduceUi(INITIAL_UI, {type: 'togglePause'}, viewport(3));
		expect(paused.frozenNowMs).toBe(500);
		expect(reduceUi(paused, {type: 'togglePause'}, viewport(3)).frozenNowMs).toBeNull();
	});

	it('interrupts a running script first, then quits', () => {
		expect(quitOutcome(INITIAL_UI, true)).toBe('interrupt');
		expect(quitOutcome({...INITIAL_UI, interruptSent: true}, true)).toBe('quit');
		expect(quitOutcome(INITIAL_UI, false)).toBe('quit');
	});
});

describe('clock and output', () => {
	it('runs a live clock from the wall clock, stops at exit, follows a replay position', () => {
		const session = busySession();
		expect(viewNow(session.state, undefined, session.clockAt(5000)())).toBe(5000);
		expect(viewNow(session.state, {positionMs: 123, durationMs: 1000, speed: 1, paused: false, indexing: null, readProblem: null}, 0)).toBe(123);
		session.emit('exit', {t: 2000});
		expect(viewNow(session.state, undefined, session.clockAt(5000)())).toBe(2000);
		// Where the script began to exit: what it cut off ends there, as in the report, not at its process's end.
		const exited = busySession();
		exited.emit('script.exit', {t: 1830, code: 2, exitCall: {site: 'app.ts:3:5'}}).emit('exit', {t: 2000, code: 2, signal: null});
		expect(viewNow(exited.state, undefined, exited.clockAt(5000)())).toBe(1830);
	});

	it('keeps the newest output lines, cut to the width and scrollable', () => {
		const lines = Array.from({length: 10}, (_, i) => ({t: i * 1000, stream: 'stdout' as const, text: `line ${i} ${'x'.repeat(100)}`}));
		const window = outputWindow({output: lines, outputDropped: 0}, 3, 40, 0);
		expect(window.lines.map(line => line.map(s => s.text).join(''))).toHaveLength(3);
		expect(window.lines[2]!.map(s => s.text).join('')).toMatch(/^00:09\.0 line 9 x+…$/);
		expect(textWidth(window.lines[0]!.map(s => s.text).join(''))).toBe(40);
		expect(outputWindow({output: lines, outputDropped: 0}, 3, 40, 2).lines[2]!.map(s => s.text).join('')).toContain('line 7');
	});
});

describe('output as lines', () => {
	const text = (line: readonly {text: string}[]): string => line.map(segment => segment.text).join('');

	it('counts lines, not writes: a write of many lines scrolls line by line, a line written in parts is one', () => {
		const state = createState();
		apply(state, {type: 'output', t: 1000, stream: 'stdout', text: Array.from({length: 30}, (_, i) => `row ${i}\n`).join('')});
		apply(state, {type: 'output', t: 2000, stream: 'stdout', text: 'progress '});
		apply(state, {type: 'output', t: 2100, stream: 'stderr', text: 'warning\n'});
		apply(state, {type: 'output', t: 2200, stream: 'stdout', text: '100%\ndone'});
		expect(state.output.map(line => line.text)).toEqual([...Array.from({length: 30}, (_, i) => `row ${i}\n`), 'progress 100%\n', 'warning\n', 'done']);
		expect(outputLineCount(state)).toBe(33);
		const tail = outputWindow(state, 4, 60, 0);
		expect(tail.lines.map(text)).toEqual(['00:01.0 row 29', '00:02.0 progress 100%', '00:02.1 warning', '00:02.2 done']);
		// Scrolled all the way back: the first line of the first write.
		const top = outputWindow(state, 4, 60, 29);
		expect(top.lines.map(text)[0]).toBe('00:01.0 row 0');
		expect(top.below).toBe(29);
	});

	it('keeps a ring of the latest lines, and marks where the dropped ones were', () => {
		const state = createState();
		apply(state, {type: 'output', t: 0, stream: 'stdout', text: Array.from({length: OUTPUT_RETAINED_LINES + 7}, (_, i) => `line ${i}\n`).join('')});
		expect(state.output).toHaveLength(OUTPUT_RETAINED_LINES);
		expect(state.outputDropped).toBe(7);
		const top = outputWindow(state, 3, 120, outputLineCount(state));
		expect(top.lines.map(text)).toEqual([droppedOutputText(7), '00:00.0 line 7', '00:00.0 line 8']);
		expect(droppedOutputText(7)).toBe('7 earlier lines dropped from view here; a recording (--record) keeps every line');
	});
});

describe('header', () => {
	it("shows the runtime's latest notice, and how many came before", () => {
		const session = busySession();
		const header = (): string[] => headerLines({state: session.state, title: 'app.ts', nowMs: 1000, width: 120, ascii: false, glyphs: glyphs(false), viewPaused: false, replay: undefined, badge: []}).map(line => line.map(s => s.text).join(''));
		const before = header();
		session.emit('notice', {t: 10, message: 'first'});
		session.emit('notice', {t: 20, message: 'big.js runs uninstrumented\x1b[2J'});
		expect(header()).toEqual([...before, 'asyncmon: big.js runs uninstrumented (+1 more)']);
	});

	it("counts what the script's process holds back as in flight: its tasks just started, and its requests among the HTTP ones", () => {
		const session = busySession();
		const counts = (width = 120): string => headerLines({state: session.state, title: 'app.ts', nowMs: 1000, width, ascii: false, glyphs: glyphs(false), viewPaused: false, replay: undefined, badge: []})[1]!.map(s => s.text).join('');
		const httpBefore = Number(/http (\d+) in flight/.exec(counts())![1]);
		expect(counts()).not.toContain('just started');
		session.emit('held', {t: 500, tasks: 28, http: 3});
		expect(counts()).toContain('+ 28 just started');
		expect(counts()).toContain(`http ${httpBefore + 3} in flight`);
		// Pressed for room, the figure stays and its words go.
		expect(counts(60)).toMatch(/\+ 28 (?!just)/);
		// The process gone, it holds nothing.
		session.emit('exit', {t: 900, code: 0, signal: null});
		expect(counts()).not.toContain('just started');
	});

	// A server under load read `http 16 in flight` with 10 connections: the calls held at a flush, told in the next
	// batch, counted once as told and again as held until that batch's own figure came.
	it('counts a call held back once: told in the next batch, it leaves the held figure', () => {
		const session = new FakeSession();
		const counts = (): string => headerLines({state: session.state, title: 'app.ts', nowMs: 100, width: 160, ascii: false, glyphs: glyphs(false), viewPaused: false, replay: undefined, badge: []})[1]!.map(s => s.text).join('');
		session.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'app.ts', loc: 'app.ts:1:1'});
		session.emit('held', {t: 10, tasks: 2, http: 1});
		expect(counts()).toContain('+ 2 just started');
		expect(counts()).toContain('http 1 in flight');
		// The next batch, in time order: what was held comes first, with its start times before the figure's.
		session.emit('task.start', {t: 8, id: 5, parent: 1, kind: 'task', name: 'handle()', loc: 'app.ts:3:1'});
		session.emit('op.start', {t: 9, id: 6, parent: 5, kind: 'http', name: 'GET /x', http: {method: 'GET', url: 'http://h/x'}});
		expect(counts()).toContain('+ 1 just started');
		expect(counts()).toContain('http 1 in flight');
		// A call started since is no held one.
		session.emit('task.start', {t: 12, id: 7, parent: 1, kind: 'task', name: 'other()', loc: 'app.ts:3:1'});
		expect(counts()).toContain('+ 1 just started');
		session.emit('held', {t: 20, tasks: 0, http: 0});
		expect(counts()).not.toContain('just started');
	});

	it("says how many requests the script's servers are answering beside the requests it sent, while there are any", () => {
		const session = new FakeSession();
		const counts = (): string => headerLines({state: session.state, title: 'server.ts', nowMs: 100, width: 160, ascii: false, glyphs: glyphs(false), viewPaused: false, replay: undefined, badge: []})[1]!.map(s => s.text).join('');
		session.emit('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'server.ts', loc: null});
		expect(counts()).not.toContain('serving');
		for (const id of [10, 11]) session.emit('task.start', {t: 5, id, parent: 1, kind: 'server', name: 'GET /users/1', loc: null, http: {method: 'GET', url: '/users/1'}});
		expect(counts()).toMatch(/http 0 in flight {2}serving 2$/);
		session.emit('task.end', {t: 9, id: 10, ok: true, status: 200});
		expect(counts()).toMatch(/serving 1$/);
		session.emit('exit', {t: 20, code: null, signal: 'SIGTERM'});
		expect(counts()).not.toContain('serving');
	});

	it('counts the tasks that did not settle as such once the script ended: interrupted by its signal, or never settled', () => {
		const counts = (session: ReturnType<typeof busySession>): string => headerLines({state: session.state, title: 'app.ts', nowMs: 1000, width: 140, ascii: false, glyphs: glyphs(false), viewPaused: false, replay: undefined, badge: []})[1]!.map(s => s.text).join('');
		const killed = busySession();
		const unsettled = killed.state.taskCounts.running + killed.state.taskCounts.waiting + killed.state.taskCounts.ready;
		expect(unsettled).toBeGreaterThan(0);
		expect(counts(killed)).toContain('waiting');
		killed.emit('exit', {t: 900, code: null, signal: 'SIGINT'});
		expect(counts(killed)).toMatch(new RegExp(`^✔ \\d+ done  ✖ \\d+ failed  ⏸ ${unsettled} interrupted by SIGINT  `));
		expect(counts(killed)).not.toMatch(/running|waiting|ready/);
		const exited = busySession();
		exited.emit('exit', {t: 900, code: 0, signal: null});
		expect(counts(exited)).toContain(`⏸ ${unsettled} never settled`);
		// A graceful shutdown's process.exit() cut them off: said so, not as a hang. The task still running is the one
		// that called it: it finishes.
		const shutDown = busySession();
		const {running, waiting, ready, finished} = shutDown.state.taskCounts;
		expect(running).toBeGreaterThan(0);
		shutDown.emit('script.exit', {t: 890, code: 0, exitCall: {site: 'app.ts:30:5'}});
		shutDown.emit('exit', {t: 900, code: 0, signal: null});
		expect(counts(shutDown)).toContain(`⏸ ${waiting + ready} cut off by process.exit()`);
		expect(shutDown.state.taskCounts.finished).toBe(finished + running);
		// An error nothing handled killed the process: cut short by it.
		const crashed = busySession();
		crashed.emit('uncaught', {t: 890, origin: 'unhandledRejection', error: {name: 'Error', message: 'lost'}});
		crashed.emit('exit', {t: 900, code: 1, signal: null});
		expect(counts(crashed)).toContain(`⏸ ${unsettled} cut short by the unhandled rejection`);
	});

	it('says how many of the tasks done were folded: never more than it counts done, though their timers folded with them', () => {
		const session = new FakeSession();
		session.emit('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null});
		const fold = (kind: 'task' | 'timer', name: string, parent: number | null, leaf: boolean) => {
			const tasks = new FoldedTaskWriter(100);
			for (let i = 0; i < 10; i++) tasks.add(i, i + 5, kind === 'task' ? 1 : 0, kind === 'task' ? 4 : 0);
			return {t: 100, kind, name, loc: kind === 'task' ? 'app.ts:2:1' : null, parent, leaf, count: 10, totalMs: 50, busyMs: kind === 'task' ? 10 : 0, waitMs: kind === 'task' ? 40 : 0, tasks: tasks.text()};
		};
		session.emit('fold', fold('task', 'job', 1, false)).emit('fold', fold('timer', 'sleep', null, false));
		const counts = headerLines({state: session.state, title: 'app.ts', nowMs: 200, width: 160, ascii: false, glyphs: glyphs(false), viewPaused: false, replay: undefined, badge: []})[1]!.map(s => s.text).join('');
		expect(counts).toContain('✔ 10 done');
		expect(counts).toContain('10 done folded into per-site rows');
	});

	it("shows the summary's concurrency, to the same tenth: 1,549 ms of tasks in 1 s reads 1.6× in both", () => {
		const session = new FakeSession();
		session.emit('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null});
		session.emit('script.start', {t: 0});
		for (const [id, ms] of [[2, 1000], [3, 549]] as const) session.emit('task.start', {t: 0, id, parent: 1, name: `leaf${id}`, loc: 'app.ts:1:1'});
		session.emit('task.end', {t: 549, id: 3, busy: 549}).emit('task.end', {t: 1000, id: 2, busy: 1000});
		session.emit('task.end', {t: 1000, id: 1, busy: 0}).emit('script.exit', {t: 1000, code: 0}).emit('exit', {t: 1001, code: 0, signal: null});
		const counts = headerLines({state: session.state, title: 'app.ts', nowMs: 1001, width: 120, ascii: false, glyphs: glyphs(false), viewPaused: false, replay: undefined, badge: []})[1]!.map(s => s.text).join('');
		expect(summaryLines(session.state, false)[0]!.map(s => s.text).join('')).toContain('concurrency 1.6×');
		expect(counts).toContain('concurrency 1.6×');
	});

	it('says when a client of a running service joined it', () => {
		const session = busySession();
		const title = (): string => headerLines({state: session.state, title: 'app.ts', nowMs: 1000, width: 120, ascii: false, glyphs: glyphs(false), viewPaused: false, replay: undefined, badge: []})[0]!.map(s => s.text).join('');
		expect(title()).not.toContain('joined');
		session.emit('joined', {t: 900, folded: {tasks: 0, failed: 0, taskTimeMs: 0, byName: {}}, omitted: 0});
		expect(title()).toMatch(/^asyncmon app\.ts  00:01\.0  joined at 00:00\.9  running/);
	});
});

describe('key presses that arrive in one chunk', () => {
	const none = keyPresses('x', {} as KeyPress)[0]![1];
	it('splits text into one press per character, control characters as their keys', () => {
		const presses = keyPresses('/ab\r\r', none);
		expect(presses.map(([input]) => input)).toEqual(['/', 'a', 'b', '', '']);
		expect(presses.slice(3).every(([, key]) => key.return)).toBe(true);
	});
	it('leaves a single key and special keys alone', () => {
		expect(keyPresses('q', none)).toEqual([['q', none]]);
		const escape = {...none, escape: true};
		expect(keyPresses('[A', escape)).toEqual([['[A', escape]]);
	});
});
