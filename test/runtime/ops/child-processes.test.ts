import childProcess from 'node:child_process';
import {syncBuiltinESMExports} from 'node:module';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {AsyncmonEvent, HeaderEvent} from '../../../source/protocol/events.js';
import type {EventSink, Keep} from '../../../source/runtime/event-sink.js';
import {instrumentChildProcesses} from '../../../source/runtime/ops/child-processes.js';
import {SiteTable} from '../../../source/runtime/site-table.js';
import {NONE_FOLDED, type IsFolded} from '../../../source/runtime/span-folder.js';
import {Tracker} from '../../../source/runtime/tracker.js';

/** The surface of EventSink the tracker uses, keeping what each flush was allowed to keep back. */
class KeepRecordingSink {
	readonly keeps: Keep[] = [];
	/** No call starts silent. */
	startsSilent(): boolean {
		return false;
	}
	push(_event: AsyncmonEvent | HeaderEvent): boolean {
		return false;
	}
	last(): undefined {
		return undefined;
	}
	flush(beforeWrite?: (isFolded: IsFolded, keptFrom: number) => void, keep: Keep = 'nothing'): void {
		this.keeps.push(keep);
		beforeWrite?.(NONE_FOLDED, Number.POSITIVE_INFINITY);
	}
	drain(): void {}
}

const saved = {...(childProcess as unknown as Record<string, unknown>)};
const sink = new KeepRecordingSink();

beforeAll(() => {
	const tracker = new Tracker({
		sink: sink as unknown as EventSink,
		sites: new SiteTable('script.js', '/work/app'),
		runtimeDirectory: '/nonexistent/asyncmon/dist',
		watch: {thresholdMs: 1000, running() {}, longSlice: () => [], takeHeldMs: () => 0, takeToldTasks: () => [], entryStarted() {}, excluded: fn => fn()},
	});
	instrumentChildProcesses(tracker, null);
});

afterAll(() => {
	Object.assign(childProcess, saved);
	syncBuiltinESMExports();
});

describe('child processes', () => {
	it('flushes everything before a child starts, keeping nothing back: its lane may name any task started so far', () => {
		sink.keeps.length = 0;
		childProcess.execFileSync(process.execPath, ['-e', '']);
		expect(sink.keeps).toEqual(['nothing']);
	});
});
