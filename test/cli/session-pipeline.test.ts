import {recordedLines} from '../helpers/recorded.js';
import {expect, it} from 'vitest';
import {SessionPipeline} from '../../source/cli/session-pipeline.js';
import {readyDuringBlock} from '../../source/model/blocked-readiness.js';
import {createState} from '../../source/model/state.js';
import {PlainPrinter} from '../../source/plain/printer.js';
import type {ProtocolLine} from '../../source/protocol/events.js';
import {serializeLine} from '../../source/protocol/encode.js';
import {Recorder} from '../../source/sessions/recorder.js';
import {tempFile} from '../helpers/temp.js';
import {header} from '../helpers/events.js';

/** Task 2 sleeps 50 ms; task 3 blocks the loop from t = 10. */
const CHILD_LINES: ProtocolLine[] = [
	header(),
	{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: 'app.ts:1:1'},
	{type: 'task.start', t: 1, id: 2, parent: 1, kind: 'task', name: 'sleeper()', loc: null},
	{type: 'task.start', t: 1, id: 3, parent: 1, kind: 'task', name: 'crunch()', loc: null},
	{type: 'op.start', t: 2, id: 12, parent: 2, kind: 'timer', name: 'sleep 50ms', loc: null, timer: {delayMs: 50, repeat: false}},
	{type: 'task.await', t: 3, id: 2, site: null, on: {kind: 'op', id: 12}, busy: 1},
	{type: 'block.start', t: 10, id: 1, task: 3, detectedAt: 60},
];

function livePipeline() {
	const file = tempFile('session.ndjson');
	const recorder = new Recorder(file);
	const printed: Array<string | Uint8Array> = [];
	const printer = new PlainPrinter({out: {write: text => printed.push(text)}, err: {write: () => {}}, color: false, ascii: false, buffered: true});
	let flushes = 0;
	const pipeline = new SessionPipeline(createState(), {recorder, printer, onFlush: () => flushes++});
	for (const line of CHILD_LINES) pipeline.take(line, serializeLine(line));
	pipeline.flush();
	return {pipeline, recorder, printer, file, printed, flushes: () => flushes};
}

it("derived lines take the child's path: applied, recorded after the child's, printed", () => {
	const {pipeline, recorder, printer, file, printed, flushes} = livePipeline();
	const derived = readyDuringBlock(pipeline.state, 100);
	expect(derived).toEqual([{type: 'task.ready', t: 52, id: 2}]);
	pipeline.derive(derived);
	recorder.close();
	expect(pipeline.state.nodes.get(2)!.state).toBe('ready');
	const recorded = recordedLines(file);
	expect(recorded).toEqual([...CHILD_LINES, ...derived]);
	// In time order (see TimeOrder): in the window, or at the end.
	printer.finish(pipeline.state);
	// Worked out once the block was told (at 60): said then, with when it was ready, not before the BLOCKED line.
	expect(printed.join('')).toContain('[   0.060s] ⏫ ready  sleeper(): what it awaited was done at 0.052s, but the loop is busy\n');
	expect(flushes()).toBe(2);
});

it('nothing derived, nothing written', () => {
	const {pipeline, recorder, printed, flushes} = livePipeline();
	const before = printed.length;
	pipeline.derive([]);
	recorder.close();
	expect(printed).toHaveLength(before);
	expect(flushes()).toBe(1);
});
