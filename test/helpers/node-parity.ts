import {spawn} from 'node:child_process';
import {outputBytes} from '../../source/protocol/output-bytes.js';
import {readSession} from '../../source/sessions/reader.js';
import {readRecording} from './recorded.js';
import {runCli} from './run-cli.js';
import {tempFile} from './temp.js';

export interface Outcome {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** An outcome byte for byte, for output that need not be text. */
export interface ByteOutcome {
	code: number | null;
	stdout: Buffer;
	stderr: Buffer;
}

/** `node script args…`, as the user would run it without asyncmon. */
export async function runNode(script: string, args: string[], cwd: string): Promise<Outcome> {
	return asText(await runNodeBytes(script, args, cwd));
}

export function runNodeBytes(script: string, args: string[], cwd: string): Promise<ByteOutcome> {
	const child = spawn(process.execPath, [script, ...args], {cwd, stdio: ['ignore', 'pipe', 'pipe']});
	const stdout: Buffer[] = [];
	const stderr: Buffer[] = [];
	child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
	child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
	return new Promise(resolve => child.once('close', code => resolve({code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr)})));
}

/**
 * The same script under node and under `asyncmon --record`: node's outcome, and asyncmon's exit code with the
 * script's output as the recording holds it, and the recording's report.
 */
export async function underNodeAndAsyncmon(script: string, args: string[], cwd: string) {
	const {node, asyncmon, ...run} = await underNodeAndAsyncmonBytes(script, args, cwd);
	return {node: asText(node), asyncmon: asText(asyncmon), ...run};
}

/** underNodeAndAsyncmon, byte for byte. */
export async function underNodeAndAsyncmonBytes(script: string, args: string[], cwd: string) {
	const node = await runNodeBytes(script, args, cwd);
	const file = tempFile('session.ndjson');
	const monitored = await runCli(['--record', file, script, ...args], {cwd});
	const asyncmon: ByteOutcome = {code: monitored.code, ...(await recordedOutput(file))};
	return {node, asyncmon, monitored, ...(await readRecording(file))};
}

/** The script's stdout and stderr, reassembled from a recording's output events. */
export async function recordedOutput(file: string): Promise<{stdout: Buffer; stderr: Buffer}> {
	const chunks = {stdout: [] as Buffer[], stderr: [] as Buffer[]};
	for await (const line of readSession(file)) if (line.type === 'output') chunks[line.stream].push(outputBytes(line));
	return {stdout: Buffer.concat(chunks.stdout), stderr: Buffer.concat(chunks.stderr)};
}

function asText({code, stdout, stderr}: ByteOutcome): Outcome {
	return {code, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8')};
}
