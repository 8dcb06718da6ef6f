import {spawn} from 'node:child_process';
import {readSession} from '../../source/sessions/reader.js';
import {readRecording} from './recorded.js';
import {runCli} from './run-cli.js';
import {tempFile} from './temp.js';

export interface Outcome {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** `node script args…`, as the user would run it without asyncmon. */
export function runNode(script: string, args: string[], cwd: string): Promise<Outcome> {
	const child = spawn(process.execPath, [script, ...args], {cwd, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
	child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
	return new Promise(resolve => child.once('close', code => resolve({code, stdout, stderr})));
}

/**
 * The same script under node and under `asyncmon --record`: node's outcome, and asyncmon's exit code with the
 * script's output as the recording holds it, and the recording's report.
 */
export async function underNodeAndAsyncmon(script: string, args: string[], cwd: string) {
	const node = await runNode(script, args, cwd);
	const file = tempFile('session.ndjson');
	const monitored = await runCli(['--record', file, script, ...args], {cwd});
	const output = {stdout: '', stderr: ''};
	for await (const line of readSession(file)) if (line.type === 'output') output[line.stream] += line.text;
	const asyncmon: Outcome = {code: monitored.code, ...output};
	return {node, asyncmon, monitored, ...(await readRecording(file))};
}
