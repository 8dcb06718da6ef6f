import {describe, expect, it} from 'vitest';
import type {BlockedLoopInsight} from '../../../source/model/insights.js';
import type {Block} from '../../../source/model/state.js';
import {blockedLoopMessage} from '../../../source/present/insights/blocked-loop.js';
import {InsightSession} from '../../fixtures/insights/session.js';

/** crunch(1500) under main() blocks the loop inside crunch at cpu.ts:12:3. */
function crunchBlocking(durationMs: number, queuedMs?: number) {
	const session = new InsightSession();
	const crunch = session.task(100, 'crunch(1500)', session.task(0, 'main()'));
	session.block(100, durationMs, crunch, {fn: 'crunch', loc: 'cpu.ts:12:3'}, queuedMs);
	return {state: session.state, block: session.state.blocks[0]!, crunch};
}

describe('blocked-loop in words', () => {
	it('names the blocking function, where it is, and the tasks it kept waiting', () => {
		const {state, block, crunch} = crunchBlocking(1400);
		expect(blockedLoopMessage(state, {kind: 'blocked-loop', block, durationMs: 1400, blocks: 1, totalMs: 1400, delayedTasks: 5, longestDelayMs: 1300, taskIds: [crunch], savesMs: 1300})).toBe(
			'crunch() at cpu.ts:12 blocked the event loop for 1.40s; 5 tasks were ready and waited up to 1.30s; move CPU-bound work to a worker thread',
		);
	});

	it('says of the longest of several blocks at one place how many there were and their time in all', () => {
		const {state, block, crunch} = crunchBlocking(90);
		expect(blockedLoopMessage(state, {kind: 'blocked-loop', block, durationMs: 90, blocks: 3, totalMs: 240, delayedTasks: 0, longestDelayMs: null, taskIds: [crunch]})).toBe(
			'crunch() at cpu.ts:12 blocked the event loop for 90ms, the longest of 3 there, 240ms in all; move CPU-bound work to a worker thread',
		);
		const loaded = crunchBlocking(1400, 300);
		expect(blockedLoopMessage(loaded.state, {kind: 'blocked-loop', block: loaded.block, durationMs: 1400, blocks: 2, totalMs: 2000, delayedTasks: 0, longestDelayMs: null, taskIds: [loaded.crunch]})).toBe(
			'crunch() at cpu.ts:12 blocked the event loop for 1.40s (for 300ms of it the thread waited for a CPU: the machine was busy), the longest of 2 there, 2.00s in all; move CPU-bound work to a worker thread',
		);
	});

	it("advises the asynchronous twin of the Node call it was in, not a worker thread: a child process's, fs's, zlib's, crypto's, Atomics.wait's", () => {
		const advice = (fn: string, loc: string): string => {
			const {state, block, crunch} = crunchBlocking(300);
			block.callee = {fn, loc};
			return blockedLoopMessage(state, {kind: 'blocked-loop', block, durationMs: 300, blocks: 1, totalMs: 300, delayedTasks: 0, longestDelayMs: null, taskIds: [crunch]}).split('; ')[1]!;
		};
		expect(advice('execSync', 'node:child_process')).toBe('it waited in execSync() for a child process to end: start it with exec (or spawn) instead, which does not hold the loop');
		expect(advice('spawnSync', 'node:child_process')).toBe('it waited in spawnSync() for a child process to end: start it with spawn instead, which does not hold the loop');
		expect(advice('readFileSync', 'node:fs')).toBe('it read or wrote in readFileSync(): use fs.promises.readFile (or readFile with a callback), which does not hold the loop');
		expect(advice('gzipSync', 'node:zlib')).toBe("it ran gzipSync() on the loop's thread: use zlib.gzip (or a stream), which runs in Node's thread pool");
		// Imported and called by its own name, zlib's synchronous call is one function for all of them.
		expect(advice('syncBufferWrapper', 'node:zlib')).toBe("it ran one of zlib's synchronous calls on the loop's thread: use its asynchronous twin (zlib.gzip for gzipSync, and so on) or a stream, which runs in Node's thread pool");
		expect(advice('pbkdf2Sync', 'node:crypto')).toBe("it ran pbkdf2Sync() on the loop's thread: use crypto.pbkdf2, which runs in Node's thread pool");
		expect(advice('wait', 'Atomics')).toBe('it waited in Atomics.wait(): use Atomics.waitAsync, which does not hold the loop');
		// A pattern that backtracks: no thread makes it finish.
		expect(advice('test', 'RegExp')).toMatch(/^it ran a regular expression \(RegExp\.prototype\.test\(\)\) that backtracks, .*: rewrite the pattern, or bound the input$/);
		expect(advice('match', 'String')).toMatch(/^it ran a regular expression \(String\.prototype\.match\(\)\)/);
		expect(advice('split', 'String')).toBe('move CPU-bound work to a worker thread');
		// No twin to name: the work is the script's to move.
		expect(advice('update', 'node:crypto')).toBe('move CPU-bound work to a worker thread');
		expect(advice('emit', 'node:events')).toBe('move CPU-bound work to a worker thread');
		expect(advice('parse', 'JSON')).toBe('move CPU-bound work to a worker thread');
	});

	it('leaves out the waiting tasks when none were ready', () => {
		const {state, block, crunch} = crunchBlocking(50);
		expect(blockedLoopMessage(state, {kind: 'blocked-loop', block, durationMs: 50, blocks: 1, totalMs: 50, delayedTasks: 0, longestDelayMs: null, taskIds: [crunch]})).toBe(
			'crunch() at cpu.ts:12 blocked the event loop for 50ms; move CPU-bound work to a worker thread',
		);
	});

	it('says how much of the block the thread waited for a CPU, when that was a notable share', () => {
		const loaded = crunchBlocking(1400, 300);
		expect(blockedLoopMessage(loaded.state, {kind: 'blocked-loop', block: loaded.block, durationMs: 1400, blocks: 1, totalMs: 1400, delayedTasks: 0, longestDelayMs: null, taskIds: [loaded.crunch]})).toBe(
			'crunch() at cpu.ts:12 blocked the event loop for 1.40s (for 300ms of it the thread waited for a CPU: the machine was busy); move CPU-bound work to a worker thread',
		);
		const quiet = crunchBlocking(1400, 20);
		expect(blockedLoopMessage(quiet.state, {kind: 'blocked-loop', block: quiet.block, durationMs: 1400, blocks: 1, totalMs: 1400, delayedTasks: 0, longestDelayMs: null, taskIds: [quiet.crunch]})).toBe(
			'crunch() at cpu.ts:12 blocked the event loop for 1.40s; move CPU-bound work to a worker thread',
		);
	});

	it('gives no worker-thread advice for a block in no code of the script\'s: there is nothing to move', () => {
		const session = new InsightSession();
		// Its stack was read, and held no frame of the script's.
		session.emit('block.start', {t: 100, id: 1, task: null, detectedAt: 150}).emit('block.stack', {t: 151, id: 1, frames: []}).emit('block.end', {t: 400, id: 1, durationMs: 300, task: null});
		const block = session.state.blocks[0]!;
		expect(block.location).toBeNull();
		const message = blockedLoopMessage(session.state, {kind: 'blocked-loop', block, durationMs: 300, blocks: 1, totalMs: 300, delayedTasks: 0, longestDelayMs: null, taskIds: []});
		expect(message).toMatch(/blocked the event loop for 300ms; no code of the script's was running: look for a synchronous call into a library or native code$/);
		expect(message).not.toContain('worker thread');
	});

	it("names the library's frame where a block wholly in a library's code was read: where to look", () => {
		const session = new InsightSession();
		session.emit('block.start', {t: 100, id: 1, task: null, detectedAt: 150});
		session.emit('block.stack', {t: 151, id: 1, frames: [], library: {fn: 'spin', loc: 'node_modules/slowlib/spin.js:3:9'}});
		session.emit('block.end', {t: 400, id: 1, durationMs: 300, task: null});
		const block = session.state.blocks[0]!;
		const message = blockedLoopMessage(session.state, {kind: 'blocked-loop', block, durationMs: 300, blocks: 1, totalMs: 300, delayedTasks: 0, longestDelayMs: null, taskIds: []});
		expect(message).toMatch(/blocked the event loop for 300ms; no code of the script's was running: it was in spin\(\) at node_modules\/slowlib\/spin\.js:3, a library's: look for what the script asked of it$/);
		expect(message).not.toContain('worker thread');
	});

	it("a library's loading in a task's async context (a framework's lazy require()) is that task's, from the library's code; at the top level, the library's", () => {
		const session = new InsightSession();
		session.emit('task.start', {t: 0, id: 50, parent: null, kind: 'script', name: 'main.mjs'});
		const main = session.task(0, 'main()', 50);
		session.emit('block.start', {t: 100, id: 1, task: null, detectedAt: 150});
		session.emit('block.stack', {t: 151, id: 1, frames: [], loading: true, module: 'node_modules/lazyfw/index.js:1:95', task: main, samples: {same: 4, of: 4}});
		session.emit('block.end', {t: 600, id: 1, durationMs: 500, task: null});
		const insight = (block: Block): BlockedLoopInsight => ({kind: 'blocked-loop', block, durationMs: block.durationMs!, blocks: 1, totalMs: block.durationMs!, delayedTasks: 0, longestDelayMs: null, taskIds: []});
		expect(blockedLoopMessage(session.state, insight(session.state.blocks[0]!))).toMatch(
			/^main\(\) blocked the event loop for 500ms; it was loading modules from node_modules\/lazyfw\/index\.js \(require or import\).* \(4 of 4 reads of its stack found it loading modules from node_modules\/lazyfw\/index\.js\)$/,
		);
		// The script's top level awaiting an import(): no task of its own to name.
		session.emit('block.start', {t: 700, id: 2, task: null, detectedAt: 750});
		session.emit('block.stack', {t: 751, id: 2, frames: [], loading: true, module: 'node_modules/slow/index.js:2:1', task: 50});
		session.emit('block.end', {t: 1000, id: 2, durationMs: 300, task: null});
		expect(blockedLoopMessage(session.state, insight(session.state.blocks[1]!))).toMatch(/^node_modules\/slow\/index\.js blocked the event loop for 300ms; it was loading modules \(require or import\)/);
	});

	it("says how many reads of a long block's stack found it where it is told: the place most reads found, not one read's", () => {
		const session = new InsightSession();
		session.emit('block.start', {t: 100, id: 1, task: null, detectedAt: 150});
		// The first read, in the compiler's module loading; most of the later ones in its checker.
		session.emit('block.stack', {t: 151, id: 1, frames: [], loading: true, module: 'node_modules/typescript/lib/_tsc.js:3:1'});
		session.emit('block.stack', {t: 2400, id: 1, frames: [], library: {fn: 'checkSourceFile', loc: 'node_modules/typescript/lib/_tsc.js:90210:5'}, samples: {same: 22, of: 24}});
		session.emit('block.end', {t: 2500, id: 1, durationMs: 2400, task: null});
		const block = session.state.blocks[0]!;
		const message = blockedLoopMessage(session.state, {kind: 'blocked-loop', block, durationMs: 2400, blocks: 1, totalMs: 2400, delayedTasks: 0, longestDelayMs: null, taskIds: []});
		expect(message).toMatch(/it was in checkSourceFile\(\) at node_modules\/typescript\/lib\/_tsc\.js:90210, a library's: look for what the script asked of it \(22 of 24 reads of its stack found it in node_modules\/typescript\/lib\/_tsc\.js\)$/);
		expect(message).not.toContain('loading modules');
		// An end that said it was loading, from its time in require(), still says so.
		session.emit('block.start', {t: 3000, id: 2, task: null, detectedAt: 3060});
		session.emit('block.end', {t: 3500, id: 2, durationMs: 500, task: null, loading: true});
		session.emit('block.stack', {t: 3501, id: 2, frames: [{fn: 'main', loc: 'app.js:3:1'}], samples: {same: 3, of: 5}});
		expect(session.state.blocks[1]).toMatchObject({loading: true, samples: {same: 3, of: 5}});
	});

	it("gives no worker-thread advice for a task's block whose stack, read, held no frame of the script's (a resolver that only called a loader, and a pause)", () => {
		const session = new InsightSession();
		session.emit('task.start', {t: 90, id: 5, parent: null, kind: 'task', name: 'comments({…})', loc: 'server.ts:75:15'});
		session.emit('block.start', {t: 100, id: 1, task: 5, detectedAt: 150}).emit('block.stack', {t: 151, id: 1, frames: []}).emit('block.end', {t: 219, id: 1, durationMs: 119, task: 5});
		const block = session.state.blocks[0]!;
		expect(block.location).toBe('server.ts:75:15');
		const message = blockedLoopMessage(session.state, {kind: 'blocked-loop', block, durationMs: 119, blocks: 1, totalMs: 119, delayedTasks: 0, longestDelayMs: null, taskIds: [5]});
		expect(message).toBe("comments({…}) at server.ts:75 blocked the event loop for 119ms; no code of the script's was running: look for a synchronous call into a library or native code");
	});

	it("says where a block ran is not known when it ended before its stack was read, not that the script's code was not running", () => {
		const session = new InsightSession();
		// A request its server received: a task with no location of its own, measured when its slice ended.
		session.emit('task.start', {t: 90, id: 5, parent: null, kind: 'server', name: 'GET /items/17', loc: null});
		session.block(100, 81, 5);
		const block = session.state.blocks[0]!;
		expect(block).toMatchObject({location: null, stackRead: false});
		const message = blockedLoopMessage(session.state, {kind: 'blocked-loop', block, durationMs: 81, blocks: 1, totalMs: 81, delayedTasks: 0, longestDelayMs: null, taskIds: [5]});
		expect(message).toMatch(/blocked the event loop for 81ms; it ended before its stack could be read, so where it ran is not known: look for synchronous work in what ran then$/);
		expect(message).not.toContain("no code of the script's");
	});
});
