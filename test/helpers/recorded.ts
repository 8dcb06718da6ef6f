import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {decodeLine} from '../../source/protocol/decode.js';
import type {ProtocolLine} from '../../source/protocol/events.js';
import {buildReport, type ReportTask, type SentHttp, type SessionReport} from '../../source/model/summary.js';
import type {ModelState} from '../../source/model/state.js';
import {loadSession} from '../../source/sessions/reader.js';
import {runCli} from './run-cli.js';
import {dirWithScript, tempDir, tempFile} from './temp.js';

export interface Recorded {
	state: ModelState;
	report: SessionReport;
}

/** Reads a recording back through the same reader and reducer the report command uses. */
export async function readRecording(path: string): Promise<Recorded> {
	const {state} = await loadSession(path);
	return {state, report: buildReport(state)};
}

export function taskNamed(report: SessionReport, name: string) {
	const task = report.tasks.find(t => t.name === name);
	if (!task) throw new Error(`no task named ${name}; tasks: ${report.tasks.map(t => t.name).join(', ')}`);
	return task;
}

/**
 * Runs `asyncmon --plain --record FILE <args…>` through the real CLI and
 * reads the recording back: the run's result with its model and report.
 * `args` ends with the script (and its own arguments).
 */
export async function recordRun(args: string[], options: {env?: Record<string, string>; file?: string; cwd?: string} = {}) {
	const file = options.file ?? tempFile('session.ndjson');
	const result = await runCli(['--plain', '--record', file, ...args], {env: options.env, cwd: options.cwd});
	return {result, file, ...(await readRecording(file))};
}

/** A script `app.js` of these lines, in `directory` (a new one by default: give one to put packages beside it), run and recorded. */
export async function recordApp(lines: readonly string[], directory = tempDir()) {
	return recordRun(['app.js'], {cwd: dirWithScript('app.js', lines, directory)});
}

/** Every line of a recording as the events it holds (a compact span line is two), read with the protocol's decoder. */
export function recordedLines(path: string): ProtocolLine[] {
	return readFileSync(path, 'utf8')
		.trimEnd()
		.split('\n')
		.flatMap(line => {
			const decoded = decodeLine(line);
			if (typeof decoded === 'string') throw new Error(`${path}: ${decoded}: ${line}`);
			return decoded;
		});
}

/** A report task's request as the script sent it, with its phases and bytes (a `server` task's `http` has neither). */
export function sentRequest(task: ReportTask): SentHttp {
	const http = task.http;
	if (!http || !('phases' in http)) throw new Error(`${task.name} (${task.kind}) is no request the script sent`);
	return http;
}
