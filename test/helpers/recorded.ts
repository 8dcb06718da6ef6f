import {buildReport, type SessionReport} from '../../source/model/summary.js';
import type {ModelState} from '../../source/model/state.js';
import {loadSession} from '../../source/sessions/reader.js';

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
