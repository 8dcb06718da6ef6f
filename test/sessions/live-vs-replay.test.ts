import {expect, it} from 'vitest';
import {ChildSession} from '../../source/monitor/child-session.js';
import {apply} from '../../source/model/reducer.js';
import {createState, LIVE_RETENTION, type ModelState} from '../../source/model/state.js';
import {buildReport} from '../../source/model/summary.js';
import {loadReplay} from '../../source/sessions/replay.js';
import {Recorder} from '../../source/sessions/recorder.js';
import {ROOT, SCRIPTS} from '../helpers/run-cli.js';
import {tempFile} from '../helpers/temp.js';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';

/** Everything but the redraw counter, which counts events applied, not what they mean. */
function comparable(state: ModelState) {
	const {version: _version, ...rest} = state;
	return rest;
}

it('a live run and a replay of its recording end in the same model state', async () => {
	const file = tempFile('live.ndjson');
	// As `asyncmon script` keeps it by default.
	const live = createState({retention: LIVE_RETENTION});
	const recorder = new Recorder(file);
	const previous = process.cwd();
	process.chdir(SCRIPTS);
	try {
		const session = new ChildSession({
			script: 'cpu-block.ts',
			scriptName: 'cpu-block.ts',
			args: [],
			blockThresholdMs: 100,
			redact: true,
			stdin: 'none',
			preload: pathToFileURL(join(ROOT, 'dist/preload-gate.cjs')),
			env: {SPIN_MS: '200'},
		});
		session.onLine((line, raw) => {
			apply(live, line);
			recorder.write(raw);
		});
		await session.exited;
	} finally {
		process.chdir(previous);
		recorder.close();
	}
	const {replay} = await loadReplay(file, {paused: true});
	replay.seekEnd();
	expect(live.blocks).toHaveLength(1);
	expect(comparable(replay.state)).toEqual(comparable(live));
	expect(buildReport(replay.state)).toEqual(buildReport(live));
	replay.dispose();
});
